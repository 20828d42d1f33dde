"""Every page holds up for a working filmmaker, in Chromium at 1440x900 and 1024x768 against the live app.

Locks that hold and ask before unlocking, refusals that revert in place, durations in whole frames,
the next free code, upload errors at their slot, the credits page, the Hub's first scene, natural
prompt wording; and at both sizes: no page overflows sideways, with a screenshot of each page
written under test-results/pages/ to look at.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rushes.services.confirm import confirm_take
from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
SHOTS_DIR = Path(__file__).resolve().parents[2] / "test-results" / "pages"
SIZES = {"1440": (1440, 900), "1024": (1024, 768)}


@pytest.fixture
def sized(chromium, request, live_app):  # noqa: ANN001,F811
    width, height = SIZES[request.param]
    context = chromium.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    live_app.sign_in(pg)
    yield pg, request.param
    context.close()




@pytest.fixture(scope="module")
def rendered(live_app: LiveApp) -> dict:  # noqa: F811
    """Scene 1 rendered once (take 1), so review, credits and history pages have something to show."""
    scene_id = live_app.demo["scene_ids"][0]
    take_id, _ = confirm_take(live_app.rushes, scene_id, "pages-take-1")
    return wait_for_take(live_app, take_id)


def pages(app: LiveApp) -> dict[str, str]:
    scene = app.demo["scene_ids"][0]
    shot = app.http.get(app.url(f"/api/scenes/{scene}")).json()["shots"][0]["id"]
    named = {"projects": "/", "hub": f"/projects/{app.demo['project_id']}", "credits": "/credits",
             "review": f"/scenes/{scene}/review", "history": f"/shots/{shot}/history"}
    named.update({f"stage{n}": f"/scenes/{scene}/stage/{n}" for n in (7, 8, 9, 10, 11)})
    return named


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def boxes_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] - 1 and b["x"] < a["x"] + a["width"] - 1 and \
        a["y"] < b["y"] + b["height"] - 1 and b["y"] < a["y"] + a["height"] - 1


# First in the module: scene 2 is still untouched here (later tests edit it).
def test_review_never_shows_stale_state_when_the_take_on_screen_finishes(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][1]
    live_app.rushes.video.latency_seconds = 2.0  # long enough for the page to open while the take renders
    try:
        take_id, _ = confirm_take(live_app.rushes, scene, "pages-live-take")
        page.goto(live_app.url(f"/scenes/{scene}/review?take={take_id}"))
        expect(page.locator("#render-progress")).to_be_visible()
        expect(page.locator("#complete-scene")).to_be_disabled()
        expect(page.locator("#progress-summary")).to_contain_text("all 3 shots ready", timeout=90_000)
    finally:
        live_app.rushes.video.latency_seconds = 0.0
    expect(page.locator("#load-take")).to_have_count(0)  # no "Load take N" for the take already shown
    expect(page.locator("#complete-scene")).to_be_enabled()
    assert "vNone" not in page.locator("main").inner_text()
    states = page.evaluate("() => document.getElementById('player').shots.map((s) => s.state)")
    assert states == ["ready"] * 3  # the timeline's rendering slates became clips
    expect(page.locator('#shot-list .shot-state[data-state="fresh"]')).to_have_count(3)


@pytest.mark.parametrize("sized", list(SIZES), indirect=True)
def test_no_page_overflows_sideways_and_each_is_photographed(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, size = sized
    live_app.sign_in(page)
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    for name, path in pages(live_app).items():
        page.goto(live_app.url(path))
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(SHOTS_DIR / f"{name}-{size}.png"))
        assert overflow(page) <= 0, f"{name} overflows sideways by {overflow(page)} px at {size}"
        # The stage rail stays legible: no step is squashed into its neighbour, no title is cut.
        steps = page.locator("#workflow-rail .rail-step")
        if steps.count():
            titles = page.locator("#workflow-rail .rail-title").evaluate_all(
                "els => els.map(e => e.scrollWidth - e.clientWidth)")
            assert max(titles) <= 0, f"{name}: a rail title is cut at {size}"
            rects = [steps.nth(i).bounding_box() for i in range(steps.count())]
            assert all(not boxes_overlap(a, b) for a, b in zip(rects, rects[1:])), f"{name}: rail steps overlap at {size}"


@pytest.mark.parametrize("sized", ["1024"], indirect=True)
def test_narrow_stage_layouts_keep_labels_rows_and_confirm(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, _ = sized
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][1]
    # Stage 7: no field label runs into another.
    page.goto(live_app.url(f"/scenes/{scene}/stage/7"))
    labels = page.locator(".shot-card").first.locator(".field-label")
    rects = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert not any(boxes_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:]), "stage 7 labels overlap"
    assert max(labels.evaluate_all("els => els.map(e => e.scrollWidth - e.clientWidth)")) <= 0
    # Stage 10: rearview, start and end frames of a shot sit in one row.
    page.goto(live_app.url(f"/scenes/{scene}/stage/10"))
    for row in page.locator(".frame-row").all():
        tops = {round(row.locator(f'[data-frame="{k}"]').bounding_box()["y"]) for k in ("previous", "start", "end")}
        assert len(tops) == 1, f"frames of {row.get_attribute('data-code')} wrap onto two rows"
    # Stage 11: Confirm stays in view with the plan scrolled to the end.
    page.goto(live_app.url(f"/scenes/{scene}/stage/11"))
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#confirm-render").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= 768, "Confirm & Render scrolled out of view"


def test_a_locked_shot_list_refuses_edits_and_asks_to_unlock_with_the_cost(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][2]
    shot = live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["shots"][0]
    refused = live_app.http.patch(live_app.url(f"/api/shots/{shot['id']}"), json={"action": "Tom sneezes."})
    assert refused.status_code == 409 and refused.json()["detail"] == "stage 7 is locked; unlock it first"

    page.goto(live_app.url(f"/scenes/{scene}/stage/7"))
    ask = page.locator("#lock-ask")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("makes its prompt, its frames and its clip stale")
    expect(ask).to_contain_text(f"{shot['code']} 88 credits (frames 8 + clip 80)")
    action = page.locator(f'.shot-card[data-shot-id="{shot["id"]}"] textarea[name=action]')
    action.click()
    expect(action).to_have_js_property("readOnly", True)
    expect(page.locator(f'.shot-card[data-shot-id="{shot["id"]}"] [data-field="action"] .field-error')).to_have_text(
        "stage 7 is locked; unlock it first")
    # Structure buttons are refused in place too, and nothing is written.
    page.locator(f'.shot-card[data-shot-id="{shot["id"]}"] [data-op="split"]').click()
    expect(page.locator(".shot-card")).to_have_count(4)

    page.locator("#lock-btn").click()
    dialog = page.locator("#unlock-dialog")
    expect(dialog).to_contain_text("Stage 7 is locked. Unlock the shot list?")
    expect(dialog).to_contain_text("Re-rendering every shot of the scene would cost")
    dialog.locator('[data-answer="no"]').click()
    expect(page.locator("#lock-state")).to_have_text("Locked")
    page.locator("#lock-ask [data-unlock]").click()
    page.locator('#unlock-dialog [data-answer="yes"]').click()
    expect(page.locator("#lock-state")).to_have_text("Unlocked")
    expect(page.locator("#lock-ask")).to_be_hidden()
    action = page.locator(f'.shot-card[data-shot-id="{shot["id"]}"] textarea[name=action]')
    action.fill("Tom sneezes by the stove.")
    action.press("Tab")
    expect(page.locator(f'.shot-card[data-shot-id="{shot["id"]}"] .version-label')).to_have_text("v2")
    assert live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["shots"][0]["action"] == "Tom sneezes by the stove."


def test_refused_values_revert_in_place_durations_snap_and_uploads_name_their_slot(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][1]
    live_app.http.post(live_app.url(f"/api/scenes/{scene}/locks"), json={"stage": 7, "locked": False}).raise_for_status()
    shots = live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["shots"]
    page.goto(live_app.url(f"/scenes/{scene}/stage/7"))
    card = page.locator(f'.shot-card[data-shot-id="{shots[0]["id"]}"]')
    duration = card.locator("input[name=duration]")
    stored = duration.input_value()
    duration.fill("9")
    duration.press("Tab")
    reason = card.locator('[data-field="duration"] .field-error')
    expect(reason).to_contain_text("at most 8")
    expect(duration).to_have_value(stored)  # the stored value, not the refused one
    code = card.locator("input[name=code]")
    code.fill("")
    code.press("Tab")
    expect(card.locator('[data-field="code"] .field-error')).to_contain_text("needs a code")
    expect(code).to_have_value(shots[0]["code"])
    assert page.evaluate("typeof window.alert") == "function"  # (alert exists; the page never calls it)

    # Whole frames as you type: 2.51 s is 60 frames, saved as 2.5 s.
    duration.fill("2.51")
    expect(card.locator('[data-field="duration"] [data-frames]')).to_have_text("60 fr → 2.5 s")
    duration.press("Tab")
    expect(duration).to_have_value("2.5")
    expect(card.locator(".version-label")).to_have_text("v2")
    assert live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["shots"][0]["duration"] == 2.5

    # The add-shot form offers the next free code of this scene.
    codes = [s["code"] for s in shots]
    expect(page.locator("#add-shot input[name=code]")).to_have_value(f"{codes[0][0]}{chr(ord(codes[-1][-1]) + 1)}")

    # Stage 10: a refused upload is explained beside the slot it was for, and names it.
    page.goto(live_app.url(f"/scenes/{scene}/stage/10"))
    end = page.locator(f'.frame-row[data-shot-id="{shots[1]["id"]}"] [data-frame="end"]')
    end.locator("input[data-upload=end]").set_input_files(files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a picture"}])
    expect(end.locator(".field-error")).to_contain_text("End frame upload refused")
    start = page.locator(f'.frame-row[data-shot-id="{shots[1]["id"]}"] [data-frame="start"]')
    expect(start.locator(".field-error:not([hidden])")).to_have_count(0)


def test_credits_page_hub_first_scene_thumbnails_and_prompt_words(live_app: LiveApp, rendered: dict, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    page.goto(live_app.url(f"/projects/{live_app.demo['project_id']}"))
    first = live_app.demo["scene_ids"][0]
    expect(page.locator(f'[data-detail-for="{first}"]')).to_be_visible()  # not an empty box
    expect(page.locator("[data-detail-empty]")).to_be_hidden()
    # No cut is approved yet: every thumbnail is the scene's opening start frame.
    thumbs = page.locator("[data-thumb]")
    expect(thumbs).to_have_count(3)
    assert {t.get_attribute("data-thumb") for t in thumbs.all()} == {"start"}

    page.locator("#balance").click()
    page.wait_for_url("**/credits")
    account = live_app.http.get(live_app.url("/api/account")).json()
    expect(page.locator("[data-credits-balance]")).to_have_attribute("data-credits-balance", str(account["balance"]))
    charges = page.locator('#ledger tr[data-kind="charge"]')
    expect(charges.first).to_be_visible()
    take_link = charges.first.locator("[data-take-link]")
    expect(take_link).to_have_text(f"Take {rendered['number']}")
    shot_links = page.locator("#ledger [data-shot-link]")
    assert shot_links.count() >= 1 and shot_links.first.get_attribute("href").startswith("/shots/")
    take_link.click()
    page.wait_for_url("**/review?take=*")

    page.goto(live_app.url(f"/scenes/{first}/stage/9"))
    text = "\n".join(page.evaluate("() => [...document.querySelectorAll('main textarea, main .prompt-text')]"
                                    ".map(e => e.value !== undefined ? e.value : e.textContent)"))
    assert "shot shot" not in text and "Slow push-in, medium shot. Setting" in text
    assert 'Character Tom speaks: "Mayday' in text and "Character TOM" not in text


def test_question_mark_opens_every_shortcut(live_app: LiveApp, rendered: dict, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    page.goto(live_app.url(f"/scenes/{live_app.demo['scene_ids'][0]}/review"))
    page.locator("body").press("?")
    sheet = page.locator("#shortcut-sheet")
    expect(sheet).to_be_visible()
    for key in ("Space", "J / K / L", "Home / End", "?"):
        expect(sheet.locator("kbd", has_text=key).first).to_be_visible()
    page.keyboard.press("Escape")
    expect(sheet).to_have_count(0)
    # Space plays and pauses from anywhere outside a text field.
    player = page.locator("scene-player")
    page.locator("h1, .page-head").first.click()
    page.keyboard.press("Space")
    page.wait_for_function("() => !document.querySelector('scene-player').paused")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('scene-player').paused")
    assert player.count() == 1



def _pin(app: LiveApp, scene: int, seconds: float, text: str, stage: int = 9) -> dict:
    body = {"scene_time": seconds, "category": "timing", "description": text, "stage": stage}
    response = app.http.post(app.url(f"/api/scenes/{scene}/issues"), json=body)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("sized", ["1440"], indirect=True)
def test_the_review_pages_three_panels_are_within_the_viewport_at_1440x900(live_app: LiveApp, rendered: dict, sized) -> None:  # noqa: F811
    page, _ = sized
    scene = live_app.demo["scene_ids"][0]
    # Enough notes to fill the panel: they scroll inside it, the panel itself stays in view.
    notes = [_pin(live_app, scene, 1.5 * n, f"the beat lands late, take {n}") for n in range(1, 9)]
    try:
        page.goto(live_app.url(f"/scenes/{scene}/review"))
        expect(page.locator("#issue-list .issue")).to_have_count(8)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.scrollY") == 0
        for name, selector in (("player", "#player"), ("shot list", "#shot-list"), ("notes panel", ".issues-panel")):
            box = page.locator(selector).bounding_box()
            assert box and box["width"] > 200 and box["height"] > 150, f"the {name} is squashed: {box}"
            assert box["x"] >= 0 and box["y"] >= 0, f"the {name} starts off screen: {box}"
            assert box["x"] + box["width"] <= 1440 and box["y"] + box["height"] <= 900, \
                f"the {name} runs out of the 1440x900 window: {box}"
        assert overflow(page) <= 0
    finally:
        for note in notes:
            live_app.http.delete(live_app.url(f"/api/issues/{note['id']}"))


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + min(box["height"], 200) <= size["height"]


def test_routing_states_every_cost_and_the_stage_opens_on_the_noted_shot(live_app: LiveApp, rendered: dict, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][0]
    shots = {s["code"]: s["id"] for s in live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["shots"]}
    notes = [_pin(live_app, scene, 10, "her coat jumps from navy to black", stage=10),
             _pin(live_app, scene, 23.5, "the lamp is out in the wide", stage=10)]
    try:
        page.goto(live_app.url(f"/scenes/{scene}/review"))
        expect(page.locator("#issue-list .issue")).to_have_count(2)
        page.locator('#route-buttons .route[data-stage="10"]').click()
        # The statement itemises the frames each fix redraws as well as its clip, and what may follow.
        costs = page.locator("#route-costs")
        expect(costs.locator('tr.fix[data-code="1B"]')).to_contain_text("2 × 4 = 8")
        expect(costs.locator('tr.fix[data-code="1B"] td').nth(2)).to_have_text("60")
        expect(costs.locator('tr.fix[data-code="1D"] td').nth(3)).to_have_text("88")
        expect(costs.locator('tr.follows[data-code="1C"]')).to_contain_text("if 1B’s last frame changes")
        expect(costs.locator("[data-total]")).to_have_attribute("data-total", "156")
        expect(page.locator("#route-statement")).to_contain_text("Fixing 1B, 1D at Stage 10 Frames re-renders about 156 credits.")

        # The stage opens on the first noted shot: notes at the top, that shot scrolled to and marked.
        page.locator("#go-stage").click()
        page.wait_for_url(f"**/scenes/{scene}/stage/10?shot={shots['1B']}")
        routed = page.locator("#routed-issues .routed-note")
        expect(routed).to_have_count(2)
        expect(routed.nth(0)).to_contain_text("00:00:10:00")
        expect(routed.nth(0)).to_contain_text("her coat jumps")
        expect(routed.nth(1)).to_contain_text("00:00:23:12")
        b_row = f'.frame-row[data-shot-id="{shots["1B"]}"]'
        expect(page.locator(b_row)).to_have_class(re.compile(r"\bis-routed-target\b.*\brouted-focus\b"))
        expect(page.locator(f"{b_row} .routed-callout")).to_contain_text("her coat jumps")
        page.wait_for_function("() => document.querySelector('.routed-focus').getBoundingClientRect().top < innerHeight")
        assert in_view(page, b_row)

        # Each note links to its shot on this page...
        routed.nth(1).locator("[data-show-shot]").click()
        d_row = f'.frame-row[data-shot-id="{shots["1D"]}"]'
        expect(page.locator(d_row)).to_have_class(re.compile(r"\brouted-focus\b"))
        expect(page.locator(b_row)).not_to_have_class(re.compile(r"\brouted-focus\b"))
        page.wait_for_function(f"() => {{ const r = document.querySelector('{d_row}').getBoundingClientRect();"
                               " return r.top >= 0 && r.top < innerHeight; }")
        assert page.url.endswith(f"?shot={shots['1D']}")
        # ...and back to the review page at the note's timecode, with the player there and the note marked.
        back = page.locator(f"{d_row} .routed-callout [data-back-to-review]")
        expect(back).to_have_text("Back to review at 00:00:23:12")
        back.click()
        page.wait_for_url(f"**/scenes/{scene}/review?t=23.5&note={notes[1]['id']}")
        page.wait_for_function("() => { const p = document.getElementById('player');"
                               " return Math.abs(p.currentTime - 23.5) < 0.05 && p.currentShot === 3; }")
        expect(page.locator("#pin-shot")).to_have_text("1D")
        expect(page.locator(f'#issue-list .issue[data-id="{notes[1]["id"]}"]')).to_have_class(re.compile(r"\bselected\b"))

        # Stage 9 marks the shot's prompt card the same way.
        notes.append(_pin(live_app, scene, 15, "Tom's line is rushed", stage=9))
        page.goto(live_app.url(f"/scenes/{scene}/stage/9?shot={shots['1C']}"))
        expect(page.locator(f'.prompt-card[data-shot-id="{shots["1C"]}"]')).to_have_class(re.compile(r"\brouted-focus\b"))
        expect(page.locator(f'.prompt-card[data-shot-id="{shots["1C"]}"] .routed-callout')).to_contain_text("00:00:15:00")
        # Stage 8 marks the looks the noted shot draws on.
        note8 = _pin(live_app, scene, 10, "her coat is the wrong navy", stage=8)
        notes.append(note8)
        page.goto(live_app.url(f"/scenes/{scene}/stage/8?shot={shots['1B']}"))
        marked = page.locator(".element-row.is-routed-target")
        assert marked.count() >= 1
        for row in marked.all():
            assert "1B" in row.get_attribute("data-used-in").split()
    finally:
        for note in notes:
            live_app.http.delete(live_app.url(f"/api/issues/{note['id']}"))


def test_stage_11_states_the_frames_redrawn_for_the_take(live_app: LiveApp, rendered: dict, page: Page) -> None:  # noqa: F811
    """Stage 11's cost statement counts the frames redrawn at Stage 10 for this take beside the clips it charges."""
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][2]
    shot = live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["shots"][0]
    assert live_app.http.post(live_app.url(f"/api/shots/{shot['id']}/frames"), json={"kinds": ["start"]}).status_code == 202
    deadline = time.monotonic() + 60
    while live_app.http.get(live_app.url(f"/api/shots/{shot['id']}/frames/job")).json().get("job", {}).get("state") != "succeeded":
        assert time.monotonic() < deadline, "the frames job did not finish"
        time.sleep(0.2)
    page.goto(live_app.url(f"/scenes/{scene}/stage/11"))
    costs = page.locator("#frame-costs")
    expect(costs.locator(f'[data-cost="frames-spent"][data-code="{shot["code"]}"]')).to_contain_text("charged at Stage 10")
    expect(costs.locator(f'[data-cost="frames-spent"][data-code="{shot["code"]}"] .num')).to_have_text("4")
    total = int(page.locator("[data-total]").get_attribute("data-total"))
    frames = sum(int(n.replace(",", "")) for n in costs.locator('[data-cost^="frames"] .num').all_inner_texts())
    assert frames >= 4
    expect(costs.locator("[data-all-credits]")).to_have_attribute("data-all-credits", str(total + frames))


