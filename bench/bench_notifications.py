"""Notification latency: from a take's end (finished_at, written by the worker) to the toast in an open page.

Runs the real app (uvicorn, worker inside) and headless Chromium on the Script Hub; each round confirms a
one-shot re-render and records, in the page, when the toast element appears.
Usage: .venv/bin/python bench/bench_notifications.py [--rounds 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.live_app import start_live_app  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WATCH = """() => { window.__toasts = []; new MutationObserver(() => {
  document.querySelectorAll('#toasts .toast').forEach((t) => {
    if (!t.dataset.seen) { t.dataset.seen = '1'; window.__toasts.push({id: Number(t.dataset.notificationId), at: Date.now()}); }
  }); }).observe(document.getElementById('toasts'), {childList: true}); }"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    from rushes.services.frame_jobs import enqueue_frames
    from rushes.store import models as m
    from sqlalchemy import select

    with tempfile.TemporaryDirectory() as tmp:
        live, server, thread = start_live_app(Path(tmp), demo_starting_credits=100000)
        rushes = live.rushes
        with rushes.db.session() as s:
            scene = live.demo["scene_ids"][1]
            shot_id = s.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene).order_by(m.Shot.id).limit(1))
        live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "warm"})
        latencies = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            _wait_finished(rushes)
            live.sign_in(page)
            page.goto(live.url(f"/projects/{live.demo['project_id']}"))
            page.evaluate(WATCH)
            page.wait_for_timeout(500)
            for round_ in range(args.rounds):
                enqueue_frames(rushes, shot_id, ("start",))  # a new start frame makes one shot stale
                _wait_finished(rushes)
                take = live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": f"r{round_}"}).json()
                finished = _wait_finished(rushes, take["id"])
                page.wait_for_function(f"() => window.__toasts.length >= {round_ + 1}", timeout=10000)
                shown = page.evaluate("window.__toasts[window.__toasts.length - 1].at") / 1000
                latencies.append((shown - finished) * 1000)
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
    latencies.sort()
    print(f"notification latency, take end -> toast: median {statistics.median(latencies):.0f} ms, "
          f"p90 {latencies[int(0.9 * (len(latencies) - 1))]:.0f} ms, max {latencies[-1]:.0f} ms "
          f"over {len(latencies)} takes (target <= 1000 ms)")


def _wait_finished(rushes, take_id: int | None = None) -> float:
    """Wait until no job is open (or the take has finished); returns the take's finished_at as epoch seconds."""
    from sqlalchemy import select

    from rushes.store import models as m

    while True:
        with rushes.db.session() as s:
            if take_id is None:
                if s.scalar(select(m.RenderJob.id).where(m.RenderJob.finished_at.is_(None)).limit(1)) is None:
                    return 0.0
            else:
                take = s.get(m.Take, take_id)
                if take.finished_at is not None:
                    return take.finished_at.replace(tzinfo=timezone.utc).timestamp()
        time.sleep(0.01)


if __name__ == "__main__":
    main()
