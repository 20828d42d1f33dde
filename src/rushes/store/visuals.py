"""Queries of the visual definition (Stage 8): elements and their append-only looks."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m


def element(session: Session, element_id: int) -> m.VisualElement | None:
    return session.get(m.VisualElement, element_id)


def element_named(session: Session, scene_id: int, kind: str, name: str) -> m.VisualElement | None:
    """The scene's element of this kind and name, whatever the case of its letters."""
    return session.scalar(select(m.VisualElement).where(
        m.VisualElement.scene_id == scene_id, m.VisualElement.kind == kind,
        func.lower(m.VisualElement.name) == name.lower()))


def add_element(session: Session, scene_id: int, kind: str, name: str) -> m.VisualElement:
    row = m.VisualElement(scene_id=scene_id, kind=kind, name=name)
    session.add(row)
    session.flush()
    return row


def latest_state(session: Session, element_id: int) -> m.VisualStateVersion | None:
    return session.scalar(select(m.VisualStateVersion).where(m.VisualStateVersion.element_id == element_id)
                          .order_by(m.VisualStateVersion.version.desc()).limit(1))


def next_state_version(session: Session, element_id: int) -> int:
    return (session.scalar(select(func.max(m.VisualStateVersion.version))
                           .where(m.VisualStateVersion.element_id == element_id)) or 0) + 1


def add_state(session: Session, element_id: int, version: int, description: str,
              deleted: bool = False) -> m.VisualStateVersion:
    row = m.VisualStateVersion(element_id=element_id, version=version, description=description, deleted=deleted)
    session.add(row)
    session.flush()
    return row


def states(session: Session, element_id: int) -> list[m.VisualStateVersion]:
    """Every look the element had, oldest first."""
    return list(session.scalars(select(m.VisualStateVersion).where(m.VisualStateVersion.element_id == element_id)
                                .order_by(m.VisualStateVersion.version)))


def live_elements(session: Session, scene_id: int) -> list[tuple[m.VisualElement, m.VisualStateVersion]]:
    """The scene's elements with their newest, not deleted, look (one query)."""
    newest = (select(m.VisualStateVersion.element_id, func.max(m.VisualStateVersion.version).label("v"))
              .join(m.VisualElement, m.VisualElement.id == m.VisualStateVersion.element_id)
              .where(m.VisualElement.scene_id == scene_id).group_by(m.VisualStateVersion.element_id).subquery())
    rows = session.execute(select(m.VisualElement, m.VisualStateVersion)
                           .join(m.VisualStateVersion, m.VisualStateVersion.element_id == m.VisualElement.id)
                           .join(newest, (newest.c.element_id == m.VisualStateVersion.element_id)
                                 & (newest.c.v == m.VisualStateVersion.version)))
    return [(e, s) for e, s in rows if not s.deleted]
