"""The screening room in real Chromium against the live app: the whole film in one <scene-player> with scene
chapters above the shots, a scene list that follows and jumps, slates for scenes with nothing to play, playback
across a scene boundary as across a cut, notes landing on the right scene, take, shot and frame, a 1,000-shot
film in the same bounded buffer window with far seeks on the exact frame, and the page at 1440x900 and 1024x768."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from rushes.services.confirm import confirm_take
from tests.browser.clips import FRAME_CODE_JS, scene_clips
from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)
from tests.fakes.film import build_film

pytestmark = pytest.mark.browser
FPS = 24
VISIBLE_FRAME_JS = f"""() => {{
  const read = {FRAME_CODE_JS};
  const player = document.getElementById('film-player');
  return read(player.shadowRoot.querySelector('video.sp-on') || player.shadowRoot.querySelector('video'));
}}"""


def covered_js(start: float, end: float) -> str:
    """A predicate: the player's MediaSource holds [start, end] (the window has appended across the cut)."""
    return f"""() => {{ const v = document.getElementById('film-player').shadowRoot.querySelector('video.sp-video');
      if (!v) return false; const b = v.buffered;
      for (let k = 0; k < b.length; k++) if (b.start(k) <= {start} && b.end(k) >= {end}) return true; return false; }}"""


BUFFER_STATE_JS = """() => { const p = document.getElementById('film-player');
  const v = p.shadowRoot.querySelector('video.sp-video'), b = v ? v.buffered : {length: 0}, ranges = [];
  for (let k = 0; k < b.length; k++) ranges.push([b.start(k), b.end(k)]);
  return {ranges, time: p.currentTime, shots: p.shots.map((s) => [s.start, s.duration, s.state]),
          mode: p.mediaMode, error: v && v.error && v.error.message, stats: p.bufferStats}; }"""


def play_across(page: Page, start: float, until: float, rate: float, ready: float) -> None:
    """Seek to `start`, wait until the window holds up to `ready` (past the scene cut), then play past `until`."""
    page.evaluate(f"document.getElementById('film-player').seek({start})")
    try:
        page.wait_for_function(covered_js(start + 0.1, ready), timeout=60_000)
    except PlaywrightTimeout:
        raise AssertionError(f"[{start + 0.1}, {ready}] never buffered: {page.evaluate(BUFFER_STATE_JS)}") from None
    page.evaluate(f"(async () => {{ const p = document.getElementById('film-player'); p.playbackRate = {rate}; await p.play(); }})()")
    page.wait_for_function(f"() => document.getElementById('film-player').currentTime > {until}", timeout=60_000)
    page.evaluate("document.getElementById('film-player').pause()")


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.fixture(scope="module")
def rendered(live_app: LiveApp) -> dict:  # noqa: F811
    """Scenes 1 and 2 rendered (their newest takes); scene 3 has nothing to play."""
    takes = {}
    for scene_id in live_app.demo["scene_ids"][:2]:
        take_id, _ = confirm_take(live_app.rushes, scene_id, f"screening-{scene_id}")
        takes[scene_id] = wait_for_take(live_app, take_id)
    return takes


def open_room(page: Page, app: LiveApp, project_id: int, prefer: str = "latest") -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url} {r.request.resource_type}") if r.status >= 400 else None)
    page.goto(app.url(f"/projects/{project_id}/screening?prefer={prefer}"))
    page.evaluate("document.getElementById('film-player').ready")
    page.evaluate("""() => { window.chapters = [];
      document.getElementById('film-player').addEventListener('chapterchange', (e) => chapters.push(e.detail.index)); }""")
    return errors


def test_the_film_plays_across_a_scene_boundary_and_notes_land_on_the_right_frame(live_app: LiveApp, page: Page, rendered) -> None:  # noqa: F811
    live_app.sign_in(page)
    project = live_app.demo["project_id"]
    errors = open_room(page, live_app, project)
    cut = live_app.http.get(live_app.url(f"/api/projects/{project}/cut?prefer=latest")).json()
    scenes = cut["scenes"]
    assert page.evaluate("document.getElementById('film-player').chapters.length") == len(scenes) == 3
    expect(page.locator(".film-scene")).to_have_count(3)
    expect(page.locator(".film-scene").nth(2)).to_have_class("film-scene is-slate")
    player_shots = page.evaluate("document.getElementById('film-player').shots.map((s) => [s.start, s.state])")
    assert player_shots[-1] == [scenes[2]["start"], "slate"]
    assert page.evaluate("document.getElementById('film-player').mediaMode") == "mse"

    # Across the cut from scene 1 into scene 2, at 2x: no seam where the next shot came late.
    boundary = scenes[1]["start"]
    play_across(page, boundary - 1.0, boundary + 1.0, 2, boundary + 1.0)
    stats = page.evaluate("document.getElementById('film-player').bufferStats")
    assert stats is None or stats["seamStalls"] == 0, stats
    assert 1 in page.evaluate("window.chapters")
    expect(page.locator(".film-scene").nth(1)).to_have_class("film-scene current")

    # A far seek into the slate of scene 3 shows its title; a click in the list jumps back to scene 1.
    page.evaluate(f"document.getElementById('film-player').seek({scenes[2]['start'] + 1.0})")
    slate = page.locator("#film-player .sp-slate")
    expect(slate).to_be_visible()
    expect(slate).to_contain_text("Scene 3")
    page.locator(".film-scene").nth(0).click()
    page.wait_for_function("() => document.getElementById('film-player').currentTime < 0.05")
    expect(page.locator(".film-scene").nth(0)).to_have_class("film-scene current")

    # A note pinned one second into scene 2 lands on scene 2's take, its first shot and frame 24.
    page.evaluate(f"document.getElementById('film-player').seek({boundary + 1.0})")
    page.wait_for_function(f"() => Math.abs(document.getElementById('film-player').currentTime - {boundary + 1.0}) < 0.01")
    page.locator("#film-note-text").fill("The lamp is on in the wide and off in the close-up")
    page.locator("#film-pin").click()
    expect(page.locator("#film-note-text")).to_have_value("")
    scene2 = scenes[1]
    notes = live_app.http.get(live_app.url(f"/api/scenes/{scene2['scene_id']}/issues")).json()
    mine = [n for n in notes if n["description"].startswith("The lamp")]
    assert len(mine) == 1
    first = scene2["shots"][0]
    assert (mine[0]["take_id"], mine[0]["frame"]) == (scene2["take"]["id"], 24)
    assert mine[0]["shot_id"] == (first["shot_id"] if first["duration"] > 1.0 else scene2["shots"][1]["shot_id"])
    assert page.evaluate("document.getElementById('film-player').pins.length") >= 1
    # On a slate there is no frame to note: refused in place, nothing sent.
    page.evaluate(f"document.getElementById('film-player').seek({scenes[2]['start'] + 0.5})")
    page.locator("#film-note-text").fill("Nothing here yet")
    page.locator("#film-pin").click()
    expect(page.locator("#film-note-error")).to_contain_text("no take")
    assert not errors, errors


