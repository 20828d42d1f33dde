"""A long scene in the MSE <scene-player> plays with a bounded buffer window (real headless Chromium).

30 shots of 1.5 s at 320x180 (cheap to make and decode), buffered as a window of 2 shots ahead
and 1 behind (buffer-all=0: the window applies however short the scene). The player must play
the 45 s scene through at 4x with no seam where the next shot came too late, keep only a few
seconds buffered, and land seeks anywhere in the scene on the exact frame.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.browser.clips import FPS, FRAME_CODE_JS, scene_clips

pytestmark = pytest.mark.browser

SHOTS = 30
SHOT_SECONDS = 1.5
SCENE_SECONDS = SHOTS * SHOT_SECONDS
AHEAD, BEHIND = 2, 1
# The window holds the shot on screen, AHEAD after it and BEHIND before it.
WINDOW_SECONDS = (1 + AHEAD + BEHIND) * SHOT_SECONDS
CODES = [str(n) for n in range(1, SHOTS + 1)]
VISIBLE_FRAME_JS = f"""() => {{
  const read = {FRAME_CODE_JS};
  return read(player.shadowRoot.querySelector('video.sp-on'));
}}"""
# Throws QuotaExceededError from the Nth appendBuffer (as a full SourceBuffer does), once.
QUOTA_ONCE_JS = """(() => {
  const real = SourceBuffer.prototype.appendBuffer;
  let calls = 0;
  window.quotaThrown = 0;
  SourceBuffer.prototype.appendBuffer = function (data) {
    calls += 1;
    if (calls === %d) { window.quotaThrown += 1; throw new DOMException('SourceBuffer is full', 'QuotaExceededError'); }
    return real.call(this, data);
  };
})();"""


@pytest.fixture(scope="module")
def long_clips(clip_dir: Path) -> list[Path]:
    return scene_clips(clip_dir / "long", CODES, SHOT_SECONDS, width=320, height=180, fragmented=True)


def open_long_scene(page, server, clips: list[Path]):
    shots = [{"code": code, "duration": SHOT_SECONDS, "src": f"long/{p.name}"} for code, p in zip(CODES, clips)]
    name = f"long-{uuid.uuid4().hex[:8]}.json"
    (server.clip_dir / name).write_text(json.dumps({"shots": shots}))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.static_url("player-harness.html") + f"?shots=/clips/{name}&buffer={AHEAD},{BEHIND},0")
    page.evaluate("window.harnessReady")
    assert page.evaluate("player.mediaMode") == "mse"
    page.evaluate("""() => { window.events = [];
      for (const n of ['shotchange', 'ended']) player.addEventListener(n, (e) => events.push({type: n, ...(e.detail || {})})); }""")
    page.errors = errors
    return page


def buffered_ranges(page) -> list[list[float]]:
    return page.evaluate("""() => { const b = player.shadowRoot.querySelector('video.sp-video').buffered, out = [];
      for (let k = 0; k < b.length; k++) out.push([b.start(k), b.end(k)]); return out; }""")


def assert_lands(page, t: float) -> float:
    """Seek to t; the player and the picture must be on that frame. Returns the seek's ms."""
    ms = page.evaluate("async (t) => { const t0 = performance.now(); await player.seek(t); return performance.now() - t0; }", t)
    shot = int(t // SHOT_SECONDS)
    assert page.evaluate("player.currentShot") == shot
    assert page.evaluate("player.currentTime") == pytest.approx(t, abs=1e-6)
    frame = int((t - shot * SHOT_SECONDS) * FPS + 1e-6)
    assert page.evaluate(VISIBLE_FRAME_JS) == {"shot": (shot + 1) & 0xF, "frame": frame}
    return ms


def test_long_scene_plays_through_at_4x_with_a_bounded_buffer(page, static_server, long_clips):
    open_long_scene(page, static_server, long_clips)
    stats = page.evaluate("player.bufferStats")
    assert (stats["ahead"], stats["behind"], stats["whole"]) == (AHEAD, BEHIND, False)
    page.evaluate("""() => { window.waiting = [];
      const v = player.shadowRoot.querySelector('video.sp-video');
      v.addEventListener('waiting', () => { if (!player.paused) {
        const b = v.buffered, r = []; for (let k = 0; k < b.length; k++) r.push([b.start(k), b.end(k)]);
        waiting.push({t: v.currentTime, ranges: r, ready: v.readyState, ms: player._mse.ms.readyState, wall: performance.now()}); } });
      player.playbackRate = 4; player.play(); }""")
    page.wait_for_function("events.some((e) => e.type === 'ended')", timeout=SCENE_SECONDS / 4 * 1000 * 3)
    events = page.evaluate("events")
    assert [e.get("index") for e in events] == list(range(1, SHOTS)) + [None]
    assert page.evaluate("player.currentTime") == pytest.approx(SCENE_SECONDS, abs=0.05)
    # 'ended' comes from the media clock; a busy compositor may paint the last frame a little later,
    # so wait for the picture to settle there (it must, and on nothing else).
    last = {"shot": SHOTS & 0xF, "frame": round(SHOT_SECONDS * FPS) - 1}
    page.wait_for_function(f"(() => {{ const f = ({VISIBLE_FRAME_JS})(); return f.shot === {last['shot']} && f.frame === {last['frame']}; }})()", timeout=10000)
    stats = page.evaluate("player.bufferStats")
    assert stats["seamStalls"] == 0, stats
    # A busy machine may starve the decoder now and then ('waiting' with media buffered ahead); a
    # late shot would show as 'waiting' with the buffer ending at the cut.
    for stall in page.evaluate("waiting"):
        cut = min(SCENE_SECONDS - 0.2, (int(stall["t"] // SHOT_SECONDS) + 1) * SHOT_SECONDS)
        assert any(start <= stall["t"] and end > cut + 0.1 for start, end in stall["ranges"]), stall
    # Bounded: never more than the window (plus a frame of rounding), far below the 45 s scene.
    assert 0 < stats["maxSeconds"] <= WINDOW_SECONDS + 0.1, stats
    assert stats["seconds"] <= (1 + BEHIND) * SHOT_SECONDS + 0.1, stats  # at the end nothing lies ahead
    assert stats["removals"] >= SHOTS - 1 - AHEAD - BEHIND  # the shots behind were taken out as it went
    assert buffered_ranges(page)[0][0] >= SCENE_SECONDS - (1 + BEHIND) * SHOT_SECONDS - 0.05
    # The stream had ended: a seek back to the start reopens it and appends there again.
    assert_lands(page, 3.1)
    page.evaluate("player.play()")
    page.wait_for_function("player.currentShot >= 5", timeout=5000)
    page.evaluate("player.pause()")
    assert page.evaluate("player.bufferStats.seamStalls") == 0
    assert page.errors == []


def test_seeks_far_across_a_long_scene_land_on_the_frame(page, static_server, long_clips):
    open_long_scene(page, static_server, long_clips)
    times = []
    for t in (40.3, 3.1, 27.75, 0.5, 44.9, 16.0, 33.2):
        times.append(assert_lands(page, t))
        # The window is around the shot sought to: nothing buffered outside it.
        shot = int(t // SHOT_SECONDS)
        lo, hi = max(0, shot - BEHIND) * SHOT_SECONDS, min(SHOTS, shot + 1 + AHEAD) * SHOT_SECONDS
        page.wait_for_function(f"player.bufferStats.seconds >= {(min(SHOTS, shot + 1 + AHEAD) - max(0, shot - BEHIND)) * SHOT_SECONDS - 0.1}")
        for start, end in buffered_ranges(page):
            assert lo - 0.05 <= start and end <= hi + 0.05, (t, buffered_ranges(page))
    assert max(times) < 1500, times
    # A seek overtaken by another far away: the first target's appends are dropped or aborted.
    page.evaluate("player.seek(12.2); player.seek(37.6)")
    page.wait_for_function("player._target === null && player.currentShot === 25")
    assert_lands(page, 37.6)
    page.wait_for_function(f"player.bufferStats.seconds >= {4 * SHOT_SECONDS - 0.1}")
    assert all(start >= 24 * SHOT_SECONDS - 0.05 for start, _end in buffered_ranges(page)), buffered_ranges(page)
    stats = page.evaluate("player.bufferStats")
    assert stats["maxSeconds"] <= WINDOW_SECONDS + 0.1, stats
    # Playing on from the last seek crosses cuts gaplessly into shots appended after the seek.
    page.evaluate("player.playbackRate = 4; player.play()")
    page.wait_for_function("player.currentShot >= 26", timeout=10000)
    page.evaluate("player.pause()")
    assert page.evaluate("player.bufferStats.seamStalls") == 0
    assert page.errors == []


def test_quota_exceeded_append_evicts_and_retries(page, static_server, long_clips):
    page.add_init_script(QUOTA_ONCE_JS % 2)  # the second shot's append meets a full SourceBuffer
    open_long_scene(page, static_server, long_clips)
    page.wait_for_function("player.bufferStats.seconds >= %f" % (3 * SHOT_SECONDS - 0.1))
    assert page.evaluate("window.quotaThrown") == 1
    assert page.evaluate("player.bufferStats.quotaRetries") == 1
    assert_lands(page, 2.0)  # the shot whose append was refused is in after the retry
    assert_lands(page, 30.4)
    page.evaluate("player.playbackRate = 4; player.play()")
    page.wait_for_function("player.currentShot >= 23", timeout=10000)
    page.evaluate("player.pause()")
    assert page.evaluate("player.bufferStats.seamStalls") == 0
    assert page.errors == []
