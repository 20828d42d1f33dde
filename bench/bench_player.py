"""Benchmark the <scene-player> in headless Chromium: seam ratio and seek latency, side by side for the
MSE player (fragmented clips, one MediaSource), the stacked-video fallback (mode="stacked") and a naive src swap,
then a long scene (60 shots of 8 s at 1920x1080) in the MSE player with its buffer window: seam ratio over every
cut, the most seconds ever buffered and seeks anywhere in the scene.

Run: .venv/bin/python bench/bench_player.py [--seconds 8] [--shots 4] [--seeks 20] [--long-shots 60] [--cases short,long]
Clips are real H.264/AAC MP4s (24 fps) made with tests/browser/clips.py, fragmented as the app stores them. The long
scene reuses 16 distinct clips (the frame code carries the shot number modulo 16) under 60 different shot URLs: the
player fetches and appends each URL on its own, so it cannot tell, and they are made once into --clip-dir.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import clips  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_static_server  # noqa: E402

# Records every presented frame of every clip element (rVFC) and, at each paint (rAF), which
# element is on top. A frame counts as seen only if its element was on top in that same paint;
# when a clip is raised without presenting a new frame, its standing frame counts as seen at
# that paint. Times are paint times (the `now` that rVFC and rAF share), so they compare.
PLAYER_SEAMS_JS = """async () => {
  const videos = [...player.shadowRoot.querySelectorAll('video.sp-video')];
  const frames = [], seen = [];
  const starts = player.shots.map((s) => s.start);
  // MSE: one video whose media time is scene time; its shot is the one containing that time.
  const shotOf = (v, t) => (v.dataset.mse ? starts.filter((s) => t >= s - 1e-4).length - 1 : Number(v.dataset.shot));
  const localOf = (v, t) => (v.dataset.mse ? t - starts[shotOf(v, t)] : t);
  let running = true, top = -1;
  for (const v of videos) {
    const cb = (now, m) => {
      frames.push({shot: shotOf(v, m.mediaTime), t: now, media: localOf(v, m.mediaTime)});
      if (running) v.requestVideoFrameCallback(cb);
    };
    v.requestVideoFrameCallback(cb);
  }
  const paint = (now) => {
    const on = videos.find((v) => v.classList.contains('sp-on'));
    const shot = on ? shotOf(on, on.currentTime) : -1;
    const fresh = frames.filter((f) => f.t === now && (f.shot === shot || (on && on.dataset.mse)));
    if (fresh.length) seen.push(...fresh);
    else if (shot !== top && on) seen.push({shot, t: now, media: localOf(on, on.currentTime), revealed: true});
    top = shot;
    if (running) requestAnimationFrame(paint);
  };
  requestAnimationFrame(paint);
  const ended = new Promise((r) => player.addEventListener('ended', r, {once: true}));
  await player.seek(0);
  await player.play();
  await ended;
  running = false;
  return seen;
}"""

NAIVE_SEAMS_JS = """async (srcs) => {
  const v = document.createElement('video');
  v.muted = true; v.preload = 'auto';
  v.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;z-index:99;background:#000';
  document.body.appendChild(v);
  const frames = [];
  let clip = 0, running = true;
  const cb = (now, m) => {
    frames.push({shot: clip, t: now, media: m.mediaTime});
    if (running) v.requestVideoFrameCallback(cb);
  };
  v.requestVideoFrameCallback(cb);
  v.src = srcs[0];
  await new Promise((r) => v.addEventListener('canplay', r, {once: true}));
  await new Promise((resolve) => {
    v.addEventListener('ended', () => {
      if (clip + 1 >= srcs.length) { resolve(); return; }
      clip += 1;
      v.src = srcs[clip];
      v.play();
    });
    v.play();
  });
  running = false;
  v.remove();
  return frames;
}"""

SEEKS_JS = """async ({count, seed, readFrame}) => {
  const read = eval(readFrame);
  let x = seed;
  const rand = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  const shots = player.shots, out = [];
  player.pause();
  for (let k = 0; k < count; k++) {
    let i = player.currentShot;
    while (i === player.currentShot) i = Math.floor(rand() * shots.length);
    const t = shots[i].start + rand() * (shots[i].duration - 0.2);
    const t0 = performance.now();
    await player.seek(t);
    const ms = performance.now() - t0;
    const f = read(player.shadowRoot.querySelector('video.sp-on'));  // MSE: the one video
    const want = Math.floor((t - shots[i].start) * 24 + 1e-6);
    const code = (i + 1) & 15;  // the frame code carries the shot number modulo 16
    out.push({ms, shot: i, got: player.currentShot, right: !!f && f.shot === code && f.frame === want});
    await new Promise((r) => setTimeout(r, 150));
  }
  return out;
}"""


def _measure(frames: list[dict], clip_seconds: float) -> dict:
    """Seam ratio and details from the seen frames (times in ms).

    Inside clips the baseline is the median of the mean of each two consecutive intervals: on a
    60 Hz display 24 fps alternates 33/50 ms, whose plain median is ill-defined; the pair mean is
    41.7 ms either way. A seam's interval is likewise the mean of the two intervals around the
    incoming clip's first seen frame (last outgoing frame -> second incoming frame), so a freeze
    on the incoming first frame counts as much as a gap before it.
    """
    frames = sorted(frames, key=lambda f: f["t"])
    index = [int(f["media"] * clips.FPS + 1e-3) for f in frames]
    last = round(clip_seconds * clips.FPS) - 1
    inside_pairs, seams, longest, missing = [], [], [], 0
    for k in range(1, len(frames) - 1):
        a, b, c = frames[k - 1], frames[k], frames[k + 1]
        if a["shot"] == b["shot"] == c["shot"]:
            inside_pairs.append((c["t"] - a["t"]) / 2)
        elif a["shot"] != b["shot"] and b["shot"] == c["shot"]:
            seams.append((c["t"] - a["t"]) / 2)
            longest.append(max(b["t"] - a["t"], c["t"] - b["t"]))
            # Frames never seen near the cut: the outgoing tail and the incoming head (6 frames each).
            out = [j for j in range(max(0, k - 6), k) if frames[j]["shot"] == a["shot"]]
            inc = [j for j in range(k, min(len(frames), k + 6)) if frames[j]["shot"] == b["shot"]]
            missing += last - index[k - 1] + index[k]
            missing += sum(max(0, index[j + 1] - index[j] - 1) for j in out[:-1] + inc[:-1])
    if not inside_pairs or not seams:
        raise RuntimeError(f"not enough frames measured (inside {len(inside_pairs)}, seams {len(seams)})")
    base = statistics.median(inside_pairs)
    return {"ratio": statistics.median(seams) / base, "base": base, "seams": seams, "longest": longest, "missing": missing}


LONG_DISTINCT = 16  # distinct clips behind the long scene's shots (the frame code's shot field has 4 bits)


def _seek_summary(seeks: list[dict]) -> str:
    ms = sorted(s["ms"] for s in seeks)
    wrong = sum(1 for s in seeks if s["got"] != s["shot"] or not s["right"])
    p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
    return (f"median {statistics.median(ms):.0f} ms p90 {p90:.0f} ms max {ms[-1]:.0f} ms over {len(ms)} seeks, "
            f"wrong frame on screen {wrong}")


def _long_scene(args: argparse.Namespace) -> tuple[Path, float]:
    """The long scene's JSON in --clip-dir: LONG_DISTINCT real clips, hard-linked under one name per shot."""
    sub = args.clip_dir / f"long-{args.long_width}x{args.long_height}"
    codes = [f"L{k}" for k in range(1, LONG_DISTINCT + 1)]
    t0 = time.monotonic()
    distinct = clips.scene_clips(sub, codes, args.long_seconds, args.long_width, args.long_height, fragmented=True)
    made = time.monotonic() - t0
    shots = []
    for i in range(args.long_shots):
        name = f"shot-{i + 1:03d}.mp4"
        link = sub / name
        if not link.exists():
            os.link(distinct[i % LONG_DISTINCT], link)
        shots.append({"code": f"{i + 1}", "duration": args.long_seconds, "src": f"{sub.name}/{name}"})
    scene = args.clip_dir / "bench-long-scene.json"
    scene.write_text(json.dumps({"shots": shots}))
    return scene, made


