"""Queries of clips: the versions of a shot, the select among draws of the same inputs, their QC."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from rushes.store import models as m


def clip(session: Session, clip_id: int, for_update: bool = False) -> m.Clip | None:
    return session.get(m.Clip, clip_id, with_for_update=True if for_update else None)


def clips_by_id(session: Session, clip_ids) -> dict[int, m.Clip]:
    ids = [c for c in clip_ids if c]
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_(ids)))}


def first_fps(session: Session, clip_ids: list[int]) -> list[float | None]:
    """The probed frame rates of the clips (in no particular order)."""
    return list(session.scalars(select(m.Clip.fps).where(m.Clip.id.in_(clip_ids)))) if clip_ids else []


def last_version(session: Session, shot_id: int) -> int:
    """The shot's highest clip version, 0 before its first clip (a new clip numbers on from it)."""
    return session.scalar(select(func.max(m.Clip.version)).where(m.Clip.shot_id == shot_id)) or 0


def clips_of_shot(session: Session, shot_id: int) -> list[m.Clip]:
    """Every clip a shot ever had, oldest version first."""
    return list(session.scalars(select(m.Clip).where(m.Clip.shot_id == shot_id).order_by(m.Clip.version, m.Clip.id)))


def inputs_of_shots(session: Session, shot_ids: list[int]) -> list[tuple[int, str, int]]:
    """(shot id, inputs digest, clip id) of every clip of the shots, oldest first."""
    if not shot_ids:
        return []
    return [tuple(r) for r in session.execute(select(m.Clip.shot_id, m.Clip.inputs_digest, m.Clip.id)  # type: ignore[misc]  # SQLAlchemy's loose row/result typing
                                              .where(m.Clip.shot_id.in_(shot_ids)).order_by(m.Clip.id))]


def has_select(session: Session, shot_id: int, digest: str) -> bool:
    return session.scalar(select(m.Clip.id).where(m.Clip.shot_id == shot_id, m.Clip.inputs_digest == digest,
                                                  m.Clip.selected.is_(True)).limit(1)) is not None


def selected_clips(session: Session, shot_ids) -> list[m.Clip]:
    """The selects of the shots, one per inputs each."""
    return list(session.scalars(select(m.Clip).where(m.Clip.shot_id.in_(list(shot_ids)), m.Clip.selected.is_(True))))


def unselect_others(session: Session, clip: m.Clip) -> None:
    """No clip of the shot's same inputs is the select any more (the caller makes `clip` the select)."""
    session.execute(update(m.Clip).where(m.Clip.shot_id == clip.shot_id, m.Clip.inputs_digest == clip.inputs_digest,
                                         m.Clip.selected.is_(True)).values(selected=False))


def qc_ran_on(session: Session, clip_ids: list[int], kind: str, state: str) -> set[int]:
    """Clips cut into a take whose job of `kind` ended in `state` (take QC looked at them)."""
    return set(session.scalars(select(m.TakeSlot.clip_id).join(m.RenderJob, m.RenderJob.take_id == m.TakeSlot.take_id)
                               .where(m.TakeSlot.clip_id.in_(clip_ids), m.RenderJob.kind == kind,
                                      m.RenderJob.state == state)))


def findings_on(session: Session, clip_ids: list[int]) -> list[m.QcFinding]:
    return list(session.scalars(select(m.QcFinding).where(m.QcFinding.clip_id.in_(clip_ids))))
