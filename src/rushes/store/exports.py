"""Queries of exports: the worker jobs that write a take's or a film's MP4 (reads; the queue writes them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.store import models as m
from rushes.store.scenes import scene_ids_of_project


def latest_take_job(session: Session, take_id: int, kind: str) -> m.RenderJob | None:
    """The newest job of one kind for a take (its MP4, its QC)."""
    return session.scalar(select(m.RenderJob).where(m.RenderJob.take_id == take_id, m.RenderJob.kind == kind)
                          .order_by(m.RenderJob.id.desc()).limit(1))


def film_jobs(session: Session, project_id: int, kind: str) -> list[m.RenderJob]:
    """The project's film jobs, newest first."""
    return list(session.scalars(select(m.RenderJob).where(
        m.RenderJob.kind == kind, m.RenderJob.scene_id.in_(scene_ids_of_project(project_id)))
        .order_by(m.RenderJob.id.desc())))
