"""Plain dicts of scenes, shots and artifacts for the JSON API and the pages."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services.snapshot import SceneSnapshot
from rushes.store import models as m
from rushes.store import notes as note_store
from rushes.store import notifications as notification_store


def media_url(key: str | None) -> str | None:
    return f"/media/{key}" if key else None


def open_issue_counts(session: Session, scene_ids: list[int]) -> dict[int, dict[int, int]]:
    """scene id -> {shot id: open issues}, one query."""
    counts: dict[int, dict[int, int]] = {}
    for scene_id, shot_id, n in note_store.open_counts_by_shot(session, scene_ids):
        counts.setdefault(scene_id, {})[shot_id] = n
    return counts


def unread_badges(session: Session, scene_ids: list[int]) -> dict[int, int]:
    return notification_store.unread_by_scene(session, scene_ids)


def approved_thumbnail(snap: SceneSnapshot) -> str | None:
    """The Hub thumbnail: the last frame of the approved cut, as it was approved."""
    return media_url(snap.approved_frame)


def scene_thumbnail(snap: SceneSnapshot) -> tuple[str | None, str]:
    """(url, what it shows): the approved cut's last frame, else the scene's opening start frame until a cut is approved."""
    if snap.approved_frame:
        return media_url(snap.approved_frame), "approved"
    first = snap.state.shots[0].start if snap.state.shots else None
    return (media_url(first.media_key), "start") if first and first.media_key else (None, "none")


def scene_summary(snap: SceneSnapshot, issues: dict[int, int] | None = None, badge: int = 0) -> dict:
    stale = [a.code for a in snap.assessment.shots if a.clip.stale or a.prompt.stale or a.start.stale or (a.end and a.end.stale)]
    return {
        "id": snap.scene.id,
        "project_id": snap.scene.project_id,
        "number": snap.scene.number,
        "title": snap.scene.title,
        "synopsis": snap.scene.synopsis,
        "status": snap.status.value,
        "shot_count": len(snap.state.shots),
        "duration": sum(s.fields.duration for s in snap.state.shots),
        "stale_shots": stale,
        "continuity_broken": snap.assessment.continuity_broken,
        "open_issues": sum((issues or {}).values()),
        "unread_notifications": badge,
        "latest_take_id": snap.latest_take.id if snap.latest_take else None,
        "thumbnail_url": approved_thumbnail(snap),
        "review_url": f"/scenes/{snap.scene.id}/review",
    }


def _frame_view(frame: m.Frame | None, check) -> dict | None:
    if check is None:
        return None
    return {
        **check.as_dict(),
        "id": frame.id if frame else None,
        "version": frame.version if frame else None,
        "url": media_url(frame.media_key) if frame else None,
        "approved": bool(frame and frame.approved_at),
        "source": frame.source if frame else None,
    }


def shot_detail(snap: SceneSnapshot, shot_id: int, issues: dict[int, int]) -> dict:
    check = snap.assessment.shot(shot_id)
    version = snap.shot_versions[shot_id]
    prompt = snap.prompts.get(shot_id)
    clip = snap.clips.get(shot_id)
    return {
        "id": shot_id,
        "version": version.version,
        "position": check.index,
        **{k: getattr(version, k) for k in ("code", "duration", "action", "dialogue", "characters", "setting", "camera", "sfx")},
        "prompt": {
            **check.prompt.as_dict(),
            "id": prompt.id if prompt else None,
            "version": prompt.version if prompt else None,
            "frame_prompt": check.frame_prompt,
            "video_prompt": check.video_prompt,
            "assembled_video_prompt": check.assembled_video_prompt,
            "override": bool(prompt and prompt.override_video_prompt),
            "override_outdated": check.override_outdated,
            "start_frame_only": check.start_frame_only,
        },
        "start_frame": _frame_view(snap.frames.get((shot_id, "start")), check.start),
        "end_frame": _frame_view(snap.frames.get((shot_id, "end")), check.end),
        "continuity_broken": check.continuity_broken,
        "clip": {
            **check.clip.as_dict(),
            "id": clip.id if clip else None,
            "version": clip.version if clip else None,
            "url": media_url(clip.media_key) if clip else None,
            "poster_url": media_url(clip.poster_key) if clip else None,
        },
        "blockers": check.blockers(),
        "open_issues": issues.get(shot_id, 0),
    }


def scene_detail(session: Session, snap: SceneSnapshot) -> dict:
    issues = open_issue_counts(session, [snap.scene.id]).get(snap.scene.id, {})
    badge = unread_badges(session, [snap.scene.id]).get(snap.scene.id, 0)
    return {
        **scene_summary(snap, issues, badge),
        "shot_list_locked": snap.shot_list_locked,
        "visual_states": [{"id": e.id, "kind": e.kind, "name": e.name, "description": s.description, "version": s.version}
                          for e, s in snap.elements],
        "shots": [shot_detail(snap, sid, issues) for sid in snap.shot_ids],
    }
