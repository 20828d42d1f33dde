"""The review page's Export menu in Chromium: a reviewer downloads the take as OTIO, EDL, FCP 7 XML and CSV,
then builds the whole cut as an MP4 (progress, then a download link); every file is re-read by its library."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import av
import opentimelineio as otio
import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)
from tests.browser.test_roles import OVERFLOW_JS, rendered, shoot

pytestmark = pytest.mark.browser
NOTE = "Her scarf changes side between shots"
ADAPTERS = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcp_xml"}


def download(page: Page, entry: str) -> tuple[str, bytes]:
    """Open the menu, click an entry, and return the saved file's suggested name and bytes."""
    menu = page.locator("#export-menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
    with page.expect_download() as info:
        menu.locator(entry).click()
    saved = info.value
    return saved.suggested_filename, Path(saved.path()).read_bytes()


def test_a_reviewer_exports_every_format_from_the_menu(live_app: LiveApp, page: Page, chromium) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][2]
    rendered(live_app, scene_id)
    pinned = live_app.http.post(live_app.url(f"/api/scenes/{scene_id}/issues"),
                                json={"scene_time": 3.5, "category": "visual_continuity", "description": NOTE})
    assert pinned.status_code == 201, pinned.text
    cut = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/cut")).json()
    frames = sum(round(s["duration"] * 24) for s in cut["shots"])

    page.set_viewport_size({"width": 1024, "height": 768})
    live_app.sign_in(page, role="reviewer")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    page.locator("#export-menu summary").click()
    expect(page.locator("#export-menu .export-list")).to_be_visible()
    assert page.evaluate(OVERFLOW_JS) <= 0  # the open menu stays inside the page

    for fmt, ext in (("otio", "otio"), ("edl", "edl"), ("fcpxml", "xml")):
        name, data = download(page, f'a[data-format="{fmt}"]')
        assert name.endswith(f".{ext}"), name
        timeline = otio.adapters.read_from_string(data.decode("utf-8"), ADAPTERS[fmt])
        assert [c.name.strip() for c in timeline.find_clips()] == [s["code"] for s in cut["shots"]]
        markers = [(clip.range_in_parent().start_time + m.marked_range.start_time).to_frames()
                   for clip in timeline.find_clips() for m in clip.markers
                   if m.name.upper() == NOTE.upper()]
        assert markers == [84], (fmt, markers)  # 3.5 s at 24 fps

    name, data = download(page, 'a[data-format="csv"]')
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    [row] = [r for r in rows if r["text"] == NOTE]
    assert name.endswith(".csv") and row["in"] == "00:00:03:12" and row["category"] == "visual_continuity"

    # The MP4 is a worker job: the entry starts it, the menu shows it building, then offers the file.
    page.locator("#export-menu .export-mp4").click()
    expect(page.locator("#export-menu .export-mp4-state")).to_be_visible()
    expect(page.locator("#export-menu")).to_have_attribute("data-mp4", "done", timeout=90_000)
    expect(page.locator("#export-menu .export-mp4-text")).to_contain_text("ready")
    shoot(page, "review-export-menu")
    name, data = download(page, ".export-mp4-link")
    assert name.endswith(".mp4")
    with av.open(io.BytesIO(data)) as container:
        decoded = sum(1 for _ in container.decode(container.streams.video[0]))
        assert abs(decoded - frames) <= 1
        assert abs(container.duration / av.time_base - frames / 24) <= 1 / 24 + 0.03
        assert len(container.chapters()) == len(cut["shots"])
    assert page.locator("#export-menu .export-mp4").is_disabled()  # done: nothing to start again


def test_a_guest_is_offered_no_export(live_app: LiveApp, page: Page, chromium) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][2]
    rendered(live_app, scene_id)
    link = live_app.http.post(live_app.url(f"/api/scenes/{scene_id}/share"), json={"allow_notes": True})
    assert link.status_code in (200, 201), link.text
    page.goto(link.json()["url"] if link.json()["url"].startswith("http") else live_app.url(link.json()["url"]))
    expect(page.locator("#player")).to_be_attached()
    expect(page.locator("#export-menu")).to_have_count(0)
