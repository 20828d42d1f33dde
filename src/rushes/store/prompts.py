"""Queries of prompt sets (Stage 9): one append-only version per reassembly or edit of a shot's prompts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.store import models as m


def latest(session: Session, shot_id: int) -> m.PromptSet | None:
    return session.scalar(select(m.PromptSet).where(m.PromptSet.shot_id == shot_id)
                          .order_by(m.PromptSet.version.desc()).limit(1))


def next_version(session: Session, shot_id: int) -> int:
    return (session.scalar(select(func.max(m.PromptSet.version)).where(m.PromptSet.shot_id == shot_id)) or 0) + 1


def add(session: Session, **values) -> m.PromptSet:
    row = m.PromptSet(**values)
    session.add(row)
    session.flush()
    return row
