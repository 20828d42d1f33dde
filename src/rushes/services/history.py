"""Version history of a shot: every version of its fields, prompt sets, frames and clips, with costs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services.errors import NotFound
from rushes.services.prompting import prompt_view
from rushes.services.shotlist import version_view
from rushes.services.views import media_url
from rushes.store import clips as clip_store
from rushes.store import models as m
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store


def _when(value) -> str | None:
    return value.isoformat() if value else None


def frame_view(f: m.Frame) -> dict:
    return {"id": f.id, "kind": f.kind, "version": f.version, "url": media_url(f.media_key), "source": f.source,
            "width": f.width, "height": f.height, "mime": f.mime, "cost_credits": f.cost_credits,
            "approved_at": _when(f.approved_at), "job_id": f.job_id, "inputs_digest": f.inputs_digest,
            "created_at": _when(f.created_at)}


def clip_view(c: m.Clip) -> dict:
    return {"id": c.id, "version": c.version, "url": media_url(c.media_key), "poster_url": media_url(c.poster_key),
            "duration": c.duration, "provider": c.provider, "model": c.model, "cost_credits": c.cost_credits,
            "job_id": c.job_id, "inputs_digest": c.inputs_digest, "created_at": _when(c.created_at)}


def shot_history(session: Session, shot_id: int) -> dict:
    """Everything ever made for a shot, oldest first per kind, plus one merged timeline newest first."""
    shot = scene_store.shot(session, shot_id)
    if shot is None:
        raise NotFound(f"unknown shot {shot_id}")
    versions = scene_store.shot_versions(session, shot_id)
    prompts, frames, jobs = scene_store.shot_artifacts(session, shot_id)
    clips = clip_store.clips_of_shot(session, shot_id)
    latest = versions[-1] if versions else None

    timeline = []
    for v in versions:
        timeline.append({"kind": "fields", "label": f"Shot list v{v.version}", "detail": v.note or "edited",
                         "at": _when(v.created_at), "cost_credits": 0})
    for p in prompts:
        detail = "override kept" if p.override_video_prompt else "assembled"
        timeline.append({"kind": "prompt", "label": f"Prompt set v{p.version}",
                         "detail": detail + (" \u00b7 start-frame-only" if p.start_frame_only else ""),
                         "at": _when(p.created_at), "cost_credits": 0})
    for f in frames:
        timeline.append({"kind": "frame", "label": f"{f.kind.title()} frame v{f.version}", "detail": f.source,
                         "at": _when(f.created_at), "cost_credits": f.cost_credits, "url": media_url(f.media_key)})
    for c in clips:
        timeline.append({"kind": "clip", "label": f"Clip v{c.version}", "detail": f"{c.model}, {c.duration:g} s",
                         "at": _when(c.created_at), "cost_credits": c.cost_credits, "url": media_url(c.poster_key)})
    timeline.sort(key=lambda e: e["at"] or "", reverse=True)

    return {
        "shot_id": shot_id,
        "scene_id": shot.scene_id,
        "code": latest.code if latest else None,
        "deleted": bool(latest and latest.deleted),
        "fields": [version_view(v) for v in versions],
        "prompts": [prompt_view(p) for p in prompts],
        "frames": [frame_view(f) for f in frames],
        "clips": [clip_view(c) for c in clips],
        "jobs": [{"id": j.id, "kind": j.kind, "state": j.state, "cost_credits": j.cost_credits, "error": j.error,
                  "take_id": j.take_id} for j in jobs],
        "total_credits": sum(f.cost_credits for f in frames) + sum(c.cost_credits for c in clips),
        "timeline": timeline,
    }


def clip_stack(session: Session, shot_id: int) -> list[dict]:
    """Every clip a shot ever had, oldest version first, each naming the takes that cut it in:
    the compare viewer picks any two of these, so it needs the media and enough to tell them apart."""
    if scene_store.shot(session, shot_id) is None:
        raise NotFound(f"unknown shot {shot_id}")
    clips = clip_store.clips_of_shot(session, shot_id)
    used: dict[int, list[dict]] = {c.id: [] for c in clips}
    for clip_id, take_id, number in take_store.takes_of_clips(session, shot_id):
        if clip_id in used:
            used[clip_id].append({"id": take_id, "number": number})
    return [{**clip_view(c), "takes": used[c.id]} for c in clips]
