"""Stage 12 in Chromium: render, toast, player, issues, route to stage 10, fix, re-render one shot, compare, complete."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, start_live_app

pytestmark = pytest.mark.browser


def _serve(root: Path, **overrides) -> Iterator[LiveApp]:
    app, server, thread = start_live_app(root, **overrides)
    yield app
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=15)
    app.rushes.db.dispose()


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveApp]:
    yield from _serve(tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def failing(tmp_path_factory) -> Iterator[LiveApp]:
    yield from _serve(tmp_path_factory.mktemp("failing"), mock_fail_safety=1.0)


def player_state(page: Page) -> dict:
    return page.evaluate("() => { const p = document.getElementById('player');"
                         " return {time: p.currentTime, shot: p.currentShot, paused: p.paused, duration: p.duration}; }")


def test_the_whole_review_loop(live: LiveApp, page: Page) -> None:
    scene = live.demo["scene_ids"][0]
    project = live.demo["project_id"]
    live.sign_in(page, role="editor")  # an editor works the whole loop: render, note, route, fix, complete

    # Render scene 1 while the filmmaker sits on the Script Hub: the toast arrives without a reload.
    live.rushes.video.latency_seconds = 8.0  # slow enough to watch the Hub show per-shot progress, even on a busy machine
    assert live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "loop-1"}).status_code == 201
    page.goto(live.url(f"/projects/{project}"))
    progress = page.locator(f'[data-take-progress][data-scene-id="{scene}"]')
    expect(progress.locator(".chip")).to_have_count(4, timeout=20_000)
    expect(progress.locator('.chip[data-state="rendering"]').first).to_be_visible(timeout=20_000)
    expect(progress.locator(".cancel-take")).to_be_visible(timeout=20_000)
    page.evaluate("window.__sameDocument = true")
    live.rushes.video.latency_seconds = 0.0
    toast = page.locator(f'#toasts .toast.render[data-scene-id="{scene}"]')
    expect(toast).to_be_visible(timeout=60_000)
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#notif-bell .bell-count")).to_have_text("1")
    row_status = page.locator(f'.scene-row[data-scene-id="{scene}"] [data-status]')
    expect(row_status).to_have_attribute("data-status", "Ready for Review")
    toast.click()
    page.wait_for_url(f"**/scenes/{scene}/review**")

    # The player: the whole scene as one cut.
    page.wait_for_function("() => document.getElementById('player').duration > 29")
    assert player_state(page)["duration"] == pytest.approx(30, abs=0.05)
    page.evaluate("""() => { window.__shots = []; const p = document.getElementById('player');
        p.addEventListener('shotchange', (e) => window.__shots.push(e.detail.index));
        p.addEventListener('ended', () => { window.__ended = true; }); }""")
    page.evaluate("() => { const p = document.getElementById('player'); p.playbackRate = 2; p.play(); }")
    page.wait_for_function("() => window.__ended === true", timeout=40_000)
    shots = page.evaluate("window.__shots")
    # Playing through announces 1, 2, 3 in order; on a busy machine the player may first announce the shot it
    # starts on (0) once its picture is ready, which says nothing about the cuts.
    assert 1 in shots and shots[shots.index(1):] == [1, 2, 3] and set(shots[:shots.index(1)]) <= {0}, shots

    # Scrub by mouse into the middle of shot 3 (1C runs 14-22 s of 30 s).
    track = page.locator("scene-player .sp-track")
    box = track.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 18 / 30, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.getElementById('player').currentShot === 2")
    assert 17 < player_state(page)["time"] < 19
    expect(page.locator("#pin-shot")).to_have_text("1C")

    # A side-list row jumps to its shot.
    page.locator('#shot-list .shot-row[data-code="1D"] .thumb').click()
    page.wait_for_function("() => document.getElementById('player').currentShot === 3")
    expect(page.locator('#shot-list .shot-row[data-code="1D"]')).to_have_class(re.compile(r"\bcurrent\b"))

    # Pin a visual-continuity issue on shot 2; the agent's suggestion shows as we type.
    page.evaluate("document.getElementById('player').seek(10)")
    page.wait_for_function("() => document.getElementById('player').currentShot === 1")
    page.locator('input[name="category"][value="visual_continuity"]').check()
    page.locator("#issue-text").fill("her coat jumps from navy to black between 1A and 1B")
    expect(page.locator("#suggestion")).to_be_visible(timeout=10_000)
    expect(page.locator("#suggestion-text")).to_contain_text("Stage")
    page.locator("#pin-issue").click()
    issue = page.locator("#issue-list .issue").first
    expect(issue).to_contain_text("1B")
    expect(issue).to_have_attribute("data-stage", "10")
    pins = page.locator("scene-player .sp-pin")
    expect(pins).to_have_count(1)
    # Clicking the issue seeks to its timecode.
    page.evaluate("document.getElementById('player').seek(25)")
    issue.locator(".issue-seek").click()
    page.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 10) < 0.1")

    # Return to stage 10 with a statement of what the re-render will cost.
    page.locator('#route-buttons .route[data-stage="10"]').click()
    statement = page.locator("#route-statement")
    expect(statement).to_contain_text("1B")
    # Every cost: 1B's two frames (8) as well as its clip (60).
    expect(statement.locator('#route-costs tr.fix[data-code="1B"]')).to_contain_text("2 × 4 = 8")
    expect(statement.locator("#route-costs [data-total]")).to_have_text("68")
    shot_2 = live.http.get(live.url(f"/api/scenes/{scene}")).json()["shots"][1]["id"]
    page.locator("#go-stage").click()
    page.wait_for_url(f"**/scenes/{scene}/stage/10?shot={shot_2}")
    expect(page.locator("#routed-issues")).to_contain_text("her coat jumps")
    expect(page.locator(f'.frame-row[data-shot-id="{shot_2}"]')).to_have_class(re.compile(r"\brouted-focus\b"))
    row = page.locator(f'.frame-row[data-shot-id="{shot_2}"]')
    row.locator('[data-regen="start"]').click()
    row = page.locator(f'.frame-row[data-shot-id="{shot_2}"]')
    expect(row.locator('[data-frame="start"] figcaption')).to_contain_text("v2", timeout=30_000)

    # Stage 11: exactly one shot to render, and what it costs.
    page.goto(live.url(f"/scenes/{scene}/stage/11"))
    to_render = page.locator("#render-shots tbody tr")
    expect(to_render).to_have_count(1)
    assert to_render.first.get_attribute("data-code") == "1B"
    expect(to_render.first.locator("[data-credits]")).to_have_attribute("data-credits", "60")
    # The statement before Confirm counts the start frame redrawn at Stage 10 too.
    expect(page.locator('#frame-costs [data-cost="frames-spent"][data-code="1B"] .num')).to_have_text("4")
    expect(page.locator("#frame-costs [data-all-credits]")).to_have_attribute("data-all-credits", "64")
    page.locator("#confirm-render").click()
    page.wait_for_url(f"**/scenes/{scene}/review**")
    # The review page follows the render shot by shot (the panel stays, offering the take, once it is done).
    expect(page.locator('#render-progress .pshot[data-code="1B"]')).to_be_visible(timeout=10_000)
    expect(page.locator("#render-progress .pshot")).to_have_count(4)

    # The page on screen is the one take 2's notification points to: it finishes in place, with no toast over
    # the notes (issue 22), and a reload shows the new take.
    expect(page.locator("#progress-summary")).to_contain_text("all 4 shots ready", timeout=60_000)
    assert page.locator("#toasts .toast.render").count() == 0
    page.reload()
    expect(page.locator(".review-head .sub")).to_contain_text("Take 2")
    expect(page.locator("#issue-list .issue").first).to_have_attribute("data-status", "addressed")

    # Compare shot 2: the previous take's clip against the new one (tests/browser/test_review_compare.py has the rest).
    page.locator('#shot-list .shot-row[data-code="1B"] .ab').click()
    expect(page.locator("#compare-dialog")).to_be_visible()
    a_src, b_src = page.locator("#cmp-a").get_attribute("src"), page.locator("#cmp-b").get_attribute("src")
    assert a_src and b_src and a_src != b_src
    page.locator("#cmp-play").click()
    page.wait_for_function("() => !document.getElementById('cmp-b').paused && document.getElementById('cmp-b').currentTime > 0.2",
                           timeout=20_000)
    page.locator("#cmp-close").click()

    # Complete Scene: the page's own question says what is approved; then back to the Hub, Complete, badge cleared.
    page.locator("#complete-scene").click()
    ask = page.locator("#complete-dialog")
    expect(ask).to_contain_text("You approve take 2: 4 shots, 30 s.")
    ask.locator('[data-answer="yes"]').click()
    expect(page.locator("#approved-message")).to_contain_text("take 2 approved, 4 shots, 30 s")
    page.locator("#back-to-hub").click()
    page.wait_for_url(f"**/projects/{project}")
    row = page.locator(f'.scene-row[data-scene-id="{scene}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "Complete")
    expect(row.locator("[data-badge]")).to_have_count(0)
    summary = live.http.get(live.url(f"/api/projects/{project}/scenes")).json()[0]
    assert summary["thumbnail_url"] and summary["unread_notifications"] == 0


def test_a_failed_shot_shows_its_reason(failing: LiveApp, page: Page) -> None:
    failing.sign_in(page)
    scene = failing.demo["scene_ids"][1]
    take = failing.http.post(failing.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "f"}).json()
    deadline = time.monotonic() + 60
    while not failing.http.get(failing.url(f"/api/takes/{take['id']}")).json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    page.goto(failing.url(f"/scenes/{scene}/review"))
    row = page.locator("#shot-list .shot-row").first
    expect(row).to_have_class(re.compile(r"\bstate-failed\b"))
    expect(row.locator(".reason")).to_contain_text("usage guidelines")
    expect(page.locator("scene-player .sp-seg").first).to_have_attribute("data-state", "failed")
    expect(page.locator("#complete-scene")).to_be_disabled()