def _run_long(browser, server_info, scene: Path, args: argparse.Namespace) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    buffer = f"{args.long_ahead},{args.long_behind},0"
    page.goto(server_info.static_url("player-harness.html") + f"?shots=/clips/{scene.name}&buffer={buffer}")
    page.evaluate("window.harnessReady")
    if page.evaluate("player.mediaMode") != "mse":
        raise RuntimeError("the long scene did not open in MSE mode")
    page.evaluate(f"player.playbackRate = {args.long_rate}")
    t0 = time.monotonic()
    frames = page.evaluate(PLAYER_SEAMS_JS)
    played = time.monotonic() - t0
    after_play = page.evaluate("player.bufferStats")
    seeks = page.evaluate(SEEKS_JS, {"count": args.seeks, "seed": 7, "readFrame": clips.FRAME_CODE_JS})
    stats = page.evaluate("player.bufferStats")
    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
    page.close()
    return {"seams": _measure(frames, args.long_seconds), "played": played, "play_stats": after_play,
            "stats": stats, "seeks": seeks, "heap": heap}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each clip")
    ap.add_argument("--shots", type=int, default=4)
    ap.add_argument("--seeks", type=int, default=20)
    ap.add_argument("--idle", type=float, default=20.0, help="seconds idle before a second round of seeks")
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--cases", default="short,long", help="short (the 4-shot cases), long (the long scene), or both")
    ap.add_argument("--long-shots", type=int, default=60)
    ap.add_argument("--long-seconds", type=float, default=8.0)
    ap.add_argument("--long-width", type=int, default=1920)
    ap.add_argument("--long-height", type=int, default=1080)
    ap.add_argument("--long-rate", type=float, default=1.0, help="playback rate of the long scene's play-through")
    ap.add_argument("--long-ahead", type=int, default=2, help="buffer window: shots ahead of the one on screen")
    ap.add_argument("--long-behind", type=int, default=1, help="buffer window: shots behind")
    ap.add_argument("--clip-dir", type=Path, default=Path(tempfile.gettempdir()) / "rushes-bench-clips")
    args = ap.parse_args()
    cases = set(args.cases.split(","))
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} not found", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    codes = [f"1{chr(ord('A') + i)}" for i in range(args.shots)]
    t0 = time.monotonic()
    paths = clips.scene_clips(args.clip_dir, codes, args.seconds, args.width, args.height, fragmented=True)
    if "short" in cases:
        print(f"clips: {args.shots} x {args.seconds:g} s {args.width}x{args.height} H.264/AAC 24 fps "
              f"(made/reused in {time.monotonic() - t0:.1f} s)")
    shots = [{"code": c, "duration": args.seconds, "src": p.name} for c, p in zip(codes, paths)]
    (args.clip_dir / "bench-scene.json").write_text(json.dumps({"shots": shots}))
    if "long" in cases:
        long_scene, made = _long_scene(args)
        print(f"long scene: {args.long_shots} x {args.long_seconds:g} s {args.long_width}x{args.long_height} "
              f"({LONG_DISTINCT} distinct clips made/reused in {made:.1f} s, one URL per shot)")
    server_info, server, thread = start_static_server(args.clip_dir)
    results, naive, long = {}, None, None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            if "short" in cases:
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(server_info.static_url("player-harness.html") + "?shots=/clips/bench-scene.json")
                page.evaluate("window.harnessReady")
                for mode in ("mse", "stacked"):
                    if mode == "stacked":
                        page.evaluate("player.setAttribute('mode', 'stacked'); player.shots = player.shots; player.seek(0)")
                    got = page.evaluate("player.mediaMode")
                    if got != mode:
                        raise RuntimeError(f"player chose {got}, expected {mode}")
                    page.wait_for_timeout(1500)  # let every clip buffer, as a reviewer's page would
                    seams = _measure(page.evaluate(PLAYER_SEAMS_JS), args.seconds)
                    seeks = page.evaluate(SEEKS_JS, {"count": args.seeks, "seed": 7, "readFrame": clips.FRAME_CODE_JS})
                    page.wait_for_timeout(args.idle * 1000)  # Chromium may suspend idle paused players
                    idle = page.evaluate(SEEKS_JS, {"count": 5, "seed": 11, "readFrame": clips.FRAME_CODE_JS})
                    results[mode] = (seams, seeks, idle, page.evaluate("player.bufferStats"))
                naive = _measure(page.evaluate(NAIVE_SEAMS_JS, [server_info.clip_url(p) for p in paths]), args.seconds)
                page.close()
            if "long" in cases:
                long = _run_long(browser, server_info, long_scene, args)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=5)

    if results:
        print(f"seam ratio (target <= 1.2): MSE player {results['mse'][0]['ratio']:.2f}, stacked fallback "
              f"{results['stacked'][0]['ratio']:.2f}, naive src swap {naive['ratio']:.2f}")
        rows = [("MSE player", results["mse"][0]), ("stacked fallback", results["stacked"][0]), ("naive src swap", naive)]
        for name, m in rows:
            print(f"  {name}: frame interval inside clips {m['base']:.1f} ms; at seams (mean of 2) "
                  f"{', '.join(f'{s:.1f}' for s in m['seams'])} ms; longest single interval at seams "
                  f"{', '.join(f'{s:.1f}' for s in m['longest'])} ms; frames never shown near seams {m['missing']}")
        for mode, label in (("mse", "MSE player"), ("stacked", "stacked fallback")):
            _, seeks, idle_seeks, _stats = results[mode]
            print(f"seek into another shot, {label}: {_seek_summary(seeks)} (target <= 150 ms)")
            idle = sorted(s["ms"] for s in idle_seeks)
            print(f"  after {args.idle:g} s idle: first seek {idle_seeks[0]['ms']:.0f} ms, median "
                  f"{statistics.median(idle):.0f} ms over {len(idle)} seeks, wrong frame "
                  f"{sum(1 for s in idle_seeks if not s['right'])}")
        mse_stats = results["mse"][3]
        print(f"most seconds buffered, MSE player ({args.shots} x {args.seconds:g} s, buffered whole): "
              f"{mse_stats['maxSeconds']:.1f} s of {args.shots * args.seconds:g} s")
    if long:
        m, st = long["seams"], long["stats"]
        total = args.long_shots * args.long_seconds
        print(f"long scene, MSE player with a window of {args.long_ahead} ahead / {args.long_behind} behind "
              f"({args.long_shots} x {args.long_seconds:g} s {args.long_width}x{args.long_height}, "
              f"played at {args.long_rate:g}x in {long['played']:.0f} s):")
        print(f"  seam ratio {m['ratio']:.2f} over {len(m['seams'])} cuts (median; max {max(m['seams']):.1f} ms vs "
              f"{m['base']:.1f} ms inside clips; longest single interval at a cut {max(m['longest']):.1f} ms); "
              f"frames never shown near seams {m['missing']}; cuts where the next shot came late "
              f"{long['play_stats']['seamStalls']}")
        print(f"  most seconds ever buffered {st['maxSeconds']:.1f} s of {total:g} s (now {st['seconds']:.1f} s; "
              f"{st['appends']} appends, {st['removals']} removals, {st['quotaRetries']} quota retries); "
              f"JS heap {long['heap'] / 1e6:.0f} MB")
        print(f"  seek anywhere in the scene: {_seek_summary(long['seeks'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
