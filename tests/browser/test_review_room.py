"""A live review session in Chromium: separate browser contexts (a director, an editor, reviewers, a client
through a guest link) join one room; the presenter's pause, frame, step, play, rate, loop and note in focus
reach everyone, notes pinned during the session appear for all at their frame, the role can be handed over
and passes on when the presenter leaves, pointers show on the picture, and a revoked link drops its guest.
The timeline's waveform is drawn from each clip's stored peaks."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rushes.services.confirm import confirm_take
from rushes.services.sharing import create_share, revoke_share
from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
FRAME = 1 / 24
SIZES = {"director": (1440, 900), "editor": (1024, 768)}


@pytest.fixture(scope="module")
def scene(live_app: LiveApp) -> int:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][0]
    take_id, _ = confirm_take(live_app.rushes, scene_id, "room-take")
    wait_for_take(live_app, take_id)
    return scene_id


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"room-{name}.png"))


def member_page(chromium, app: LiveApp, role: str, size=(1280, 720)) -> Page:
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    app.sign_in(page, role)
    return page


def in_room(page: Page) -> None:
    page.wait_for_function("() => window.rushes?.room && window.rushes.room.me !== null && window.rushes.room.seq >= 0", timeout=20000)


def at_frame(page: Page, seconds: float, timeout: float = 15000) -> None:
    """Wait until the page's player is paused on the frame at `seconds` (within half a frame)."""
    page.wait_for_function(
        "([t, half]) => { const p = document.getElementById('player'); return p.paused && Math.abs(p.currentTime - t) <= half; }",
        arg=[seconds, FRAME / 2], timeout=timeout)


def start_session(page: Page, app: LiveApp, scene_id: int) -> str:
    page.goto(app.url(f"/scenes/{scene_id}/review"))
    page.locator("#player").evaluate("p => p.ready")
    page.click("#room-start")
    in_room(page)
    expect(page.locator("#room-role")).to_have_text("You are presenting")
    return page.evaluate("() => `/rooms/${window.rushes.room.room}`")


def test_two_people_review_together(live_app: LiveApp, chromium, scene: int) -> None:  # noqa: F811
    director = member_page(chromium, live_app, "owner", SIZES["director"])
    editor = member_page(chromium, live_app, "editor", SIZES["editor"])
    try:
        url = start_session(director, live_app, scene)
        editor.goto(live_app.url(url))
        editor.wait_for_url(re.compile(rf"/scenes/{scene}/review\?room=\d+"))
        in_room(editor)
        expect(editor.locator("#room-people .room-person")).to_have_count(2)
        expect(director.locator("#room-people .room-person")).to_have_count(2)
        expect(editor.locator("#room-role")).to_contain_text("Following")

        # Paused: the follower shows the presenter's exact frame; a frame step follows too.
        director.locator("#player").evaluate("p => p.seek(3.0)")
        at_frame(editor, 3.0)
        director.locator("#player").evaluate("p => p.stepFrame(1)")
        target = director.locator("#player").evaluate("p => p.currentTime")
        at_frame(editor, target)
        shoot(director, "director-1440")
        shoot(editor, "editor-1024")

        # Rate and loop are the presenter's.
        director.locator("#player").evaluate("p => { p.playbackRate = 1.5; p.loopShot = true; }")
        editor.wait_for_function("() => { const p = document.getElementById('player'); return p.loopShot && Math.abs(p.playbackRate - 1.5) < 0.2; }")
        director.locator("#player").evaluate("p => { p.playbackRate = 1; p.loopShot = false; }")
        editor.wait_for_function("() => !document.getElementById('player').loopShot")

        # Playing: the follower plays too and keeps pace with the presenter.
        director.locator("#player").evaluate("p => p.seek(1.0).then(() => p.play())")
        editor.wait_for_function("() => !document.getElementById('player').paused", timeout=15000)
        editor.wait_for_function("""() => {
            const r = window.rushes.room, p = document.getElementById('player');
            const s = r.state; if (!s || !s.playing) return false;
            const target = s.time + (r.serverNow() - s.at) * s.rate;
            return Math.abs(target - p.currentTime) < 3 / 24;
        }""", timeout=20000)
        director.locator("#player").evaluate("p => p.pause()")
        editor.wait_for_function("() => document.getElementById('player').paused", timeout=15000)
        paused_at = director.locator("#player").evaluate("p => p.currentTime")
        at_frame(editor, paused_at)

        # A note pinned by the editor during the session appears on the director's page at once, at its frame.
        editor.locator("#player").evaluate("p => p.seek(2.0)")  # the editor moves; the room puts them back
        at_frame(editor, paused_at)
        editor.fill("#issue-text", "the lamp flickers as she turns")
        editor.click("#pin-issue")
        note = director.locator("#issue-list .issue", has_text="the lamp flickers as she turns")
        expect(note).to_have_count(1, timeout=15000)
        pins = director.locator("#player").evaluate("p => p.pins.map((x) => x.label)")
        assert any("the lamp flickers" in label for label in pins)

        # The note in focus: the director clicks it, the editor's list marks it and the player goes there.
        note.locator(".issue-text").click()
        note_id = int(note.get_attribute("data-id"))
        expect(editor.locator(f'#issue-list .issue[data-id="{note_id}"]')).to_have_class(re.compile("selected"), timeout=15000)

        # The compare viewer opens, and closes, for everyone.
        director.locator("#shot-list .shot-row .ab").first.click()
        expect(editor.locator("#compare-dialog")).to_have_attribute("open", "", timeout=15000)
        director.click("#cmp-close")
        expect(editor.locator("#compare-dialog")).not_to_have_attribute("open", "", timeout=15000)

        # The laser: the director points at the picture, the editor sees a named dot there.
        director.click("#room-laser")
        box = director.locator("#player").bounding_box()
        director.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.35)
        director.mouse.move(box["x"] + box["width"] * 0.52, box["y"] + box["height"] * 0.36)
        dot = editor.locator(".room-dot").first
        expect(dot).to_be_visible(timeout=15000)
        expect(dot).to_contain_text(director.evaluate("() => window.rushes.room.people().find((p) => p.id === window.rushes.room.me).name"))

        # Hand over: the editor presents and the director follows.
        director.locator("#room-people .room-person:not(.me) .hand").click()
        expect(editor.locator("#room-role")).to_have_text("You are presenting", timeout=15000)
        expect(director.locator("#room-role")).to_contain_text("Following", timeout=15000)
        editor.locator("#player").evaluate("p => p.seek(5.0)")
        at_frame(director, 5.0)

        # The presenter leaves: the role passes on.
        editor.context.close()
        expect(director.locator("#room-role")).to_have_text("You are presenting", timeout=20000)
        expect(director.locator("#room-people .room-person")).to_have_count(1, timeout=20000)
    finally:
        for page in (director, editor):
            try:
                page.context.close()
            except Exception:  # noqa: BLE001 - already closed above
                pass


