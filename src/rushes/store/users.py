"""Queries of users: who they are by id or email, and whose name a note or reply carries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.store import models as m


def user(session: Session, user_id: int) -> m.User | None:
    return session.get(m.User, user_id)


def by_email(session: Session, email: str) -> m.User | None:
    """`email` as stored: lower-cased (services/users.py normalises it)."""
    return session.scalar(select(m.User).where(m.User.email == email))


def add(session: Session, email: str, password_hash: str | None = None, display_name: str | None = None) -> m.User:
    row = m.User(email=email, password_hash=password_hash, display_name=display_name)
    session.add(row)
    session.flush()
    return row


def authors(session: Session, model, row_ids: list[int]) -> list[tuple[int, m.User]]:
    """(row id, author) of the rows of `model` (notes or replies) with these ids that a member wrote."""
    return [(row_id, author) for row_id, author in session.execute(
        select(model.id, m.User).join(m.User, m.User.id == model.author_user_id).where(model.id.in_(row_ids)))]
