"""The film in the screening room: a 1,000-shot film in the real page, its buffer window, seams at scene cuts, seeks.

A live Rushes (the real app, SQLite) holds a film of --scenes scenes x --shots shots of --seconds each, whose
approved takes reuse 8 small real clips (640x360 H.264/AAC, fragmented as stored; frame codes burned in), with one
scene left as a slate. Headless Chromium opens /projects/{id}/screening and:
- plays at 1x across --cuts scene boundaries, recording every presented frame (requestVideoFrameCallback): the
  seam ratio is the presented-frame interval across a cut divided by the one inside clips (target <= 1.2), at scene
  cuts and, for comparison, at the shot cuts inside scenes;
- reports the seconds the MSE window held (now and at most) against the film's length;
- seeks to --seeks random places anywhere in the film, timing each and reading the frame on screen.
Run: .venv/bin/python bench/bench_film.py [--scenes 101] [--shots 10] [--seconds 1] [--cuts 4] [--seeks 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import clips  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.live_app import start_live_app  # noqa: E402
from tests.fakes.film import build_film  # noqa: E402

DISTINCT = 8
READ = clips.FRAME_CODE_JS
FRAMES_JS = """async ({from, until}) => {
  const player = document.getElementById('film-player');
  const v = player.shadowRoot.querySelector('video.sp-video');
  const starts = player.shots.map((s) => s.start);
  const shotOf = (t) => { let lo = 0, hi = starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= t + 1e-4) lo = mid; else hi = mid - 1; } return lo; };
  const frames = [];
  let running = true;
  const cb = (now, m) => { frames.push({shot: shotOf(m.mediaTime), t: now, media: m.mediaTime}); if (running) v.requestVideoFrameCallback(cb); };
  await player.seek(from);
  v.requestVideoFrameCallback(cb);
  player.playbackRate = 1;
  await player.play();
  await new Promise((resolve) => { const tick = () => (player.currentTime >= until ? resolve() : setTimeout(tick, 50)); tick(); });
  running = false;
  player.pause();
  return frames;
}"""
SEEKS_JS = """async ({count, seed}) => {
  const read = %s;
  const player = document.getElementById('film-player');
  let x = seed;
  const rand = () => { x = (x * 1103515245 + 12345) %% 2147483648; return x / 2147483648; };
  const shots = player.shots, out = [];
  player.pause();
  for (let k = 0; k < count; k++) {
    let i = player.currentShot;
    while (i === player.currentShot || shots[i].state !== 'ready') i = Math.floor(rand() * shots.length);
    const t = shots[i].start + rand() * (shots[i].duration - 0.2);
    const t0 = performance.now();
    await player.seek(t);
    const ms = performance.now() - t0;
    const f = read(player.shadowRoot.querySelector('video.sp-video'));
    const want = Math.floor((t - shots[i].start) * 24 + 1e-6);
    out.push({ms, shot: i, frame: f, want});
    await new Promise((r) => setTimeout(r, 150));
  }
  return out;
}""" % READ


def seams(frames: list[dict], scene_cuts: set[int]) -> dict:
    """Interval across each cut (mean of the two around the incoming first frame) over the median inside clips."""
    frames = sorted(frames, key=lambda f: f["t"])
    inside, at_scene, at_shot = [], [], []
    for k in range(1, len(frames) - 1):
        a, b, c = frames[k - 1], frames[k], frames[k + 1]
        if a["shot"] == b["shot"] == c["shot"]:
            inside.append((c["t"] - a["t"]) / 2)
        elif a["shot"] != b["shot"] and b["shot"] == c["shot"]:
            (at_scene if b["shot"] in scene_cuts else at_shot).append((c["t"] - a["t"]) / 2)
    base = statistics.median(inside)
    return {"base": base, "scene": [s / base for s in at_scene], "shot": [s / base for s in at_shot]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenes", type=int, default=101)
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--cuts", type=int, default=4, help="scene boundaries crossed at 1x")
    ap.add_argument("--seeks", type=int, default=20)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        live, server, thread = start_live_app(root / "app")
        made = time.perf_counter()
        distinct = clips.scene_clips(root / "clips", [f"F{n}" for n in range(1, DISTINCT + 1)], args.seconds,
                                     640, 360, fragmented=True)
        slate = args.scenes // 2
        film = build_film(live.rushes, live.demo["studio_id"], [p.read_bytes() for p in distinct], args.scenes,
                          args.shots, args.seconds, slate_scenes=(slate,), width=640, height=360)
        print(f"film: {args.scenes} scenes x {args.shots} shots x {args.seconds:g} s = {film['shot_count']} shots "
              f"reusing {DISTINCT} clips (scene {slate} a slate), made in {time.perf_counter() - made:.1f} s")
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                live.sign_in(page)
                t0 = time.perf_counter()
                page.goto(live.url(f"/projects/{film['project_id']}/screening"))
                page.evaluate("document.getElementById('film-player').ready")
                opened = time.perf_counter() - t0
                mode = page.evaluate("document.getElementById('film-player').mediaMode")
                cut = live.http.get(live.url(f"/api/projects/{film['project_id']}/cut")).json()
                starts = page.evaluate("document.getElementById('film-player').shots.map((s) => s.start)")
                scene_first = {starts.index(s["start"]) for s in cut["scenes"][1:]}
                first, last = cut["scenes"][1]["start"], cut["scenes"][1 + args.cuts]["start"]
                frames = page.evaluate(FRAMES_JS, {"from": first - 0.5, "until": last + 0.5})
                played = page.evaluate("document.getElementById('film-player').bufferStats")
                seeks = page.evaluate(SEEKS_JS, {"count": args.seeks, "seed": 11})
                stats = page.evaluate("document.getElementById('film-player').bufferStats")
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=15)
            live.rushes.db.dispose()
    m = seams(frames, scene_first)
    times = sorted(s["ms"] for s in seeks)
    wrong = sum(1 for s in seeks if not s["frame"] or s["frame"]["frame"] != s["want"])
    print(f"page open to first picture: {opened:.2f} s; media mode {mode}; film {cut['duration']:.0f} s")
    print(f"seam ratio at {len(m['scene'])} scene cuts: median {statistics.median(m['scene']):.2f}, max {max(m['scene']):.2f} "
          f"(at {len(m['shot'])} shot cuts: median {statistics.median(m['shot']):.2f}, max {max(m['shot']):.2f}; "
          f"inside clips {m['base']:.1f} ms per frame); cuts where the next shot came late: {played['seamStalls']}")
    print(f"buffered: {stats['seconds']:g} s now, at most {stats['maxSeconds']:g} s of {cut['duration']:g} s "
          f"(window {stats['ahead']} ahead / {stats['behind']} behind); appends {stats['appends']}, removals {stats['removals']}")
    print(f"seek anywhere ({len(times)}): median {statistics.median(times):.0f} ms, "
          f"p90 {times[int(0.9 * (len(times) - 1))]:.0f} ms, max {times[-1]:.0f} ms; wrong frame {wrong} of {len(times)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
