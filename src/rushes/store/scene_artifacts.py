"""Reads behind a scene snapshot: the newest version of every artifact of some scenes, a few queries per table
however many scenes (services/snapshot.py turns them into domain state)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from rushes.domain.stages import Stage
from rushes.store import locks
from rushes.store import models as m


def latest_per_key(session: Session, model, key_cols, where) -> list:
    """Rows holding the highest version per key, for rows matching `where`."""
    keys = [getattr(model, c) for c in key_cols]
    newest = select(*keys, func.max(model.version).label("v")).where(where).group_by(*keys).subquery()
    join = [getattr(newest.c, c) == getattr(model, c) for c in key_cols] + [newest.c.v == model.version]
    return list(session.scalars(select(model).join(newest, and_(*join))))


def project(session: Session, project_id: int) -> m.Project | None:
    return session.get(m.Project, project_id)


def scene(session: Session, scene_id: int) -> m.Scene | None:
    return session.get(m.Scene, scene_id)


def project_scenes(session: Session, project_id: int, after_number: int | None, limit: int | None) -> list[m.Scene]:
    """The project's scenes in order: all, or `limit` of them after scene `after_number`."""
    query = select(m.Scene).where(m.Scene.project_id == project_id)
    if after_number is not None:
        query = query.where(m.Scene.number > after_number)
    return list(session.scalars(query.order_by(m.Scene.number).limit(limit)))


def scenes_before(session: Session, project_id: int, number: int, before: int | None, batch: int) -> list:
    """Up to `batch` (id, number) rows of the scenes before scene `number` (and before `before`), nearest first."""
    query = select(m.Scene.id, m.Scene.number).where(m.Scene.project_id == project_id, m.Scene.number < number)
    if before is not None:
        query = query.where(m.Scene.number < before)
    return session.execute(query.order_by(m.Scene.number.desc()).limit(batch)).all()  # type: ignore[return-value]  # SQLAlchemy's loose typing


def live_shot_versions_of(session: Session, scene_ids: list[int]) -> list[m.ShotVersion]:
    """The newest, not deleted, version of every shot of these scenes (in no order)."""
    return [v for v in latest_per_key(session, m.ShotVersion, ["shot_id"], m.ShotVersion.shot_id.in_(
        select(m.Shot.id).where(m.Shot.scene_id.in_(scene_ids)))) if not v.deleted]


def scenes_of_shots(session: Session, shot_ids: list[int]) -> dict[int, int]:
    """shot id -> scene id."""
    return dict(session.execute(select(m.Shot.id, m.Shot.scene_id).where(m.Shot.id.in_(shot_ids))).all())


def newest_prompt_and_frames(session: Session, shot_id: int) -> tuple[m.PromptSet | None, dict[str, m.Frame]]:
    """A shot's newest prompt set and its newest frame of each kind."""
    prompt = session.scalar(select(m.PromptSet).where(m.PromptSet.shot_id == shot_id)
                            .order_by(m.PromptSet.version.desc()).limit(1))
    frames = {f.kind: f for f in latest_per_key(session, m.Frame, ["shot_id", "kind"], m.Frame.shot_id == shot_id)}
    return prompt, frames


@dataclass
class SceneArtifacts:
    """The newest of everything some scenes hold, keyed for assembling each scene's snapshot."""

    versions_by_scene: dict[int, list[m.ShotVersion]]   # live shot versions, in no order
    prompts: dict[int, m.PromptSet]                     # shot id -> newest prompt set
    frames: dict[tuple[int, str], m.Frame]              # (shot id, kind) -> newest frame
    latest_clips: dict[int, m.Clip]                     # shot id -> newest clip
    elements_by_scene: dict[int, list[m.VisualElement]]
    states: dict[int, m.VisualStateVersion]             # element id -> newest look
    takes: dict[int, m.Take]                            # scene id -> newest take
    slots_by_take: dict[int, list[m.TakeSlot]]
    slot_clips: dict[int, m.Clip]                       # clip id -> clip cut into a newest take's slot
    shot_list_pins: dict[int, str]                      # scene id -> digest its newest stage-7 lock row pins


def scene_artifacts(session: Session, scene_ids: list[int]) -> SceneArtifacts:
    shot_ids_q = select(m.Shot.id).where(m.Shot.scene_id.in_(scene_ids))
    shot_scene = dict(session.execute(select(m.Shot.id, m.Shot.scene_id).where(m.Shot.scene_id.in_(scene_ids))).all())

    versions = [v for v in latest_per_key(session, m.ShotVersion, ["shot_id"], m.ShotVersion.shot_id.in_(shot_ids_q))
                if not v.deleted]
    prompts = {p.shot_id: p for p in latest_per_key(session, m.PromptSet, ["shot_id"], m.PromptSet.shot_id.in_(shot_ids_q))}
    frames = {(f.shot_id, f.kind): f for f in latest_per_key(session, m.Frame, ["shot_id", "kind"],
                                                             m.Frame.shot_id.in_(shot_ids_q))}
    latest_clips = {c.shot_id: c for c in latest_per_key(session, m.Clip, ["shot_id"], m.Clip.shot_id.in_(shot_ids_q))}

    elements = list(session.scalars(select(m.VisualElement).where(m.VisualElement.scene_id.in_(scene_ids))
                                    .order_by(m.VisualElement.id)))
    states = {s.element_id: s for s in latest_per_key(session, m.VisualStateVersion, ["element_id"],
                                                      m.VisualStateVersion.element_id.in_(
                                                          select(m.VisualElement.id).where(
                                                              m.VisualElement.scene_id.in_(scene_ids))))}

    newest_take = select(m.Take.scene_id, func.max(m.Take.number).label("n")).where(
        m.Take.scene_id.in_(scene_ids)).group_by(m.Take.scene_id).subquery()
    takes = {t.scene_id: t for t in session.scalars(select(m.Take).join(
        newest_take, (newest_take.c.scene_id == m.Take.scene_id) & (newest_take.c.n == m.Take.number)))}
    take_ids = [t.id for t in takes.values()]
    slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id.in_(take_ids)))) if take_ids else []
    slot_clip_ids = [s.clip_id for s in slots if s.clip_id]
    slot_clips = {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_(slot_clip_ids)))} if slot_clip_ids else {}

    versions_by_scene: dict[int, list[m.ShotVersion]] = defaultdict(list)
    for v in versions:
        versions_by_scene[shot_scene[v.shot_id]].append(v)
    slots_by_take: dict[int, list[m.TakeSlot]] = defaultdict(list)
    for s in slots:
        slots_by_take[s.take_id].append(s)
    elements_by_scene: dict[int, list[m.VisualElement]] = defaultdict(list)
    for e in elements:
        elements_by_scene[e.scene_id].append(e)
    return SceneArtifacts(versions_by_scene, prompts, frames, latest_clips, elements_by_scene, states, takes,
                          slots_by_take, slot_clips, locks.pinned_digests(session, scene_ids, Stage.SHOT_LIST))
