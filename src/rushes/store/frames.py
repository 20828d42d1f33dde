"""Queries of anchor frames (Stage 10): each shot's start and end frames, versioned, and the frames jobs' trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.jobs import JobKind, JobState
from rushes.store import models as m


def next_version(session: Session, shot_id: int, kind: str) -> int:
    current = session.scalar(select(func.max(m.Frame.version)).where(m.Frame.shot_id == shot_id, m.Frame.kind == kind))
    return (current or 0) + 1


def add(session: Session, values: dict) -> m.Frame:
    row = m.Frame(**values)
    session.add(row)
    session.flush()
    return row


def latest(session: Session, shot_id: int, kind: str) -> m.Frame | None:
    return session.scalar(select(m.Frame).where(m.Frame.shot_id == shot_id, m.Frame.kind == kind)
                          .order_by(m.Frame.version.desc()).limit(1))


def frames_jobs_done(session: Session, scene_id: int, since: datetime | None) -> list[m.RenderJob]:
    """The scene's frames jobs that succeeded (after `since` when given), oldest first: Stage 11's frame lines."""
    query = select(m.RenderJob).where(m.RenderJob.scene_id == scene_id, m.RenderJob.kind == JobKind.FRAMES,
                                      m.RenderJob.state == JobState.SUCCEEDED)
    if since is not None:
        query = query.where(m.RenderJob.created_at > since)
    return list(session.scalars(query.order_by(m.RenderJob.id)))


def newest_frames_job(session: Session, shot_id: int) -> m.RenderJob | None:
    """The shot's newest frames job, finished or not (a reloaded Stage 10 page picks its progress up again)."""
    return session.scalar(select(m.RenderJob).where(m.RenderJob.shot_id == shot_id, m.RenderJob.kind == JobKind.FRAMES)
                          .order_by(m.RenderJob.id.desc()).limit(1))


def open_frames_job(session: Session, shot_id: int) -> int | None:
    """The shot's frames job still running, if any (one at a time per shot)."""
    return session.scalar(select(m.RenderJob.id).where(m.RenderJob.shot_id == shot_id, m.RenderJob.kind == JobKind.FRAMES,
                                                       m.RenderJob.finished_at.is_(None)).limit(1))
