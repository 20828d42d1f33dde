"""Queries of notifications, and what the event streams read to hear of new ones and of moved jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, select, text, update
from sqlalchemy.orm import Session

from rushes.store import models as m

N = m.Notification


def notification(session: Session, notification_id: int) -> m.Notification | None:
    return session.get(N, notification_id)


def of_studios(session: Session, studio_ids: list[int], after_id: int = 0, limit: int = 50,
               before_id: int | None = None) -> list[m.Notification]:
    """Newer than `after_id` oldest first (what a stream resumes with), else newest first (below `before_id`)."""
    query = select(N).where(N.account_id.in_(studio_ids))
    if after_id:
        query = query.where(N.id > after_id).order_by(N.id)
    else:
        if before_id is not None:
            query = query.where(N.id < before_id)
        query = query.order_by(N.id.desc())
    return list(session.scalars(query.limit(limit)))


def unread_count(session: Session, studio_ids: list[int]) -> int:
    return session.scalar(select(func.count()).select_from(N).where(
        N.account_id.in_(studio_ids), N.read_at.is_(None))) or 0


def unread_by_scene(session: Session, scene_ids: list[int]) -> dict[int, int]:
    return dict(session.execute(select(N.scene_id, func.count()).where(
        N.scene_id.in_(scene_ids), N.read_at.is_(None)).group_by(N.scene_id)).all())


def scene_has_unread(session: Session, scene_id: int) -> bool:
    return bool(session.scalar(select(exists().where(N.scene_id == scene_id, N.read_at.is_(None)))))


def mark_scene_read(session: Session, scene_id: int, at: datetime) -> int:
    result = session.execute(update(N).where(N.scene_id == scene_id, N.read_at.is_(None)).values(read_at=at))
    return result.rowcount or 0  # type: ignore[attr-defined]  # SQLAlchemy's loose row/result typing


# -- what the event streams read ---------------------------------------------------------------------

def after(session: Session, after_id: int, limit: int = 500, account_id: int | None = None) -> list[m.Notification]:
    """Notifications newer than `after_id` (of one studio when given), oldest first."""
    query = select(N).where(N.id > after_id)
    if account_id is not None:
        query = query.where(N.account_id == account_id)
    return list(session.scalars(query.order_by(N.id).limit(limit)))


def newest_id(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(N.id), 0))))


def first_studio_id(session: Session) -> int | None:
    return session.scalar(select(m.Account.id).order_by(m.Account.id).limit(1))


def newest_job_move(session: Session) -> float:
    return float(session.scalar(select(func.coalesce(func.max(m.RenderJob.updated_at), 0.0))))


def jobs_moved_after(session: Session, mark: float, limit: int = 500) -> list[m.RenderJob]:
    """Jobs updated after `mark`, in update order (SQLite has no NOTIFY: the streams poll)."""
    return list(session.scalars(select(m.RenderJob).where(m.RenderJob.updated_at > mark)
                                .order_by(m.RenderJob.updated_at).limit(limit)))


def pg_notify(session: Session, channel: str, payloads: list[str]) -> None:
    """PostgreSQL NOTIFY each payload on `channel`: delivered at COMMIT, dropped on ROLLBACK."""
    conn = session.connection()
    for payload in payloads:
        conn.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": payload})
