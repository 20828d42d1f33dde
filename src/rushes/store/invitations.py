"""Queries of invitations to a studio. Closing one (accept, decline, replace) is a conditional UPDATE on
"still pending", so of two parallel answers the database lets exactly one through."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rushes.store import models as m

I = m.Invitation  # noqa: E741 - the table, as T is in the other query modules
_NO_SYNC = {"synchronize_session": False}


def _pending(moment: datetime) -> tuple:
    return I.accepted_at.is_(None), I.declined_at.is_(None), I.revoked_at.is_(None), I.expires_at > moment


def add(session: Session, studio_id: int, email: str, role: str, token_hash: str, invited_by: int | None,
        expires_at: datetime) -> m.Invitation:
    row = m.Invitation(account_id=studio_id, email=email, role=role, token_hash=token_hash,
                       invited_by=invited_by, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def invitation(session: Session, invitation_id: int) -> m.Invitation | None:
    return session.get(I, invitation_id)


def revoke_pending(session: Session, studio_id: int, email: str, moment: datetime) -> None:
    """Withdraw the invitations of this email to this studio still waiting (a new one replaces them)."""
    session.execute(update(I).where(I.account_id == studio_id, I.email == email, *_pending(moment))
                    .values(revoked_at=moment), execution_options=_NO_SYNC)


def pending_of_studio(session: Session, studio_id: int, moment: datetime) -> list[m.Invitation]:
    """Newest first."""
    return list(session.scalars(select(I).where(I.account_id == studio_id, *_pending(moment)).order_by(I.id.desc())))


def pending_of_email(session: Session, email: str, moment: datetime) -> list[tuple[m.Invitation, str]]:
    """(invitation, studio name) of every invitation waiting for this email, oldest first."""
    return [(inv, name) for inv, name in session.execute(
        select(I, m.Account.name).join(m.Account, m.Account.id == I.account_id)
        .where(I.email == email, *_pending(moment)).order_by(I.id)).all()]


def pending_by_hash(session: Session, token_hash: str, moment: datetime) -> m.Invitation | None:
    return session.scalar(select(I).where(I.token_hash == token_hash, *_pending(moment)))


def close_pending(session: Session, moment: datetime, values: dict, *, invitation_id: int | None = None,
                  token_hash: str | None = None, email: str | None = None) -> m.Invitation | None:
    """Set `values` on the pending invitation named by id or by its link's digest (and, when given, addressed
    to `email`) in one conditional UPDATE: the row, re-read, or None when none such was pending."""
    where = [I.id == invitation_id] if token_hash is None else [I.token_hash == token_hash]
    if email is not None:
        where.append(I.email == email)
    inv_id = session.execute(update(I).where(*where, *_pending(moment)).values(**values)
                             .returning(I.id), execution_options=_NO_SYNC).scalar_one_or_none()
    return session.get(I, inv_id, populate_existing=True) if inv_id is not None else None
