"""Deploy figures: SIGTERM to a `rushes worker` whose step is stuck -> its job claimed and finished by another.

Leases are ten minutes long, so without the hand-back the job would wait 600 s. A second worker is
already running when the first is stopped (as in a rolling restart).

Run: .venv/bin/python bench/bench_shutdown.py [--drain 20 --drain 1]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from rushes.services.confirm import confirm_take
from rushes.bootstrap import Rushes, bootstrap
from rushes.services.demo import create_demo
from rushes.settings import Settings
from rushes.store import models as m

LEASE = 600.0
BASE = dict(job_lease_seconds=LEASE, mock_latency_seconds=0.0, provider_poll_seconds=0.05,
            worker_idle_poll_seconds=0.05, worker_heartbeat_seconds=0.5, load_demo=False)


def start(folder: Path, url: str, name: str, drain: float, stall: bool) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUSHES_", "GOOGLE_"))}
    for key, value in {**BASE, "database_url": url, "media_dir": folder / "media", "worker_drain_seconds": drain}.items():
        env[f"RUSHES_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    if stall:
        env.update(RUSHES_STALL_AT="while_polling", RUSHES_STALL_UNTIL=str(folder / "never"))
    log = open(folder / f"{name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "rushes.cli", "worker"], cwd=folder, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def held_job(app: Rushes):
    with app.db.session() as s:
        return s.scalar(select(m.RenderJob).where(m.RenderJob.lease_owner.is_not(None),
                                                  m.RenderJob.state == "rendering"))


def one_run(drain: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'rushes.db'}"
        app = bootstrap(Settings(_env_file=None, **BASE, database_url=url, media_dir=folder / "media"))
        app.upgrade_schema()
        scene_id = create_demo(app)["scene_ids"][1]
        stuck = start(folder, url, "stuck", drain, stall=True)
        take_id, _ = confirm_take(app, scene_id, "bench")
        with app.db.session() as s:  # 1 s renders, so the second worker's own shots are short steps
            for row in s.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id)):
                row.payload = {**row.payload, "duration": 1.0, "render_seconds": 1}
        while held_job(app) is None:
            time.sleep(0.02)
        job = held_job(app)
        second = start(folder, url, "second", drain, stall=False)
        time.sleep(2.0)  # the second worker is up and idle or busy with the other shots
        sent = time.monotonic()
        stuck.send_signal(signal.SIGTERM)
        stuck.wait(timeout=300)
        exited = time.monotonic() - sent
        claimed = finished = None
        while finished is None:
            with app.db.session() as s:
                row = s.get(m.RenderJob, job.id)
                if claimed is None and row.lease_owner and row.lease_owner != job.lease_owner:
                    claimed = time.monotonic() - sent
                if row.finished_at is not None:
                    finished = time.monotonic() - sent
                    claimed = claimed if claimed is not None else finished
            time.sleep(0.02)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=120)
        (folder / "never").touch()
        app.db.dispose()
        return {"exit": exited, "claimed": claimed, "finished": finished}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drain", type=float, action="append", help="RUSHES_WORKER_DRAIN_SECONDS (repeatable)")
    args = parser.parse_args()
    for drain in args.drain or [20.0, 1.0]:
        figures = one_run(drain)
        print(f"drain {drain:g} s, lease {LEASE:g} s: SIGTERM -> exit {figures['exit']:.1f} s, "
              f"-> claimed by the second worker {figures['claimed']:.1f} s, -> finished {figures['finished']:.1f} s")


if __name__ == "__main__":
    main()
