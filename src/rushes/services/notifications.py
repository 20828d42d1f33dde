"""Notifications: one per finished take, shown as a toast and a Hub badge; read when reviewed."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rushes.store import models as m


def notify_take_finished(session: Session, take: m.Take) -> m.Notification | None:
    jobs = list(session.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take.id)))
    failed = [j for j in jobs if j.state == "failed"]
    scene = session.get(m.Scene, take.scene_id)
    project = session.get(m.Project, scene.project_id)
    kind = "take_failed" if failed else "take_finished"
    if take.cancelled_at is not None and not failed:
        kind = "take_cancelled"
    rendered = sum(1 for j in jobs if j.state == "succeeded")
    if kind == "take_failed":
        title = f"Scene {scene.number} \u00b7 take {take.number}: {len(failed)} shot{'s' if len(failed) > 1 else ''} failed"
        body = "; ".join(f"{(j.payload or {}).get('code', '?')}: {j.error}" for j in failed)[:480]
    elif kind == "take_cancelled":
        title, body = f"Scene {scene.number} \u00b7 take {take.number} cancelled", ""
    else:
        title = f"Scene {scene.number} \u00b7 take {take.number} is ready for review"
        body = f"{scene.title}: {rendered} shot{'s' if rendered != 1 else ''} rendered"
    note = m.Notification(account_id=project.account_id, scene_id=scene.id, take_id=take.id, kind=kind,
                          title=title, body=body, url=f"/scenes/{scene.id}/review?take={take.id}")
    try:
        with session.begin_nested():
            session.add(note)
    except IntegrityError:
        return None
    return note


def notification_view(n: m.Notification) -> dict:
    return {"id": n.id, "scene_id": n.scene_id, "take_id": n.take_id, "kind": n.kind, "title": n.title,
            "body": n.body, "url": n.url, "read": n.read_at is not None, "created_at": n.created_at.isoformat()}


def list_notifications(session: Session, account_id: int | list[int], after_id: int = 0, limit: int = 50,
                       before_id: int | None = None) -> list[m.Notification]:
    """Newer than `after_id` oldest first (what a stream resumes with), else newest first (below `before_id`).

    `account_id` may be a list: a member sees the notifications of every studio they belong to.
    """
    ids = [account_id] if isinstance(account_id, int) else list(account_id)
    query = select(m.Notification).where(m.Notification.account_id.in_(ids))
    if after_id:
        query = query.where(m.Notification.id > after_id).order_by(m.Notification.id)
    else:
        if before_id is not None:
            query = query.where(m.Notification.id < before_id)
        query = query.order_by(m.Notification.id.desc())
    return list(session.scalars(query.limit(limit)))


def unread_count(session: Session, account_id: int | list[int]) -> int:
    ids = [account_id] if isinstance(account_id, int) else list(account_id)
    return session.scalar(select(func.count()).select_from(m.Notification).where(
        m.Notification.account_id.in_(ids), m.Notification.read_at.is_(None))) or 0


def mark_scene_read(session: Session, scene_id: int) -> int:
    """Opening the review of a scene reads its notifications."""
    result = session.execute(update(m.Notification).where(m.Notification.scene_id == scene_id,
                                                           m.Notification.read_at.is_(None))
                             .values(read_at=datetime.now(timezone.utc)))
    return result.rowcount or 0
