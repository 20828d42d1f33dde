"""Stage 12: the cut of a take, issues pinned at timecodes, routing back upstream, completing the scene."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from fractions import Fraction

from sqlalchemy.exc import IntegrityError

from rushes.domain.drawing import DrawingRefused, clean_drawing
from rushes.domain.issues import STATUS_LABELS, IssueCategory, IssueStatus, status_move_refusal
from rushes.domain.jobs import JobState
from rushes.domain.timecode import DEFAULT_RATE, frame_at, note_text_key, seconds_at, shots_under, timecode
from rushes.domain.stages import ROUTABLE_STAGES, Stage
from rushes.services.errors import Conflict, NotFound
from rushes.services.note_routes import settle, with_split
from rushes.services.replies import reply_counts
from rushes.services.views import media_url
from rushes.store import clips as clip_store
from rushes.store import models as m
from rushes.store import notes as note_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store

log = logging.getLogger(__name__)


def latest_take(session, scene_id: int) -> m.Take | None:
    return take_store.latest_take(session, scene_id)


def _take(session, scene_id: int, take_id: int | None) -> m.Take | None:
    if take_id is None:
        return latest_take(session, scene_id)
    take = take_store.take(session, take_id)
    if take is None or take.scene_id != scene_id:
        raise NotFound(f"unknown take {take_id} for scene {scene_id}")
    return take


def _previous_clips(session, take: m.Take) -> dict[int, m.Clip]:
    """Per shot, the clip the take before this one showed, for A/B."""
    before = take_store.take_before(session, take)
    if before is None:
        return {}
    ids = {s.shot_id: s.clip_id for s in take_store.slots_with_clips(session, before.id)}
    clips = clip_store.clips_by_id(session, ids.values())
    return {shot: clips[cid] for shot, cid in ids.items()}


def cut(session, scene_id: int, take_id: int | None = None) -> dict:
    """The shots of a take laid end to end in scene time, as <scene-player> takes them."""
    take = _take(session, scene_id, take_id)
    if take is None:
        return {"take": None, "shots": [], "duration": 0.0}
    slots = take_store.slots(session, take.id)
    jobs = {j.id: j for j in take_store.jobs_of_take(session, take.id)}
    clips = clip_store.clips_by_id(session, [s.clip_id for s in slots])
    previous = _previous_clips(session, take)
    shots, start = [], 0.0
    for slot in slots:
        clip = clips.get(slot.clip_id) if slot.clip_id else None
        job = jobs.get(slot.job_id) if slot.job_id else None
        state = "ready" if clip else ("failed" if job and job.state in (JobState.FAILED, JobState.CANCELLED) else
                                      "queued" if job and job.state == JobState.QUEUED else
                                      # A shot left unticked at Stage 11 with no clip: nothing renders it in this take.
                                      "unrendered" if job is None else "rendering")
        prev = previous.get(slot.shot_id)
        shots.append({
            "shot_id": slot.shot_id, "code": slot.code, "start": round(start, 4), "duration": slot.duration,
            "src": media_url(clip.media_key) if clip else None,
            "poster": media_url(clip.poster_key) if clip else None,
            "thumbs": ({"url": media_url(clip.strip_key), **(clip.strip_meta or {})} if clip and clip.strip_key else None),
            "waveform": media_url(clip.waveform_key) if clip and clip.waveform_key else None,
            "state": state, "reason": job.error if job and state == "failed" else (
                "not ticked to render at Stage 11" if state == "unrendered" else None),
            "job": {"state": job.state, "attempt": job.attempt, "progress": job.progress} if job else None,
            "clip_id": clip.id if clip else None, "clip_version": clip.version if clip else None,
            "reused": slot.reused,
            "previous": ({"clip_id": prev.id, "version": prev.version, "src": media_url(prev.media_key),
                          "poster": media_url(prev.poster_key)} if prev and (not clip or prev.id != clip.id) else None),
        })
        start += slot.duration
    if take_id is None:  # the scene's cut plays the selects; a take asked for by id plays as it was reviewed
        from rushes.services.draws import cut_of_selects

        cut_of_selects(session, shots, slots)
    return {"take": {"id": take.id, "number": take.number, "finished": take.finished_at is not None,
                     "approved": take.approved_at is not None, "cost_credits": take.cost_credits},
            "shots": shots, "duration": round(start, 4)}


def issue_view(issue: m.ReviewIssue, code: str | None = None, replies: int = 0) -> dict:
    category = IssueCategory(issue.category) if issue.category else None
    rate = Fraction(issue.rate_num or 24, issue.rate_den or 1)
    frame = issue.frame if issue.frame is not None else frame_at(issue.scene_time, rate)
    return {"frame": frame, "out_frame": issue.out_frame, "rate": f"{rate.numerator}/{rate.denominator}",
            "timecode": timecode(frame, rate),
            "out_timecode": timecode(issue.out_frame, rate) if issue.out_frame is not None else None,
            "out_time": seconds_at(issue.out_frame, rate) if issue.out_frame is not None else None,
            "status_label": STATUS_LABELS[IssueStatus(issue.status)],"id": issue.id, "scene_id": issue.scene_id, "take_id": issue.take_id, "shot_id": issue.shot_id,
            "shot_code": code, "clip_id": issue.clip_id, "scene_time": issue.scene_time, "shot_time": issue.shot_time,
            "category": issue.category, "category_label": category.label if category else "No category yet",
            "description": issue.description, "category_picked": issue.category_picked, "route_id": issue.route_id,
            "stage": issue.stage, "stage_title": Stage(issue.stage).title if issue.stage else "No route yet",
            "suggestion": issue.suggestion,
            "overridden": issue.overridden, "status": issue.status, "addressed_by_clip_id": issue.addressed_by_clip_id,
            "author": issue.author_name, "created_at": issue.created_at.isoformat(), "replies": replies,
            "drawing": issue.drawing, "still_url": media_url(issue.still_key) if issue.still_key else None,
            "qc_check": issue.qc_check}


def list_issues(session, scene_id: int, include_closed: bool = True, after: tuple[float, int] | None = None,
                limit: int | None = None) -> list[dict]:
    """Issues in scene-time order; `after` = (scene_time, id) of the last one seen, for the next page."""
    issues = note_store.scene_issues(session, scene_id, open_only=not include_closed, after=after, limit=limit)
    codes = _codes(session, {i.shot_id for i in issues})
    counts = reply_counts(session, [i.id for i in issues])
    cuts = _cuts(session, {i.take_id for i in issues if i.take_id is not None})
    views = []
    for issue in issues:
        view = issue_view(issue, codes.get(issue.shot_id), counts.get(issue.id, 0))
        view["shots"], view["on_cut"] = shots_under(view["frame"], issue.out_frame, cuts.get(issue.take_id, []))
        views.append(view)
    from rushes.services.draws import carried_notes

    carried_notes(session, scene_id, views)  # notes follow their shot into the latest cut
    return views


def _cuts(session, take_ids: set[int]) -> dict[int, list[tuple[str, int, int]]]:
    """Each take's shots as (code, first frame, frame after the last), in one query."""
    cuts: dict[int, list[tuple[str, int, int]]] = {}
    if not take_ids:
        return cuts
    ends: dict[int, int] = {}
    for slot in take_store.slots_of_takes(session, take_ids):
        start = ends.get(slot.take_id, 0)
        ends[slot.take_id] = start + frame_at(slot.duration)
        cuts.setdefault(slot.take_id, []).append((slot.code, start, ends[slot.take_id]))
    return cuts


