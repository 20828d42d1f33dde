"""Append-only edits: every change to a shot, visual state, prompt set or frame adds a version."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.shots import ShotFieldError, ShotFields, build_fields, check_unique_codes
from rushes.domain.stages import Stage
from rushes.domain.staleness import ShotAssessment
from rushes.services.errors import NotFound
from rushes.services.locks import require_unlocked
from rushes.store import models as m
from rushes.store import prompts, shots, visuals


def latest_shot_version(session: Session, shot_id: int) -> m.ShotVersion:
    version = shots.latest_version(session, shot_id)
    if version is None or version.deleted:
        raise NotFound(f"unknown shot {shot_id}")
    return version


def live_shot_versions(session: Session, scene_id: int) -> list[m.ShotVersion]:
    return shots.live_versions(session, scene_id)


def _write_version(session: Session, shot_id: int, fields: ShotFields, position: int, note: str) -> m.ShotVersion:
    return shots.add_version(session, shot_id, shots.next_version(session, shot_id), position, note, fields.as_dict())


def add_shot(session: Session, scene_id: int, values: dict, position: int | None = None, note: str = "created") -> m.ShotVersion:
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    fields = build_fields(values)
    siblings = live_shot_versions(session, scene_id)
    check_unique_codes([v.code for v in siblings] + [fields.code])
    shot = shots.add_shot(session, scene_id)
    if position is None:
        position = (max((v.position for v in siblings), default=-1)) + 1
    return _write_version(session, shot.id, fields, position, note)


def update_shot(session: Session, shot_id: int, changes: dict, note: str = "edited") -> m.ShotVersion:
    """A new version with `changes` applied; refuses invalid values naming the field."""
    current = latest_shot_version(session, shot_id)
    scene_id = shots.shot(session, shot_id).scene_id
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    unknown = set(changes) - {"code", "duration", "action", "dialogue", "characters", "setting", "camera", "sfx"}
    if unknown:
        raise ShotFieldError(sorted(unknown)[0], "is not a shot-list field")
    values = {**_fields_of(current).as_dict(), **changes}
    fields = build_fields(values)
    check_unique_codes([v.code for v in live_shot_versions(session, scene_id) if v.shot_id != shot_id] + [fields.code])
    if fields == _fields_of(current):
        return current
    return _write_version(session, shot_id, fields, current.position, note)


def _fields_of(v: m.ShotVersion) -> ShotFields:
    from rushes.services.snapshot import to_fields

    return to_fields(v)


def set_visual_state(session: Session, scene_id: int, kind: str, name: str, description: str) -> m.VisualStateVersion:
    if kind not in ("character", "location", "prop"):
        raise ShotFieldError("kind", "must be character, location or prop")
    require_unlocked(session, scene_id, Stage.VISUAL_DEFINITION)
    name = name.strip()
    if not name:
        raise ShotFieldError("name", "a visual element needs a name")
    element = visuals.element_named(session, scene_id, kind, name)
    if element is None:
        element = visuals.add_element(session, scene_id, kind, name)
    return visuals.add_state(session, element.id, visuals.next_state_version(session, element.id), description.strip())


def latest_prompt_set(session: Session, shot_id: int) -> m.PromptSet | None:
    return prompts.latest(session, shot_id)


def write_prompt_set(session: Session, check: ShotAssessment, *, override: str | None = None,
                     clear_override: bool = False, start_frame_only: bool | None = None) -> m.PromptSet:
    """A new prompt set assembled from today's inputs; an earlier override is kept unless replaced or cleared."""
    previous = latest_prompt_set(session, check.shot_id)
    base: str | None = check.prompt.expected_digest
    if override is None and not clear_override and previous is not None and previous.override_video_prompt:
        override, base = previous.override_video_prompt, previous.override_base_digest
    if start_frame_only is None:
        start_frame_only = bool(previous and previous.start_frame_only)
    return prompts.add(
        session,
        shot_id=check.shot_id,
        version=prompts.next_version(session, check.shot_id),
        frame_prompt=check.frame_prompt,
        video_prompt=check.assembled_video_prompt,
        override_video_prompt=override or None,
        override_base_digest=base if override else None,
        start_frame_only=start_frame_only,
        inputs=check.prompt.expected_inputs,
        inputs_digest=check.prompt.expected_digest,
    )
