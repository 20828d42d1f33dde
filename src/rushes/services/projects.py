"""Create projects from an import file (or the demo), in one transaction.

A feature is 1,000 shots, so rows are built in memory and written in a handful of batched INSERTs;
digests come from the pure staleness core working on each scene once, never on the whole project.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy.orm import Session

from rushes.domain.artifacts import PromptArtifact, SceneState, ShotState
from rushes.domain.shots import VisualState, build_fields
from rushes.domain.staleness import assess_shot
from rushes.services.frames import frame_request, frame_values
from rushes.services.importer import ProjectIn, SceneIn
from rushes.store import models as m
from rushes.store import projects as project_store


def create_project(rushes, session: Session, spec: ProjectIn, frames: dict, account_id: int,
                   generate_missing: bool = False, approve: bool = False) -> m.Project:
    """Write scenes, shots, visual states, prompt sets and anchor frames of a validated project.

    `frames` maps (scene index, shot index, "start"|"end") to a checked FrameFile (importer.load_frames). Frames are made in
    continuity order, because a start frame's inputs name the frame before it, across scenes too.
    Each table gets one multi-row INSERT; the caller's transaction makes it all or nothing.
    """
    project = m.Project(account_id=account_id, name=spec.name, style=spec.style, logline=spec.logline)
    session.add(project)
    session.flush()
    by_number = _insert_ids(session, m.Scene, [
        dict(project_id=project.id, number=n, title=s.title, synopsis=s.synopsis) for n, s in enumerate(spec.scenes, start=1)],
        lambda row: row.number)
    scene_ids = [by_number[n] for n in range(1, len(spec.scenes) + 1)]
    shot_ids = _shot_ids(session, scene_ids, [len(s.shots) for s in spec.scenes])
    visual_states = _visual_rows(session, scene_ids, spec.scenes)

    approved_at = datetime.now(timezone.utc) if approve else None
    versions, prompt_sets, frame_rows = [], [], []
    anchor: tuple[str, bytes] | None = None  # media key and bytes of the frame the next shot continues from
    for si, (scene_id, scene_in) in enumerate(zip(scene_ids, spec.scenes)):
        state = _planned_scene(rushes, project.style, scene_id, shot_ids[si], scene_in)
        for hi, shot_state in enumerate(state.shots):
            # One assessment per shot: expected prompt inputs come from fields and visual states alone,
            # and frame inputs from the assembled frame prompt and the anchor before, so neither needs
            # the prompt set written first (only its start-frame-only flag, which the plan carries).
            check = assess_shot(state, hi, anchor[0] if anchor else None, "previous frame")
            versions.append(dict(shot_id=check.shot_id, version=1, position=hi, note="imported",
                                 **shot_state.fields.as_dict()))
            prompt_sets.append(dict(shot_id=check.shot_id, version=1, frame_prompt=check.frame_prompt,
                                    video_prompt=check.assembled_video_prompt, override_video_prompt=None,
                                    override_base_digest=None, start_frame_only=check.start_frame_only,
                                    inputs=check.prompt.expected_inputs, inputs_digest=check.prompt.expected_digest))
            made: dict[str, tuple] = {}
            for kind, expected in (("start", check.start), ("end", check.end)):
                if expected is None:
                    continue  # start-frame-only: no end frame
                given = frames.get((si, hi, kind))
                data, image, source = (given.data, given.image, "imported") if given else (None, None, "generated")
                if data is None and generate_missing:
                    reference = anchor[1] if kind == "start" and anchor else made.get("start", (None, None))[1]
                    data = rushes.images.generate(frame_request(check, kind, reference)).data
                if data is None:
                    continue
                row = frame_values(rushes, shot_state.shot_id, kind, data, source, expected.expected_inputs,
                                   expected.expected_digest, version=1, sync=False, image=image)
                frame_rows.append({**row, "approved_at": approved_at})
                made[kind] = (row["media_key"], data)
            # As ShotState.anchor_out: the end frame, else the start frame (start-frame-only, or no end given).
            anchor = made.get("end") if not check.start_frame_only and "end" in made else made.get("start")

    for model, rows in ((m.VisualStateVersion, visual_states), (m.ShotVersion, versions),
                        (m.PromptSet, prompt_sets), (m.Frame, frame_rows)):
        project_store.insert_rows(session, model, rows)
    rushes.media.sync()  # the frames' bytes are on disk before the rows naming them can commit
    return project


def _insert_ids(session: Session, model, rows: list[dict], key) -> dict:
    """One multi-row INSERT; key(returned row) -> new id. SQLite does not promise RETURNING order, so rows are matched by key."""
    if not rows:
        return {}
    returned = project_store.insert_returning(session, model, rows, *(getattr(model, c) for c in rows[0]))
    return {key(row): row.id for row in returned}


def _shot_ids(session: Session, scene_ids: list[int], counts: list[int]) -> list[list[int]]:
    """New shot identities per scene, in id order (a shot row has no field that tells them apart)."""
    rows = [dict(scene_id=scene_id) for scene_id, n in zip(scene_ids, counts) for _ in range(n)]
    by_scene: dict[int, list[int]] = {scene_id: [] for scene_id in scene_ids}
    for row in project_store.insert_returning(session, m.Shot, rows, m.Shot.scene_id):
        by_scene[row.scene_id].append(row.id)
    return [sorted(by_scene[scene_id]) for scene_id in scene_ids]


def _visual_rows(session: Session, scene_ids: list[int], scenes: list[SceneIn]) -> list[dict]:
    """Elements, one per kind and name in a scene (matched case-insensitively); a repeated name adds a version."""
    elements: dict[tuple[int, str, str], dict] = {}
    states = []
    for scene_id, scene_in in zip(scene_ids, scenes):
        versions: dict[tuple[int, str, str], int] = {}
        for vs in scene_in.visual_states:
            name = vs.name.strip()
            key = (scene_id, vs.kind, name.lower())
            elements.setdefault(key, dict(scene_id=scene_id, kind=vs.kind, name=name))
            versions[key] = versions.get(key, 0) + 1
            states.append((key, dict(version=versions[key], description=vs.description.strip())))
    ids = _insert_ids(session, m.VisualElement, list(elements.values()),
                      lambda row: (row.scene_id, row.kind, row.name.lower()))
    return [{**state, "element_id": ids[key]} for key, state in states]


def _planned_scene(rushes, style: str, scene_id: int, shot_ids: list[int], scene_in: SceneIn) -> SceneState:
    """The scene as the staleness core will see it once written, before any prompt or frame exists."""
    latest: dict[tuple[str, str], VisualState] = {}
    order: list[tuple[str, str]] = []
    for vs in scene_in.visual_states:
        key = (vs.kind, vs.name.strip().lower())
        if key not in latest:
            order.append(key)
            name = vs.name.strip()
        else:
            name = latest[key].name  # the element keeps the name it was created with
        latest[key] = VisualState(vs.kind, name, vs.description.strip())
    shot_states = tuple(ShotState(shot_id, build_fields(s.model_dump(exclude={"start_frame_only", "start_frame", "end_frame"})),
                                  _planned_prompt(s.start_frame_only))
                        for shot_id, s in zip(shot_ids, scene_in.shots))
    return SceneState(scene_id, shot_states, style, tuple(latest[k] for k in order), None, rushes.render_spec)


def _planned_prompt(start_frame_only: bool) -> PromptArtifact:
    """Stands for the prompt set about to be written: the core reads only its start-frame-only flag here."""
    return PromptArtifact(0, {}, "", "", "", None, None, start_frame_only)
