"""The account and its credit ledger; the balance is always the sum of the ledger."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.ledger import LedgerKind
from rushes.store import ledger as ledger_rows
from rushes.store import models as m
from rushes.store import studios
from rushes.store.access import studio_of_scene


class InsufficientCredits(Exception):
    def __init__(self, needed: int, balance: int) -> None:
        super().__init__(f"needs {needed} credits, balance is {balance}: {needed - balance} short")
        self.needed = needed
        self.balance = balance
        self.shortfall = needed - balance


def default_account(session: Session) -> m.Account:
    """Rushes runs for one studio account; the first one is it."""
    return studios.first_studio(session) or studios.add(session, "Studio")


def lock_account(session: Session, account_id: int) -> m.Account:
    """Hold the account row until this transaction ends: every spend and refund takes it first.

    PostgreSQL: SELECT ... FOR UPDATE, so concurrent confirms, frame regenerations, cancels and
    refunds of one account run one after another and each reads the balance the last one left.
    SQLite renders no FOR UPDATE; there every transaction already began with BEGIN IMMEDIATE
    (store/db.py), which makes it the only writer of the whole database until it commits.
    Always take this lock before any take or job row, so two transactions never wait on each other.
    """
    account = studios.studio_for_update(session, account_id)
    if account is None:
        raise LookupError(f"unknown account {account_id}")
    return account


def account_of_scene(session: Session, scene_id: int) -> int | None:
    return studio_of_scene(session, scene_id)


def balance(session: Session, account_id: int) -> int:
    return ledger_rows.balance(session, account_id)


def grant(session: Session, account_id: int, credits: int, memo: str) -> m.LedgerEntry:
    return ledger_rows.record(session, account_id, LedgerKind.GRANT, credits, memo=memo)


def ledger(session: Session, account_id: int, limit: int = 200) -> list[m.LedgerEntry]:
    return ledger_rows.entries(session, account_id, limit)


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
