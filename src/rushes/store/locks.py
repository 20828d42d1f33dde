"""Stage locks (Stages 7 and 8): rows pin a digest of the stage, and one check says whether a lock holds.

Rows are never deleted: a row whose digest is UNLOCKED releases the stage, and the newest row per
scene and stage is the one that counts.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m

UNLOCKED = "unlocked"


def holds(pinned: str | None, digest_now: str) -> bool:
    """THE lock check: a lock holds while its newest row pins exactly what the stage is today.

    `pinned` is the newest lock row's digest (None: never locked); an edit changes the stage's
    digest, which lifts the lock by itself.
    """
    return is_set(pinned) and pinned == digest_now


def is_set(pinned: str | None) -> bool:
    """A lock row pins a digest (not never locked, not released); whether it still holds needs today's digest."""
    return pinned is not None and pinned != UNLOCKED


def pinned_digest(session: Session, scene_id: int, stage: int) -> str | None:
    """The digest the scene's newest lock row of this stage pins (None when the stage was never locked)."""
    return session.scalar(select(m.StageLock.digest).where(m.StageLock.scene_id == scene_id, m.StageLock.stage == stage)
                          .order_by(m.StageLock.id.desc()).limit(1))


def pinned_digests(session: Session, scene_ids: list[int], stage: int) -> dict[int, str]:
    """The same for many scenes in one query: scene id -> digest of its newest lock row of this stage."""
    newest = (select(m.StageLock.scene_id, func.max(m.StageLock.id).label("id"))
              .where(m.StageLock.scene_id.in_(scene_ids), m.StageLock.stage == int(stage))
              .group_by(m.StageLock.scene_id).subquery())
    return dict(session.execute(select(m.StageLock.scene_id, m.StageLock.digest)
                                .join(newest, newest.c.id == m.StageLock.id)).all())


def add_lock(session: Session, scene_id: int, stage: int, digest: str) -> m.StageLock:
    """Lock the stage at `digest`, or release it with UNLOCKED."""
    row = m.StageLock(scene_id=scene_id, stage=int(stage), digest=digest)
    session.add(row)
    session.flush()
    return row
