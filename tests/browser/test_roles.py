"""Roles in Chromium against the live app: an editor signs in with a password and works the loop; a reviewer
watches and pins but is offered no spend or edit control (and the API refuses them anyway); a guest link
opens one scene's review player in a fresh browser, and nothing else, until it is revoked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rushes.services.confirm import confirm_take
from rushes.services.users import add_member
from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
SIZES = [(1024, 768), (1440, 900)]
NEW_SFX = "Foghorn far off, rain on the glass"
# Any button a reviewer or guest must not be offered, by its words.
FORBIDDEN = re.compile(r"confirm|render|resubmit|abandon|complete|return to|lock|save|add|delete|remove|regenerate|"
                       r"approve|upload|reassemble|share|cancel|edit|accept|dismiss|use assembled|split|merge", re.I)

# Visible buttons in the page's light DOM (the player's own controls live in its shadow root; the note
# composer, pinning and its suggestion, is what a reviewer may use) and every visible field that takes typing.
CONTROLS_JS = """() => {
  const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const buttons = [...document.querySelectorAll('main button, main label.upload-btn, main [data-api]')]
    .filter((b) => shown(b) && !b.closest('#issue-composer')).map((b) => (b.id ? '#' + b.id + ' ' : '') + b.textContent.trim().replace(/\\s+/g, ' '));
  const writable = [...document.querySelectorAll('main input, main textarea, main select')]
    .filter((f) => shown(f) && !f.readOnly && !f.disabled && f.type !== 'hidden')
    .map((f) => f.id || f.name || f.type);
  return {buttons, writable};
}"""
OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"




def rendered(app: LiveApp, scene_id: int) -> None:
    """The scene has a finished take, so its review page has a cut to watch and pin on."""
    if not app.http.get(app.url(f"/api/scenes/{scene_id}/takes")).json():
        take_id, _ = confirm_take(app.rushes, scene_id, f"roles-{scene_id}")
        wait_for_take(app, take_id)


def shoot(page: Page, name: str) -> None:
    """Keep a screenshot when RUSHES_SCREENSHOT_DIR is set, to look at what each role is shown."""
    folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"roles-{name}.png"), full_page=True)


def balance(app: LiveApp) -> int:
    return app.http.get(app.url("/api/account")).json()["balance"]


def assert_fits(page: Page) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(OVERFLOW_JS) <= 0, f"{page.url} overflows sideways at {width}x{height}"


def test_an_editor_signs_in_with_a_password_and_works_the_loop(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][0]
    email = "editor-loop@browser.rushes"
    with live_app.rushes.db.session() as session:
        add_member(session, email, live_app.demo["studio_id"], "editor", password="cut-print-moving-on")

    page.goto(live_app.url("/signin"))
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator("#signin-error")).to_contain_text("do not match")
    page.fill("input[name=password]", "cut-print-moving-on")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/\d+"))
    expect(page.locator("#whoami")).to_have_attribute("data-role", "editor")

    # Stage 7: the demo's shot list is locked; the editor unlocks it (after being told the cost) and edits a shot.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/7"))
    page.locator("#lock-btn").click()
    page.locator('#unlock-dialog [data-answer="yes"]').click()
    expect(page.locator("#lock-state")).to_have_text("Unlocked")
    card = page.locator(".shot-card").first
    shot_id = card.get_attribute("data-shot-id")
    card.locator("input[name=sfx]").fill(NEW_SFX)
    card.locator("input[name=sfx]").press("Tab")
    expect(card.locator(".version-label")).to_have_text("v2")
    expect(card.locator('[data-artifact="prompt"]')).to_have_attribute("data-state", "stale")

    # Stage 9: its prompt set is reassembled (sound changes the video prompt only; the frames stay fresh).
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/9"))
    page.locator(f'.prompt-card[data-shot-id="{shot_id}"] [data-op="reassemble"]').click()
    expect(page.locator(f'.prompt-card[data-shot-id="{shot_id}"] [data-artifact="prompt"]')).to_have_attribute(
        "data-state", "fresh")

    # Stage 11: Confirm & Render charges the plan's total and lands on the review, where the take finishes.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/11"))
    total = int(page.locator("[data-total]").get_attribute("data-total"))
    assert total > 0
    before = balance(live_app)
    live_app.rushes.video.latency_seconds = 4.0  # slow enough that the review page shows the take rendering
    try:
        page.locator("#confirm-render").click()
        page.wait_for_url(f"**/scenes/{scene_id}/review**")
        expect(page.locator("#render-progress")).to_be_visible()
    finally:
        live_app.rushes.video.latency_seconds = 0.0
    expect(page.locator("#progress-summary")).to_contain_text("finished", timeout=90_000)
    expect(page.locator("#complete-scene")).to_be_enabled()
    assert balance(live_app) == before - total
    # The editor is offered the editor's controls: share, complete, route.
    expect(page.locator("#share-open")).to_be_visible()
    expect(page.locator("#route-buttons")).to_have_count(1)


def test_a_reviewer_watches_and_pins_but_is_offered_no_spend_or_edit(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][1]
    rendered(live_app, scene_id)
    email = live_app.sign_in(page, role="reviewer")
    expect(page.locator("#whoami")).to_have_attribute("data-role", "reviewer")

    # Every stage page shows its content, read-only, with no control that edits or spends.
    for stage in (7, 8, 9, 10, 11):
        page.goto(live_app.url(f"/scenes/{scene_id}/stage/{stage}"))
        expect(page.locator("main h1")).to_be_visible()
        controls = page.evaluate(CONTROLS_JS)
        assert not [b for b in controls["buttons"] if FORBIDDEN.search(b)], (stage, controls["buttons"])
        assert controls["writable"] == [], (stage, controls["writable"])
        if stage != 11:
            expect(page.locator("#read-only")).to_be_visible()
        assert_fits(page)
        shoot(page, f"reviewer-stage{stage}")
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/7"))
    expect(page.locator(".shot-card").first.locator("textarea[name=action]")).not_to_have_value("")
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/11"))
    expect(page.locator("#confirm-render")).to_have_count(0)
    expect(page.locator("#no-spend")).to_be_visible()

    # The Hub and the credits page read, and offer nothing to spend.
    for path in (f"/projects/{live_app.demo['project_id']}", "/credits"):
        page.goto(live_app.url(path))
        controls = page.evaluate(CONTROLS_JS)
        assert not [b for b in controls["buttons"] if FORBIDDEN.search(b)], (path, controls["buttons"])
        assert_fits(page)

    # Review: watch, pin a note; no confirm, cancel, route, complete, share, note editing or QC triage.
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    page.wait_for_function("() => document.getElementById('player').duration > 0")
    for hidden in ("#complete-scene", "#cancel-take", "#route-buttons", "#share-open", "#share-dialog"):
        expect(page.locator(hidden)).to_have_count(0)
    page.locator("#issue-text").fill("the lamp flickers off a beat early")
    page.locator("#pin-issue").click()
    note = page.locator("#issue-list .issue", has_text="the lamp flickers off a beat early")
    expect(note).to_be_visible()
    expect(note.locator(".issue-author")).to_have_text(email)
    expect(note.locator(".issue-actions")).to_have_count(0)
    controls = page.evaluate(CONTROLS_JS)
    assert not [b for b in controls["buttons"] if FORBIDDEN.search(b)], controls["buttons"]
    assert_fits(page)
    shoot(page, "reviewer-review")

    # The same calls the editor's buttons make, sent with the reviewer's own session: 403, nothing changed.
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    headers = {"X-CSRF-Token": csrf, "Origin": live_app.base_url}
    shot = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}")).json()["shots"][0]
    before, takes = balance(live_app), len(live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/takes")).json())
    confirm = page.request.post(live_app.url(f"/api/scenes/{scene_id}/takes"),
                                headers={**headers, "Idempotency-Key": "reviewer-tries"})
    assert confirm.status == 403, confirm.text()
    form = page.request.post(live_app.url(f"/scenes/{scene_id}/stage/11/confirm"), headers={"Origin": live_app.base_url},
                             form={"csrf_token": csrf, "idempotency_key": "reviewer-form"})
    assert form.status == 403, form.text()
    edit = page.request.patch(live_app.url(f"/api/shots/{shot['id']}"), headers=headers, data={"action": "rewritten"})
    assert edit.status == 403, edit.text()
    frames = page.request.post(live_app.url(f"/api/shots/{shot['id']}/frames"), headers=headers, data={"kinds": ["start"]})
    assert frames.status == 403, frames.text()
    assert balance(live_app) == before
    assert len(live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/takes")).json()) == takes
    after = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}")).json()["shots"][0]
    assert (after["version"], after["action"]) == (shot["version"], shot["action"])


def test_a_guest_link_opens_one_review_in_a_fresh_browser_until_revoked(live_app: LiveApp, page: Page,  # noqa: F811
                                                                      chromium) -> None:  # noqa: ANN001
    scene_id, other = live_app.demo["scene_ids"][1], live_app.demo["scene_ids"][2]
    rendered(live_app, scene_id)
    live_app.sign_in(page, role="owner")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))

    # The owner makes a link in the Share dialog; it is shown once, to copy, and listed as live.
    page.locator("#share-open").click()
    dialog = page.locator("#share-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#share-notes")).to_be_checked()
    dialog.locator("#share-create").click()
    expect(dialog.locator("#share-made")).to_be_visible()
    url = dialog.locator("#share-url").input_value()
    assert re.fullmatch(rf"{re.escape(live_app.base_url)}/share/[\w-]+", url), url
    live = dialog.locator('.share-link[data-state="live"]')
    expect(live).to_have_count(1)
    assert_fits(page)
    shoot(page, "owner-share-dialog")
    dialog.locator("#share-close").click()

    # A fresh browser context, no cookies: the link opens this scene's review player and nothing else.
    guest_context = chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        guest = guest_context.new_page()
        guest.goto(url)
        guest.wait_for_url(f"**/scenes/{scene_id}/review")
        expect(guest.locator("#whoami")).to_have_attribute("data-role", "guest")
        guest.wait_for_function("() => document.getElementById('player').duration > 0")
        for absent in ("#balance", "#workflow-rail", "#project-name", "#complete-scene", "#cancel-take",
                       "#route-buttons", "#share-open", "#qc-panel", "#notif-bell"):
            expect(guest.locator(absent)).to_have_count(0)
        controls = guest.evaluate(CONTROLS_JS)
        assert not [b for b in controls["buttons"] if FORBIDDEN.search(b)], controls["buttons"]
        assert_fits(guest)

        # Pinning works, signed with the guest's name.
        guest.locator("#guest-name").fill("Dana from the agency")
        guest.locator("#issue-text").fill("the music swells too soon")
        guest.locator("#pin-issue").click()
        note = guest.locator("#issue-list .issue", has_text="the music swells too soon")
        expect(note.locator(".issue-author")).to_have_text("Dana from the agency (guest)")
        expect(note.locator(".issue-actions")).to_have_count(0)
        shoot(guest, "guest-review")

        # Another scene is unknown; stages, credits, the Hub and the project list ask for a sign-in.
        assert guest.goto(live_app.url(f"/scenes/{other}/review")).status == 404
        assert guest.request.get(live_app.url(f"/api/scenes/{other}/cut")).status == 404
        for path in (f"/scenes/{scene_id}/stage/7", f"/scenes/{scene_id}/stage/11", "/credits",
                     f"/projects/{live_app.demo['project_id']}", "/"):
            guest.goto(live_app.url(path))
            assert "/signin" in guest.url, (path, guest.url)
        refused = guest.request.post(live_app.url(f"/api/scenes/{scene_id}/takes"),
                                     headers={"Origin": live_app.base_url, "Idempotency-Key": "guest-tries"})
        assert refused.status in (401, 403)

        # The owner sees the guest's note too, then revokes the link in the dialog: the same URL is now 404.
        page.reload()
        expect(page.locator("#issue-list .issue", has_text="the music swells too soon")).to_be_visible()
        page.locator("#share-open").click()
        dialog.locator('.share-link[data-state="live"] .share-revoke').click()
        expect(dialog.locator('.share-link[data-state="live"]')).to_have_count(0)
        expect(dialog.locator('.share-link[data-state="revoked"]')).to_have_count(1)
        assert guest.goto(url).status == 404
        guest.goto(live_app.url(f"/scenes/{scene_id}/review"))
        assert "/signin" in guest.url
        fresh = chromium.new_context()
        try:
            assert fresh.new_page().goto(url).status == 404
        finally:
            fresh.close()
    finally:
        guest_context.close()
