"""Queries of credentials (auth_tokens): browser sessions, API tokens and one-time sign-in links.

Rows are found by the token's sha256, never by the token. Spending a link and revoking a user's
credentials are single conditional UPDATEs, decided by the database rather than by a read first.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from rushes.store import models as m

T = m.AuthToken
# Conditional UPDATEs decide in the database; the session is not asked to mirror them in memory.
_NO_SYNC = {"synchronize_session": False}


def add(session: Session, user_id: int, kind: str, token_hash: str, expires_at: datetime | None,
        name: str | None = None) -> m.AuthToken:
    row = m.AuthToken(user_id=user_id, kind=kind, token_hash=token_hash, name=name, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def by_hash(session: Session, token_hash: str, kind: str | None = None) -> m.AuthToken | None:
    """The credential with this digest (of this kind when given), live or not."""
    kind_is = [T.kind == kind] if kind is not None else []
    return session.scalar(select(T).where(T.token_hash == token_hash, *kind_is))


def credential(session: Session, token_id: int) -> m.AuthToken | None:
    return session.get(T, token_id)


def api_tokens_of(session: Session, user_id: int, limit: int = 200) -> list[m.AuthToken]:
    """A user's API tokens, newest first (revoked and expired ones too)."""
    return list(session.scalars(select(T).where(T.user_id == user_id, T.kind == "api")
                                .order_by(T.id.desc()).limit(limit)))


def spend_signin_link(session: Session, token_hash: str, moment: datetime) -> int | None:
    """Mark a live one-time link used; the user it signs in, or None when unknown, used or expired.

    One conditional UPDATE: of parallel opens, the database lets exactly one see the link unused
    (PostgreSQL re-checks the WHERE after the first commits), so a link signs in once.
    """
    return session.execute(
        update(T)
        .where(T.token_hash == token_hash, T.kind == "signin_link",
               T.revoked_at.is_(None), or_(T.expires_at.is_(None), T.expires_at > moment))
        .values(revoked_at=moment).returning(T.user_id),
        execution_options=_NO_SYNC).scalar_one_or_none()


def revoke_all(session: Session, user_id: int, kinds: tuple[str, ...], moment: datetime) -> int:
    """Revoke every live credential of these kinds a user holds: how many there were."""
    return session.execute(update(T).where(T.user_id == user_id, T.kind.in_(kinds), T.revoked_at.is_(None))  # type: ignore[attr-defined]  # SQLAlchemy's loose row/result typing
                           .values(revoked_at=moment), execution_options=_NO_SYNC).rowcount or 0