# Last in the module: it completes scene 1.
def test_complete_scene_asks_in_the_page_and_says_what_was_approved(live_app: LiveApp, rendered: dict, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene = live_app.demo["scene_ids"][0]
    note = _pin(live_app, scene, 10, "the cut to 1B comes a beat early")
    native: list[str] = []
    page.on("dialog", lambda d: (native.append(d.message), d.dismiss()))
    page.goto(live_app.url(f"/scenes/{scene}/review"))
    expect(page.locator("#issue-list .issue")).to_have_count(1)

    page.locator("#complete-scene").click()
    ask = page.locator("#complete-dialog")
    expect(ask).to_be_visible()
    expect(ask).to_contain_text("Complete Scene 1")
    expect(ask).to_contain_text(f"You approve take {rendered['number']}: 4 shots, 30 s.")
    expect(ask).to_contain_text("1 note still open")  # never closed silently (issue 22): carried or won't fix
    expect(ask).to_contain_text("the cut to 1B comes a beat early")
    ask.locator('[data-answer="no"]').click()  # keep reviewing: nothing changes
    expect(ask).to_have_count(0)
    assert live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["status"] == "Ready for Review"

    page.locator("#complete-scene").click()
    page.locator('#complete-dialog input[value="wont_fix"]').check()
    page.locator('#complete-dialog [data-answer="yes"]').click()
    message = page.locator("#approved-message")
    expect(message).to_have_text(re.compile(
        rf"Scene 1 is Complete: take {rendered['number']} approved, 4 shots, 30 s; 1 open note marked won't fix\."))
    expect(page.locator("#complete-scene")).to_have_text("Completed")
    expect(page.locator(f'#issue-list .issue[data-id="{note["id"]}"]')).to_have_attribute("data-status", "wont_fix")
    assert live_app.http.get(live_app.url(f"/api/scenes/{scene}")).json()["status"] == "Complete"
    assert native == []  # no confirm() or alert() on the way
    page.locator("#back-to-hub").click()
    page.wait_for_url(f"**/projects/{live_app.demo['project_id']}")
