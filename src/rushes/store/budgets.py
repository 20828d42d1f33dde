"""Queries of project budgets: the project row that holds one, and what its scenes' jobs spent."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m


def project(session: Session, project_id: int) -> m.Project | None:
    return session.get(m.Project, project_id)


def set_budget(session: Session, project_row: m.Project, credits: int | None) -> None:
    project_row.budget_credits = credits
    session.flush()


def studio_projects(session: Session, studio_id: int) -> list[m.Project]:
    return list(session.scalars(select(m.Project).where(m.Project.account_id == studio_id).order_by(m.Project.id)))


def project_spend(session: Session, project_id: int) -> int:
    """Credits the project's jobs cost, net of refunds (every charge and refund names its job)."""
    scenes = select(m.Scene.id).where(m.Scene.project_id == project_id)
    total = session.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0))
                           .join(m.RenderJob, m.RenderJob.id == m.LedgerEntry.job_id)
                           .where(m.RenderJob.scene_id.in_(scenes)))
    return -int(total)
