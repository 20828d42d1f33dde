"""Append-only edits: every change to a shot, visual state, prompt set or frame adds a version."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.shots import ShotFieldError, ShotFields, build_fields, check_unique_codes
from rushes.domain.staleness import ShotAssessment
from rushes.services.errors import NotFound
from rushes.services.locks import require_unlocked
from rushes.store import models as m


def _next_version(session: Session, model, **keys) -> int:
    query = select(func.max(model.version))
    for name, value in keys.items():
        query = query.where(getattr(model, name) == value)
    return (session.scalar(query) or 0) + 1


def latest_shot_version(session: Session, shot_id: int) -> m.ShotVersion:
    version = session.scalar(select(m.ShotVersion).where(m.ShotVersion.shot_id == shot_id)
                             .order_by(m.ShotVersion.version.desc()).limit(1))
    if version is None or version.deleted:
        raise NotFound(f"unknown shot {shot_id}")
    return version


def live_shot_versions(session: Session, scene_id: int) -> list[m.ShotVersion]:
    newest = (select(m.ShotVersion.shot_id, func.max(m.ShotVersion.version).label("v"))
              .join(m.Shot, m.Shot.id == m.ShotVersion.shot_id).where(m.Shot.scene_id == scene_id)
              .group_by(m.ShotVersion.shot_id).subquery())
    rows = session.scalars(select(m.ShotVersion).join(
        newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version)))
    return sorted((v for v in rows if not v.deleted), key=lambda v: (v.position, v.shot_id))


def _write_version(session: Session, shot_id: int, fields: ShotFields, position: int, note: str) -> m.ShotVersion:
    version = m.ShotVersion(shot_id=shot_id, version=_next_version(session, m.ShotVersion, shot_id=shot_id),
                            position=position, note=note, **fields.as_dict())
    session.add(version)
    session.flush()
    return version


def add_shot(session: Session, scene_id: int, values: dict, position: int | None = None, note: str = "created") -> m.ShotVersion:
    require_unlocked(session, scene_id, 7)
    fields = build_fields(values)
    siblings = live_shot_versions(session, scene_id)
    check_unique_codes([v.code for v in siblings] + [fields.code])
    shot = m.Shot(scene_id=scene_id)
    session.add(shot)
    session.flush()
    if position is None:
        position = (max((v.position for v in siblings), default=-1)) + 1
    return _write_version(session, shot.id, fields, position, note)


def update_shot(session: Session, shot_id: int, changes: dict, note: str = "edited") -> m.ShotVersion:
    """A new version with `changes` applied; refuses invalid values naming the field."""
    current = latest_shot_version(session, shot_id)
    scene_id = session.get(m.Shot, shot_id).scene_id
    require_unlocked(session, scene_id, 7)
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
    require_unlocked(session, scene_id, 8)
    name = name.strip()
    if not name:
        raise ShotFieldError("name", "a visual element needs a name")
    element = session.scalar(select(m.VisualElement).where(
        m.VisualElement.scene_id == scene_id, m.VisualElement.kind == kind, func.lower(m.VisualElement.name) == name.lower()))
    if element is None:
        element = m.VisualElement(scene_id=scene_id, kind=kind, name=name)
        session.add(element)
        session.flush()
    state = m.VisualStateVersion(element_id=element.id, description=description.strip(),
                                 version=_next_version(session, m.VisualStateVersion, element_id=element.id))
    session.add(state)
    session.flush()
    return state


def latest_prompt_set(session: Session, shot_id: int) -> m.PromptSet | None:
    return session.scalar(select(m.PromptSet).where(m.PromptSet.shot_id == shot_id)
                          .order_by(m.PromptSet.version.desc()).limit(1))


def write_prompt_set(session: Session, check: ShotAssessment, *, override: str | None = None,
                     clear_override: bool = False, start_frame_only: bool | None = None) -> m.PromptSet:
    """A new prompt set assembled from today's inputs; an earlier override is kept unless replaced or cleared."""
    previous = latest_prompt_set(session, check.shot_id)
    base = check.prompt.expected_digest
    if override is None and not clear_override and previous is not None and previous.override_video_prompt:
        override, base = previous.override_video_prompt, previous.override_base_digest
    if start_frame_only is None:
        start_frame_only = bool(previous and previous.start_frame_only)
    prompt = m.PromptSet(
        shot_id=check.shot_id,
        version=_next_version(session, m.PromptSet, shot_id=check.shot_id),
        frame_prompt=check.frame_prompt,
        video_prompt=check.assembled_video_prompt,
        override_video_prompt=override or None,
        override_base_digest=base if override else None,
        start_frame_only=start_frame_only,
        inputs=check.prompt.expected_inputs,
        inputs_digest=check.prompt.expected_digest,
    )
    session.add(prompt)
    session.flush()
    return prompt
