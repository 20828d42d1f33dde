"""What the attribution agent is told about a pinned shot: its fields, prompt, neighbours, scene elements."""

from __future__ import annotations

from rushes.domain.shots import referenced_states
from rushes.providers.attribution.base import AttributionRequest, ElementLook, ShotContext
from rushes.services.errors import NotFound
from rushes.services.snapshot import SceneSnapshot, load_scene
from rushes.store import shots


def _context(snap: SceneSnapshot, index: int) -> ShotContext:
    state = snap.state.shots[index]
    f = state.fields
    looks = tuple(ElementLook(s.kind, s.name, s.description) for s in referenced_states(f, snap.state.visual_states))
    return ShotContext(code=f.code, action=f.action, dialogue=f.dialogue, characters=f.characters, setting=f.setting,
                       camera=f.camera, duration=f.duration, video_prompt=snap.assessment.shots[index].video_prompt,
                       visual_states=looks)


def shot_contexts(session, rushes, shot_id: int) -> tuple[ShotContext, tuple[ShotContext, ...], tuple[str, ...]]:
    shot = shots.shot(session, int(shot_id))
    if shot is None:
        raise NotFound(f"unknown shot {shot_id}")
    snap = load_scene(session, shot.scene_id, rushes.render_spec)
    if shot.id not in snap.shot_ids:
        raise NotFound(f"shot {shot_id} was deleted")
    index = snap.shot_ids.index(shot.id)
    neighbours = tuple(_context(snap, i) for i in (index - 1, index + 1) if 0 <= i < len(snap.shot_ids))
    elements = tuple(e.name for e, _ in snap.elements)
    return _context(snap, index), neighbours, elements


def attribution_request(session, rushes, shot_id: int, description: str, category: str | None,
                        shot_time: float | None = None) -> AttributionRequest:
    shot, neighbours, elements = shot_contexts(session, rushes, shot_id)
    return AttributionRequest(description=description, category=category, shot=shot, neighbours=neighbours,
                              scene_elements=elements, shot_time=shot_time)
