"""Queries of projects, and the batched INSERTs that write an imported one."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rushes.store import models as m


def project(session: Session, project_id: int, for_update: bool = False) -> m.Project | None:
    """The project; locked for the rest of the transaction when `for_update` (one request at a time)."""
    return session.get(m.Project, project_id, with_for_update=True if for_update else None)


def locked_project(session: Session, project_id: int) -> m.Project | None:
    """The project row read and locked afresh (one writer of its scenes at a time)."""
    return session.scalar(select(m.Project).where(m.Project.id == project_id).with_for_update())


def any_project(session: Session) -> bool:
    """Whether the database holds a project yet (the demo loads into an empty one)."""
    return session.scalar(select(m.Project.id).limit(1)) is not None


def studio_projects(session: Session, studio_ids, after: int | None = None, limit: int | None = None) -> list[m.Project]:
    """The projects of the studios by id; `after` = the last id seen."""
    query = select(m.Project).where(m.Project.account_id.in_(studio_ids)).order_by(m.Project.id).limit(limit)
    if after is not None:
        query = query.where(m.Project.id > after)
    return list(session.scalars(query))


def insert_rows(session: Session, model, rows: list[dict]) -> None:
    """One multi-row INSERT (executemany) of plain rows."""
    if rows:
        session.execute(insert(model), rows)


def insert_returning(session: Session, model, rows: list[dict], *columns) -> list:
    """One multi-row INSERT answering each new row's id and `columns` (SQLite does not promise their order)."""
    if not rows:
        return []
    return list(session.execute(insert(model).returning(model.id, *columns), rows))
