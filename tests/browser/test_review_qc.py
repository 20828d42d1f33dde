"""Stage 12 in Chromium: QC findings appear as proposed notes in their own style; accept makes a note, dismiss sets one aside."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, start_live_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveApp]:
    app, server, thread = start_live_app(tmp_path_factory.mktemp("qc"),
                                         mock_faults="1B:frozen(at=1;for=2),1C:black(at=3;for=1.5;fade=0)")
    yield app
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=15)
    app.rushes.db.dispose()


def wait_for_qc(live: LiveApp, take_id: int, timeout: float = 240.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = live.http.get(live.url(f"/api/takes/{take_id}/qc")).json()
        if body["status"] == "done":
            return body
        time.sleep(0.5)
    raise AssertionError(f"QC of take {take_id} not done: {body}")


def test_findings_are_proposed_pins_accepted_as_notes_or_dismissed(live: LiveApp, page: Page) -> None:
    scene = live.demo["scene_ids"][0]
    take = live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "qc-1"}).json()
    live.sign_in(page)
    page.goto(live.url(f"/scenes/{scene}/review?take={take['id']}"))
    body = wait_for_qc(live, take["id"])
    assert {(f["shot_code"], f["kind"]) for f in body["findings"]} >= {("1B", "frozen"), ("1C", "black")}
    # No reload: the page was opened while the take rendered and picks the findings up by itself.

    panel = page.locator("#qc-panel")
    expect(panel).to_have_attribute("data-status", "done", timeout=15_000)
    frozen = panel.locator('.qc-finding[data-kind="frozen"]')
    expect(frozen).to_contain_text("1B")
    expect(frozen).to_contain_text("Stage 10")
    expect(frozen.locator(".qc-measure")).to_contain_text("threshold")
    count = len(body["findings"])
    # Proposed notes are drawn apart from pinned notes: their own markers, no ordinary pin yet.
    proposals = page.locator("scene-player .sp-proposal")
    expect(proposals).to_have_count(count)
    expect(page.locator("scene-player .sp-pin")).to_have_count(0)

    # Clicking a proposal seeks there and selects its finding.
    frozen_id = frozen.get_attribute("data-id")
    page.locator(f'scene-player .sp-proposal[data-id="{frozen_id}"]').click()
    expect(frozen).to_have_class(re.compile(r"\bselected\b"))
    at = next(f["scene_time"] for f in body["findings"] if str(f["id"]) == frozen_id)
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {at}) < 0.05")

    frozen.locator(".qc-accept").click()
    expect(page.locator("#issue-list .issue")).to_have_count(1)
    expect(page.locator("#issue-list .issue")).to_contain_text("QC frozen")
    expect(frozen).to_have_attribute("data-status", "accepted")
    expect(page.locator("scene-player .sp-pin")).to_have_count(1)
    expect(proposals).to_have_count(count - 1)

    black = panel.locator('.qc-finding[data-kind="black"]')
    black.locator(".qc-dismiss").click()
    expect(black).to_have_count(0)  # dismissed ones are hidden until asked for
    expect(proposals).to_have_count(count - 2)
    panel.locator(".qc-show-dismissed").click()
    expect(black).to_have_attribute("data-status", "dismissed")
    expect(page.locator("#issue-list .issue")).to_have_count(1)
