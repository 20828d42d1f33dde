"""Renders are draws, in Chromium: Retake from a shot's row with two variants (priced before buying), the
candidates side by side with QC badges and their neighbours' lead-in and lead-out, a pick by keyboard that
updates the cut without a reload, and a note carried to the retaken shot that is resolved in one click."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)
from tests.browser.test_roles import OVERFLOW_JS, rendered

pytestmark = pytest.mark.browser


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"candidates-{name}.png"), full_page=True)


def latest_take(app: LiveApp, scene_id: int) -> int:
    return app.http.get(app.url(f"/api/scenes/{scene_id}/takes")).json()[0]["id"]


def retake_from_dialog(app: LiveApp, page: Page, scene_id: int, variants: int) -> dict:
    dialog = page.locator("#candidates-dialog")
    expect(dialog).to_be_visible()
    page.select_option("#cand-variants", str(variants))
    expect(page.locator("#cand-price")).to_contain_text(f"{variants} ×")
    before = latest_take(app, scene_id)
    page.locator("#cand-retake").click()
    page.wait_for_url("**/review?take=*")
    take_id = latest_take(app, scene_id)
    assert take_id != before
    return wait_for_take(app, take_id, timeout=240)


def test_retake_with_variants_then_pick_a_candidate_by_keyboard(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][0]
    rendered(live_app, scene_id)
    page.set_viewport_size({"width": 1440, "height": 900})
    live_app.sign_in(page, role="owner")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    row = page.locator('#shot-list .shot-row[data-code="1B"]')
    shot_id = int(row.get_attribute("data-shot-id"))
    row.locator(".cand-retake-row").click()
    unit = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/plan"), params={"retake": str(shot_id)}).json()["total_credits"]
    expect(page.locator("#cand-retake")).to_have_text(f"Retake · {unit} credits")
    page.select_option("#cand-variants", "2")
    expect(page.locator("#cand-retake")).to_have_text(f"Retake · {2 * unit} credits")
    assert page.evaluate(OVERFLOW_JS) <= 0
    shoot(page, "retake")
    take = retake_from_dialog(live_app, page, scene_id, 2)
    assert take["cost_credits"] == 2 * unit

    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    page.evaluate("() => { window.__stayed = true; }")
    page.locator('#shot-list .shot-row[data-code="1B"] .cand-open').click()
    tiles = page.locator("#cand-grid .cand-tile")
    expect(tiles).to_have_count(3)  # the first draw and the two variants, all of the same inputs
    expect(page.locator("#cand-grid .cand-tile.is-select")).to_have_count(1)
    # QC badges on every variant (ranked when they landed); the first draw's come from its take's QC.
    expect(page.locator("#cand-grid .cand-tile .pill", has_text="QC #")).to_have_count(2)
    assert page.locator("#cand-grid .cand-clean").count() + page.locator("#cand-grid .cand-fault").count() >= 2
    cut = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/cut")).json()
    first = tiles.nth(0)
    assert first.locator(".cand-lead").get_attribute("src") == cut["shots"][0]["src"]
    assert first.locator(".cand-out").get_attribute("src") == cut["shots"][2]["src"]
    shoot(page, "grid")

    # Play in context: every tile opens on the end of 1A before its own picture.
    page.locator("#cand-play").click()
    page.wait_for_function("() => document.querySelector('.cand-tile').dataset.phase === 'lead'")
    page.wait_for_function("() => document.querySelector('.cand-tile').dataset.phase === 'body'", timeout=15000)
    page.locator("#cand-play").click()

    # Step to a candidate that is not the select and pick it with Enter.
    selected = page.evaluate("() => [...document.querySelectorAll('.cand-tile')].findIndex((t) => t.classList.contains('is-select'))")
    target = (selected + 1) % 3
    page.locator("#cand-grid .cand-tile").nth(selected).focus()
    page.keyboard.press("ArrowRight")
    expect(tiles.nth(target)).to_have_class(__import__("re").compile(r"\bfocused\b"))
    page.keyboard.press("Enter")
    expect(tiles.nth(target)).to_have_attribute("aria-selected", "true")
    clip_id = int(tiles.nth(target).get_attribute("data-clip-id"))
    clips = live_app.http.get(live_app.url(f"/api/shots/{shot_id}/clips")).json()
    assert [c["id"] for c in clips if c["selected"]] == [clip_id]
    url = next(c["url"] for c in clips if c["id"] == clip_id)
    # The cut on screen plays the new select, with no reload.
    page.wait_for_function("(url) => window.rushes?.review.player.shots[1].src === url", arg=url)
    assert page.evaluate("() => window.__stayed === true")
    assert live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/cut")).json()["shots"][1]["clip_id"] == clip_id
    page.keyboard.press("Escape")
    expect(page.locator("#candidates-dialog")).to_be_hidden()

    page.set_viewport_size({"width": 1024, "height": 768})
    page.locator('#shot-list .shot-row[data-code="1B"] .cand-open').click()
    expect(tiles).to_have_count(3)
    assert page.evaluate(OVERFLOW_JS) <= 0
    shoot(page, "grid-1024")


def test_a_note_follows_its_shot_through_a_retake_and_is_resolved_in_one_click(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][1]
    rendered(live_app, scene_id)
    cut = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/cut")).json()
    third = cut["shots"][2]
    note = live_app.http.post(live_app.url(f"/api/scenes/{scene_id}/issues"), json={
        "scene_time": third["start"] + 1, "category": "visual_continuity", "description": "Her hand morphs here",
        "take_id": cut["take"]["id"]}).json()
    assert note["shot_id"] == third["shot_id"]
    page.set_viewport_size({"width": 1440, "height": 900})
    live_app.sign_in(page, role="owner")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    li = page.locator(f'#issue-list .issue[data-id="{note["id"]}"]')
    expect(li).to_have_attribute("data-shot-changed", "false")
    li.locator(".cand-retake-note").click()
    retake_from_dialog(live_app, page, scene_id, 1)

    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    li = page.locator(f'#issue-list .issue[data-id="{note["id"]}"]')
    expect(li).to_have_attribute("data-shot-changed", "true")
    expect(li.locator(".cand-check")).to_contain_text("was this fixed?")
    expect(li.locator(".cand-note-line")).to_contain_text("from take 1")
    shoot(page, "carried-note")
    li.locator(".cand-resolve").click()
    expect(page.locator(f'#issue-list .issue[data-id="{note["id"]}"]')).to_have_attribute("data-status", "resolved")
    issue = next(i for i in live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/issues")).json() if i["id"] == note["id"])
    assert issue["status"] == "resolved" and issue["shot_changed"] and issue["carried_from_take"] == cut["take"]["id"]
    expect(page.locator(f'#issue-list .issue[data-id="{note["id"]}"] .cand-reopen')).to_be_visible()
