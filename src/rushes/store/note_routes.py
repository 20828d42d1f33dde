"""Queries of note routes: the notes sent back to a stage together, with the cost statement kept beside them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.store import models as m


def recent_routes(session: Session, scene_id: int, limit: int = 50) -> list[m.NoteRoute]:
    """A scene's routes, newest first."""
    return list(session.scalars(select(m.NoteRoute).where(m.NoteRoute.scene_id == scene_id)
                                .order_by(m.NoteRoute.id.desc()).limit(limit)))
