"""Veo's quota, paced against unpaced, side by side: worker processes drain 32 shots against the fake
Vertex server, which enforces a quota as Vertex does (N accepted submissions per sliding window, 429
RESOURCE_EXHAUSTED beyond). The window is scaled down (default 4 per 2 s) so a run takes seconds; the
shape of the figures is what Vertex's 10 a minute would give over minutes.

Printed per mode: wall time (and the floor the quota allows), 429s provoked, submissions sent, attempts
spent on 429s, the most submissions the server saw in any window, and the longest "queued for quota"
estimate a page showed.

    .venv/bin/python bench/bench_quota.py [--per-window 4] [--window 2] [--processes 3]
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from rushes.store import models as m  # noqa: E402
from tests.fakes.vertex_server import FakeVertex  # noqa: E402
from tests.integration.conftest import make_rushes  # noqa: E402
from tests.integration.test_veo_quota import QuotaWatcher, vertex_values  # noqa: E402
from tests.integration.test_worker_processes import (  # noqa: E402
    cheap_video,
    open_job_count,
    seed_stress_jobs,
    start_worker,
    stop_workers,
    wait_for,
    worker_env,
)


def run(fake: FakeVertex, root: Path, paced: bool, per_window: int, window: float, processes: int) -> dict:
    fake.reset()
    fake.set_quota(per_window, window)
    fake.use_quota(per_window)  # another client has just used the window: the first call meets a 429
    fake.default_operation(polls_until_done=2, video_bytes=cheap_video)
    vertex = vertex_values(fake, per_window if paced else 0, window)
    url = f"sqlite:///{root / 'rushes.db'}"
    app = make_rushes(root, url, **vertex)
    total = seed_stress_jobs(app, 7)
    env = worker_env(root, url, **vertex)
    started = time.monotonic()
    procs = [start_worker(root, env, f"w{i}", concurrency=2) for i in range(processes)]
    try:
        with QuotaWatcher(app) as watcher:
            wait_for(lambda: open_job_count(app) == 0 or any(p.poll() is not None for p in procs), timeout=600,
                     interval=0.2, message="the workers to drain the queue")
    finally:
        stop_workers(procs)
    elapsed = time.monotonic() - started
    with app.db.session() as s:
        wasted = s.scalar(select(func.coalesce(func.sum(m.RenderJob.attempt - 1), 0)).where(m.RenderJob.kind == "clip"))
        failed = s.scalar(select(func.count()).select_from(m.RenderJob).where(m.RenderJob.state != "succeeded"))
    arrivals = sorted(fake.accepted_at[per_window:])
    worst = max((sum(1 for a in arrivals if t - window < a <= t) for t in arrivals), default=0)
    app.db.dispose()
    return {"shots": total, "seconds": elapsed, "floor": math.ceil(total / per_window - 1) * window,
            "refusals": fake.quota_refusals, "submissions": len(fake.submissions), "wasted": int(wasted),
            "failed": int(failed), "worst": worst, "eta": watcher.max_eta, "seen": watcher.seen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-window", type=int, default=4)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--processes", type=int, default=3)
    args = parser.parse_args()
    results = {}
    with FakeVertex() as fake, tempfile.TemporaryDirectory(prefix="rushes-bench-quota-") as tmp:
        for label, paced in (("paced (shared DB limit)", True), ("unpaced (retry on 429)", False)):
            root = Path(tmp) / label.split()[0]
            root.mkdir()
            results[label] = run(fake, root, paced, args.per_window, args.window, args.processes)
    print(f"\n{args.processes} worker processes × 2 slots, 32 shots, quota {args.per_window} per {args.window:g} s "
          f"(the window starts used up)\n")
    print("| mode | wall (floor) | 429s provoked | submissions | attempts spent on 429s | shots failed | most in a window | longest wait shown |")
    print("|---|---|---|---|---|---|---|---|")
    for label, r in results.items():
        print(f"| {label} | {r['seconds']:.1f} s ({r['floor']:.0f} s) | {r['refusals']} | {r['submissions']} | "
              f"{r['wasted']} | {r['failed']} | {r['worst']} of {args.per_window} | "
              f"{r['eta']:.1f} s ({r['seen']} samples queued for quota) |")


if __name__ == "__main__":
    main()
