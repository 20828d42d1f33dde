"""Stage 9 Prompts: reassemble stale prompt sets, keep manual video-prompt overrides, start-frame-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.shots import ShotFieldError
from rushes.services.editing import latest_prompt_set, write_prompt_set
from rushes.services.errors import NotFound
from rushes.services.snapshot import SceneSnapshot, load_scene
from rushes.store import models as m
from rushes.store import shots

MAX_PROMPT = 4000


def _snapshot_for_shot(rushes, session: Session, shot_id: int) -> SceneSnapshot:
    shot = shots.shot(session, shot_id)
    if shot is None:
        raise NotFound(f"unknown shot {shot_id}")
    snap = load_scene(session, shot.scene_id, rushes.render_spec)
    if shot_id not in snap.shot_ids:
        raise NotFound(f"shot {shot_id} was deleted")
    return snap


def reassemble(rushes, session: Session, shot_id: int) -> m.PromptSet:
    """A new prompt set from today's shot fields and visual states; an override is kept (and flagged)."""
    snap = _snapshot_for_shot(rushes, session, shot_id)
    return write_prompt_set(session, snap.assessment.shot(shot_id))


def reassemble_scene(rushes, session: Session, scene_id: int, only_stale: bool = True) -> list[m.PromptSet]:
    """Reassemble every shot whose prompt set is missing or stale (or every shot)."""
    snap = load_scene(session, scene_id, rushes.render_spec)
    return [write_prompt_set(session, check) for check in snap.assessment.shots
            if not only_stale or not check.prompt.fresh]


def edit_prompt(rushes, session: Session, shot_id: int, *, video_prompt: str | None = None,
                clear_override: bool = False, start_frame_only: bool | None = None) -> m.PromptSet:
    """Set or clear the video prompt override, or toggle start-frame-only; always a new prompt set.

    An override equal to the assembled prompt is no override at all, so it is cleared instead of kept.
    """
    snap = _snapshot_for_shot(rushes, session, shot_id)
    check = snap.assessment.shot(shot_id)
    override = None
    if video_prompt is not None and not clear_override:
        text = video_prompt.strip().replace("\r\n", "\n")
        if not text:
            raise ShotFieldError("video_prompt", "the video prompt cannot be empty (clear the override instead)")
        if len(text) > MAX_PROMPT:
            raise ShotFieldError("video_prompt", f"is longer than {MAX_PROMPT} characters")
        if text == check.assembled_video_prompt.strip():
            clear_override = True
        else:
            override = text
    if override is None and not clear_override and start_frame_only is None:
        raise ShotFieldError("video_prompt", "nothing to change: give video_prompt, clear_override or start_frame_only")
    return write_prompt_set(session, check, override=override, clear_override=clear_override,
                            start_frame_only=start_frame_only)


def prompt_view(p: m.PromptSet) -> dict:
    return {
        "id": p.id, "shot_id": p.shot_id, "version": p.version,
        "frame_prompt": p.frame_prompt, "video_prompt": p.video_prompt,
        "override_video_prompt": p.override_video_prompt, "start_frame_only": p.start_frame_only,
        "inputs_digest": p.inputs_digest, "created_at": p.created_at.isoformat() if p.created_at else None,
    }


def current_prompt(session: Session, shot_id: int) -> m.PromptSet:
    prompt = latest_prompt_set(session, shot_id)
    if prompt is None:
        raise NotFound(f"shot {shot_id} has no prompt set")
    return prompt
