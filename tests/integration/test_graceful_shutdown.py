"""A deploy never strands a job for a lease period: SIGTERM to `rushes worker` or `rushes serve` whose step
cannot finish hands the job's lease back at once, and a second worker finishes the take long before the
old lease would have expired.

The leases here are ten minutes long and the stuck step never ends by itself (a stall point), so the
only way the take can finish is the hand-back. What is asserted are lease and claim facts, not timings.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.fakes.object_stores import free_port
from tests.integration.conftest import make_rushes
from tests.integration.test_worker_processes import (
    all_jobs,
    assert_each_job_ended_once,
    open_job_count,
    start_worker,
    stop_workers,
    wait_for,
    worker_env,
    worker_log,
)

pytestmark = pytest.mark.slow

LEASE = 600.0  # ten minutes: a stranded job would outlive the test by far


def start_serve(tmp: Path, env: dict[str, str], name: str, port: int) -> subprocess.Popen:
    log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - the child owns it until it exits
    try:
        return subprocess.Popen([sys.executable, "-m", "rushes.cli", "serve", "--port", str(port)],
                                cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def short_take(app, scene_id: int, key: str) -> int:
    """Confirm the scene, its renders cut to 1 s so the mock makes them quickly."""
    take_id, _ = confirm_take(app, scene_id, key)
    with app.db.session() as s:
        for job in s.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id)):
            job.payload = {**job.payload, "duration": 1.0, "render_seconds": 1}
    return take_id


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_sigterm_hands_a_stuck_steps_lease_back_and_another_worker_finishes_the_take(tmp_path, command):
    url = f"sqlite:///{tmp_path / 'rushes.db'}"
    app = make_rushes(tmp_path, url, job_lease_seconds=LEASE)
    scene_id = create_demo(app)["scene_ids"][1]
    settings = dict(job_lease_seconds=LEASE, worker_drain_seconds=0.5, worker_heartbeat_seconds=0.2,
                    load_demo=False)
    stuck_env = worker_env(tmp_path, url, **settings)
    stuck_env.update(RUSHES_STALL_AT="while_polling", RUSHES_STALL_UNTIL=str(tmp_path / "never"))
    name = f"stuck-{command}"
    first = (start_worker(tmp_path, stuck_env, name) if command == "worker"
             else start_serve(tmp_path, stuck_env, name, free_port()))
    second = None
    try:
        take_id = short_take(app, scene_id, "deploy")

        def held_while_stuck():
            held = [j for j in all_jobs(app) if j.lease_owner and j.state == "rendering"]
            return held or None

        held = wait_for(held_while_stuck, timeout=180, interval=0.05, message="a step stuck holding its lease")
        leases = {j.id: (j.lease_owner, j.lease_expires_at) for j in held}
        first.send_signal(signal.SIGTERM)
        # uvicorn re-raises the signal once it has shut down cleanly, so `serve` may end "by SIGTERM".
        assert first.wait(timeout=180) in (0, -signal.SIGTERM), worker_log(tmp_path, name)

        # The facts right after the exit: the leases were handed back, due now, nothing resubmitted.
        after = {j.id: j for j in all_jobs(app)}
        for job_id, (owner, expires) in leases.items():
            job = after[job_id]
            assert job.lease_owner is None and job.lease_expires_at is None, (job_id, owner)
            assert job.state == "rendering" and job.operation_name  # its render is still Vertex's
            assert job.run_after < expires
        with app.db.session() as s:
            beats = list(s.scalars(select(m.WorkerHeartbeat)))
        assert [b.state for b in beats] == ["stopped"]
        submitted_before = len(app.video.submissions())

        second = start_worker(tmp_path, worker_env(tmp_path, url, **settings), "second")
        wait_for(lambda: open_job_count(app) == 0, timeout=300, interval=0.2, message="the second worker to finish")
    finally:
        (tmp_path / "never").touch()  # lets a stuck thread end if the process somehow survived
        stop_workers([p for p in (first, second) if p is not None])
    log = worker_log(tmp_path, name)
    assert "handed back job(s)" in log and "Traceback" not in log, log[-3000:]
    jobs = {j.id: j for j in all_jobs(app)}
    for job_id, (_, expires) in leases.items():
        job = jobs[job_id]
        # Finished by the second worker well inside what the stuck worker's lease would have blocked.
        assert job.state == "succeeded" and job.finished_at < expires
    # No render was sent twice: the handed-back jobs were polled, not resubmitted.
    assert len(app.video.submissions()) == submitted_before
    assert_each_job_ended_once(app, [e["operation"] for e in app.video.submissions()])
    with app.db.session() as s:
        assert s.get(m.Take, take_id).finished_at is not None
    app.db.dispose()
