"""Load the current artifacts of a project's scenes into domain snapshots, a few queries per table."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from rushes.domain.artifacts import ClipArtifact, FrameArtifact, PromptArtifact, RenderSpec, SceneState, ShotState
from rushes.domain.shots import ShotFields, VisualState
from rushes.domain.staleness import SceneAssessment, assess_scene, shot_list_digest
from rushes.domain.status import SceneStatus, TakeSummary, scene_status
from rushes.store import models as m


@dataclass
class SceneSnapshot:
    """Everything the pages and services need to know about one scene right now."""

    scene: m.Scene
    state: SceneState
    assessment: SceneAssessment
    shot_versions: dict[int, m.ShotVersion]
    prompts: dict[int, m.PromptSet]
    frames: dict[tuple[int, str], m.Frame]
    clips: dict[int, m.Clip]
    latest_take: m.Take | None
    take_summary: TakeSummary | None
    shot_list_locked: bool
    status: SceneStatus
    elements: list[tuple[m.VisualElement, m.VisualStateVersion]] = field(default_factory=list)
    approved_frame: str | None = None  # media key of the approved cut's last frame (the Hub thumbnail)
    frames_approved: dict[int, bool] = field(default_factory=dict)  # shot id -> its anchor frames signed off

    @property
    def shot_ids(self) -> list[int]:
        return [s.shot_id for s in self.state.shots]


def _latest(session: Session, model, key_cols, where) -> list:
    """Rows holding the highest version per key, for rows matching `where`."""
    keys = [getattr(model, c) for c in key_cols]
    newest = select(*keys, func.max(model.version).label("v")).where(where).group_by(*keys).subquery()
    join = [getattr(newest.c, c) == getattr(model, c) for c in key_cols] + [newest.c.v == model.version]
    return list(session.scalars(select(model).join(newest, and_(*join))))


def to_fields(v: m.ShotVersion) -> ShotFields:
    return ShotFields(code=v.code, duration=v.duration, action=v.action, dialogue=v.dialogue,
                      characters=tuple(v.characters or ()), setting=v.setting, camera=v.camera, sfx=v.sfx)


def _prompt(p: m.PromptSet | None) -> PromptArtifact | None:
    if p is None:
        return None
    return PromptArtifact(p.id, p.inputs, p.inputs_digest, p.frame_prompt, p.video_prompt,
                          p.override_video_prompt, p.override_base_digest, p.start_frame_only)


def _frame(f: m.Frame | None) -> FrameArtifact | None:
    if f is None:
        return None
    return FrameArtifact(f.id, f.kind, f.inputs, f.inputs_digest, f.media_key, f.approved_at is not None)


def _clip(c: m.Clip | None) -> ClipArtifact | None:
    return None if c is None else ClipArtifact(c.id, c.inputs, c.inputs_digest, c.media_key)


def load_project(session: Session, project_id: int, render: RenderSpec, after_number: int | None = None,
                 limit: int | None = None) -> list[SceneSnapshot]:
    """Snapshots of a project's scenes in order (all, or `limit` after scene `after_number`), continuity chained.

    A constant number of queries however many scenes: every table is read once for all of them.
    """
    project = session.get(m.Project, project_id)
    if project is None:
        raise LookupError(f"unknown project {project_id}")
    query = select(m.Scene).where(m.Scene.project_id == project_id)
    if after_number is not None:
        query = query.where(m.Scene.number > after_number)
    scenes = list(session.scalars(query.order_by(m.Scene.number).limit(limit)))
    incoming = incoming_anchor(session, scenes[0]) if scenes and after_number is not None else None
    return _snapshots(session, project, scenes, render, incoming)


def load_scene(session: Session, scene_id: int, render: RenderSpec) -> SceneSnapshot:
    """One scene's snapshot; of the scenes before it only the frame its first shot continues from is read."""
    scene = session.get(m.Scene, scene_id)
    if scene is None:
        raise LookupError(f"unknown scene {scene_id}")
    project = session.get(m.Project, scene.project_id)
    return _snapshots(session, project, [scene], render, incoming_anchor(session, scene))[0]


