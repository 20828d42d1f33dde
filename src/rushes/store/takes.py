"""Queries of takes: a scene's takes, the slots each cut is made of, and the jobs that rendered them."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.jobs import JobKind
from rushes.store import models as m


def take(session: Session, take_id: int, for_update: bool = False) -> m.Take | None:
    return session.get(m.Take, take_id, with_for_update=for_update or None)


def existing_take(session: Session, take_id: int) -> m.Take:
    """A take the caller knows is there (a job's or an event's): its absence is a bug, raised at once."""
    return session.get_one(m.Take, take_id)


def latest_take(session: Session, scene_id: int) -> m.Take | None:
    return session.scalar(select(m.Take).where(m.Take.scene_id == scene_id).order_by(m.Take.number.desc()).limit(1))


def latest_take_id(session: Session, scene_id: int) -> int | None:
    return session.scalar(select(m.Take.id).where(m.Take.scene_id == scene_id).order_by(m.Take.number.desc()).limit(1))


def take_before(session: Session, take: m.Take) -> m.Take | None:
    """The scene's take numbered just below `take`."""
    return session.scalar(select(m.Take).where(m.Take.scene_id == take.scene_id, m.Take.number < take.number)
                          .order_by(m.Take.number.desc()).limit(1))


def scene_of_take(session: Session, take_id: int) -> int | None:
    return session.scalar(select(m.Take.scene_id).where(m.Take.id == take_id))


def scene_takes(session: Session, scene_id: int, before_number: int | None = None,
                limit: int | None = None) -> list[m.Take]:
    """A scene's takes newest first; `before_number` continues after the last take seen."""
    query = select(m.Take).where(m.Take.scene_id == scene_id)
    if before_number is not None:
        query = query.where(m.Take.number < before_number)
    return list(session.scalars(query.order_by(m.Take.number.desc()).limit(limit)))


def takes_of_scenes(session: Session, scene_ids: list[int], approved_only: bool = False) -> list[m.Take]:
    """Takes of many scenes, by scene then number (the last of a scene is its newest)."""
    query = select(m.Take).where(m.Take.scene_id.in_(scene_ids))
    if approved_only:
        query = query.where(m.Take.approved_at.is_not(None))
    return list(session.scalars(query.order_by(m.Take.scene_id, m.Take.number)))


def take_numbers(session: Session, take_ids) -> dict[int, int]:
    """take id -> its number."""
    ids = {t for t in take_ids if t}
    if not ids:
        return {}
    return dict(session.execute(select(m.Take.id, m.Take.number).where(m.Take.id.in_(ids))).all())


def approved_takes(session: Session, scene_ids: list[int]) -> list[tuple[int, int, int]]:
    """(scene id, take id, number) of every approved take of the scenes, newest last per scene."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]  # SQLAlchemy's loose row/result typing
        select(m.Take.scene_id, m.Take.id, m.Take.number).where(m.Take.scene_id.in_(scene_ids),
                                                                  m.Take.approved_at.is_not(None))
        .order_by(m.Take.scene_id, m.Take.number))]


# -- slots -------------------------------------------------------------------------------------------

def slots(session: Session, take_id: int) -> list[m.TakeSlot]:
    """A take's slots in cut order."""
    return list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id).order_by(m.TakeSlot.position)))


def slots_with_clips(session: Session, take_id: int) -> list[m.TakeSlot]:
    return list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id, m.TakeSlot.clip_id.is_not(None))))


def slots_of_takes(session: Session, take_ids) -> list[m.TakeSlot]:
    """Slots of many takes, by take then position."""
    return list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id.in_(take_ids))
                                .order_by(m.TakeSlot.take_id, m.TakeSlot.position)))


def slot_of_job(session: Session, job_id: int) -> m.TakeSlot | None:
    """The slot a clip job renders into (None for a render outside any take)."""
    return session.scalar(select(m.TakeSlot).where(m.TakeSlot.job_id == job_id))


def clip_of_shot(session: Session, take_id: int) -> dict[int, int | None]:
    """shot id -> the clip the take cut in for it."""
    return dict(session.execute(select(m.TakeSlot.shot_id, m.TakeSlot.clip_id).where(m.TakeSlot.take_id == take_id)).all())


def cut_seconds(session: Session, take_ids: list[int]) -> dict[int, float]:
    """take id -> the sum of its slots' durations, one query."""
    if not take_ids:
        return {}
    return {take_id: float(total or 0) for take_id, total in session.execute(
        select(m.TakeSlot.take_id, func.sum(m.TakeSlot.duration)).where(m.TakeSlot.take_id.in_(take_ids))
        .group_by(m.TakeSlot.take_id))}


def takes_of_clips(session: Session, shot_id: int) -> list[tuple[int, int, int]]:
    """(clip id, take id, take number) for each take that cut a clip of the shot in, by take number."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]  # SQLAlchemy's loose typing
        select(m.TakeSlot.clip_id, m.Take.id, m.Take.number).join(m.Take, m.Take.id == m.TakeSlot.take_id)
        .where(m.TakeSlot.shot_id == shot_id, m.TakeSlot.clip_id.is_not(None)).order_by(m.Take.number))]


# -- the jobs of a take (reads; the queue writes them) -----------------------------------------------

def jobs_of_take(session: Session, take_id: int) -> list[m.RenderJob]:
    return list(session.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id)))


def unfinished_clip_job(session: Session, take_id: int, succeeded: str) -> int | None:
    """A clip job of the take that did not succeed, if any."""
    return session.scalar(select(m.RenderJob.id).where(m.RenderJob.take_id == take_id, m.RenderJob.kind == JobKind.CLIP,
                                                       m.RenderJob.state != succeeded).limit(1))
