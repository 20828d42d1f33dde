"""The polling worker: claim a due job, run one step under a heartbeat-extended lease, repeat.

It talks to the queue through the port (rushes.jobs.port.JobQueue) and finds the code for a job's kind
in the task registry (rushes.jobs.registry), so it knows no feature.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid

from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.faults import crash_point
from rushes.jobs.port import JobQueue, JobRecord, LeaseLost
from rushes.jobs.queue import backoff_seconds, now
from rushes.jobs.registry import task_for
from rushes.observe.logs import job_context
from rushes.observe.metrics import JOB_STEP_SECONDS
from rushes.redact import redact
from rushes.store.db import database_busy

log = logging.getLogger("rushes.worker")


class _Heartbeat:
    """Extends the lease every third of its length while a step runs."""

    def __init__(self, rushes, queue: JobQueue, job_id: int, owner: str) -> None:
        self.rushes, self.queue, self.job_id, self.owner = rushes, queue, job_id, owner
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{job_id}")

    def _beat(self) -> None:
        lease = self.rushes.settings.job_lease_seconds
        while not self.done.wait(lease / 3):
            try:
                if not self.queue.heartbeat(self.job_id, self.owner, lease):
                    return
            except Exception:  # a missed beat is survivable; the next one may land
                log.exception("heartbeat for job %s failed", self.job_id)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join(timeout=5)


_CLIP_STEPS = {JobState.QUEUED: "submit", JobState.SUBMITTING: "recover"}  # the step metric's label


class Worker:
    """Works jobs one step at a time; `take_id` limits it to one take (as `rushes render --wait` does)."""

    def __init__(self, rushes, name: str | None = None, take_id: int | None = None, kinds: tuple[str, ...] | None = None,
                 queue: JobQueue | None = None):
        self.rushes = rushes
        # The root's queue unless a test hands in another.
        self.queue = queue if queue is not None else rushes.queue
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.take_id = take_id
        self.kinds = kinds
        self.stopping = threading.Event()

    def run_once(self) -> bool:
        """Claim and step one job; False when nothing was due."""
        lease = self.rushes.settings.job_lease_seconds
        job = self.queue.claim(self.name, lease, kinds=self.kinds, take_id=self.take_id)
        if job is None:
            return False
        crash_point("after_claim")
        step = job.kind if job.kind != JobKind.CLIP else _CLIP_STEPS.get(job.state, "poll")
        started = time.monotonic()
        with _Heartbeat(self.rushes, self.queue, job.id, self.name), job_context(job.id, job.take_id):
            try:
                task_for(job.kind)(self.rushes, job, self.name)
            except LeaseLost:
                log.warning("job %s: lease lost to another worker; step dropped", job.id)
            except Exception as exc:  # a bug or a broken file must not spin the job forever
                if database_busy(exc):
                    # A deadlock or serialization failure rolled the step's transaction back whole: run it again
                    # soon, without counting it as a crash of the job.
                    log.warning("job %s: the database refused the step (%s); it runs again", job.id,
                                type(getattr(exc, "orig", exc)).__name__)
                    self._step_again(job.id)
                else:
                    log.exception("job %s: step failed unexpectedly", job.id)
                    self._step_crashed(job, exc)
        JOB_STEP_SECONDS.labels(job.kind, step).observe(time.monotonic() - started)
        return True

    def _step_again(self, job_id: int) -> None:
        self.queue.snooze(job_id, self.name, now() + 0.2)

    def _step_crashed(self, job: JobRecord, exc: Exception) -> None:
        current = self.queue.get(job.id) or job
        crashes = int(current.payload.get("crashes", 0)) + 1
        reason = redact(f"internal error: {type(exc).__name__}: {exc}")[:500]  # shown to users: no secrets
        if crashes >= current.max_attempts:
            self.queue.fail(job.id, self.name, reason, "internal", refund=True)
        else:
            s = self.rushes.settings
            self.queue.snooze(job.id, self.name, now() + backoff_seconds(crashes, s.retry_base_seconds, s.retry_max_seconds),
                              error=reason, payload={"crashes": crashes})

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


FORGET_WORKERS_AFTER = 7 * 86400.0  # heartbeat rows of workers silent this long are deleted


class WorkerPool:
    """N workers on threads of this process, with one heartbeat row for the process.

    `stop()` is the graceful shutdown: no new claims, steps under way get `worker_drain_seconds` to
    finish, and the leases of any still running are handed back at once, so another worker picks
    those jobs up now instead of after a lease period.
    """

    def __init__(self, rushes, concurrency: int = 1) -> None:
        self.rushes = rushes
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:4]}"
        self.workers = [Worker(rushes, name=f"{self.name}:{i}") for i in range(concurrency)]
        self.threads = [threading.Thread(target=w.run, name=w.name, daemon=True) for w in self.workers]
        self._beating = threading.Event()
        self._beat_thread = threading.Thread(target=self._beat_loop, name=f"{self.name}:beat", daemon=True)
        self.handed_back: list[int] = []

    def start(self) -> WorkerPool:
        self._beat("running", first=True)  # visible to `rushes doctor` and /readyz before the first claim
        for thread in self.threads:
            thread.start()
        self._beat_thread.start()
        return self

    def _beat(self, state: str, first: bool = False) -> bool:
        from rushes.store.operations import beat, forget_stopped_workers

        try:
            with self.rushes.db.session() as session:
                t = now()
                if first:  # the table stays the size of the fleet
                    forget_stopped_workers(session, t - FORGET_WORKERS_AFTER)
                beat(session, self.name, socket.gethostname(), os.getpid(), len(self.workers), state, t)
            return True
        except Exception:  # a missed beat is survivable; a dead database shows up everywhere else too
            log.exception("worker %s: heartbeat failed", self.name)
            return False

    def _beat_loop(self) -> None:
        every = self.rushes.settings.worker_heartbeat_seconds
        while not self._beating.wait(every):
            self._beat("stopping" if any(w.stopping.is_set() for w in self.workers) else "running")

    @property
    def alive(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    def stop(self, grace: float | None = None) -> None:
        from rushes.store.operations import hand_back_leases

        grace = self.rushes.settings.worker_drain_seconds if grace is None else grace
        for worker in self.workers:
            worker.stop()
        self._beat("stopping")
        deadline = time.monotonic() + grace
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        stuck = [w.name for w, t in zip(self.workers, self.threads) if t.is_alive()]
        if stuck:
            with self.rushes.db.session() as session:
                self.handed_back = hand_back_leases(session, stuck, now())
            log.warning("worker %s: %d step(s) still running after %g s; handed back job(s) %s",
                        self.name, len(stuck), grace, self.handed_back)
        self._beating.set()
        # The last word is the one an operator reads: a busy database gets a few more tries at it.
        for attempt in range(4):
            if self._beat("stopped"):
                break
            time.sleep(0.25 * (attempt + 1))


def start_background_worker(rushes, concurrency: int = 2) -> WorkerPool:
    """The worker inside `rushes serve`: two threads so a frame job never waits behind a render poll."""
    return WorkerPool(rushes, concurrency).start()


def run_worker_forever(rushes, concurrency: int = 1) -> None:
    """Run until SIGTERM or SIGINT: stop claiming, let steps under way finish (or hand them back)."""
    pool = WorkerPool(rushes, concurrency)
    stop = threading.Event()

    def _stop(signum, _frame):
        log.info("signal %s: finishing the current step, then exiting", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    from rushes.observe.logs import configure_logging

    configure_logging(rushes.settings)
    pool.start()
    log.info("worker pool of %d started (database %s)", concurrency, redact(rushes.settings.database_url))
    while not stop.wait(0.5):
        if not pool.alive:
            break
    pool.stop()
    log.info("worker stopped cleanly")