def incoming_anchor(session: Session, scene: m.Scene) -> str | None:
    """The previous scene's last anchor frame: the last live shot of the nearest earlier scene that has one.

    The scene just before is read first, so the usual case costs one scene's shots whatever the
    project's length; scenes emptied of shots are skipped (a few at a time), as the whole-project chain skips them.
    """
    before, batch = None, 1
    while True:
        query = select(m.Scene.id, m.Scene.number).where(m.Scene.project_id == scene.project_id,
                                                        m.Scene.number < scene.number)
        if before is not None:
            query = query.where(m.Scene.number < before)
        earlier = session.execute(query.order_by(m.Scene.number.desc()).limit(batch)).all()
        if not earlier:
            return None
        ids = [row.id for row in earlier]
        live = [v for v in _latest(session, m.ShotVersion, ["shot_id"], m.ShotVersion.shot_id.in_(
            select(m.Shot.id).where(m.Shot.scene_id.in_(ids)))) if not v.deleted]
        if live:
            shot_scene = dict(session.execute(select(m.Shot.id, m.Shot.scene_id).where(
                m.Shot.id.in_([v.shot_id for v in live]))).all())
            rank = {row.id: row.number for row in earlier}
            nearest = max(rank[shot_scene[v.shot_id]] for v in live)
            last = max((v for v in live if rank[shot_scene[v.shot_id]] == nearest), key=lambda v: (v.position, v.shot_id))
            return _anchor_of(session, last.shot_id)
        before, batch = earlier[-1].number, _ANCHOR_SCAN


_ANCHOR_SCAN = 8  # earlier scenes looked at per query while hunting for one with shots


def _anchor_of(session: Session, shot_id: int) -> str | None:
    """ShotState.anchor_out for one shot, read from its newest prompt set and frames."""
    prompt = session.scalar(select(m.PromptSet).where(m.PromptSet.shot_id == shot_id)
                            .order_by(m.PromptSet.version.desc()).limit(1))
    frames = {f.kind: f for f in _latest(session, m.Frame, ["shot_id", "kind"], m.Frame.shot_id == shot_id)}
    # Only the artifacts decide the anchor; the shot's fields are not needed for it.
    state = ShotState(shot_id, None, _prompt(prompt), _frame(frames.get("start")), _frame(frames.get("end")))
    return state.anchor_out


