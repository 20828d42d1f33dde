"""Range notes, statuses and filters in Chromium: I and O mark a range that is pinned as frames and drawn
as a span on the timeline; the same words on the same frame are refused in place; an editor resolves,
won't-fixes and reopens a note; the panel filters by status, stage, shot and author."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)
from tests.browser.test_roles import OVERFLOW_JS, rendered

pytestmark = pytest.mark.browser


def seek(page: Page, seconds: float) -> None:
    page.evaluate(f"() => document.getElementById('player').seek({seconds})")
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {seconds}) < 0.05")


def open_review_and_mark(live_app: LiveApp, page: Page, role: str, start: float, end: float) -> str:
    """A rendered scene's review page signed in as `role`, with I and O pressed at `start` and `end`."""
    scene_id = live_app.demo["scene_ids"][1]
    rendered(live_app, scene_id)
    page.set_viewport_size({"width": 1440, "height": 900})
    email = live_app.sign_in(page, role=role)
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    seek(page, start)
    page.locator("body").press("i")
    seek(page, end)
    page.locator("body").press("o")
    return email


def test_a_range_note_is_marked_with_i_and_o_and_triaged(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][1]
    editor = open_review_and_mark(live_app, page, "editor", 1.0, 2.5)
    expect(page.locator("#note-range")).to_contain_text("Range 00:00:01:00 – 00:00:02:12 (37 frames)")
    page.locator("#issue-text").fill("The lamp flickers through the whole push-in")
    page.locator("#pin-issue").click()
    note = page.locator("#issue-list .issue", has_text="The lamp flickers through the whole push-in")
    expect(note.locator(".tc").first).to_have_text("00:00:01:00")
    expect(note.locator(".tc-out")).to_have_text("– 00:00:02:12")
    expect(page.locator("#note-range")).to_be_hidden()  # the marks clear once the note is pinned
    issue_id = int(note.get_attribute("data-id"))
    stored = [i for i in live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/issues")).json() if i["id"] == issue_id][0]
    assert (stored["frame"], stored["out_frame"], stored["rate"]) == (24, 60, "24/1")
    span = page.locator("scene-player .sp-pin-span")
    expect(span.first).to_be_visible()

    # The same words on the same frame: refused beside the note box, nothing added.
    count = page.locator("#issue-list .issue").count()
    seek(page, 1.0)
    page.locator("#issue-text").fill("the lamp flickers through the whole  push-in")
    page.locator("#pin-issue").click()
    expect(page.locator("#issue-error")).to_contain_text("already pinned on frame 24")
    expect(page.locator("#issue-list .issue")).to_have_count(count)
    page.locator("#issue-text").fill("")

    # Statuses by hand: won't fix, then reopen.
    note.locator(".status-move[data-to=wont_fix]").click()
    expect(note.locator(".pill")).to_have_text("won't fix")
    note = page.locator(f'#issue-list .issue[data-id="{issue_id}"]')
    note.locator(".status-move[data-to=open]").click()
    expect(note.locator(".pill")).to_have_text("open")

    # A second note by someone else, then the filters.
    live_app.client_for("reviewer").post(live_app.url(f"/api/scenes/{scene_id}/issues"),
                                         json={"scene_time": 4.0, "category": "timing", "description": "hold longer"})
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#issue-list .issue').length >= 2")
    total = page.locator("#issue-list .issue").count()
    page.locator('#issue-filters select[data-filter="author"]').select_option(editor)
    expect(page.locator("#issue-list .issue:visible")).to_have_count(
        page.locator(f'#issue-list .issue[data-author="{editor}"]').count())
    expect(page.locator("#issue-filter-count")).to_contain_text(f"of {total} shown")
    page.locator('#issue-filters select[data-filter="author"]').select_option("")
    page.locator('#issue-filters select[data-filter="status"]').select_option("open")
    visible = page.locator("#issue-list .issue:visible")
    for n in range(visible.count()):
        assert visible.nth(n).get_attribute("data-status") == "open"
    page.locator('#issue-filters select[data-filter="status"]').select_option("")
    expect(page.locator("#issue-list .issue:visible")).to_have_count(total)
    for width, height in ((1440, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(OVERFLOW_JS) <= 0
