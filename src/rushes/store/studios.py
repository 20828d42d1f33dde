"""Queries of studios (an Account is a studio) and their memberships: who belongs where, in which role."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m


def studio(session: Session, studio_id: int) -> m.Account | None:
    return session.get(m.Account, studio_id)


def first_studio(session: Session) -> m.Account | None:
    """The oldest studio: the one a single-studio install runs for."""
    return session.scalar(select(m.Account).order_by(m.Account.id).limit(1))


def by_name(session: Session, name: str) -> m.Account | None:
    """The oldest studio of that name (names are not unique)."""
    return session.scalar(select(m.Account).where(m.Account.name == name).order_by(m.Account.id).limit(1))


def add(session: Session, name: str) -> m.Account:
    row = m.Account(name=name)
    session.add(row)
    session.flush()
    return row


def studio_for_update(session: Session, studio_id: int) -> m.Account | None:
    """The studio row, locked until the transaction ends (SELECT ... FOR UPDATE; SQLite renders none and
    relies on BEGIN IMMEDIATE, see store/db.py)."""
    return session.scalar(select(m.Account).where(m.Account.id == studio_id).with_for_update())


def names(session: Session, studio_ids: list[int]) -> dict[int, str]:
    return dict(session.execute(select(m.Account.id, m.Account.name).where(m.Account.id.in_(studio_ids))).all())


# ---- memberships ---------------------------------------------------------------------------------

def membership(session: Session, studio_id: int, user_id: int) -> m.Membership | None:
    return session.scalar(select(m.Membership).where(m.Membership.user_id == user_id,
                                                     m.Membership.account_id == studio_id))


def membership_id(session: Session, studio_id: int, user_id: int) -> int | None:
    return session.scalar(select(m.Membership.id).where(m.Membership.user_id == user_id,
                                                        m.Membership.account_id == studio_id))


def add_membership(session: Session, user_id: int, studio_id: int, role: str) -> m.Membership:
    row = m.Membership(user_id=user_id, account_id=studio_id, role=role)
    session.add(row)
    return row


def remove_membership(session: Session, row: m.Membership) -> None:
    session.delete(row)
    session.flush()


def roles_of(session: Session, user_id: int) -> dict[int, str]:
    """Studio id → role, for every studio the user belongs to, in studio order."""
    return dict(session.execute(select(m.Membership.account_id, m.Membership.role)
                                .where(m.Membership.user_id == user_id).order_by(m.Membership.account_id)).all())


def first_owner(session: Session, studio_id: int) -> m.User | None:
    return session.scalar(select(m.User).join(m.Membership, m.Membership.user_id == m.User.id)
                          .where(m.Membership.account_id == studio_id, m.Membership.role == "owner")
                          .order_by(m.Membership.id).limit(1))


def owner_count(session: Session, studio_id: int) -> int:
    return session.scalar(select(func.count()).select_from(m.Membership)
                          .where(m.Membership.account_id == studio_id, m.Membership.role == "owner")) or 0


def members(session: Session, studio_id: int) -> list[tuple[m.User, str]]:
    """(user, role) of every member, by email."""
    return [(user, role) for user, role in session.execute(
        select(m.User, m.Membership.role).join(m.Membership)
        .where(m.Membership.account_id == studio_id).order_by(m.User.email)).all()]


def first_project_of_member(session: Session, user_id: int) -> int | None:
    """The oldest project of any studio the user belongs to."""
    return session.scalar(select(m.Project.id).join(m.Membership, m.Membership.account_id == m.Project.account_id)
                          .where(m.Membership.user_id == user_id).order_by(m.Project.id).limit(1))
