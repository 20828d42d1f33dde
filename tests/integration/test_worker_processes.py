"""`rushes worker` as real processes: many workers draining hundreds of jobs, SIGTERM, pickup.

The stress tests render through the Veo adapter against the fake Vertex server, which serves a cached
tiny MP4 per duration: every job still goes submit -> poll -> download -> PyAV probe, poster and strip
-> clip, but a job costs tens of milliseconds instead of the half second a 1 s mock render takes.
The mock provider is exercised across processes by the SIGTERM test here and by test_worker_crashes.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.fakes.media import tiny_mp4
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env  # noqa: F401
from tests.fakes.vertex_server import FakeVertex
from tests.integration.conftest import FAST, make_rushes, work_until_idle

pytestmark = pytest.mark.slow

# x 4 shots of synthetic jobs, plus the 4 of a real confirmed take. The default run drains 84 jobs, enough for
# every process to hold leases while the others claim; RUSHES_STRESS_TAKES=50 drains hundreds (the stress run).
STRESS_TAKES = int(os.environ.get("RUSHES_STRESS_TAKES", "20"))


# -- helpers shared with test_worker_crashes and test_worker_veo --------------------------------------


def worker_env(tmp: Path, url: str, **values: Any) -> dict[str, str]:
    """The environment of a `rushes worker` subprocess: our RUSHES_* values only, nothing inherited."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("RUSHES_", "GOOGLE_", "GEMINI_"))}
    settings = dict(FAST, database_url=url, media_dir=str(tmp / "media"))
    settings.update(values)
    for key, value in settings.items():
        if value is None:
            continue
        env[f"RUSHES_{key.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def start_worker(tmp: Path, env: dict[str, str], name: str, concurrency: int = 1) -> subprocess.Popen:
    """Start `python -m rushes.cli worker` in `tmp` (no .env there), logging to tmp/<name>.log."""
    log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - the child owns it until it exits
    try:
        return subprocess.Popen([sys.executable, "-m", "rushes.cli", "worker", "--concurrency", str(concurrency)],
                                cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def worker_log(tmp: Path, name: str) -> str:
    return (tmp / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def stop_workers(procs: list[subprocess.Popen], timeout: float = 20.0) -> list[int]:
    """SIGTERM every worker still running, then wait; returns the exit codes."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait())
    return codes


def wait_for(predicate, timeout: float, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


def wait_while_draining(app, procs, stall_seconds: float = 90.0) -> None:
    """Wait until no job is open or a worker died. A slow machine may take as long as it needs; only a
    queue that stops moving for stall_seconds (a hang, not slowness) fails the wait."""
    last, moved = open_job_count(app), time.monotonic()
    while last and not any(p.poll() is not None for p in procs):
        time.sleep(0.2)
        now = open_job_count(app)
        if now != last:
            last, moved = now, time.monotonic()
        elif time.monotonic() - moved > stall_seconds:
            raise AssertionError(f"the queue stopped moving for {stall_seconds:.0f} s with {now} jobs open")


def all_jobs(app) -> list[m.RenderJob]:
    """The provider jobs; each finished take also queues a QC job, which tests/integration/test_qc.py checks."""
    with app.db.session() as s:
        return list(s.scalars(select(m.RenderJob).where(m.RenderJob.kind != "qc").order_by(m.RenderJob.id)))


def open_job_count(app) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(m.RenderJob).where(m.RenderJob.finished_at.is_(None)))


def assert_each_job_ended_once(app, submitted: list[str], first_try: bool = True) -> list[m.RenderJob]:
    """Every job succeeded on one accepted submission, with one clip, one charge, no refund, one notification per take.

    `first_try` also demands attempt == 1 (no refused submit before the accepted one).
    """
    jobs = all_jobs(app)
    assert jobs
    assert Counter(j.state for j in jobs) == {"succeeded": len(jobs)}
    assert all(j.finished_at and j.lease_owner is None for j in jobs)
    if first_try:
        assert [j.attempt for j in jobs] == [1] * len(jobs)
    operations = [j.operation_name for j in jobs]
    assert len(set(operations)) == len(jobs) and None not in operations
    # The provider saw exactly one submission per job, and it is the operation the job stored.
    assert len(submitted) == len(jobs)
    assert sorted(submitted) == sorted(operations)
    with app.db.session() as s:
        clip_jobs = list(s.scalars(select(m.Clip.job_id)))
        charges = Counter(s.scalars(select(m.LedgerEntry.job_id).where(m.LedgerEntry.kind == "charge")))
        refunds = s.scalar(select(func.count()).select_from(m.LedgerEntry).where(m.LedgerEntry.kind == "refund"))
        takes = list(s.scalars(select(m.Take)))
        notes = Counter(s.scalars(select(m.Notification.take_id)))
        unfilled = s.scalar(select(func.count()).select_from(m.TakeSlot)
                            .where(m.TakeSlot.job_id.is_not(None), m.TakeSlot.clip_id.is_(None)))
    assert sorted(clip_jobs) == [j.id for j in jobs]
    assert charges == {j.id: 1 for j in jobs}
    assert refunds == 0
    assert all(t.finished_at is not None for t in takes)
    assert notes == {t.id: 1 for t in takes}
    assert unfilled == 0
    return jobs


# -- stress: many processes, hundreds of jobs ---------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _cached_clip(duration: int, portrait: bool) -> bytes:
    return tiny_mp4(duration=duration, fps=12, size=(180, 320) if portrait else (320, 180))


def cheap_video(body: dict) -> bytes:
    """A real MP4 as long as the submission asked for, made once per duration."""
    parameters = body.get("parameters") or {}
    return _cached_clip(int(parameters.get("durationSeconds") or 8), parameters.get("aspectRatio") == "9:16")


def seed_stress_jobs(app, takes: int) -> int:
    """A real confirmed take, then `takes` synthetic scenes of 4 shots reusing its job payloads at 4 s."""
    scene_id = create_demo(app)["scene_ids"][0]
    confirm_take(app, scene_id, "real-take")
    with app.db.session() as s:
        real = list(s.scalars(select(m.RenderJob).order_by(m.RenderJob.id)))
        project_id = s.get(m.Scene, scene_id).project_id
        account_id = real[0].account_id
        s.add(m.LedgerEntry(account_id=account_id, amount=takes * 4 * 40, kind="grant", memo="stress credits"))
        for k in range(takes):
            scene = m.Scene(project_id=project_id, number=100 + k, title=f"Stress scene {k}")
            s.add(scene)
            s.flush()
            take = m.Take(scene_id=scene.id, number=1, idempotency_key=f"stress-{k}", render=real[0].payload["render"],
                          cost_credits=4 * 40)
            s.add(take)
            s.flush()
            for position, template in enumerate(real):
                shot = m.Shot(scene_id=scene.id)
                s.add(shot)
                s.flush()
                payload = {**template.payload, "duration": 4.0, "render_seconds": 4,
                           "code": f"{k}{template.payload['code'][-1]}"}
                job = m.RenderJob(kind="clip", account_id=account_id, scene_id=scene.id, shot_id=shot.id,
                                  take_id=take.id, max_attempts=app.settings.job_max_attempts, cost_credits=40,
                                  payload=payload)
                s.add(job)
                s.flush()
                s.add(m.TakeSlot(take_id=take.id, shot_id=shot.id, position=position, code=payload["code"],
                                 duration=4.0, inputs=payload["inputs"], inputs_digest=payload["inputs_digest"],
                                 job_id=job.id))
                s.add(m.LedgerEntry(account_id=account_id, amount=-40, kind="charge", take_id=take.id, job_id=job.id,
                                    memo=f"render {payload['code']} (4 s)"))
        return s.scalar(select(func.count()).select_from(m.RenderJob))


class LeaseWatcher:
    """Samples who holds leases while the workers run: proof that the work was really shared."""

    def __init__(self, app) -> None:
        self.app, self.owners = app, Counter()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self.done.wait(0.05):
            with self.app.db.session() as s:
                for owner in s.scalars(select(m.RenderJob.lease_owner).where(m.RenderJob.lease_owner.is_not(None))):
                    self.owners[owner] += 1

    def __enter__(self) -> LeaseWatcher:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join(timeout=5)


def run_stress(tmp: Path, url: str, fake: FakeVertex, processes: int) -> None:
    vertex = dict(video_provider="veo", vertex_base_url=fake.base_url, vertex_token=fake.token,
                  vertex_project="test-project", vertex_location="us-central1")
    fake.default_operation(polls_until_done=2, video_bytes=cheap_video)
    app = make_rushes(tmp, url, job_lease_seconds=10.0, **vertex)
    total = seed_stress_jobs(app, STRESS_TAKES)
    assert total >= STRESS_TAKES * 4
    env = worker_env(tmp, url, job_lease_seconds=10.0, worker_idle_poll_seconds=0.05, **vertex)
    names = [f"worker-{i}" for i in range(processes)]
    started = time.monotonic()
    procs = [start_worker(tmp, env, name) for name in names]
    try:
        with LeaseWatcher(app) as watcher:
            wait_while_draining(app, procs)
        assert all(p.poll() is None for p in procs), "a worker died while jobs were open"
    finally:
        codes = stop_workers(procs)
    elapsed = time.monotonic() - started
    logs = {name: worker_log(tmp, name) for name in names}
    assert codes == [0] * processes, logs
    for name, text in logs.items():
        assert "worker stopped cleanly" in text, (name, text[-2000:])
        # A lease lost or a step that crashed would mean two workers touched one job at once.
        assert "lease lost" not in text and "Traceback" not in text, (name, text[-3000:])
    assert len(fake.submissions) == total  # every call to predictLongRunning, accepted or not
    assert_each_job_ended_once(app, list(fake.operations))
    assert len(watcher.owners) >= 2, watcher.owners
    print(f"\n{processes} workers drained {total} jobs in {elapsed:.1f} s; lease holders seen: {len(watcher.owners)}")
    app.db.dispose()


def test_four_worker_processes_drain_a_shared_queue_on_sqlite(tmp_path, fake_vertex):
    run_stress(tmp_path, f"sqlite:///{tmp_path / 'rushes.db'}", fake_vertex, processes=4)


def test_eight_worker_processes_drain_a_shared_queue_on_postgres(tmp_path, fake_vertex, postgres_url):
    run_stress(tmp_path, postgres_url, fake_vertex, processes=8)


# -- SIGTERM and pickup (mock provider) ---------------------------------------------------------------


def test_idle_worker_picks_up_a_confirm_and_sigterm_finishes_the_step_under_way(tmp_path):
    """SIGTERM while a step runs: no new claims, the step finishes, the worker exits 0 holding nothing.

    The step is held open at a stall point until the test lets it go, so what is checked are facts (who
    claimed what, in which order), never how fast a loaded machine gets there.
    """
    url = f"sqlite:///{tmp_path / 'rushes.db'}"
    app = make_rushes(tmp_path, url)
    scene_id = create_demo(app)["scene_ids"][1]  # 3 shots
    go = tmp_path / "let-the-step-finish"
    env = worker_env(tmp_path, url, worker_drain_seconds=600, worker_heartbeat_seconds=0.2)
    env.update(RUSHES_STALL_AT="while_polling", RUSHES_STALL_UNTIL=str(go))
    proc = start_worker(tmp_path, env, "busy")
    try:
        wait_for(lambda: "worker pool of 1 started" in worker_log(tmp_path, "busy"), timeout=120,
                 message="the worker to start")
        take_id, _ = confirm_take(app, scene_id, "pickup")

        def polling_job():
            # Held and rendering = a poll step, stalled before it asks the provider.
            return next((j for j in all_jobs(app) if j.lease_owner and j.state == "rendering"), None)

        busy = wait_for(polling_job, timeout=120, interval=0.05, message="a worker busy polling a render")
        proc.send_signal(signal.SIGTERM)
        wait_for(lambda: heartbeat_state(app) == "stopping", timeout=120, message="the worker to say it is stopping")
        others = {j.id: (j.state, j.attempt, j.lease_owner) for j in all_jobs(app) if j.id != busy.id}
        submitted = len(app.video.submissions())
        time.sleep(1.0)  # room to misbehave: a worker that still claimed would do it now
        assert proc.poll() is None, "the worker left before its step finished"
        assert {j.id: (j.state, j.attempt, j.lease_owner) for j in all_jobs(app) if j.id != busy.id} == others
        assert len(app.video.submissions()) == submitted  # stopped claiming: nothing new was sent
        go.touch()
        code = proc.wait(timeout=120)
    finally:
        go.touch()
        stop_workers([proc])
    log = worker_log(tmp_path, "busy")
    assert code == 0, log
    assert "finishing the current step" in log and "worker stopped cleanly" in log
    assert "handed back" not in log
    jobs = {j.id: j for j in all_jobs(app)}
    assert jobs[busy.id].state == "succeeded"  # the step under way was finished, not abandoned
    assert all(j.lease_owner is None for j in jobs.values())  # nothing left held by the stopped worker
    assert heartbeat_state(app) == "stopped"
    work_until_idle(app)
    assert_each_job_ended_once(app, [e["operation"] for e in app.video.submissions()])
    with app.db.session() as s:
        assert s.get(m.Take, take_id).finished_at is not None
    app.db.dispose()


def heartbeat_state(app) -> str | None:
    """The state of the newest worker heartbeat row (one worker process in these tests)."""
    with app.db.session() as s:
        row = s.scalar(select(m.WorkerHeartbeat).order_by(m.WorkerHeartbeat.started_at.desc()).limit(1))
        return row.state if row else None