def test_five_people_follow_one_presenter_and_a_revoked_guest_is_dropped(live_app: LiveApp, chromium, scene: int) -> None:  # noqa: F811
    director = member_page(chromium, live_app, "owner", (1440, 900))
    pages = [director]
    try:
        url = start_session(director, live_app, scene)
        room_id = int(url.rsplit("/", 1)[1])
        for role, size in (("editor", (1024, 768)), ("reviewer", (1440, 900)), ("reviewer", (1024, 768))):
            page = member_page(chromium, live_app, role, size)
            page.goto(live_app.url(url))
            pages.append(page)
        with live_app.rushes.db.session() as session:
            link, token = create_share(session, scene, _owner_id(live_app), 24, True)
            link_id = link.id
        guest = chromium.new_context(viewport={"width": 1024, "height": 768}).new_page()
        guest.goto(live_app.url(f"/share/{token}?room={room_id}"))
        pages.append(guest)
        for page in pages[1:]:
            in_room(page)
        expect(director.locator("#room-people .room-person")).to_have_count(5, timeout=20000)
        expect(director.locator("#room-people .room-person[title=Guest]")).to_have_count(1)

        director.locator("#player").evaluate("p => p.seek(6.5)")
        for page in pages[1:]:
            at_frame(page, 6.5, timeout=20000)
        shoot(guest, "guest-1024")

        # Revoking the link drops the guest from the session; the others stay.
        with live_app.rushes.db.session() as session:
            revoke_share(session, link_id)
        expect(guest.locator("#room-panel")).to_be_hidden(timeout=20000)
        expect(director.locator("#room-people .room-person")).to_have_count(4, timeout=30000)
    finally:
        for page in pages:
            page.context.close()


def _owner_id(app: LiveApp) -> int:
    from rushes.services.users import user_by_email

    with app.rushes.db.session() as session:
        return user_by_email(session, app.demo["owner_email"]).id


def test_the_timeline_shows_each_shots_sound(live_app: LiveApp, page: Page, scene: int) -> None:  # noqa: F811
    cut = live_app.http.get(live_app.url(f"/api/scenes/{scene}/cut")).json()
    assert all(s["waveform"] for s in cut["shots"]), "every rendered clip has its peaks"
    peaks = live_app.http.get(live_app.url(cut["shots"][0]["waveform"])).json()
    assert peaks["rate"] == 50 and len(peaks["peaks"]) >= 50 * cut["shots"][0]["duration"] - 2

    live_app.sign_in(page, "reviewer")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_app.url(f"/scenes/{scene}/review"))
    page.locator("#player").evaluate("p => { p.waveform = false; return p.ready; }")
    page.locator("#player").evaluate("p => p.focus()")
    drawn = page.evaluate("""() => new Promise((resolve) => {
        const p = document.getElementById('player');
        p.addEventListener('waveformdrawn', (e) => resolve(e.detail.shots), {once: true});
        p.dispatchEvent(new KeyboardEvent('keydown', {key: 'w', bubbles: true}));
    })""")
    assert drawn == len(cut["shots"])
    # Sound shows as bars above and below the middle line, not only the line itself.
    inked = page.locator("#player").evaluate("""p => {
        const c = p.shadowRoot.querySelector('.sp-wave');
        const d = c.getContext('2d').getImageData(0, 0, c.width, Math.floor(c.height / 2) - 2).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
    }""")
    assert inked > 50
    page.set_viewport_size({"width": 1024, "height": 768})
    expect(page.locator("#player")).to_have_attribute("waveform", "")
    shoot(page, "waveform-1024")
    page.locator("#player").evaluate("p => { p.waveform = false; }")
    assert page.locator("#player").evaluate("p => p.shadowRoot.querySelector('.sp-wave').hidden")
