"""Queries of Stage 11 Confirm & Render: the clips a plan can reuse, the take a key already bought,
and the new take with its slots (its render jobs are the queue's to write)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.planning import ShotPlan
from rushes.store import models as m


def reusable_clips(session: Session, shot_ids: list[int]) -> dict[int, dict[str, int]]:
    """Every kept clip by shot and inputs digest: any earlier version can come back at no cost.
    Of several draws of the same inputs, the select comes back (it sorts last, so it wins)."""
    found: dict[int, dict[str, int]] = {}
    rows = session.execute(select(m.Clip.shot_id, m.Clip.inputs_digest, m.Clip.id)
                           .where(m.Clip.shot_id.in_(shot_ids)).order_by(m.Clip.selected, m.Clip.id))
    for shot_id, digest, clip_id in rows:
        found.setdefault(shot_id, {})[digest] = clip_id
    return found


def take_has_empty_slot(session: Session, take_id: int) -> bool:
    return session.scalar(select(m.TakeSlot.id).where(m.TakeSlot.take_id == take_id,
                                                      m.TakeSlot.clip_id.is_(None)).limit(1)) is not None


def take_by_key(session: Session, scene_id: int, key: str) -> m.Take | None:
    """The take a confirm with this Idempotency-Key already bought."""
    return session.scalar(select(m.Take).where(m.Take.scene_id == scene_id, m.Take.idempotency_key == key))


def unfinished_take(session: Session, scene_id: int) -> m.Take | None:
    return session.scalar(select(m.Take).where(m.Take.scene_id == scene_id, m.Take.finished_at.is_(None)))


def add_take(session: Session, scene_id: int, key: str, render: dict, cost_credits: int) -> m.Take:
    """The scene's next take (numbered after its highest; the unique index on open takes backs the race)."""
    number = (session.scalar(select(func.max(m.Take.number)).where(m.Take.scene_id == scene_id)) or 0) + 1
    take = m.Take(scene_id=scene_id, number=number, idempotency_key=key, render=render, cost_credits=cost_credits)
    session.add(take)
    session.flush()
    return take


def add_slot(session: Session, take_id: int, shot: ShotPlan) -> m.TakeSlot:
    """A take's slot for one planned shot; written with the take's next flush (its job id may follow)."""
    slot = m.TakeSlot(take_id=take_id, shot_id=shot.shot_id, position=shot.index, code=shot.code,
                      duration=shot.duration, inputs=shot.inputs, inputs_digest=shot.inputs_digest,
                      reused=shot.reuse_clip_id is not None, clip_id=shot.reuse_clip_id)
    session.add(slot)
    return slot
