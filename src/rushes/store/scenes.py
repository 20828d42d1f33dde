"""Queries of scenes: a project's scenes in order, their stored Hub summaries, shot codes and stage locks."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from rushes.domain.jobs import JobKind
from rushes.store import models as m


def scene(session: Session, scene_id: int) -> m.Scene | None:
    return session.get(m.Scene, scene_id)


def project_scenes(session: Session, project_id: int) -> list[m.Scene]:
    """A project's scenes in number order."""
    return list(session.scalars(select(m.Scene).where(m.Scene.project_id == project_id).order_by(m.Scene.number)))


def first_scene_id(session: Session, project_id: int) -> int | None:
    return session.scalar(select(m.Scene.id).where(m.Scene.project_id == project_id).order_by(m.Scene.number).limit(1))


def scene_ids_of_project(project_id: int):
    """A subquery of the project's scene ids, for an IN clause (no statement runs)."""
    return select(m.Scene.id).where(m.Scene.project_id == project_id)


def last_number(session: Session, project_id: int) -> int:
    return session.scalar(select(func.max(m.Scene.number)).where(m.Scene.project_id == project_id)) or 0


def renumber(session: Session, project_id: int, scene_ids: list[int], top: int) -> None:
    """Number the scenes 1.. in the order given. Numbers are unique per project, so they move in two steps
    (every scene above `top` first, then into place) inside the caller's transaction."""
    session.execute(update(m.Scene).where(m.Scene.project_id == project_id).values(number=m.Scene.number + top))
    for number, scene_id in enumerate(scene_ids, start=1):
        session.execute(update(m.Scene).where(m.Scene.id == scene_id).values(number=number))
    session.expire_all()


def shot_ids(session: Session, scene_id: int) -> list[int]:
    return list(session.scalars(select(m.Shot.id).where(m.Shot.scene_id == scene_id)))


def lock_shot(session: Session, shot_id: int) -> None:
    """Take the shot row's lock until the transaction ends (writers to one shot take turns on it)."""
    session.execute(select(m.Shot.id).where(m.Shot.id == shot_id).with_for_update())


def shot(session: Session, shot_id: int) -> m.Shot | None:
    return session.get(m.Shot, shot_id)


def _newest_versions(shot_filter):
    return (select(m.ShotVersion.shot_id, func.max(m.ShotVersion.version).label("v"))
            .where(shot_filter).group_by(m.ShotVersion.shot_id).subquery())


def newest_versions(session: Session, shot_ids) -> dict[int, m.ShotVersion]:
    """Each shot's newest version, one query."""
    newest = _newest_versions(m.ShotVersion.shot_id.in_(shot_ids))
    rows = session.scalars(select(m.ShotVersion).join(
        newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version)))
    return {v.shot_id: v for v in rows}


def shot_codes(session: Session, shot_ids) -> dict[int, str]:
    """Current code of each shot, one query; a deleted shot reads 'deleted'."""
    newest = _newest_versions(m.ShotVersion.shot_id.in_(shot_ids))
    rows = session.execute(select(m.ShotVersion.shot_id, m.ShotVersion.code, m.ShotVersion.deleted).join(
        newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version)))
    return {shot_id: ("deleted" if deleted else code) for shot_id, code, deleted in rows}


def shot_versions(session: Session, shot_id: int) -> list[m.ShotVersion]:
    return list(session.scalars(select(m.ShotVersion).where(m.ShotVersion.shot_id == shot_id)
                                .order_by(m.ShotVersion.version)))


def shot_artifacts(session: Session, shot_id: int) -> tuple[list[m.PromptSet], list[m.Frame], list[m.RenderJob]]:
    """Every prompt set (by version), frame and job (by id) a shot ever had: its history."""
    prompts = list(session.scalars(select(m.PromptSet).where(m.PromptSet.shot_id == shot_id).order_by(m.PromptSet.version)))
    frames = list(session.scalars(select(m.Frame).where(m.Frame.shot_id == shot_id).order_by(m.Frame.id)))
    jobs = list(session.scalars(select(m.RenderJob).where(m.RenderJob.shot_id == shot_id).order_by(m.RenderJob.id)))
    return prompts, frames, jobs


def frame_jobs_running(session: Session, scene_id: int) -> dict[int, int]:
    """shot id -> its frames job still running in the scene (Stage 10 shows them as in progress)."""
    return dict(session.execute(select(m.RenderJob.shot_id, m.RenderJob.id).where(
        m.RenderJob.scene_id == scene_id, m.RenderJob.kind == JobKind.FRAMES, m.RenderJob.finished_at.is_(None))).all())


def planned_seconds(session: Session, scene_ids: list[int]) -> dict[int, float]:
    """Per scene, the sum of its live shots' durations (what the shot list plans), in one query."""
    newest = (select(m.ShotVersion.shot_id, func.max(m.ShotVersion.version).label("v"))
              .join(m.Shot, m.Shot.id == m.ShotVersion.shot_id).where(m.Shot.scene_id.in_(scene_ids))
              .group_by(m.ShotVersion.shot_id).subquery())
    rows = session.execute(select(m.Shot.scene_id, func.sum(m.ShotVersion.duration), func.count())
                           .join(newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version))
                           .join(m.Shot, m.Shot.id == m.ShotVersion.shot_id)
                           .where(m.ShotVersion.deleted.is_(False)).group_by(m.Shot.scene_id))
    return {scene_id: float(total or 0) for scene_id, total, _ in rows}


# -- stage locks (read) ------------------------------------------------------------------------------

def summaries(session: Session, scene_ids: list[int]) -> dict[int, m.SceneSummary]:
    if not scene_ids:
        return {}
    return {r.scene_id: r for r in session.scalars(select(m.SceneSummary).where(m.SceneSummary.scene_id.in_(scene_ids)))}


def keep_summaries(session: Session, known: list[dict], new: list[dict]) -> None:
    """Write recomputed summaries: `known` rows only at the generation read (key "gen"), `new` rows only if
    still missing. Each value has sid, payload, basis, has_shots, incoming, outgoing."""
    table = m.SceneSummary.__table__
    if known:  # one statement for all (executemany)
        session.execute(update(table).where(table.c.scene_id == bindparam("sid"), table.c.generation == bindparam("gen"))  # type: ignore[arg-type]  # SQLAlchemy's loose typing
                        .values(payload=bindparam("payload"), basis=bindparam("basis"), has_shots=bindparam("has_shots"),
                                incoming=bindparam("incoming"), outgoing=bindparam("outgoing")), known)
    if new:
        insert = pg_insert if session.connection().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(table).values([  # type: ignore[arg-type]  # SQLAlchemy's loose typing
            {"scene_id": v["sid"], "generation": 0, **{k: v[k] for k in ("payload", "basis", "has_shots", "incoming", "outgoing")}}
            for v in new]).on_conflict_do_nothing(index_elements=[table.c.scene_id]))

