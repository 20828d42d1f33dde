"""Queries of guest review links (share_links): each opens one scene's review player; only the token's
sha256 is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.store import models as m


def add(session: Session, scene_id: int, token_hash: str, created_by: int, allow_notes: bool,
        expires_at: datetime | None) -> m.ShareLink:
    row = m.ShareLink(scene_id=scene_id, token_hash=token_hash, created_by=created_by, allow_notes=allow_notes,
                      expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def share(session: Session, share_id: int) -> m.ShareLink | None:
    return session.get(m.ShareLink, share_id)


def by_hash(session: Session, token_hash: str) -> m.ShareLink | None:
    """The link with this digest, live or not (the service decides)."""
    return session.scalar(select(m.ShareLink).where(m.ShareLink.token_hash == token_hash))


def of_scene(session: Session, scene_id: int) -> list[m.ShareLink]:
    """Every link to the scene, newest first."""
    return list(session.scalars(select(m.ShareLink).where(m.ShareLink.scene_id == scene_id)
                                .order_by(m.ShareLink.id.desc())))
