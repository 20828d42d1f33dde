"""Issue 22 on the review page, in Chromium at 1440x900 and 1024x768: the player, the note composer with its
drawing tools, the shot list and the notes all in view without scrolling; the keys work page-wide; a note
the agent cannot place waits under "no route" and is routed on its own with a statement that survives a
reload; Complete Scene asks what becomes of the open notes; errors are pages with a way back; toasts close.
Screenshots are kept when RUSHES_SCREENSHOT_DIR is set."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rushes.services.confirm import confirm_take
from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
SIZES = {"1440": (1440, 900), "1024": (1024, 768)}
IN_VIEW = ["scene-player", "#issue-text", "#pin-issue", "#draw-toggle", ".category-picks", "#shot-list .shot-row",
           ".issues-panel h2", "#complete-scene"]


@pytest.fixture(scope="module")
def rendered(live_app: LiveApp) -> dict:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][0]
    take_id, _ = confirm_take(live_app.rushes, scene_id, "home-take-1")
    return wait_for_take(live_app, take_id)


@pytest.fixture(params=list(SIZES))
def sized(chromium, request, live_app):  # noqa: ANN001,F811
    width, height = SIZES[request.param]
    context = chromium.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    live_app.sign_in(pg)
    yield pg, request.param, errors
    context.close()


def keep(page: Page, name: str) -> None:
    folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def within_viewport(page: Page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    size = page.viewport_size
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["y"] >= 0, f"{selector} starts off screen: {box}"
    assert box["x"] + box["width"] <= size["width"] + 1 and box["y"] + box["height"] <= size["height"] + 1, \
        f"{selector} is not fully in the {size['width']}x{size['height']} viewport: {box}"


def open_review(page: Page, app: LiveApp, scene: int) -> None:
    page.goto(app.url(f"/scenes/{scene}/review"))
    page.wait_for_function("() => window.rushes?.review && document.getElementById('player').duration > 0")


def player_time(page: Page) -> float:
    return page.evaluate("() => document.getElementById('player').currentTime")


def test_player_composer_drawing_shots_and_notes_are_in_view_together(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, size, errors = sized
    open_review(page, live_app, live_app.demo["scene_ids"][0])
    for selector in IN_VIEW:
        within_viewport(page, selector)
    assert page.evaluate("() => window.scrollY") == 0
    # Drawing happens on the picture: the tools are in view and a drag on the picture selects no page text.
    page.click("#draw-toggle")
    within_viewport(page, ".draw-tools")
    canvas = page.locator("#draw-canvas").bounding_box()
    page.mouse.move(canvas["x"] + canvas["width"] * 0.3, canvas["y"] + canvas["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(canvas["x"] + canvas["width"] * 0.6, canvas["y"] + canvas["height"] * 0.6, steps=6)
    page.mouse.up()
    assert page.evaluate("() => String(window.getSelection())") == ""
    assert page.evaluate("() => window.scrollY") == 0
    keep(page, f"review-layout-{size}")
    assert not [e for e in errors if "favicon" not in e]


def test_every_key_works_page_wide_and_arrow_down_does_not_scroll(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, size, _ = sized
    open_review(page, live_app, live_app.demo["scene_ids"][0])
    page.locator("#shot-list .shot-row").nth(1).locator(".thumb").click()  # focus on a row of the list, not on the player
    page.wait_for_function("() => document.getElementById('player').currentShot === 1")
    start = player_time(page)
    assert page.evaluate("() => document.activeElement.id") != "player"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => document.getElementById('player').currentTime > {start} + 0.01")
    page.keyboard.press(",")
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {start}) < 0.02")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.getElementById('player').currentShot === 2")
    assert page.evaluate("() => window.scrollY") == 0
    page.keyboard.press("ArrowUp")
    page.wait_for_function("() => document.getElementById('player').currentShot === 1")
    page.keyboard.press("l")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('player').paused")
    page.keyboard.press("i")
    expect(page.locator("#note-range")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#issue-text")).to_be_focused()
    # Typing in the note box is typing: the keys are letters there.
    page.keyboard.type("jkl, ok")
    expect(page.locator("#issue-text")).to_have_value("jkl, ok")
    assert page.evaluate("() => document.getElementById('player').paused")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    sheet = page.locator("#shortcut-sheet")
    expect(sheet).to_be_visible()
    for key in ("J / K / L", "N", "I", "Space"):
        expect(sheet.locator("kbd", has_text=key).first).to_be_visible()
    keep(page, f"review-shortcuts-{size}")


def test_a_note_with_no_route_waits_and_is_routed_alone_with_a_statement_kept_over_a_reload(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, size, _ = sized
    scene = live_app.demo["scene_ids"][0]
    open_review(page, live_app, scene)
    assert page.locator('input[name="category"]:checked').count() == 0  # nothing preset
    page.fill("#issue-text", f"love this shot {size}")
    expect(page.locator("#suggestion")).to_contain_text("Not sure where this goes")
    page.click("#pin-issue")
    note = page.locator("#issue-list .issue", has_text=f"love this shot {size}")
    expect(note).to_contain_text("No route yet")
    expect(page.locator("#no-route-count")).to_be_visible()
    expect(page.locator('#route-buttons .route[data-stage="10"]')).to_be_disabled()
    note.locator(".note-route-stage").select_option("9")
    note.locator(".note-route-send").click()
    statement = page.locator("#route-statement")
    expect(statement).to_contain_text("sent to Stage 9 Prompts")
    expect(statement).to_contain_text("only the clip re-renders")
    text = statement.locator(".route-why").inner_text()
    keep(page, f"review-route-{size}")
    page.reload()
    page.wait_for_function("() => window.rushes?.review")
    expect(page.locator("#route-statement .route-why")).to_have_text(text)
    expect(page.locator("#issue-list .issue", has_text=f"love this shot {size}")).to_contain_text("routed")


def ensure_take(app: LiveApp, scene: int, key: str) -> None:
    """A finished take for the scene (the first test to need one renders it)."""
    if app.http.get(app.url(f"/api/scenes/{scene}/cut")).json()["take"] is None:
        take_id, _ = confirm_take(app.rushes, scene, key)
        wait_for_take(app, take_id)


def test_finished_shots_play_while_the_rest_render_and_the_toast_stays_off_its_own_page(live_app: LiveApp, sized) -> None:  # noqa: F811
    page, size, _ = sized
    scene = live_app.demo["scene_ids"][1 if size == "1440" else 2]
    elsewhere = page.context.new_page()  # another page of the same member: it gets the toast and the bell
    elsewhere.goto(live_app.url(f"/projects/{live_app.demo['project_id']}"))
    live_app.rushes.video.latency_seconds = 2.5
    try:
        take_id, _ = confirm_take(live_app.rushes, scene, f"home-watch-{size}")
        page.goto(live_app.url(f"/scenes/{scene}/review?take={take_id}"))
        page.wait_for_function("() => window.rushes?.review")
        # Some shots have landed and play, the others are slates saying how far they are.
        page.wait_for_function("""() => { const s = document.getElementById('player').shots;
            return s.some((x) => x.state === 'ready' && x.src) && s.some((x) => x.state !== 'ready'); }""", timeout=90_000)
        waiting = page.evaluate("""() => document.getElementById('player').shots.findIndex((x) => x.state !== 'ready')""")
        page.evaluate(f"() => document.getElementById('player').goToShot({waiting})")
        slate = page.locator("#player .sp-slate")
        expect(slate).to_be_visible()
        page.wait_for_function("""() => /%|waiting/.test(document.getElementById('player').shadowRoot.querySelector('.sp-slate-reason').textContent)""")
        page.evaluate("() => document.getElementById('player').seek(1.5)")
        keep(page, f"review-watch-{size}")
        expect(page.locator("#progress-summary")).to_contain_text("shots ready", timeout=90_000)
    finally:
        live_app.rushes.video.latency_seconds = 0.0
    assert abs(page.evaluate("() => document.getElementById('player').currentTime") - 1.5) < 0.1  # playhead kept
    assert all(s["state"] == "ready" for s in page.evaluate("() => document.getElementById('player').shots"))
    # The take's toast went to the other page, never over the review it points to.
    expect(elsewhere.locator("#toasts .toast.render")).to_have_count(1, timeout=30_000)
    assert page.locator("#toasts .toast.render").count() == 0
    # The toast closes; the bell on the other page follows what this page read.
    elsewhere.locator("#toasts .toast.render .toast-close").click()
    expect(elsewhere.locator("#toasts .toast.render")).to_have_count(0)
    page.reload()
    page.wait_for_function("() => window.rushes?.review")
    expect(elsewhere.locator("#notif-bell .bell-count")).to_be_hidden(timeout=15_000)
    elsewhere.close()


@pytest.mark.parametrize("width", [1024, 800])
def test_no_control_is_clipped_down_to_1024_and_the_player_keeps_fullscreen_at_800(live_app: LiveApp, rendered: dict, chromium, width: int) -> None:  # noqa: F811
    context = chromium.new_context(viewport={"width": width, "height": 768})
    page = context.new_page()
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][0]
    paths = [f"/scenes/{scene}/review"] if width == 800 else [
        "/", f"/projects/{live_app.demo['project_id']}", "/credits", f"/scenes/{scene}/review",
        *[f"/scenes/{scene}/stage/{n}" for n in (7, 8, 9, 10, 11)]]
    clipped_js = """() => [...document.querySelectorAll('button, a.btn, .btn, select, .rail-step')].filter((el) => {
        const r = el.getBoundingClientRect();
        if (!r.width || getComputedStyle(el).visibility === 'hidden' || el.closest('dialog:not([open]), .hidden, [hidden]')) return false;
        return el.scrollWidth > el.clientWidth + 1 || r.right > document.documentElement.clientWidth + 1;
      }).map((el) => (el.id || el.className) + ': ' + el.textContent.trim().slice(0, 40))"""
    try:
        for path in paths:
            page.goto(live_app.url(path))
            page.wait_for_load_state("networkidle")
            assert page.evaluate(clipped_js) == [], path
        page.goto(live_app.url(f"/scenes/{scene}/review"))
        page.wait_for_function("() => window.rushes?.review")
        full = page.evaluate("""() => { const p = document.getElementById('player');
            const b = p.shadowRoot.querySelector('[data-act="full"]').getBoundingClientRect(); const o = p.getBoundingClientRect();
            return {right: b.right, width: b.width, player: o.right}; }""")
        assert full["width"] > 20 and full["right"] <= full["player"] + 1, full
        keep(page, f"review-narrow-{width}")
    finally:
        context.close()


def test_state_words_explain_themselves_and_errors_are_pages_with_a_way_back(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, size, _ = sized
    scene = live_app.demo["scene_ids"][0]
    open_review(page, live_app, scene)
    rail = page.locator(".rail-step[data-stage='7'] .rail-state")
    expect(rail).to_have_attribute("title", re.compile(r"^Locked: signed off"))
    expect(page.locator("#shot-list .shot-state").first).to_have_attribute("title", re.compile(r"^Fresh: "))
    expect(page.locator(".rail-status strong")).to_have_attribute("title", re.compile(r"Ready for Review: "))
    # Toasts close.
    page.evaluate("() => window.rushes.toast('saved somewhere', 'info', 60000)")
    page.locator("#toasts .toast .toast-close").click()
    expect(page.locator("#toasts .toast")).to_have_count(0)
    # A browser that follows a bad address gets a page with a way back; an API client still gets JSON.
    came_from = live_app.url(f"/scenes/{scene}/review")
    for path, status in (("/no/such/page", 404), (f"/scenes/{scene}/review?take=abc", 422), ("/scenes/abc/review", 422)):
        answer = page.goto(live_app.url(path), referer=came_from)
        assert answer.status == status, path
        expect(page.locator("#error-page, #refused")).to_be_visible()
        expect(page.locator("#error-back, #error-home").first).to_be_visible()
    expect(page.locator("#error-back")).to_have_attribute("href", f"/scenes/{scene}/review")
    keep(page, f"error-page-{size}")
    api = live_app.http.get(live_app.url("/api/scenes/abc"), headers={"Accept": "text/html"})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/json")


# Last: it completes scenes 2 and 3, which the tests above render and watch.
def test_complete_scene_asks_what_becomes_of_the_open_notes(live_app: LiveApp, sized) -> None:  # noqa: F811
    page, size, _ = sized
    scene = live_app.demo["scene_ids"][1 if size == "1440" else 2]
    ensure_take(live_app, scene, f"home-complete-{size}")
    open_review(page, live_app, scene)
    page.fill("#issue-text", "the lamp is too bright")
    page.click("#pin-issue")
    expect(page.locator("#issue-list .issue")).to_have_count(1)
    page.click("#complete-scene")
    dialog = page.locator("#complete-dialog")
    expect(dialog).to_contain_text("1 note still open")
    expect(dialog.locator("#open-notes-choices")).to_be_visible()
    keep(page, f"review-complete-{size}")
    dialog.locator('input[value="wont_fix"]').check()
    dialog.locator("[data-answer='yes']").click()
    expect(page.locator("#approved-message")).to_contain_text("1 open note marked won't fix")
    expect(page.locator("#issue-list .issue").first).to_contain_text("won't fix")
