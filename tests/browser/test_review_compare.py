"""The compare viewer in Chromium: two versions of a shot by wipe, side by side and difference,
frame-locked, each led in by the last two seconds of the previous shot, with one side heard."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from rushes.services.confirm import confirm_take
from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)
from tests.browser.test_roles import OVERFLOW_JS, rendered, wait_for_take

pytestmark = pytest.mark.browser
FRAME = 1 / 24


def two_versions_of_shot_2(app: LiveApp, scene_id: int) -> int:
    """Render, give shot 2 a new start frame (its clip goes stale), render again: shot 2 has v1 and v2."""
    rendered(app, scene_id)
    shot = app.http.get(app.url(f"/api/scenes/{scene_id}")).json()["shots"][1]
    assert app.http.post(app.url(f"/api/shots/{shot['id']}/frames"), json={"kinds": ["start"]}).status_code == 202
    deadline = time.monotonic() + 60
    while app.http.get(app.url(f"/api/scenes/{scene_id}")).json()["shots"][1]["clip"]["state"] != "stale":
        assert time.monotonic() < deadline, "the new start frame never made the clip stale"
        time.sleep(0.2)
    take_id, _ = confirm_take(app.rushes, scene_id, "compare-second")
    wait_for_take(app, take_id)
    return shot["id"]


def times(page: Page) -> dict:
    return page.evaluate("""() => { const v = (id) => document.getElementById(id);
        return {a: v('cmp-a').currentTime, b: v('cmp-b').currentTime, aLead: v('cmp-a-lead').currentTime,
                bLead: v('cmp-b-lead').currentTime, time: window.rushes.compare.state().time,
                phase: document.querySelector('.cmp-reel-a').dataset.phase}; }""")


def test_compare_two_versions_by_wipe_side_and_difference(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][0]
    shot_id = two_versions_of_shot_2(live_app, scene_id)
    stack = live_app.http.get(live_app.url(f"/api/shots/{shot_id}/clips")).json()
    assert [c["version"] for c in stack] == [1, 2]
    cut = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/cut")).json()

    page.set_viewport_size({"width": 1440, "height": 900})
    live_app.sign_in(page, role="reviewer")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    page.locator('#shot-list .shot-row[data-code="1B"] .ab').click()
    dialog = page.locator("#compare-dialog")
    expect(dialog).to_be_visible()
    assert page.evaluate(OVERFLOW_JS) <= 0

    # A is the previous take's version, B this take's; both pickers offer the whole stack.
    assert page.locator("#cmp-a").get_attribute("src") == stack[0]["url"]
    assert page.locator("#cmp-b").get_attribute("src") == stack[1]["url"]
    expect(page.locator("#cmp-pick-a option")).to_have_count(2)

    # Pre-roll: both sides open on the last 2 s of 1A, the shot before in this cut.
    assert page.locator("#cmp-a-lead").get_attribute("src") == cut["shots"][0]["src"]
    page.wait_for_function("() => document.getElementById('cmp-a-lead').readyState >= 1"
                           " && document.getElementById('cmp-b').readyState >= 1")
    start = times(page)
    assert start["phase"] == "lead" and start["time"] == pytest.approx(-2, abs=FRAME)
    assert start["aLead"] == pytest.approx(cut["shots"][0]["duration"] - 2, abs=2 * FRAME)
    expect(page.locator(".cmp-reel-a .cmp-lead")).to_be_visible()
    expect(page.locator(".cmp-reel-a .cmp-body")).to_be_hidden()

    # Wipe: dragging the divider moves it and re-clips A.
    divider = page.locator("#cmp-divider")
    before_clip = page.evaluate("() => document.querySelector('.cmp-reel-a').style.clipPath")
    assert before_clip == "inset(0px 50% 0px 0px)"
    box, stage = divider.bounding_box(), page.locator("#cmp-stage").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + stage["width"] * 0.25, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    after_clip = page.evaluate("() => document.querySelector('.cmp-reel-a').style.clipPath")
    wipe = float(divider.get_attribute("aria-valuenow"))
    assert after_clip != before_clip and 22 <= wipe <= 28
    assert abs(divider.bounding_box()["x"] + box["width"] / 2 - (stage["x"] + stage["width"] * 0.25)) < 4
    # ... and by keyboard.
    divider.focus()
    page.keyboard.press("ArrowRight")
    assert float(divider.get_attribute("aria-valuenow")) == pytest.approx(wipe + 2, abs=1)

    # Play: the lead-in hands over to the versions, and B stays on A's frame.
    page.locator("#cmp-play").click()
    page.wait_for_function("() => window.rushes.compare.state().time > 0.6", timeout=20_000)
    # While playing, B is held on A's frame (re-synced whenever it drifts by half a frame).
    page.wait_for_function("""() => { const a = document.getElementById('cmp-a'), b = document.getElementById('cmp-b');
        return !a.paused && !b.paused && Math.abs(a.currentTime - b.currentTime) <= 1 / 24; }""", timeout=10_000)
    assert times(page)["phase"] == "body"
    page.locator("#cmp-play").click()  # pause
    paused = times(page)
    assert abs(paused["a"] - paused["b"]) <= FRAME and paused["a"] > 0.6

    # A seek moves both together; ',' and '.' step both by one frame.
    page.evaluate("() => window.rushes.compare.seek(3.5)")
    page.wait_for_function("() => !document.getElementById('cmp-a').seeking && !document.getElementById('cmp-b').seeking")
    sought = times(page)
    assert sought["a"] == pytest.approx(3.5, abs=FRAME) and abs(sought["a"] - sought["b"]) <= FRAME
    page.locator("#cmp-play").focus()
    page.keyboard.press(".")
    stepped = times(page)
    assert stepped["time"] == pytest.approx(3.5 + FRAME, abs=1e-6) and abs(stepped["a"] - stepped["b"]) <= FRAME
    page.keyboard.press(",")
    assert times(page)["time"] == pytest.approx(3.5, abs=1e-6)

    # Side by side: two boxes next to each other, no clip.
    page.locator('.cmp-modes [data-mode="side"]').click()
    a_box = page.locator(".cmp-reel-a").bounding_box()
    b_box = page.locator(".cmp-reel-b").bounding_box()
    assert a_box["x"] + a_box["width"] <= b_box["x"] and abs(a_box["y"] - b_box["y"]) < 2
    assert page.evaluate("() => document.querySelector('.cmp-reel-a').style.clipPath") == ""
    expect(divider).to_be_hidden()

    # Difference: stacked, A blended onto B by mix-blend-mode.
    page.locator('.cmp-modes [data-mode="difference"]').click()
    assert page.evaluate("() => getComputedStyle(document.querySelector('.cmp-reel-a')).mixBlendMode") == "difference"
    a_box, b_box = page.locator(".cmp-reel-a").bounding_box(), page.locator(".cmp-reel-b").bounding_box()
    assert a_box == b_box

    # Audio: one side heard, the other muted, switched by the control.
    muted = "() => ['cmp-a', 'cmp-a-lead', 'cmp-b', 'cmp-b-lead'].map((id) => document.getElementById(id).muted)"
    assert page.evaluate(muted) == [False, False, True, True]
    page.locator("#cmp-hear-b").click()
    assert page.evaluate(muted) == [True, True, False, False]
    expect(page.locator("#cmp-hear-b")).to_have_attribute("aria-pressed", "true")

    # Picking another version for A loads it and keeps the clock.
    page.locator("#cmp-pick-a").select_option(str(stack[1]["id"]))
    assert page.locator("#cmp-a").get_attribute("src") == stack[1]["url"]

    # Fits at 1024x768 too, and Esc closes.
    page.set_viewport_size({"width": 1024, "height": 768})
    assert page.evaluate(OVERFLOW_JS) <= 0
    dbox = dialog.bounding_box()
    assert dbox["x"] >= 0 and dbox["x"] + dbox["width"] <= 1024
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("() => document.getElementById('cmp-a').paused && document.getElementById('cmp-b').paused")


def test_the_first_shot_has_no_lead_in(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][0]
    rendered(live_app, scene_id)
    live_app.sign_in(page, role="reviewer")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    page.locator('#shot-list .shot-row[data-code="1A"] .ab').click()
    expect(page.locator("#compare-dialog")).to_be_visible()
    assert page.locator("#cmp-a-lead").get_attribute("src") is None
    assert page.evaluate("() => window.rushes.compare.state().time") == 0
    expect(page.locator(".cmp-reel-a .cmp-body")).to_be_visible()
    expect(page.locator("#cmp-note")).to_contain_text("no lead-in")
