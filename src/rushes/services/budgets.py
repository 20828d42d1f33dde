"""Money controls an owner holds: credits granted by hand (a ledger row with who and why) and per-project budgets.

A project's spend is what its scenes' renders and frames cost net of refunds: every charge and refund is
tied to a job, and a job to its scene. The budget is checked under the same account lock as the spend.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rushes.domain.ledger import LedgerKind
from rushes.domain.text import unstorable
from rushes.services.accounts import balance, lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.store import budgets as store
from rushes.store import ledger
from rushes.store import models as m

MAX_GRANT = 10_000_000


def project_spend(session: Session, project_id: int) -> int:
    """Credits the project's jobs cost, net of refunds."""
    return store.project_spend(session, project_id)


def budget_view(session: Session, project: m.Project, adding: int = 0) -> dict:
    """The project's budget as Stage 11 and the plan API show it; `adding` is what a confirm would charge."""
    spent = project_spend(session, project.id)
    budget = project.budget_credits
    after = spent + adding
    over_by = max(0, after - budget) if budget is not None else 0
    warning = None
    if over_by:
        warning = (f"This take takes {project.name} to {after} credits, {over_by} over its budget of {budget}. "
                   f"Confirming needs your explicit yes.")
    return {"credits": budget, "spent": spent, "after": after, "over_by": over_by, "over": bool(over_by),
            "warning": warning}


class OverBudget(Conflict):
    """409: a confirm would pass the project's budget and did not say it accepts that."""

    def __init__(self, view: dict) -> None:
        Conflict.__init__(self, view["warning"] + " Send accept_over_budget: true to go ahead.",
                          {"over_budget": True, "budget": view})


def check_budget(session: Session, project: m.Project, adding: int, accepted: bool) -> None:
    """Refuse a spend that passes the budget unless the user accepted going over; call under the account lock."""
    view = budget_view(session, project, adding)
    if view["over"] and adding > 0 and not accepted:
        raise OverBudget(view)


def project_budget(session: Session, project_id: int) -> dict:
    """GET /api/projects/{id}/budget."""
    project = store.project(session, project_id)
    if project is None:
        raise NotFound(f"unknown project {project_id}")
    return {"project_id": project.id, **budget_view(session, project)}


def set_budget(rushes, project_id: int, credits: int | None) -> dict:
    with rushes.db.session() as session:
        project = store.project(session, project_id)
        if project is None:
            raise NotFound(f"unknown project {project_id}")
        store.set_budget(session, project, credits)
        return {"project_id": project.id, **budget_view(session, project)}


def grant_credits(rushes, studio_id: int, credits: int, reason: str, user_id: int | None, key: str) -> tuple[dict, bool]:
    """Add credits to a studio by hand: (ledger row, created). The same key again adds nothing more."""
    reason = " ".join((reason or "").split())
    key = (key or "").strip()
    if not reason:
        raise Conflict("say why the credits are added (reason)")
    if not key or len(key) > 200 or unstorable(key):
        raise Conflict("an Idempotency-Key of 1 to 200 characters is required")
    if not 0 < credits <= MAX_GRANT:
        raise Conflict(f"credits must be between 1 and {MAX_GRANT}")
    try:
        with rushes.db.session() as session:
            lock_account(session, studio_id)
            found = _by_key(session, studio_id, key)
            if found is not None:
                return _same_or_refuse(session, found, credits, reason), False
            entry = ledger.record(session, studio_id, LedgerKind.GRANT, credits, user_id=user_id,
                                  memo=reason[:500], request_key=key)
            return _entry_view(session, entry), True
    except IntegrityError:
        # Two grants with one key at the same moment: the unique index let one in; answer with it.
        with rushes.db.session() as session:
            found = _by_key(session, studio_id, key)
            if found is None:
                raise
            return _same_or_refuse(session, found, credits, reason), False


def _by_key(session: Session, studio_id: int, key: str) -> m.LedgerEntry | None:
    return ledger.grant_by_key(session, studio_id, key)


def _same_or_refuse(session: Session, entry: m.LedgerEntry, credits: int, reason: str) -> dict:
    if entry.amount != credits or entry.memo != reason[:500]:
        raise Conflict("this Idempotency-Key already granted other credits; use a new key for a new grant",
                       {"entry_id": entry.id})
    return _entry_view(session, entry)


def _entry_view(session: Session, entry: m.LedgerEntry) -> dict:
    return {"id": entry.id, "amount": entry.amount, "kind": entry.kind, "memo": entry.memo,
            "user_id": entry.user_id, "by": ledger.email_of_user(session, entry.user_id),
            "created_at": entry.created_at.isoformat(), "balance": balance(session, entry.account_id)}


def studio_budgets(session: Session, studio_id: int) -> list[dict]:
    """Each project of the studio with what it spent and its budget, for the credits page."""
    projects = store.studio_projects(session, studio_id)
    return [{"id": p.id, "name": p.name, **budget_view(session, p)} for p in projects]
