"""Marks a scene's Hub summary out of date in the same transaction that changes one of its artifacts.

A listener on every Session's flush notes each shot version, prompt set, frame, clip, visual state, take, take
slot or stage lock written and its scene; at commit that scene's summary row gets a new generation and loses
its payload, in the same transaction. Readers recompute what is missing (services/scene_summaries.py).
Rows written with bulk INSERT statements bypass the listener; that is only the importer, which creates
scenes that have no summary yet.
"""

from __future__ import annotations

from sqlalchemy import Table, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rushes.store import models as m

BY_SCENE = (m.Shot, m.VisualElement, m.Take, m.StageLock)
BY_SHOT = (m.ShotVersion, m.PromptSet, m.Frame, m.Clip)


def touched_scenes(session: Session) -> set[int]:
    """Scene ids whose summary the pending flush changes."""
    scenes: set[int] = set()
    shots: set[int] = set()
    elements: set[int] = set()
    takes: set[int] = set()
    projects: set[int] = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, m.Scene):
            if obj not in session.deleted:
                scenes.add(obj.id)
        elif isinstance(obj, BY_SCENE):
            scenes.add(obj.scene_id)
        elif isinstance(obj, BY_SHOT):
            shots.add(obj.shot_id)
        elif isinstance(obj, m.VisualStateVersion):
            elements.add(obj.element_id)
        elif isinstance(obj, m.TakeSlot):
            takes.add(obj.take_id)
        elif isinstance(obj, m.Project) and obj not in session.new:
            projects.add(obj.id)  # its style is in every digest of its scenes
    conn = session.connection()
    lookups = ((shots, select(m.Shot.scene_id).where(m.Shot.id.in_(shots))),
               (elements, select(m.VisualElement.scene_id).where(m.VisualElement.id.in_(elements))),
               (takes, select(m.Take.scene_id).where(m.Take.id.in_(takes))),
               (projects, select(m.Scene.id).where(m.Scene.project_id.in_(projects))))
    for ids, query in lookups:
        if ids - {None}:
            scenes.update(conn.execute(query).scalars())
    scenes.discard(None)
    return scenes


def mark_scenes(session: Session, scene_ids: set[int]) -> None:
    """A new generation and no payload for each scene's summary (a row is made for a scene that has none)."""
    if not scene_ids:
        return
    conn = session.connection()
    table: Table = m.SceneSummary.__table__  # type: ignore[assignment]  # typed as any FromClause; a mapped class has a Table
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [{"scene_id": sid, "generation": 1, "has_shots": False, "payload": None} for sid in sorted(scene_ids)]
    # Sorted ids: two writers touching the same scenes lock their rows in the same order.
    statement = insert(table).values(rows)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[table.c.scene_id],
        set_={"generation": table.c.generation + 1, "payload": None}))


MARKS = "rushes_scene_marks"


def _on_flush(session: Session, _context) -> None:
    """Note the scenes this flush touched; they are marked once, at commit (see _before_commit)."""
    scenes = touched_scenes(session)
    if scenes:
        session.info.setdefault(MARKS, set()).update(scenes)


def _before_commit(session: Session) -> None:
    """Mark every touched scene in one sorted statement at the end of the transaction.

    Marking at each flush locked summary rows in the middle of a writer's work, so two workers touching two
    scenes in opposite orders could deadlock on PostgreSQL; taken last and in id order, they never wait on
    each other while holding one. SQLAlchemy flushes pending objects after this hook, so flush first."""
    if session.in_nested_transaction():
        return  # the outer commit marks them
    session.flush()
    scenes = session.info.pop(MARKS, None)
    if scenes:
        live = set(session.connection().execute(select(m.Scene.id).where(m.Scene.id.in_(scenes))).scalars())
        mark_scenes(session, live)


def _forget(session: Session, *_args) -> None:
    session.info.pop(MARKS, None)


def install() -> None:
    """Listen on every Session (once): a writer anywhere — web, worker, CLI, tests — keeps summaries honest."""
    if not event.contains(Session, "after_flush", _on_flush):
        event.listen(Session, "after_flush", _on_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _forget)


install()


__all__ = ["install", "mark_scenes", "touched_scenes"]
