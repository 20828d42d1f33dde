"""Review room follower lag: one presenter, N-1 followers, each in its own headless Chromium context.

Runs the real app (uvicorn, worker inside, SQLite) with a rendered 4-shot scene. For N = 2, 5 and 20
participants it measures, in the pages themselves (performance.timeOrigin + now() is one clock for
every page on this machine):
- seek lag: from the presenter's seek to each follower presenting that exact frame (paused);
- drift while playing: each follower's scene time against the presenter's at the same instant, in frames,
  sampled every 250 ms after a 2 s settle, over 6 s of playback.
Usage: .venv/bin/python bench/bench_room.py [--sizes 2,5,20] [--seeks 8]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.async_api import async_playwright  # noqa: E402

from tests.browser.live_app import start_live_app, wait_for_take  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--autoplay-policy=no-user-gesture-required", "--mute-audio"]
FPS = 24
NOW = "performance.timeOrigin + performance.now()"
AT_FRAME = f"""([t]) => new Promise((resolve) => {{
  const p = document.getElementById('player');
  const check = () => (p.paused && Math.abs(p.currentTime - t) <= 0.5 / {FPS}) ? resolve({NOW}) : requestAnimationFrame(check);
  check();
}})"""
SAMPLE = f"() => ({{at: {NOW}, t: document.getElementById('player').currentTime}})"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def new_member_page(browser, live, role: str):
    from rushes.services.users import add_member, new_session
    from rushes.web.access import SESSION_COOKIE

    with live.rushes.db.session() as session:
        email = live.demo["owner_email"] if role == "owner" else live.member(role)
        from rushes.services.users import user_by_email

        user = user_by_email(session, email) or add_member(session, email, live.demo["studio_id"], role)
        token = new_session(session, user.id)
    context = await browser.new_context(viewport={"width": 1024, "height": 640})
    await context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live.base_url}])
    return await context.new_page()


async def one_size(browser, live, scene: int, size: int, seeks: int) -> dict:
    presenter = await new_member_page(browser, live, "owner")
    await presenter.goto(live.url(f"/scenes/{scene}/review"))
    await presenter.evaluate("() => document.getElementById('player').ready")
    await presenter.click("#room-start")
    await presenter.wait_for_function("() => window.rushes && window.rushes.room && window.rushes.room.me !== null")
    room = await presenter.evaluate("() => window.rushes?.room.room")
    followers = []
    for _ in range(size - 1):
        page = await new_member_page(browser, live, "reviewer")
        await page.goto(live.url(f"/rooms/{room}"))
        followers.append(page)
    for page in followers:
        await page.wait_for_function("() => window.rushes && window.rushes.room && window.rushes.room.seq >= 0", timeout=60000)
        await page.evaluate("() => document.getElementById('player').ready")
    await presenter.wait_for_function(f"() => window.rushes?.room.people().length === {size}", timeout=60000)

    rng = random.Random(size)
    lags: list[float] = []
    duration = await presenter.evaluate("() => document.getElementById('player').duration")
    for _ in range(seeks):
        target = round(rng.uniform(0.5, duration - 1.0) * FPS) / FPS
        waits = [asyncio.create_task(p.evaluate(AT_FRAME, [target])) for p in followers]
        sent = await presenter.evaluate(f"([t]) => {{ const at = {NOW}; document.getElementById('player').seek(t); return at; }}", [target])
        done = await asyncio.wait_for(asyncio.gather(*waits), 60)
        lags += [d - sent for d in done]
        await asyncio.sleep(0.3)

    drift: list[float] = []
    await presenter.evaluate("() => { const p = document.getElementById('player'); return p.seek(1.0).then(() => p.play()); }")
    await asyncio.sleep(2.0)
    end = time.monotonic() + 6.0
    while time.monotonic() < end:
        samples = await asyncio.gather(presenter.evaluate(SAMPLE), *(p.evaluate(SAMPLE) for p in followers))
        lead = samples[0]
        for s in samples[1:]:
            expected = lead["t"] + (s["at"] - lead["at"]) / 1000.0  # the presenter plays at 1x
            drift.append(abs(s["t"] - expected) * FPS)
        await asyncio.sleep(0.25)
    await presenter.evaluate("() => document.getElementById('player').pause()")
    for page in [presenter, *followers]:
        await page.context.close()
    return {"size": size, "lag_median": statistics.median(lags), "lag_p90": pct(lags, 0.9), "lag_max": max(lags),
            "drift_median": statistics.median(drift), "drift_p90": pct(drift, 0.9), "drift_max": max(drift),
            "within_2": sum(d <= 2 for d in drift) / len(drift), "seeks": len(lags), "samples": len(drift)}


async def run(sizes: list[int], seeks: int) -> None:
    from rushes.services.confirm import confirm_take

    with tempfile.TemporaryDirectory() as tmp:
        live, server, thread = start_live_app(Path(tmp))
        scene = live.demo["scene_ids"][0]
        take_id, _ = confirm_take(live.rushes, scene, "bench-room")
        wait_for_take(live, take_id, timeout=300)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            print(f"{'participants':>12} {'seek lag ms (median / p90 / max)':>34} {'drift frames (median / p90 / max)':>36} {'≤2 frames':>10}")
            for size in sizes:
                r = await one_size(browser, live, scene, size, seeks)
                print(f"{r['size']:>12} {r['lag_median']:>14.0f} / {r['lag_p90']:>5.0f} / {r['lag_max']:>6.0f}"
                      f" {r['drift_median']:>17.2f} / {r['drift_p90']:>5.2f} / {r['drift_max']:>6.2f} {r['within_2']:>9.0%}"
                      f"   ({r['seeks']} follower-seeks, {r['samples']} drift samples)", flush=True)
            await browser.close()
        server.should_exit = True
        thread.join(15)
        live.rushes.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2,5,20")
    parser.add_argument("--seeks", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(run([int(s) for s in args.sizes.split(",")], args.seeks))


if __name__ == "__main__":
    main()
