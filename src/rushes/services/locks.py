"""Stage 7 and 8 locks: a lock pins the stage's digest and, while it holds, every edit of the stage is refused.

A lock is still derived (it holds only while the stored digest matches today's), but the services
refuse edits while it holds, so a locked shot list or visual definition cannot drift by accident:
the filmmaker unlocks first, having been told what would go stale and what re-rendering would cost.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.costs import clip_credits, frame_credits
from rushes.domain.shots import VisualState, referenced_states
from rushes.domain.stages import Stage
from rushes.domain.staleness import shot_fields_digest, visual_states_digest
from rushes.services.errors import Conflict
from rushes.store import models as m

UNLOCKED = "unlocked"  # a StageLock row with this digest releases the lock; rows are never deleted
LOCKABLE = (int(Stage.SHOT_LIST), int(Stage.VISUAL_DEFINITION))
STAGE_NOUNS = {7: "shot list", 8: "visual definition"}


def _latest_lock(session: Session, scene_id: int, stage: int) -> m.StageLock | None:
    return session.scalar(select(m.StageLock).where(m.StageLock.scene_id == scene_id, m.StageLock.stage == stage)
                          .order_by(m.StageLock.id.desc()).limit(1))


def _current_digest(session: Session, scene_id: int, stage: int) -> str:
    from rushes.services.editing import live_shot_versions
    from rushes.services.snapshot import to_fields

    if stage == Stage.SHOT_LIST:
        return shot_fields_digest([to_fields(v) for v in live_shot_versions(session, scene_id)])
    return visual_states_digest([VisualState(e.kind, e.name, s.description) for e, s in live_elements(session, scene_id)])


def live_elements(session: Session, scene_id: int) -> list[tuple[m.VisualElement, m.VisualStateVersion]]:
    """The scene's elements with their newest, not deleted, look (one query)."""
    newest = (select(m.VisualStateVersion.element_id, func.max(m.VisualStateVersion.version).label("v"))
              .join(m.VisualElement, m.VisualElement.id == m.VisualStateVersion.element_id)
              .where(m.VisualElement.scene_id == scene_id).group_by(m.VisualStateVersion.element_id).subquery())
    rows = session.execute(select(m.VisualElement, m.VisualStateVersion)
                           .join(m.VisualStateVersion, m.VisualStateVersion.element_id == m.VisualElement.id)
                           .join(newest, (newest.c.element_id == m.VisualStateVersion.element_id)
                                 & (newest.c.v == m.VisualStateVersion.version)))
    return [(e, s) for e, s in rows if not s.deleted]


def lock_holds(session: Session, scene_id: int, stage: int) -> bool:
    lock = _latest_lock(session, scene_id, stage)
    return lock is not None and lock.digest != UNLOCKED and lock.digest == _current_digest(session, scene_id, stage)


def require_unlocked(session: Session, scene_id: int, stage: int) -> None:
    """Refuse an edit of a locked stage with 409; every stage-7/8 write path calls this first."""
    if lock_holds(session, scene_id, stage):
        raise Conflict(f"stage {stage} is locked; unlock it first", {"stage": stage, "locked": True})


def _shot_cost(app, shot) -> dict:
    frames = 1 if shot.start_frame_only else 2
    clip = clip_credits(shot.fields.duration, app.render_spec, app.prices)
    return {"shot_id": shot.shot_id, "code": shot.fields.code, "clip_credits": clip,
            "frame_credits": frame_credits(frames, app.prices), "credits": clip + frame_credits(frames, app.prices)}


def unlock_impact(app, session: Session, snap, stage: int) -> dict:
    """What unlocking a stage exposes: what an edit there makes stale, and what re-rendering would cost."""
    scene_id = snap.scene.id
    costs = {s.shot_id: _shot_cost(app, s) for s in snap.state.shots}
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