def _codes(session, shot_ids: set[int]) -> dict[int, str]:
    """Current code of each shot, one query; a deleted shot reads 'deleted'."""
    return scene_store.shot_codes(session, shot_ids)


def _locate(session, scene_id: int, take: m.Take | None, scene_time: float, shot_id: int | None):
    """The shot under the playhead, its clip and the time inside it."""
    if take is None:
        raise Conflict("this scene has no take to review yet")
    slots = take_store.slots(session, take.id)
    start = 0.0
    total = sum(s.duration for s in slots)
    if not 0 <= scene_time <= total + 1e-6:
        raise Conflict(f"timecode {scene_time:.2f} s is outside the scene (0 to {total:.2f} s)")
    for index, slot in enumerate(slots):
        end = start + slot.duration
        if (shot_id is None and (scene_time < end or index == len(slots) - 1)) or slot.shot_id == shot_id:
            return slot, max(0.0, min(slot.duration, scene_time - start))
        start = end
    raise NotFound(f"shot {shot_id} is not in take {take.number}")


def _attribute(rushes, session, description: str, category: str | None, shot_id: int, shot_time: float) -> dict:
    from rushes.services.shot_context import attribution_request

    request = attribution_request(session, rushes, shot_id, description, category, shot_time)
    proposal = rushes.attributor.attribute(request).as_dict()
    return with_split(proposal, description, request.shot.duration if request.shot else None)


def pin_issue(rushes, scene_id: int, body: dict) -> dict:
    """Pin an issue at a scene timecode; the attribution is recomputed here and kept beside the user's choice."""
    with rushes.db.session() as session:
        return pin_issue_in(rushes, session, scene_id, body)


