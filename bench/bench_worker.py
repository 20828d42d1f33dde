"""Worker figures: confirm -> claim latency with an idle `rushes worker`, and claims per second of the claim primitive.

Run: .venv/bin/python bench/bench_worker.py [--confirms 20] [--jobs 2000] [--postgres URL | --postgres none]
PostgreSQL figures need a server at --postgres (an admin URL); a temporary database is created and dropped.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from rushes.bootstrap import Rushes, bootstrap
from rushes.settings import Settings
from rushes.store import models as m
from rushes.store.db import Database

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# -- databases ------------------------------------------------------------------------------------


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A temporary PostgreSQL database, dropped afterwards."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"rushes_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable(admin_url: str) -> bool:
    try:
        engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def job_watcher(url: str) -> Callable[[int], bool]:
    """A plain reader outside SQLAlchemy (no write lock on SQLite): has any job of the take been claimed?"""
    query = ("SELECT count(*) FROM render_jobs WHERE take_id = {p} "
             "AND (lease_owner IS NOT NULL OR attempt > 0 OR state <> 'queued')")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        conn = sqlite3.connect(parsed.database, isolation_level=None, check_same_thread=False)
        return lambda take_id: conn.execute(query.format(p="?"), (take_id,)).fetchone()[0] > 0
    import psycopg

    pg = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True)
    return lambda take_id: pg.execute(query.format(p="%s"), (take_id,)).fetchone()[0] > 0


# -- confirm -> claim latency ---------------------------------------------------------------------


def _worker_env(url: str, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUSHES_", "GOOGLE_", "GEMINI_"))}
    # Short renders: a cancelled take keeps the render already sent (it is paid for at the provider), so the take
    # ends only when that render arrives; the bench waits for it, and the worker is idle again at the next confirm.
    env.update(RUSHES_DATABASE_URL=url, RUSHES_MEDIA_DIR=str(media), RUSHES_MOCK_LATENCY_SECONDS="0.5",
               RUSHES_PROVIDER_POLL_SECONDS="0.2", RUSHES_LOAD_DEMO="false")
    return env


def confirm_to_claim(url: str, workdir: Path, confirms: int) -> list[float]:
    """Seconds from a committed confirm to the first claim of its jobs, by an idle worker process."""
    from rushes.services.confirm import confirm_take
    from rushes.services.demo import create_demo
    from rushes.domain.draws import DrawRequest
    from rushes.services.errors import Conflict
    from rushes.services.takes import cancel_take
    from rushes.store.shots import live_versions

    media = workdir / "media"
    app = bootstrap(Settings(_env_file=None, database_url=url, media_dir=media, load_demo=False,
                          mock_latency_seconds=3600))
    app.upgrade_schema()
    scene_id = create_demo(app)["scene_ids"][0]
    with app.db.session() as s:
        first_shot = live_versions(s, scene_id)[0].shot_id
    log_path = workdir / "worker.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "rushes.cli", "worker"], cwd=workdir,
                                env=_worker_env(url, media), stdout=log, stderr=subprocess.STDOUT)
    claimed = job_watcher(url)
    latencies: list[float] = []
    try:
        _wait(lambda: "worker pool of 1 started" in log_path.read_text(errors="replace"), 60, "the worker to start")
        time.sleep(0.5)
        for i in range(confirms):
            time.sleep(random.uniform(0.0, 0.3))  # land at a random point of the worker's idle poll
            # A retake of the first shot: there is always a render to claim, even once kept clips cover the rest.
            take_id, _ = confirm_take(app, scene_id, f"bench-{i}", draws=DrawRequest(retake=frozenset({first_shot})))
            committed = time.monotonic()
            while not claimed(take_id):
                if time.monotonic() - committed > 30:
                    raise RuntimeError("no claim within 30 s")
                time.sleep(0.001)
            latencies.append(time.monotonic() - committed)
            with contextlib.suppress(Conflict):  # it may have ended on its own: nothing left to cancel
                cancel_take(app, take_id)
            _wait(lambda take_id=take_id: _take_finished(app, take_id), 120, "the cancelled take's paid render to arrive")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        app.db.dispose()
    return latencies


def _take_finished(app: Rushes, take_id: int) -> bool:
    with app.db.session() as s:
        return s.get(m.Take, take_id).finished_at is not None


def _wait(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.02)


# -- claims per second ----------------------------------------------------------------------------


def seed_noop_jobs(url: str, count: int) -> None:
    """The rows a claim needs (account, project, scene, shots) and `count` due jobs of kind 'noop'."""
    app = bootstrap(Settings(_env_file=None, database_url=url, media_dir=Path(tempfile.gettempdir()), load_demo=False))
    app.upgrade_schema()
    with app.db.session() as s:
        account = m.Account(name="bench")
        s.add(account)
        s.flush()
        project = m.Project(account_id=account.id, name="bench")
        s.add(project)
        s.flush()
        scene = m.Scene(project_id=project.id, number=1, title="bench")
        s.add(scene)
        s.flush()
        # One shot per job: the database allows one open job per shot and kind.
        shots = [m.Shot(scene_id=scene.id) for _ in range(count)]
        s.add_all(shots)
        s.flush()
        s.add_all([m.RenderJob(kind="noop", account_id=account.id, scene_id=scene.id, shot_id=shot.id, payload={})
                   for shot in shots])
    app.db.dispose()


def reset_leases(url: str) -> None:
    db = Database(url)
    with db.session() as s:
        s.execute(update(m.RenderJob).where(m.RenderJob.kind == "noop").values(lease_owner=None, lease_expires_at=None))
    db.dispose()


def _claimer(url: str, owner: str, barrier, results) -> None:
    from rushes.jobs.queue import claim

    db = Database(url)
    with db.session() as s:  # connect before the clock starts
        s.execute(text("SELECT 1"))
    barrier.wait()
    ids = []
    # A lease of an hour: a claimed job is never due again during the run, so each claim is a new job.
    while (job := claim(db, owner, 3600.0, kinds=("noop",))) is not None:
        ids.append(job.id)
    results.put((owner, ids, time.time()))
    db.dispose()


def claims_per_second(url: str, processes: int, jobs: int) -> float:
    """Claims per second with `processes` claiming at once until the queue is empty; checks none is claimed twice."""
    reset_leases(url)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(processes + 1), ctx.Queue()
    procs = [ctx.Process(target=_claimer, args=(url, f"bench-{i}", barrier, results)) for i in range(processes)]
    for proc in procs:
        proc.start()
    barrier.wait()
    started = time.time()
    outcomes = [results.get(timeout=300) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    claimed = [job_id for _, ids, _ in outcomes for job_id in ids]
    if len(claimed) != jobs or len(set(claimed)) != jobs:
        raise RuntimeError(f"{len(claimed)} claims of {len(set(claimed))} distinct jobs, expected {jobs}")
    return jobs / (max(end for _, _, end in outcomes) - started)


# -- main -----------------------------------------------------------------------------------------


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--confirms", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2000, help="no-op jobs claimed per run")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="admin URL, or 'none' to skip PostgreSQL")
    args = parser.parse_args()
    idle = Settings(_env_file=None).worker_idle_poll_seconds
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        databases = {"sqlite": lambda sub: nullcontext_url(f"sqlite:///{root / sub / 'rushes.db'}")}
        if args.postgres != "none" and postgres_reachable(args.postgres):
            databases["postgres"] = lambda sub: postgres_database(args.postgres)
        else:
            print("postgres: not reachable, skipped")
        rows = []
        for name, open_db in databases.items():
            work = root / f"latency-{name}"
            work.mkdir()
            with open_db(f"latency-{name}") as url:
                lat = confirm_to_claim(url, work, args.confirms)
            rows.append(f"confirm -> claim {name} (idle poll {idle} s, {len(lat)} confirms): median "
                        f"{statistics.median(lat) * 1000:.0f} ms, p90 {_quantile(lat, 0.9) * 1000:.0f} ms, "
                        f"max {max(lat) * 1000:.0f} ms")
            print(rows[-1], flush=True)
        for name, open_db in databases.items():
            (root / f"claims-{name}").mkdir()
            with open_db(f"claims-{name}") as url:
                seed_noop_jobs(url, args.jobs)
                one = claims_per_second(url, 1, args.jobs)
                four = claims_per_second(url, 4, args.jobs)
            rows.append(f"claims/s {name}: 1 proc {one:.0f}, 4 procs {four:.0f}  ({args.jobs} no-op jobs)")
            print(rows[-1], flush=True)
    print("\n".join(["", "summary:"] + rows))


@contextmanager
def nullcontext_url(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    main()
