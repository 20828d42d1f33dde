"""Stage 8 Visual Definition: the starting look of each character, location and prop, versioned."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.shots import ShotFieldError
from rushes.domain.stages import Stage
from rushes.services.editing import set_visual_state
from rushes.services.errors import NotFound
from rushes.services.locks import require_unlocked
from rushes.store import models as m
from rushes.store import shots, visuals

ELEMENT_KINDS = ("character", "location", "prop")
MAX_DESCRIPTION = 2000


def save_visual_state(session: Session, scene_id: int, kind: str, name: str, description: str) -> m.VisualStateVersion:
    """Create an element or give it a new look; an unchanged description writes nothing."""
    if shots.scene_row(session, scene_id) is None:
        raise NotFound(f"unknown scene {scene_id}")
    require_unlocked(session, scene_id, Stage.VISUAL_DEFINITION)
    description = (description or "").strip()
    if not description:
        raise ShotFieldError("description", "describe how it looks at the start of the scene")
    if len(description) > MAX_DESCRIPTION:
        raise ShotFieldError("description", f"is longer than {MAX_DESCRIPTION} characters")
    if len((name or "").strip()) > 120:
        raise ShotFieldError("name", "is longer than 120 characters")
    element = visuals.element_named(session, scene_id, kind, (name or "").strip())
    if element is not None:
        current = visuals.latest_state(session, element.id)
        if current is not None and not current.deleted and current.description == description:
            return current
    return set_visual_state(session, scene_id, kind, name, description)


def update_element(session: Session, element_id: int, description: str) -> m.VisualStateVersion:
    element = visuals.element(session, element_id)
    if element is None:
        raise NotFound(f"unknown visual element {element_id}")
    return save_visual_state(session, element.scene_id, element.kind, element.name, description)


def delete_element(session: Session, element_id: int) -> m.VisualStateVersion:
    """A deleted version: the element leaves the definition, its history stays."""
    element = visuals.element(session, element_id)
    current = visuals.latest_state(session, element_id) if element is not None else None
    if current is None or current.deleted:
        raise NotFound(f"unknown visual element {element_id}")
    require_unlocked(session, element.scene_id, Stage.VISUAL_DEFINITION)
    return visuals.add_state(session, element_id, current.version + 1, current.description, deleted=True)


def state_view(element: m.VisualElement, state: m.VisualStateVersion) -> dict:
    return {"id": element.id, "kind": element.kind, "name": element.name, "description": state.description,
            "version": state.version, "deleted": state.deleted,
            "updated_at": state.created_at.isoformat() if state.created_at else None}


def element_history(session: Session, element_id: int) -> list[dict]:
    element = visuals.element(session, element_id)
    if element is None:
        raise NotFound(f"unknown visual element {element_id}")
    return [state_view(element, row) for row in visuals.states(session, element_id)]


def element_view(session: Session, state: m.VisualStateVersion) -> dict:
    """A look as the API answers an edit with it, named by its element."""
    return state_view(visuals.element(session, state.element_id), state)


def shots_using(snap, kind: str, name: str) -> list[str]:
    """Codes of the shots whose prompts draw on this element."""
    from rushes.domain.shots import VisualState, referenced_states

    probe = VisualState(kind, name, "")
    return [s.fields.code for s in snap.state.shots if any(
        r.kind == kind and r.name == name for r in referenced_states(s.fields, [probe]))]
