"""Stage 7 and 8 locks: a lock pins the stage's digest and, while it holds, every edit of the stage is refused.

A lock is still derived (it holds only while the stored digest matches today's), but the services
refuse edits while it holds, so a locked shot list or visual definition cannot drift by accident:
the filmmaker unlocks first, having been told what would go stale and what re-rendering would cost.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.costs import clip_credits, frame_credits
from rushes.domain.shots import VisualState, referenced_states
from rushes.domain.stages import Stage
from rushes.domain.staleness import shot_fields_digest, visual_states_digest
from rushes.services.errors import Conflict
from rushes.store import locks as store
from rushes.store import shots, visuals

LOCKABLE = (int(Stage.SHOT_LIST), int(Stage.VISUAL_DEFINITION))
STAGE_NOUNS = {int(Stage.SHOT_LIST): "shot list", int(Stage.VISUAL_DEFINITION): "visual definition"}


def _current_digest(session: Session, scene_id: int, stage: int) -> str:
    """The stage's digest from the stored rows, without a whole scene snapshot."""
    from rushes.services.snapshot import to_fields

    if stage == Stage.SHOT_LIST:
        return shot_fields_digest([to_fields(v) for v in shots.live_versions(session, scene_id)])
    return visual_states_digest([VisualState(e.kind, e.name, s.description)
                                 for e, s in visuals.live_elements(session, scene_id)])


def lock_holds(session: Session, scene_id: int, stage: int) -> bool:
    pinned = store.pinned_digest(session, scene_id, stage)
    # The stage is read only when a lock is set: most scenes were never locked.
    return store.is_set(pinned) and store.holds(pinned, _current_digest(session, scene_id, stage))


def require_unlocked(session: Session, scene_id: int, stage: int) -> None:
    """Refuse an edit of a locked stage with 409; every stage-7/8 write path calls this first."""
    if lock_holds(session, scene_id, stage):
        raise Conflict(f"stage {stage} is locked; unlock it first", {"stage": stage, "locked": True})


def _shot_cost(rushes, shot) -> dict:
    frames = 1 if shot.start_frame_only else 2
    clip = clip_credits(shot.fields.duration, rushes.render_spec, rushes.prices)
    return {"shot_id": shot.shot_id, "code": shot.fields.code, "clip_credits": clip,
            "frame_credits": frame_credits(frames, rushes.prices), "credits": clip + frame_credits(frames, rushes.prices)}


def unlock_impact(rushes, session: Session, snap, stage: int) -> dict:
    """What unlocking a stage exposes: what an edit there makes stale, and what re-rendering would cost."""
    scene_id = snap.scene.id
    costs = {s.shot_id: _shot_cost(rushes, s) for s in snap.state.shots}
    body = {"stage": stage, "locked": lock_holds(session, scene_id, stage), "noun": STAGE_NOUNS[stage]}
    if stage == Stage.SHOT_LIST:
        shots = list(costs.values())
        body.update(
            stale="A shot you change makes its prompt, its frames and its clip stale "
                  "(and the next shot's start frame when its last frame changes).",
            shots=shots, total_credits=sum(s["credits"] for s in shots))
        return body
    elements = []
    for element, state in snap.elements:
        probe = VisualState(element.kind, element.name, state.description)
        users = [costs[s.shot_id] for s in snap.state.shots if referenced_states(s.fields, [probe])]
        elements.append({"kind": element.kind, "name": element.name, "shots": [u["code"] for u in users],
                         "credits": sum(u["credits"] for u in users)})
    body.update(stale="Changing an element's look makes the prompts, frames and clips of the shots that use it stale.",
                elements=elements, shots=list(costs.values()), total_credits=sum(c["credits"] for c in costs.values()))
    return body