@pytest.mark.parametrize("size", [(1440, 900), (1024, 768)], ids=["1440", "1024"])
def test_the_screening_room_and_the_hub_hold_up(live_app: LiveApp, chromium, rendered, size) -> None:  # noqa: F811
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        live_app.sign_in(page)
        project = live_app.demo["project_id"]
        errors = open_room(page, live_app, project)
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        for selector in ("#film-player", "#film-scenes", "#film-pin", "#film-export > summary"):
            box = page.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= size[0] + 1, (selector, box)
        _shot(page, f"screening-{size[0]}")
        page.goto(live_app.url(f"/projects/{project}"))
        glance = page.locator("#film-glance")
        expect(glance).to_be_visible()
        expect(glance.locator("[data-fg=running]")).to_contain_text(":")
        link = glance.locator("[data-screening-link]")
        box = link.bounding_box()
        assert box and box["x"] + box["width"] <= size[0] + 1
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        _shot(page, f"hub-film-{size[0]}")
        link.click()
        page.wait_for_url("**/screening")
        assert not errors, errors
    finally:
        context.close()


@pytest.fixture(scope="module")
def long_film(live_app: LiveApp, clip_dir: Path) -> dict:  # noqa: F811
    """50 scenes x 20 shots of 1 s (1,000 shots) reusing 4 small clips, plus 2 scenes that are slates."""
    clips = scene_clips(clip_dir / "film", ["F1", "F2", "F3", "F4"], 1.0, width=320, height=180, fragmented=True)
    film = build_film(live_app.rushes, live_app.demo["studio_id"], [p.read_bytes() for p in clips], scenes=52,
                      shots_per_scene=20, seconds=1.0, slate_scenes=(10, 40))
    assert film["shot_count"] == 1000
    return film


def test_a_1000_shot_film_plays_in_a_bounded_window_and_seeks_anywhere(live_app: LiveApp, page: Page, long_film) -> None:  # noqa: F811
    live_app.sign_in(page)
    errors = open_room(page, live_app, long_film["project_id"], prefer="approved")
    assert page.evaluate("document.getElementById('film-player').shots.length") == 1002  # 1,000 shots and 2 slates
    assert page.evaluate("document.getElementById('film-player').mediaMode") == "mse"
    # Play across the cut from scene 1 into scene 2 at 4x.
    play_across(page, 18.5, 23.0, 4, 20.9)
    stats = page.evaluate("document.getElementById('film-player').bufferStats")
    assert stats["seamStalls"] == 0, stats
    assert stats["maxSeconds"] <= 6.5, stats  # the shot on screen, 2 ahead, 1 behind (+ a prefetch margin), of 1,002 s
    assert 1 in page.evaluate("window.chapters")
    # Far seeks: each lands on the exact frame of the clip that shot reuses.
    cut = live_app.http.get(live_app.url(f"/api/projects/{long_film['project_id']}/cut")).json()
    scenes = {s["number"]: s for s in cut["scenes"]}
    for number, position, frame in ((50, 7, 12), (3, 0, 0), (33, 19, 23), (10, 0, 0)):
        scene = scenes[number]
        t = scene["start"] + position + frame / FPS
        page.evaluate(f"document.getElementById('film-player').seek({t})")
        page.wait_for_function(f"() => Math.abs(document.getElementById('film-player').currentTime - {t}) < 0.02")
        if scene["take"] is None:  # scene 10 is a slate
            expect(page.locator("#film-player .sp-slate")).to_contain_text("Scene 10")
            continue
        clip = long_film["clip_index"][(scene["scene_id"], position)]
        page.wait_for_function(f"() => {{ const c = ({VISIBLE_FRAME_JS})(); return c && c.frame === {frame}; }}",
                               timeout=30_000)
        code = page.evaluate(VISIBLE_FRAME_JS)
        assert (code["shot"], code["frame"]) == (clip + 1, frame), (number, position, code)
    stats = page.evaluate("document.getElementById('film-player').bufferStats")
    assert stats["maxSeconds"] <= 6.5, stats
    assert not errors, errors
