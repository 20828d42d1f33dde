"""Notifications: one per finished take, shown as a toast and a Hub badge; read when reviewed."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rushes.domain.jobs import JobState
from rushes.store import models as m
from rushes.store import notifications as notification_store
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store


def notify_take_finished(session: Session, take: m.Take) -> m.Notification | None:
    jobs = take_store.jobs_of_take(session, take.id)
    failed = [j for j in jobs if j.state == JobState.FAILED]
    scene = scene_store.scene(session, take.scene_id)
    project = project_store.project(session, scene.project_id)
    kind = "take_failed" if failed else "take_finished"
    if take.cancelled_at is not None and not failed:
        kind = "take_cancelled"
    rendered = sum(1 for j in jobs if j.state == JobState.SUCCEEDED)
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
    return notification_store.of_studios(session, ids, after_id, limit, before_id)


def unread_count(session: Session, account_id: int | list[int]) -> int:
    ids = [account_id] if isinstance(account_id, int) else list(account_id)
    return notification_store.unread_count(session, ids)


def mark_scene_read(session: Session, scene_id: int) -> int:
    """Opening the review of a scene reads its notifications.

    Best effort: a page view holds no write lock on SQLite, and while a render is being written it cannot take
    one, so the page still opens and the badge clears on a later view rather than the page failing."""
    from sqlalchemy.exc import OperationalError

    if not notification_store.scene_has_unread(session, scene_id):
        return 0  # nothing to mark: no write at all
    try:
        with session.begin_nested():
            return notification_store.mark_scene_read(session, scene_id, datetime.now(timezone.utc))
    except OperationalError:
        return 0
