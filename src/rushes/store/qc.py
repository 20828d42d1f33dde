"""Queries of QC findings: what the checks of a take proposed, and what the filmmaker decided of them."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rushes.store import models as m

PROPOSED = "proposed"


def finding(session: Session, finding_id: int, for_update: bool = False) -> m.QcFinding | None:
    return session.get(m.QcFinding, finding_id, with_for_update=True if for_update else None)


def drop_proposed(session: Session, take_id: int) -> None:
    """Forget the take's still-proposed findings (a new run replaces them)."""
    session.execute(delete(m.QcFinding).where(m.QcFinding.take_id == take_id, m.QcFinding.status == PROPOSED))


def decided(session: Session, take_id: int) -> list[m.QcFinding]:
    """Findings of the take the filmmaker accepted or dismissed."""
    return list(session.scalars(select(m.QcFinding).where(m.QcFinding.take_id == take_id, m.QcFinding.status != PROPOSED)))


def take_findings(session: Session, take_id: int, include_dismissed: bool = True) -> list[m.QcFinding]:
    """A take's findings in cut order."""
    query = select(m.QcFinding).where(m.QcFinding.take_id == take_id)
    if not include_dismissed:
        query = query.where(m.QcFinding.status != "dismissed")
    return list(session.scalars(query.order_by(m.QcFinding.scene_time, m.QcFinding.id)))