def pin_issue_in(rushes, session, scene_id: int, body: dict) -> dict:
    """pin_issue inside the caller's transaction (QC accepts a finding and writes its note in one)."""
    picked = body.get("category")
    category = IssueCategory(picked).value if picked else None
    description = body["description"].strip()
    if not description:
        raise Conflict("describe the issue")
    if scene_store.scene(session, scene_id) is None:
        raise NotFound(f"unknown scene {scene_id}")
    take = _take(session, scene_id, body.get("take_id"))
    # The frame is the truth; a time in seconds is placed on the frame it shows.
    frame = int(body["frame"]) if body.get("frame") is not None else frame_at(float(body["scene_time"]))
    out_frame = body.get("out_frame")
    try:
        drawing = clean_drawing(body.get("drawing"))
    except DrawingRefused as refused:
        raise Conflict(str(refused)) from None
    if out_frame is not None and int(out_frame) < frame:
        raise Conflict(f"a range ends after it starts: out frame {out_frame} is before in frame {frame}")
    scene_time = seconds_at(frame)
    if out_frame is not None:
        _locate(session, scene_id, take, seconds_at(int(out_frame)), None)  # the range ends inside the cut
    slot, shot_time = _locate(session, scene_id, take, scene_time, body.get("shot_id"))
    key = note_text_key(description)
    same = note_store.same_note(session, scene_id, take.id, frame, key)
    if same is not None:
        raise Conflict(_same_note(frame))
    suggestion = _attribute(rushes, session, description, category, slot.shot_id, shot_time)
    if body.get("stage") is not None and int(body["stage"]) not in ROUTABLE_STAGES:
        raise Conflict("an issue routes to stage 7, 8, 9 or 10")
    from rushes.services.draws import playing_clip

    stage, category, overridden = settle(int(body["stage"]) if body.get("stage") else None, category,
                                         bool(picked), suggestion)
    issue = m.ReviewIssue(scene_id=scene_id, take_id=take.id, shot_id=slot.shot_id, clip_id=playing_clip(session, take, slot),
                          scene_time=scene_time, shot_time=shot_time, category=category,
                          category_picked=bool(picked), description=description, stage=stage,
                          suggestion=suggestion, overridden=overridden,
                          author_user_id=body.get("author_user_id"), author_name=body.get("author_name"),
                          frame=frame, out_frame=int(out_frame) if out_frame is not None else None,
                          rate_num=DEFAULT_RATE.numerator, rate_den=DEFAULT_RATE.denominator, text_key=key,
                          drawing=drawing, still_key=_still(rushes, session, slot, shot_time, drawing))
    try:
        with session.begin_nested():  # a twin written at the same moment loses here, not with a 500
            session.add(issue)
            session.flush()
    except IntegrityError:
        raise Conflict(_same_note(frame)) from None
    return issue_view(issue, slot.code)


def _still(rushes, session, slot: m.TakeSlot, shot_time: float, drawing: list[dict] | None) -> str | None:
    """The note's frame with its drawing burned in, stored like a poster; None when there is nothing to burn.

    Made inline, in the request: it is one seek and one decode of a clip already in the media store (tens of
    milliseconds), so the note and its still are there together and no job can leave a note without one.
    A clip that cannot be decoded keeps the note (its words and shapes matter more) without a still.
    """
    if not drawing or slot.clip_id is None:
        return None
    from rushes.media.marked_still import marked_still
    from rushes.media.probe import CorruptClip

    clip = clip_store.clip(session, slot.clip_id)
    try:
        still = marked_still(rushes.media.read(clip.media_key), shot_time, drawing)
    except (CorruptClip, OSError) as err:
        log.warning("no still for a note on clip %s: %s", clip.id, err)
        return None
    return rushes.media.put(still, "jpg")


def _same_note(frame: int) -> str:
    return f"the same note is already pinned on frame {frame} ({timecode(frame)}) of this take"


def edit_issue(rushes, issue_id: int, changes: dict) -> dict:
    with rushes.db.session() as session:
        issue = note_store.live_issue(session, issue_id)
        if issue is None:
            raise NotFound(f"unknown issue {issue_id}")
        if "description" in changes and changes["description"] is not None:
            if not changes["description"].strip():
                raise Conflict("describe the issue")
            issue.description = changes["description"].strip()
        if changes.get("category"):
            issue.category = IssueCategory(changes["category"]).value
            issue.category_picked = True
        if changes.get("stage"):
            if int(changes["stage"]) not in ROUTABLE_STAGES:
                raise Conflict("an issue routes to stage 7, 8, 9 or 10")
            issue.stage = int(changes["stage"])
        if changes.get("category") or changes.get("stage"):
            issue.stage, issue.category, issue.overridden = settle(
                issue.stage, issue.category if issue.category_picked else None, issue.category_picked, issue.suggestion)
        if changes.get("status"):
            refusal = status_move_refusal(issue.status, changes["status"])
            if refusal:
                raise Conflict(refusal)
            issue.status = changes["status"]
        issue.updated_at = datetime.now(timezone.utc)
        return issue_view(issue, _codes(session, {issue.shot_id})[issue.shot_id])


