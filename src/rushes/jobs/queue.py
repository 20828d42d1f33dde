"""The job table as a queue: atomic claims under a lease, snoozes, and ending a job exactly once."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rushes.redact import redact
from rushes.store import models as m
from rushes.store.db import Database

ACTIVE_STATES = ("queued", "submitting", "rendering")
ENDED_STATES = ("succeeded", "failed", "cancelled")


def now() -> float:
    return time.time()


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [base/2, min(cap, base * 2^(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(min(base / 2, ceiling), ceiling)


def claim(db: Database, owner: str, lease_seconds: float, kinds: tuple[str, ...] | None = None,
          take_id: int | None = None) -> m.RenderJob | None:
    """Take one due job under a lease, or None; two workers never hold the same job."""
    t = now()
    with db.session() as session:
        query = (select(m.RenderJob)
                 .where(m.RenderJob.state.in_(ACTIVE_STATES), m.RenderJob.run_after <= t,
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


def heartbeat(db: Database, job_id: int, owner: str, lease_seconds: float) -> bool:
    """Extend the lease while we still hold it; False means another worker took the job."""
    with db.session() as session:
        job = session.get(m.RenderJob, job_id)
        if job is None or job.lease_owner != owner:
            return False
        job.lease_expires_at = now() + lease_seconds
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
    zero, and uq_ledger_job_kind makes each refund happen once. Locking the account in every step
    serialised all of a studio's workers (the 8-process PostgreSQL stress test stopped draining).
    """
    return session.get(m.RenderJob, job_id, with_for_update=True)


def refund_once(session: Session, job: m.RenderJob, memo: str) -> bool:
    """Give back a job's charge; a second call for the same job writes nothing."""
    if not job.cost_credits:
        return False
    exists = session.scalar(select(m.LedgerEntry.id).where(m.LedgerEntry.job_id == job.id, m.LedgerEntry.kind == "refund"))
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(m.LedgerEntry(account_id=job.account_id, amount=job.cost_credits, kind="refund",
                                      take_id=job.take_id, job_id=job.id, memo=memo))
    except IntegrityError:
        return False
    return True


def end_job(session: Session, job: m.RenderJob, state: str, error: str | None = None,
            error_kind: str | None = None, refund: bool = False) -> None:
    """Finish a job (refunding when asked), then finish its take if it was the last one."""
    if job.state in ENDED_STATES:
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
    session.flush()
    if take is not None:
        finish_take_if_done(session, take)


def finish_take_if_done(session: Session, take: m.Take) -> bool:
    """When no job of the take is still open, stamp it finished and write its one notification."""
    if take.finished_at is not None:
        return False
    open_jobs = session.scalar(select(m.RenderJob.id).where(m.RenderJob.take_id == take.id,
                                                            m.RenderJob.finished_at.is_(None)).limit(1))
    if open_jobs is not None:
        return False
    take.finished_at = datetime.now(timezone.utc)
    from rushes.services.notifications import notify_take_finished
    from rushes.services.qc import enqueue_qc

    notify_take_finished(session, take)
    # Quality control looks at the take before the filmmaker does: enqueued with the finish, never lost.
    enqueue_qc(session, take)
    return True


def start_local_job(rushes, job_id: int, owner: str, what: str) -> int | None:
    """Begin a whole-take job that runs on this machine (QC, export): the take it is for, or None when it
    was cancelled first. No "submitting" state: nothing leaves the machine or is billed, so a crash simply
    runs it again."""
    from rushes.jobs.steps import locked_job

    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        if job.cancel_requested:
            end_job(session, job, "cancelled", f"cancelled before {what} ran")
            return None
        job.attempt += 1
        job.updated_at = now()
        return int(job.payload["take_id"])
