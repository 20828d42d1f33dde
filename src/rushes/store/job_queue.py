"""The job table as a queue (the SQL adapter of rushes.jobs.port.JobQueue): atomic claims under a lease,
snoozes, and ending a job exactly once.

Claims take a row lock that skips locked rows on PostgreSQL (FOR UPDATE SKIP LOCKED); on SQLite the
write transaction already began IMMEDIATE, so the claimer is the only writer. A job ends once: ending an
ended job writes nothing, and its refund is unique per job in the ledger. When the last open job of a
take ends, the take is stamped finished and a TakeFinished event goes to `publish` in the same
transaction (the jobs layer passes its dispatcher; see rushes.jobs.queue.sql_queue).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from types import MappingProxyType, SimpleNamespace
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rushes.domain.events import TakeFinished
from rushes.domain.jobs import ACTIVE_JOB_STATES, ENDED_JOB_STATES, JobKind, JobState
from rushes.domain.ledger import LedgerKind
from rushes.jobs.port import JobRecord, LeaseLost, NewJob
from rushes.redact import redact
from rushes.store import ledger
from rushes.store import models as m
from rushes.store.db import Database

Publish = Callable[[Session, Any], None]


def now() -> float:
    return time.time()


def record_of(job: m.RenderJob) -> JobRecord:
    """A frozen copy of the row, safe to hand across the port (the row stays with its session)."""
    try:
        kind: Any = JobKind(job.kind)
    except ValueError:  # a kind only a benchmark queues ("noop")
        kind = job.kind
    return JobRecord(id=job.id, kind=kind, state=JobState(job.state), account_id=job.account_id,
                     scene_id=job.scene_id, shot_id=job.shot_id, take_id=job.take_id, attempt=job.attempt or 0,
                     max_attempts=job.max_attempts, run_after=job.run_after, lease_owner=job.lease_owner,
                     lease_expires_at=job.lease_expires_at, operation_name=job.operation_name,
                     cost_credits=job.cost_credits or 0, cancel_requested=bool(job.cancel_requested),
                     error=job.error, error_kind=job.error_kind, progress=job.progress or 0.0,
                     finished_at=job.finished_at, payload=MappingProxyType(dict(job.payload or {})))


def add_job(session: Session, job: NewJob) -> m.RenderJob:
    """Write a new job in the caller's transaction (flushed, so it has its id and its constraints ran)."""
    # No run_after: the column's 0.0, due at once and ahead of every snoozed job (as confirm always queued).
    row = m.RenderJob(kind=str(job.kind), account_id=job.account_id, scene_id=job.scene_id, shot_id=job.shot_id,
                      take_id=job.take_id, max_attempts=job.max_attempts, cost_credits=job.cost_credits,
                      payload=dict(job.payload), run_after=job.run_after if job.run_after is not None else 0.0)
    session.add(row)
    session.flush()
    return row


def claim(db: Database, owner: str, lease_seconds: float, kinds: tuple[str, ...] | None = None,
          take_id: int | None = None, t: float | None = None) -> m.RenderJob | None:
    """Take one due job under a lease, or None; two workers never hold the same job (a detached row)."""
    t = now() if t is None else t
    with db.session() as session:
        query = (select(m.RenderJob)
                 .where(m.RenderJob.state.in_(ACTIVE_JOB_STATES), m.RenderJob.run_after <= t,
                        or_(m.RenderJob.lease_expires_at.is_(None), m.RenderJob.lease_expires_at < t))
                 .order_by(m.RenderJob.run_after, m.RenderJob.id).limit(1))
        if kinds:
            query = query.where(m.RenderJob.kind.in_(kinds))
        if take_id is not None:
            query = query.where(m.RenderJob.take_id == take_id)
        if not db.sqlite:
            # SQLite needs no row lock: BEGIN IMMEDIATE already made this the only writer.
            query = query.with_for_update(skip_locked=True)
        job = session.scalar(query)
        if job is None:
            return None
        job.lease_owner = owner
        job.lease_expires_at = t + lease_seconds
        job.updated_at = t
        session.flush()
        session.expunge(job)
        return job