def delete_issue(rushes, issue_id: int) -> None:
    with rushes.db.session() as session:
        issue = note_store.live_issue(session, issue_id)
        if issue is None:
            raise NotFound(f"unknown issue {issue_id}")
        issue.deleted_at = datetime.now(timezone.utc)


def complete_scene(rushes, scene_id: int, take_id: int | None = None, open_notes: str | None = None) -> dict:
    """Approve the take: the scene is Complete and its last frame becomes the Hub thumbnail.

    Open notes are never closed silently: the caller says whether they are won't fix or carried (they stay
    open on the approved take); with neither, the answer is 409 naming them.
    """
    from rushes.services.snapshot import load_scene
    from rushes.domain.status import SceneStatus

    with rushes.db.session() as session:
        take = _take(session, scene_id, take_id)
        if take is None:
            raise Conflict("render the scene before completing it")
        snap = load_scene(session, scene_id, rushes.render_spec)
        if snap.latest_take is None or snap.latest_take.id != take.id:
            raise Conflict("only the newest take can be approved")
        if snap.status not in (SceneStatus.READY_FOR_REVIEW, SceneStatus.COMPLETE):
            raise Conflict(f"the scene is {snap.status.value}: it can be completed when it is Ready for Review")
        failed = take_store.unfinished_clip_job(session, take.id, JobState.SUCCEEDED)
        if failed is not None:
            raise Conflict("some shots of this take did not render; re-render them first")
        now = datetime.now(timezone.utc)
        still_open = note_store.scene_issues(session, scene_id, open_only=True)
        if still_open and open_notes not in ("wont_fix", "carry"):
            codes = _codes(session, {i.shot_id for i in still_open})
            named = [{"id": i.id, "shot_code": codes.get(i.shot_id), "description": i.description,
                      "status": i.status} for i in still_open]
            raise Conflict(f"{_count(len(still_open), 'note')} still open ("
                           + "; ".join(f"{n['shot_code']}: {n['description'][:60]}" for n in named[:5])  # type: ignore[index]  # SQLAlchemy's loose row/result typing
                           + ("…" if len(named) > 5 else "") + ") — say whether they are won't fix or carried",
                           {"open_notes": named, "choices": ["wont_fix", "carry"]})
        take.approved_at = take.approved_at or now
        closed = 0
        for issue in still_open:
            if open_notes == "wont_fix":
                issue.status = IssueStatus.WONT_FIX
                issue.updated_at = now
                closed += 1
            # Carried notes keep their status and frame: the scene's notes show on the approved take as they are.
        carried = len(still_open) - closed
        from rushes.services.notifications import mark_scene_read

        mark_scene_read(session, scene_id)
        slots = take_store.slots(session, take.id)
        approved: dict = {"take_number": take.number, "shots": len(slots),
                    "duration": round(sum(s.duration for s in slots), 3), "closed_notes": closed,
                    "carried_notes": carried}
        # The filmmaker is told exactly what they signed off, not just that it worked.
        message = (f"Scene {snap.scene.number} is Complete: take {take.number} approved, "
                   f"{_count(approved['shots'], 'shot')}, {approved['duration']:g} s; "
                   + (f"{_count(closed, 'open note')} marked won't fix." if closed else
                      f"{_count(carried, 'note')} carried, still open." if carried else "no open notes."))
        return {"scene_id": scene_id, "take_id": take.id, "status": "Complete", "approved": approved,
                "message": message, "url": f"/projects/{snap.scene.project_id}"}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def override_pairs(session) -> list[dict]:
    """Issues whose stage or category the filmmaker changed from the agent's proposal, as data-set lines."""
    from rushes.providers.attribution.dataset import split_for
    from rushes.domain.issues import category_for_stage

    rows = note_store.overridden_issues(session)
    out = []
    for issue in rows:
        ident = f"review-{issue.id}"
        category = category_for_stage(Stage(issue.stage), IssueCategory(issue.category)).value
        out.append({"id": ident, "description": issue.description, "category": category, "stage": issue.stage,
                    "fields": [], "picked": issue.category, "split": split_for(ident),
                    "suggested": {"stage": (issue.suggestion or {}).get("stage"),
                                  "category": (issue.suggestion or {}).get("category")}})
    return out
