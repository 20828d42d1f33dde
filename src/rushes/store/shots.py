"""Queries of the shot list (Stage 7): shots and their append-only versions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m


def shot(session: Session, shot_id: int) -> m.Shot | None:
    return session.get(m.Shot, shot_id)


def scene_row(session: Session, scene_id: int) -> m.Scene | None:
    """The scene a shot-list edit names (read here so the editing services run no statements)."""
    return session.get(m.Scene, scene_id)


def latest_version(session: Session, shot_id: int) -> m.ShotVersion | None:
    """The shot's newest version, deleted or not."""
    return session.scalar(select(m.ShotVersion).where(m.ShotVersion.shot_id == shot_id)
                          .order_by(m.ShotVersion.version.desc()).limit(1))


def next_version(session: Session, shot_id: int) -> int:
    return (session.scalar(select(func.max(m.ShotVersion.version)).where(m.ShotVersion.shot_id == shot_id)) or 0) + 1


def live_versions(session: Session, scene_id: int) -> list[m.ShotVersion]:
    """The newest version of every shot of the scene still in the list, in scene order."""
    newest = (select(m.ShotVersion.shot_id, func.max(m.ShotVersion.version).label("v"))
              .join(m.Shot, m.Shot.id == m.ShotVersion.shot_id).where(m.Shot.scene_id == scene_id)
              .group_by(m.ShotVersion.shot_id).subquery())
    rows = session.scalars(select(m.ShotVersion).join(
        newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version)))
    return sorted((v for v in rows if not v.deleted), key=lambda v: (v.position, v.shot_id))


def add_shot(session: Session, scene_id: int) -> m.Shot:
    """A shot's identity; its fields live in its versions."""
    row = m.Shot(scene_id=scene_id)
    session.add(row)
    session.flush()
    return row


def add_version(session: Session, shot_id: int, version: int, position: int, note: str, fields: dict,
                deleted: bool = False) -> m.ShotVersion:
    row = m.ShotVersion(shot_id=shot_id, version=version, position=position, deleted=deleted, note=note, **fields)
    session.add(row)
    session.flush()
    return row