def heartbeat(db: Database, job_id: int, owner: str, lease_seconds: float, t: float | None = None) -> bool:
    """Extend the lease while we still hold it; False means another worker took the job."""
    with db.session() as session:
        job = session.get(m.RenderJob, job_id)
        if job is None or job.lease_owner != owner:
            return False
        job.lease_expires_at = (now() if t is None else t) + lease_seconds
        return True


def release(job: m.RenderJob, run_after: float) -> None:
    """Hand the job back to the queue, due at `run_after` (the snooze that replaces holding a worker)."""
    job.lease_owner = None
    job.lease_expires_at = None
    job.run_after = run_after
    job.updated_at = now()


def lock_job(session: Session, job_id: int) -> m.RenderJob | None:
    """Lock a job row, before its take (the order every transaction follows: account, jobs, take).

    Worker steps take no account lock: a refund only adds credits, so it cannot push a balance below
    zero, and uq_ledger_job_variant_kind makes each refund happen once. Locking the account in every step
    serialised all of a studio's workers (the 8-process PostgreSQL stress test stopped draining).
    """
    return session.get(m.RenderJob, job_id, with_for_update=True)


def locked_job(session: Session, job_id: int, owner: str) -> m.RenderJob:
    """The job, locked before its take, if `owner` still holds its lease."""
    job = lock_job(session, job_id)
    if job is None or job.lease_owner != owner:
        raise LeaseLost(job_id)
    return job


def refund_once(session: Session, job: m.RenderJob, memo: str) -> bool:
    """Give back a job's charge; a second call for the same job writes nothing."""
    if not job.cost_credits:
        return False
    if ledger.refunded(session, job.id):
        return False
    # Variants already refunded one by one (a safety-filtered video) are not given back twice.
    already = session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0)).where(
        m.LedgerEntry.job_id == job.id, m.LedgerEntry.kind == LedgerKind.REFUND, m.LedgerEntry.variant != 0)) or 0
    if job.cost_credits - already <= 0:
        return False
    try:
        with session.begin_nested():
            ledger.record(session, job.account_id, LedgerKind.REFUND, job.cost_credits - already,
                          take_id=job.take_id, job_id=job.id, memo=memo)
    except IntegrityError:
        return False
    return True


def job(session: Session, job_id: int) -> m.RenderJob | None:
    """A job row by id (None: no such job)."""
    return session.get(m.RenderJob, job_id)


def account_of_job(session: Session, job_id: int) -> int | None:
    """Whose credits the job moves (None: no such job), read before the account is locked."""
    return session.scalar(select(m.RenderJob.account_id).where(m.RenderJob.id == job_id))


def newest_job_id(session: Session) -> int | None:
    return session.scalar(select(m.RenderJob.id).order_by(m.RenderJob.id.desc()).limit(1))


def lock_open_jobs_of_take(session: Session, take_id: int) -> list[int]:
    """Lock the take's unfinished jobs in id order, the order worker steps lock them, before the take."""
    return list(session.scalars(select(m.RenderJob.id).where(m.RenderJob.take_id == take_id,
                                                             m.RenderJob.finished_at.is_(None))
                                .order_by(m.RenderJob.id).with_for_update()))


def open_jobs_of_take(session: Session, take_id: int) -> list[m.RenderJob]:
    return list(session.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id,
                                                          m.RenderJob.finished_at.is_(None))))


