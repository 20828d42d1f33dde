"""The account and its credit ledger; the balance is always the sum of the ledger."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m


class InsufficientCredits(Exception):
    def __init__(self, needed: int, balance: int) -> None:
        super().__init__(f"needs {needed} credits, balance is {balance}: {needed - balance} short")
        self.needed = needed
        self.balance = balance
        self.shortfall = needed - balance


def default_account(session: Session) -> m.Account:
    """Rushes runs for one studio account; the first one is it."""
    account = session.scalar(select(m.Account).order_by(m.Account.id).limit(1))
    if account is None:
        account = m.Account(name="Studio")
        session.add(account)
        session.flush()
    return account


def lock_account(session: Session, account_id: int) -> m.Account:
    """Hold the account row until this transaction ends: every spend and refund takes it first.

    PostgreSQL: SELECT ... FOR UPDATE, so concurrent confirms, frame regenerations, cancels and
    refunds of one account run one after another and each reads the balance the last one left.
    SQLite renders no FOR UPDATE; there every transaction already began with BEGIN IMMEDIATE
    (store/db.py), which makes it the only writer of the whole database until it commits.
    Always take this lock before any take or job row, so two transactions never wait on each other.
    """
    account = session.scalar(select(m.Account).where(m.Account.id == account_id).with_for_update())
    if account is None:
        raise LookupError(f"unknown account {account_id}")
    return account


def account_of_scene(session: Session, scene_id: int) -> int | None:
    return session.scalar(select(m.Project.account_id).join(m.Scene, m.Scene.project_id == m.Project.id)
                          .where(m.Scene.id == scene_id))


def balance(session: Session, account_id: int) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0))
                              .where(m.LedgerEntry.account_id == account_id)))


def grant(session: Session, account_id: int, credits: int, memo: str) -> m.LedgerEntry:
    entry = m.LedgerEntry(account_id=account_id, amount=credits, kind="grant", memo=memo)
    session.add(entry)
    session.flush()
    return entry


def ledger(session: Session, account_id: int, limit: int = 200) -> list[m.LedgerEntry]:
    return list(session.scalars(select(m.LedgerEntry).where(m.LedgerEntry.account_id == account_id)
                                .order_by(m.LedgerEntry.id.desc()).limit(limit)))


def account_view(session: Session, account: m.Account) -> dict:
    return {
        "id": account.id,
        "name": account.name,
        "balance": balance(session, account.id),
        "ledger": [
            {"id": e.id, "amount": e.amount, "kind": e.kind, "take_id": e.take_id, "job_id": e.job_id,
             "user_id": e.user_id, "memo": e.memo, "created_at": e.created_at.isoformat()}
            for e in ledger(session, account.id)
        ],
    }
