"""Create projects from an import file (or the demo), in one transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services.editing import add_shot, set_visual_state, write_prompt_set
from rushes.services.frames import approve_frames, generate_frames, store_frame
from rushes.services.importer import ProjectIn
from rushes.services.snapshot import load_scene
from rushes.store import models as m


def create_project(app, session: Session, spec: ProjectIn, frames: dict, account_id: int,
                   generate_missing: bool = False, approve: bool = False) -> m.Project:
    """Write scenes, shots, visual states and prompt sets; then frames shot by shot, in continuity order."""
    project = m.Project(account_id=account_id, name=spec.name, style=spec.style, logline=spec.logline)
    session.add(project)
    session.flush()
    scene_rows = []
    for number, scene_in in enumerate(spec.scenes, start=1):
        scene = m.Scene(project_id=project.id, number=number, title=scene_in.title, synopsis=scene_in.synopsis)
        session.add(scene)
        session.flush()
        for state in scene_in.visual_states:
            set_visual_state(session, scene.id, state.kind, state.name, state.description)
        shot_ids = [add_shot(session, scene.id, shot.model_dump(exclude={"start_frame_only", "start_frame", "end_frame"}),
                             position=i, note="imported").shot_id for i, shot in enumerate(scene_in.shots)]
        snap = load_scene(session, scene.id, app.render_spec)
        for shot_id, shot_in in zip(shot_ids, scene_in.shots):
            write_prompt_set(session, snap.assessment.shot(shot_id), start_frame_only=shot_in.start_frame_only)
        scene_rows.append((scene, shot_ids))

    # Frames last: a start frame's inputs name the frame before it, across scenes too.
    for si, (scene, shot_ids) in enumerate(scene_rows):
        for hi, shot_id in enumerate(shot_ids):
            snap = load_scene(session, scene.id, app.render_spec)
            for kind in ("start", "end"):
                data = frames.get((si, hi, kind))
                if data is not None:
                    store_frame(app, session, snap.assessment, shot_id, kind, data, "imported")
                    snap = load_scene(session, scene.id, app.render_spec)
            missing = [k for k in ("start", "end") if (si, hi, k) not in frames]
            if generate_missing and missing:
                generate_frames(app, session, snap, shot_id, kinds=tuple(missing))
            if approve:
                approve_frames(session, shot_id)
    return project
