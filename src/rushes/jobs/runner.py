"""The polling worker: claim a due job, run one step under a heartbeat-extended lease, repeat."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid

from rushes.jobs.faults import crash_point
from rushes.redact import redact
from rushes.jobs.queue import backoff_seconds, claim, end_job, heartbeat, now, release
from rushes.jobs.steps import LeaseLost, locked_job, step_poll, step_recover_submitting, step_submit
from rushes.store import models as m

log = logging.getLogger("rushes.worker")


class _Heartbeat:
    """Extends the lease every third of its length while a step runs."""

    def __init__(self, rushes, job_id: int, owner: str) -> None:
        self.rushes, self.job_id, self.owner = rushes, job_id, owner
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{job_id}")

    def _beat(self) -> None:
        lease = self.rushes.settings.job_lease_seconds
        while not self.done.wait(lease / 3):
            try:
                if not heartbeat(self.rushes.db, self.job_id, self.owner, lease):
                    return
            except Exception:  # a missed beat is survivable; the next one may land
                log.exception("heartbeat for job %s failed", self.job_id)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join(timeout=5)


class Worker:
    """Works jobs one step at a time; `take_id` limits it to one take (as `rushes render --wait` does)."""

    def __init__(self, rushes, name: str | None = None, take_id: int | None = None, kinds: tuple[str, ...] | None = None):
        self.rushes = rushes
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.take_id = take_id
        self.kinds = kinds
        self.stopping = threading.Event()

    def run_once(self) -> bool:
        """Claim and step one job; False when nothing was due."""
        lease = self.rushes.settings.job_lease_seconds
        job = claim(self.rushes.db, self.name, lease, kinds=self.kinds, take_id=self.take_id)
        if job is None:
            return False
        crash_point("after_claim")
        with _Heartbeat(self.rushes, job.id, self.name):
            try:
                self._step(job)
            except LeaseLost:
                log.warning("job %s: lease lost to another worker; step dropped", job.id)
            except Exception as exc:  # a bug or a broken file must not spin the job forever
                log.exception("job %s: step failed unexpectedly", job.id)
                self._step_crashed(job.id, exc)
        return True

    def _step(self, job: m.RenderJob) -> None:
        if job.kind == "qc":
            from rushes.jobs.qc_step import step_qc

            step_qc(self.rushes, job.id, self.name)
        elif job.kind == "export":
            from rushes.jobs.export_step import step_export

            step_export(self.rushes, job.id, self.name)
        elif job.kind == "frames":
            from rushes.jobs.frames_step import step_frames

            step_frames(self.rushes, job.id, self.name)
        elif job.state == "queued":
            step_submit(self.rushes, job.id, self.name)
        elif job.state == "submitting":
            step_recover_submitting(self.rushes, job.id, self.name)
        elif job.state == "rendering":
            step_poll(self.rushes, job.id, self.name, job.operation_name)

    def _step_crashed(self, job_id: int, exc: Exception) -> None:
        with self.rushes.db.session() as session:
            job = locked_job(session, job_id, self.name)
            crashes = int((job.payload or {}).get("crashes", 0)) + 1
            job.payload = {**job.payload, "crashes": crashes}
            reason = redact(f"internal error: {type(exc).__name__}: {exc}")[:500]  # shown to users: no secrets
            if crashes >= job.max_attempts:
                end_job(session, job, "failed", reason, "internal", refund=True)
            else:
                job.error = reason
                s = self.rushes.settings
                release(job, now() + backoff_seconds(crashes, s.retry_base_seconds, s.retry_max_seconds))

    def run(self) -> None:
        idle = self.rushes.settings.worker_idle_poll_seconds
        while not self.stopping.is_set():
            try:
                worked = self.run_once()
            except Exception:
                log.exception("worker %s: claim failed", self.name)
                worked = False
            if not worked:
                self.stopping.wait(idle)

    def stop(self) -> None:
        self.stopping.set()


class WorkerPool:
    """N workers on threads of this process, stopped together after their current step."""

    def __init__(self, rushes, concurrency: int = 1) -> None:
        base = f"{socket.gethostname()}:{os.getpid()}"
        self.workers = [Worker(rushes, name=f"{base}:{i}") for i in range(concurrency)]
        self.threads = [threading.Thread(target=w.run, name=w.name, daemon=True) for w in self.workers]

    def start(self) -> WorkerPool:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self, timeout: float = 60.0) -> None:
        for worker in self.workers:
            worker.stop()
        for thread in self.threads:
            thread.join(timeout=timeout)


def start_background_worker(rushes, concurrency: int = 2) -> WorkerPool:
    """The worker inside `rushes serve`: two threads so a frame job never waits behind a render poll."""
    return WorkerPool(rushes, concurrency).start()


def run_worker_forever(rushes, concurrency: int = 1) -> None:
    """Run until SIGTERM or SIGINT; the step under way finishes before exiting."""
    pool = WorkerPool(rushes, concurrency).start()
    stop = threading.Event()

    def _stop(signum, _frame):
        log.info("signal %s: finishing the current step, then exiting", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    log.info("worker pool of %d started (database %s)", concurrency, rushes.settings.database_url)
    while not stop.wait(0.5):
        if not any(t.is_alive() for t in pool.threads):
            break
    pool.stop()
    log.info("worker stopped cleanly")
