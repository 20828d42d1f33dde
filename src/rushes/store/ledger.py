"""Queries of the credit ledger, and its one writer: every ledger row in Rushes is built by `record`.

The balance is the sum of the rows. Exactness under concurrency comes from the database, not from
reading first: spends run under the account row's lock (services.accounts.lock_account), a refund
of a job or variant is unique (uq_ledger_job_variant_kind), a grant's key is unique
(uq_ledger_request_key), and a grant cannot be negative (ck_ledger_grant_not_negative).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.ledger import SPENDING_KINDS, LedgerKind
from rushes.store import models as m

# The sign each kind of row carries: a row that breaks it is a bug, refused before the database sees it.
_SIGN_OK = {
    LedgerKind.GRANT: lambda amount: amount >= 0,
    LedgerKind.CHARGE: lambda amount: amount <= 0,
    LedgerKind.REFUND: lambda amount: amount > 0,
    LedgerKind.KEPT: lambda amount: amount == 0,
    LedgerKind.RESUBMIT: lambda amount: amount == 0,
}


def record(session: Session, account_id: int, kind: LedgerKind, amount: int, *, memo: str = "",
           take_id: int | None = None, job_id: int | None = None, user_id: int | None = None,
           request_key: str | None = None, variant: int = 0) -> m.LedgerEntry:
    """Write one ledger row (flushed, so a unique constraint refuses it here, inside the caller's savepoint)."""
    kind = LedgerKind(kind)
    if not _SIGN_OK[kind](amount):
        raise ValueError(f"a {kind.value} ledger row cannot move {amount} credits")
    entry = m.LedgerEntry(account_id=account_id, amount=amount, kind=kind.value, memo=memo, take_id=take_id,
                          job_id=job_id, user_id=user_id, request_key=request_key, variant=variant)
    session.add(entry)
    session.flush()
    return entry


def balance(session: Session, account_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0))
                              .where(m.LedgerEntry.account_id == account_id)))


def entries(session: Session, account_id: int, limit: int) -> list[m.LedgerEntry]:
    """The account's rows, newest first."""
    return list(session.scalars(select(m.LedgerEntry).where(m.LedgerEntry.account_id == account_id)
                                .order_by(m.LedgerEntry.id.desc()).limit(limit)))


def grant_by_key(session: Session, account_id: int, key: str) -> m.LedgerEntry | None:
    """The row an owner's grant with this Idempotency-Key already wrote, if any."""
    return session.scalar(select(m.LedgerEntry).where(m.LedgerEntry.account_id == account_id,
                                                      m.LedgerEntry.request_key == key))


def has_grant(session: Session, account_id: int) -> bool:
    """Whether the account was ever granted credits (the demo gives its starting credits once)."""
    return session.scalar(select(m.LedgerEntry.id).where(m.LedgerEntry.account_id == account_id,
                                                         m.LedgerEntry.kind == LedgerKind.GRANT).limit(1)) is not None


def refunded(session: Session, job_id: int, variant: int = 0) -> bool:
    """Whether the job's charge (variant 0) or one variant's price was already given back."""
    return session.scalar(select(m.LedgerEntry.id).where(m.LedgerEntry.job_id == job_id, m.LedgerEntry.variant == variant,
                                                         m.LedgerEntry.kind == LedgerKind.REFUND)) is not None


def refunded_jobs_of_take(session: Session, take_id: int) -> set[int]:
    """The take's jobs whose whole charge was given back (variant refunds leave a job charged)."""
    return set(session.scalars(select(m.LedgerEntry.job_id).where(m.LedgerEntry.take_id == take_id,
                                                                  m.LedgerEntry.kind == LedgerKind.REFUND,
                                                                  m.LedgerEntry.variant == 0)))


def charged_for_take(session: Session, take_id: int) -> int:
    """Credits the take costs so far: its charges less its refunds."""
    return -int(session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0))
                               .where(m.LedgerEntry.take_id == take_id, m.LedgerEntry.kind.in_(SPENDING_KINDS))))


def spent_by_scene(session: Session, scene_ids: list[int]) -> dict[int, int]:
    """Credits charged less refunds, per scene, over every render job (clips and frames)."""
    if not scene_ids:
        return {}
    rows = session.execute(select(m.RenderJob.scene_id, func.sum(m.LedgerEntry.amount))
                           .join(m.RenderJob, m.RenderJob.id == m.LedgerEntry.job_id)
                           .where(m.RenderJob.scene_id.in_(scene_ids), m.LedgerEntry.kind.in_(SPENDING_KINDS))
                           .group_by(m.RenderJob.scene_id))
    return {scene_id: -int(total or 0) for scene_id, total in rows}


def email_of_user(session: Session, user_id: int | None) -> str | None:
    """Who a row names (the member who spent or granted), for the ledger's views."""
    if not user_id:
        return None
    user = session.get(m.User, user_id)
    return user.email if user is not None else None


@dataclass(frozen=True)
class RowContext:
    """What the credits page names each row by: its job, take, scene, shot code and member, by id."""

    jobs: dict[int, m.RenderJob]
    takes: dict[int, m.Take]
    scenes: dict[int, m.Scene]
    shot_codes: dict[int, str]
    emails: dict[int, str]


def row_context(session: Session, rows: list[m.LedgerEntry]) -> RowContext:
    """One query per table whatever the number of rows."""
    job_ids = {e.job_id for e in rows if e.job_id}
    take_ids = {e.take_id for e in rows if e.take_id}
    jobs = {j.id: j for j in session.scalars(select(m.RenderJob).where(m.RenderJob.id.in_(job_ids)))} if job_ids else {}
    take_ids |= {j.take_id for j in jobs.values() if j.take_id}
    takes = {t.id: t for t in session.scalars(select(m.Take).where(m.Take.id.in_(take_ids)))} if take_ids else {}
    shot_ids = {j.shot_id for j in jobs.values()}
    codes: dict[int, str] = {}
    if shot_ids:
        # The code the shot had most recently (codes can change; the history page shows the rest).
        for version in session.scalars(select(m.ShotVersion).where(m.ShotVersion.shot_id.in_(shot_ids))
                                       .order_by(m.ShotVersion.version)):
            codes[version.shot_id] = version.code
    scene_ids = {t.scene_id for t in takes.values()} | {j.scene_id for j in jobs.values()}
    scenes = {s.id: s for s in session.scalars(select(m.Scene).where(m.Scene.id.in_(scene_ids)))} if scene_ids else {}
    user_ids = {e.user_id for e in rows if e.user_id}
    emails = dict(session.execute(select(m.User.id, m.User.email).where(m.User.id.in_(user_ids))).all()) if user_ids else {}
    return RowContext(jobs, takes, scenes, codes, emails)