def end_job(session: Session, job: m.RenderJob, state: str, error: str | None = None,
            error_kind: str | None = None, refund: bool = False, publish: Publish | None = None) -> None:
    """Finish a job (refunding when asked), then finish its take if it was the last one."""
    if job.state in ENDED_JOB_STATES:
        return
    take = session.get(m.Take, job.take_id, with_for_update=True) if job.take_id else None
    job.state = state
    job.error = redact(error) if error else error  # provider reasons are shown to users: no secrets
    job.error_kind = error_kind
    job.finished_at = now()
    job.lease_owner = None
    job.lease_expires_at = None
    job.updated_at = job.finished_at
    if refund:
        refund_once(session, job, f"refund: {error or state}")
    from rushes.observe.metrics import after_commit, observe_job_end

    ended = SimpleNamespace(kind=job.kind, state=state, error_kind=error_kind, created_at=job.created_at)
    after_commit(session, lambda: observe_job_end(ended))
    session.flush()
    if take is not None:
        finish_take_if_done(session, take, publish)


def finish_take_if_done(session: Session, take: m.Take, publish: Publish | None = None) -> TakeFinished | None:
    """When no job of the take is still open, stamp it finished and publish TakeFinished (once per take)."""
    if take.finished_at is not None:
        return None
    open_jobs = session.scalar(select(m.RenderJob.id).where(m.RenderJob.take_id == take.id,
                                                            m.RenderJob.finished_at.is_(None)).limit(1))
    if open_jobs is not None:
        return None
    take.finished_at = datetime.now(timezone.utc)
    failed = session.scalar(select(func.count()).select_from(m.RenderJob).where(
        m.RenderJob.take_id == take.id, m.RenderJob.state == JobState.FAILED)) or 0
    event = TakeFinished(take.id, take.scene_id, failed=failed, cancelled=take.cancelled_at is not None)
    if publish is not None:
        publish(session, event)
    return event


class SqlJobQueue:
    """rushes.jobs.port.JobQueue on the render_jobs table."""

    def __init__(self, db: Database, publish: Publish | None = None, clock=None) -> None:
        self.db = db
        self.publish = publish
        self.clock = clock

    def _now(self) -> float:
        return self.clock.now() if self.clock is not None else now()

    def defer(self, job: NewJob, within: Session | None = None) -> int:
        if within is not None:
            return add_job(within, job).id
        with self.db.session() as session:
            return add_job(session, job).id

    def get(self, job_id: int) -> JobRecord | None:
        with self.db.session() as session:
            job = session.get(m.RenderJob, job_id)
            return record_of(job) if job is not None else None

    def claim(self, owner: str, lease_seconds: float, kinds: tuple[str, ...] | None = None,
              take_id: int | None = None) -> JobRecord | None:
        job = claim(self.db, owner, lease_seconds, kinds, take_id, self._now())
        return record_of(job) if job is not None else None

    def heartbeat(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        return heartbeat(self.db, job_id, owner, lease_seconds, self._now())

    def snooze(self, job_id: int, owner: str, until: float, error: str | None = None,
               payload: Mapping[str, Any] | None = None) -> None:
        with self.db.session() as session:
            job = locked_job(session, job_id, owner)
            if error is not None:
                job.error = redact(error)
            if payload:
                job.payload = {**(job.payload or {}), **payload}
            release(job, until)

    def finish(self, job_id: int, owner: str, payload: Mapping[str, Any] | None = None) -> None:
        with self.db.session() as session:
            job = locked_job(session, job_id, owner)
            if payload:
                job.payload = {**(job.payload or {}), **payload}
            job.progress = 1.0
            end_job(session, job, JobState.SUCCEEDED, publish=self.publish)

    def fail(self, job_id: int, owner: str, reason: str, error_kind: str | None = None,
             refund: bool = False) -> None:
        with self.db.session() as session:
            end_job(session, locked_job(session, job_id, owner), JobState.FAILED, reason, error_kind, refund,
                    publish=self.publish)

    def cancel(self, job_id: int, reason: str, refund: bool = True) -> bool:
        with self.db.session() as session:
            job = lock_job(session, job_id)
            if job is None or job.finished_at is not None:
                return False
            job.cancel_requested = True
            if job.state not in (JobState.QUEUED, JobState.ATTENTION) or job.lease_owner is not None:
                return False  # a held or rendering job stops at its next step (a sent render is paid for)
            end_job(session, job, JobState.CANCELLED, reason, refund=refund, publish=self.publish)
            return True