def _snapshots(session: Session, project: m.Project, scenes: list[m.Scene], render: RenderSpec,
               incoming: str | None) -> list[SceneSnapshot]:
    """Snapshots of consecutive scenes; `incoming` is the frame the first of them continues from."""
    scene_ids = [s.id for s in scenes]
    shot_ids_q = select(m.Shot.id).where(m.Shot.scene_id.in_(scene_ids))
    shot_scene = dict(session.execute(select(m.Shot.id, m.Shot.scene_id).where(m.Shot.scene_id.in_(scene_ids))).all())

    versions = [v for v in _latest(session, m.ShotVersion, ["shot_id"], m.ShotVersion.shot_id.in_(shot_ids_q)) if not v.deleted]
    prompts = {p.shot_id: p for p in _latest(session, m.PromptSet, ["shot_id"], m.PromptSet.shot_id.in_(shot_ids_q))}
    frames = {(f.shot_id, f.kind): f for f in _latest(session, m.Frame, ["shot_id", "kind"], m.Frame.shot_id.in_(shot_ids_q))}
    latest_clips = {c.shot_id: c for c in _latest(session, m.Clip, ["shot_id"], m.Clip.shot_id.in_(shot_ids_q))}

    elements = list(session.scalars(select(m.VisualElement).where(m.VisualElement.scene_id.in_(scene_ids))
                                    .order_by(m.VisualElement.id)))
    states = {s.element_id: s for s in _latest(session, m.VisualStateVersion, ["element_id"],
                                                   m.VisualStateVersion.element_id.in_(
                                                       select(m.VisualElement.id).where(m.VisualElement.scene_id.in_(scene_ids))))}

    newest_take = select(m.Take.scene_id, func.max(m.Take.number).label("n")).where(
        m.Take.scene_id.in_(scene_ids)).group_by(m.Take.scene_id).subquery()
    takes = {t.scene_id: t for t in session.scalars(select(m.Take).join(
        newest_take, (newest_take.c.scene_id == m.Take.scene_id) & (newest_take.c.n == m.Take.number)))}
    take_ids = [t.id for t in takes.values()]
    slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id.in_(take_ids)))) if take_ids else []
    slot_clip_ids = [s.clip_id for s in slots if s.clip_id]
    slot_clips = {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_(slot_clip_ids)))} if slot_clip_ids else {}
    locks = defaultdict(list)
    for lock in session.scalars(select(m.StageLock).where(m.StageLock.scene_id.in_(scene_ids),
                                                          m.StageLock.stage == 7).order_by(m.StageLock.id)):
        locks[(lock.scene_id, lock.stage)].append(lock)

    by_scene: dict[int, list[m.ShotVersion]] = defaultdict(list)
    for v in versions:
        by_scene[shot_scene[v.shot_id]].append(v)
    slots_by_take: dict[int, list[m.TakeSlot]] = defaultdict(list)
    for s in slots:
        slots_by_take[s.take_id].append(s)
    elements_by_scene: dict[int, list[m.VisualElement]] = defaultdict(list)
    for e in elements:
        elements_by_scene[e.scene_id].append(e)

    snapshots: list[SceneSnapshot] = []
    for scene in scenes:
        ordered = sorted(by_scene[scene.id], key=lambda v: (v.position, v.shot_id))
        take = takes.get(scene.id)
        take_slots = {s.shot_id: s for s in slots_by_take.get(take.id, [])} if take else {}
        current_clips = {}
        for v in ordered:
            slot = take_slots.get(v.shot_id)
            clip = slot_clips.get(slot.clip_id) if slot and slot.clip_id else None
            current_clips[v.shot_id] = clip or latest_clips.get(v.shot_id)
        scene_elements = [(e, states[e.id]) for e in elements_by_scene[scene.id] if e.id in states and not states[e.id].deleted]
        shot_states = tuple(
            ShotState(v.shot_id, to_fields(v), _prompt(prompts.get(v.shot_id)), _frame(frames.get((v.shot_id, "start"))),
                      _frame(frames.get((v.shot_id, "end"))), _clip(current_clips[v.shot_id]))
            for v in ordered
        )
        state = SceneState(scene.id, shot_states, project.style,
                           tuple(VisualState(e.kind, e.name, s.description) for e, s in scene_elements),
                           incoming, render)
        assessment = assess_scene(state)
        summary = None
        if take is not None:
            summary = TakeSummary(take.id, finished=take.finished_at is not None,
                                  approved=take.approved_at is not None,
                                  planned_digests={s.shot_id: s.inputs_digest for s in take_slots.values()})
        scene_locks = locks.get((scene.id, 7), [])
        locked = bool(scene_locks) and scene_locks[-1].digest == shot_list_digest(state)
        approved = {st.shot_id: bool(st.start and st.start.approved and (st.start_frame_only or (st.end and st.end.approved)))
                    for st in shot_states}
        status = scene_status(assessment, summary, locked, approved)
        approved_frame = None
        if take is not None and take.approved_at is not None and take_slots:
            last = max(take_slots.values(), key=lambda slot: slot.position).inputs
            approved_frame = last.get("end") or last.get("start")
        snapshots.append(SceneSnapshot(scene, state, assessment, {v.shot_id: v for v in ordered},
                                       {k: prompts[k] for k in current_clips if k in prompts},
                                       {(k, kind): frames[(k, kind)] for k in current_clips for kind in ("start", "end")
                                        if (k, kind) in frames},
                                       {k: v for k, v in current_clips.items() if v is not None},
                                       take, summary, locked, status, scene_elements, approved_frame, approved))
        if shot_states:
            incoming = shot_states[-1].anchor_out
    return snapshots
