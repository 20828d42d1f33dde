"""Queries an operator reads and the runner writes: worker heartbeats, leases handed back, queue facts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rushes.store import models as m

ACTIVE_STATES = ("queued", "submitting", "rendering")


def beat(session: Session, name: str, host: str, pid: int, threads: int, state: str, now: float) -> None:
    """Say this worker process is alive (insert its row the first time)."""
    row = session.get(m.WorkerHeartbeat, name)
    if row is None:
        session.add(m.WorkerHeartbeat(name=name, host=host, pid=pid, threads=threads, state=state,
                                      started_at=now, beat_at=now))
        return
    row.state, row.beat_at, row.threads = state, now, threads


def live_workers(session: Session, now: float, stale_after: float) -> list[m.WorkerHeartbeat]:
    """Worker processes that beat within `stale_after` seconds and have not said they stopped."""
    return list(session.scalars(select(m.WorkerHeartbeat)
                                .where(m.WorkerHeartbeat.beat_at >= now - stale_after,
                                       m.WorkerHeartbeat.state != "stopped")
                                .order_by(m.WorkerHeartbeat.beat_at.desc())))


def newest_beat(session: Session) -> m.WorkerHeartbeat | None:
    return session.scalar(select(m.WorkerHeartbeat).order_by(m.WorkerHeartbeat.beat_at.desc()).limit(1))


def forget_stopped_workers(session: Session, older_than: float) -> int:
    """Drop rows of workers gone for a long time, so the table stays the size of the fleet."""
    rows = session.scalars(select(m.WorkerHeartbeat).where(m.WorkerHeartbeat.beat_at < older_than)).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def hand_back_leases(session: Session, owners: list[str], now: float) -> list[int]:
    """Release what these lease owners hold, due now, so another worker claims it at once.

    A job caught mid-submit ("submitting") is not handed back: whether Vertex started that render is
    unknown until its answer arrives, so the step is left to finish (or the lease to lapse into the
    'needs attention' recovery) rather than risk a second, billed submission.
    """
    if not owners:
        return []
    ids = list(session.scalars(select(m.RenderJob.id).where(
        m.RenderJob.lease_owner.in_(owners), m.RenderJob.state.in_(("queued", "rendering")))))
    if ids:
        session.execute(update(m.RenderJob).where(m.RenderJob.id.in_(ids))
                        .values(lease_owner=None, lease_expires_at=None, run_after=now, updated_at=now))
    return ids


@dataclass(frozen=True)
class QueueFacts:
    due: int              # open jobs whose time has come and that nobody holds
    held: int             # open jobs under a worker's lease
    waiting: int          # open jobs snoozed until later (polls, backoff, quota)
    attention: int        # jobs waiting for a person
    oldest_due_seconds: float  # how long the longest-waiting due job has been due (0 when none)


def queue_facts(session: Session, now: float) -> QueueFacts:
    job = m.RenderJob
    open_ = job.state.in_(ACTIVE_STATES)
    unheld = (job.lease_expires_at.is_(None)) | (job.lease_expires_at < now)
    due = session.scalar(select(func.count()).where(open_, job.run_after <= now, unheld)) or 0
    held = session.scalar(select(func.count()).where(open_, ~unheld)) or 0
    waiting = session.scalar(select(func.count()).where(open_, job.run_after > now, unheld)) or 0
    attention = session.scalar(select(func.count()).where(job.state == "attention")) or 0
    oldest = session.scalar(select(func.min(job.run_after)).where(open_, job.run_after <= now, unheld))
    return QueueFacts(due, held, waiting, attention, max(0.0, now - oldest) if oldest is not None else 0.0)


def ledger_totals(session: Session) -> tuple[int, int]:
    """Credits ever charged and ever refunded (both as positive numbers)."""
    charged = session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0))
                             .where(m.LedgerEntry.kind == "charge")) or 0
    refunded = session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0))
                              .where(m.LedgerEntry.kind == "refund")) or 0
    return -int(charged), int(refunded)


def qc_findings_by_kind(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(select(m.QcFinding.kind, func.count()).group_by(m.QcFinding.kind).order_by(m.QcFinding.kind))
    return [(kind, int(count)) for kind, count in rows]
