"""Load the current artifacts of a project's scenes into domain snapshots, a few queries per table."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from rushes.domain.artifacts import ClipArtifact, FrameArtifact, PromptArtifact, RenderSpec, SceneState, ShotState
from rushes.domain.render_choice import carried_spec
from rushes.domain.shots import ShotFields, VisualState
from rushes.domain.staleness import SceneAssessment, assess_scene, shot_list_digest
from rushes.domain.status import SceneStatus, TakeSummary, scene_status
from rushes.store import locks
from rushes.store import models as m
from rushes.store import scene_artifacts as store


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
    project = store.project(session, project_id)
    if project is None:
        raise LookupError(f"unknown project {project_id}")
    scenes = store.project_scenes(session, project_id, after_number, limit)
    incoming = incoming_anchor(session, scenes[0]) if scenes and after_number is not None else None
    return _snapshots(session, project, scenes, render, incoming)


def load_scene(session: Session, scene_id: int, render: RenderSpec) -> SceneSnapshot:
    """One scene's snapshot; of the scenes before it only the frame its first shot continues from is read."""
    scene = store.scene(session, scene_id)
    if scene is None:
        raise LookupError(f"unknown scene {scene_id}")
    project = store.project(session, scene.project_id)
    return _snapshots(session, project, [scene], render, incoming_anchor(session, scene))[0]


def load_run(session: Session, project: m.Project, scenes: list[m.Scene], render: RenderSpec,
             incoming: str | None) -> list[SceneSnapshot]:
    """Snapshots of consecutive scenes whose first continues from `incoming` (the Hub's summaries
    recompute only the scenes whose artifacts changed, a run at a time)."""
    return _snapshots(session, project, scenes, render, incoming)


def incoming_anchor(session: Session, scene: m.Scene) -> str | None:
    """The previous scene's last anchor frame: the last live shot of the nearest earlier scene that has one.

    The scene just before is read first, so the usual case costs one scene's shots whatever the
    project's length; scenes emptied of shots are skipped (a few at a time), as the whole-project chain skips them.
    """
    before, batch = None, 1
    while True:
        earlier = store.scenes_before(session, scene.project_id, scene.number, before, batch)
        if not earlier:
            return None
        live = store.live_shot_versions_of(session, [row.id for row in earlier])
        if live:
            shot_scene = store.scenes_of_shots(session, [v.shot_id for v in live])
            rank = {row.id: row.number for row in earlier}
            nearest = max(rank[shot_scene[v.shot_id]] for v in live)
            last = max((v for v in live if rank[shot_scene[v.shot_id]] == nearest), key=lambda v: (v.position, v.shot_id))
            return _anchor_of(session, last.shot_id)
        before, batch = earlier[-1].number, _ANCHOR_SCAN


_ANCHOR_SCAN = 8  # earlier scenes looked at per query while hunting for one with shots


def _anchor_of(session: Session, shot_id: int) -> str | None:
    """ShotState.anchor_out for one shot, read from its newest prompt set and frames."""
    prompt, frames = store.newest_prompt_and_frames(session, shot_id)
    # Only the artifacts decide the anchor; the shot's fields are not needed for it.
    state = ShotState(shot_id, None, _prompt(prompt), _frame(frames.get("start")), _frame(frames.get("end")))
    return state.anchor_out


def _snapshots(session: Session, project: m.Project, scenes: list[m.Scene], render: RenderSpec,
               incoming: str | None) -> list[SceneSnapshot]:
    """Snapshots of consecutive scenes; `incoming` is the frame the first of them continues from."""
    found = store.scene_artifacts(session, [s.id for s in scenes])
    prompts, frames, latest_clips, takes = found.prompts, found.frames, found.latest_clips, found.takes
    slots_by_take, slot_clips, states = found.slots_by_take, found.slot_clips, found.states

    snapshots: list[SceneSnapshot] = []
    for scene in scenes:
        ordered = sorted(found.versions_by_scene.get(scene.id, []), key=lambda v: (v.position, v.shot_id))
        take = takes.get(scene.id)
        take_slots = {s.shot_id: s for s in slots_by_take.get(take.id, [])} if take else {}
        current_clips = {}
        for v in ordered:
            slot = take_slots.get(v.shot_id)
            clip = slot_clips.get(slot.clip_id) if slot and slot.clip_id else None
            current_clips[v.shot_id] = clip or latest_clips.get(v.shot_id)
        scene_elements = [(e, states[e.id]) for e in found.elements_by_scene.get(scene.id, []) if e.id in states and not states[e.id].deleted]
        shot_states = tuple(
            ShotState(v.shot_id, to_fields(v), _prompt(prompts.get(v.shot_id)), _frame(frames.get((v.shot_id, "start"))),
                      _frame(frames.get((v.shot_id, "end"))), _clip(current_clips[v.shot_id]))
            for v in ordered
        )
        # A scene renders at what its newest take was confirmed with (Stage 11's choice), not only the server default.
        state = SceneState(scene.id, shot_states, project.style,
                           tuple(VisualState(e.kind, e.name, s.description) for e, s in scene_elements),
                           incoming, carried_spec(take.render if take is not None else None, render))
        assessment = assess_scene(state)
        summary = None
        if take is not None:
            summary = TakeSummary(take.id, finished=take.finished_at is not None,
                                  approved=take.approved_at is not None,
                                  planned_digests={s.shot_id: s.inputs_digest for s in take_slots.values()})
        locked = locks.holds(found.shot_list_pins.get(scene.id), shot_list_digest(state))
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
