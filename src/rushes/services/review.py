"""Stage 12: the cut of a take, issues pinned at timecodes, routing back upstream, completing the scene."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rushes.domain.drawing import DrawingRefused, clean_drawing
from rushes.domain.issues import STATUS_LABELS, IssueCategory, IssueStatus, status_move_refusal
from rushes.domain.timecode import DEFAULT_RATE, frame_at, note_text_key, seconds_at, shots_under, timecode
from rushes.domain.stages import Stage
from rushes.services.errors import Conflict, NotFound
from rushes.services.fix_costs import routed_fix_estimate
from rushes.services.replies import reply_counts
from rushes.services.views import media_url
from rushes.store import models as m

OPEN = ("open", "routed")
log = logging.getLogger(__name__)


def latest_take(session, scene_id: int) -> m.Take | None:
    return session.scalar(select(m.Take).where(m.Take.scene_id == scene_id).order_by(m.Take.number.desc()).limit(1))


def _take(session, scene_id: int, take_id: int | None) -> m.Take | None:
    if take_id is None:
        return latest_take(session, scene_id)
    take = session.get(m.Take, take_id)
    if take is None or take.scene_id != scene_id:
        raise NotFound(f"unknown take {take_id} for scene {scene_id}")
    return take


def _previous_clips(session, take: m.Take) -> dict[int, m.Clip]:
    """Per shot, the clip the take before this one showed, for A/B."""
    before = session.scalar(select(m.Take).where(m.Take.scene_id == take.scene_id, m.Take.number < take.number)
                            .order_by(m.Take.number.desc()).limit(1))
    if before is None:
        return {}
    slots = session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == before.id, m.TakeSlot.clip_id.is_not(None)))
    ids = {s.shot_id: s.clip_id for s in slots}
    clips = {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_(list(ids.values()))))}
    return {shot: clips[cid] for shot, cid in ids.items()}


def cut(session, scene_id: int, take_id: int | None = None) -> dict:
    """The shots of a take laid end to end in scene time, as <scene-player> takes them."""
    take = _take(session, scene_id, take_id)
    if take is None:
        return {"take": None, "shots": [], "duration": 0.0}
    slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take.id).order_by(m.TakeSlot.position)))
    jobs = {j.id: j for j in session.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take.id))}
    clips = {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_([s.clip_id for s in slots if s.clip_id])))}
    previous = _previous_clips(session, take)
    shots, start = [], 0.0
    for slot in slots:
        clip = clips.get(slot.clip_id) if slot.clip_id else None
        job = jobs.get(slot.job_id) if slot.job_id else None
        state = "ready" if clip else ("failed" if job and job.state in ("failed", "cancelled") else
                                      "queued" if job and job.state == "queued" else "rendering")
        prev = previous.get(slot.shot_id)
        shots.append({
            "shot_id": slot.shot_id, "code": slot.code, "start": round(start, 4), "duration": slot.duration,
            "src": media_url(clip.media_key) if clip else None,
            "poster": media_url(clip.poster_key) if clip else None,
            "thumbs": ({"url": media_url(clip.strip_key), **(clip.strip_meta or {})} if clip and clip.strip_key else None),
            "state": state, "reason": job.error if job and state == "failed" else None,
            "job": {"state": job.state, "attempt": job.attempt, "progress": job.progress} if job else None,
            "clip_id": clip.id if clip else None, "clip_version": clip.version if clip else None,
            "reused": slot.reused,
            "previous": ({"clip_id": prev.id, "version": prev.version, "src": media_url(prev.media_key),
                          "poster": media_url(prev.poster_key)} if prev and (not clip or prev.id != clip.id) else None),
        })
        start += slot.duration
    return {"take": {"id": take.id, "number": take.number, "finished": take.finished_at is not None,
                     "approved": take.approved_at is not None, "cost_credits": take.cost_credits},
            "shots": shots, "duration": round(start, 4)}


def issue_view(issue: m.ReviewIssue, code: str | None = None, replies: int = 0) -> dict:
    category = IssueCategory(issue.category)
    rate = Fraction(issue.rate_num or 24, issue.rate_den or 1)
    frame = issue.frame if issue.frame is not None else frame_at(issue.scene_time, rate)
    return {"frame": frame, "out_frame": issue.out_frame, "rate": f"{rate.numerator}/{rate.denominator}",
            "timecode": timecode(frame, rate),
            "out_timecode": timecode(issue.out_frame, rate) if issue.out_frame is not None else None,
            "out_time": seconds_at(issue.out_frame, rate) if issue.out_frame is not None else None,
            "status_label": STATUS_LABELS[IssueStatus(issue.status)],"id": issue.id, "scene_id": issue.scene_id, "take_id": issue.take_id, "shot_id": issue.shot_id,
            "shot_code": code, "clip_id": issue.clip_id, "scene_time": issue.scene_time, "shot_time": issue.shot_time,
            "category": issue.category, "category_label": category.label, "description": issue.description,
            "stage": issue.stage, "stage_title": Stage(issue.stage).title, "suggestion": issue.suggestion,
            "overridden": issue.overridden, "status": issue.status, "addressed_by_clip_id": issue.addressed_by_clip_id,
            "author": issue.author_name, "created_at": issue.created_at.isoformat(), "replies": replies,
            "drawing": issue.drawing, "still_url": media_url(issue.still_key) if issue.still_key else None}


def list_issues(session, scene_id: int, include_closed: bool = True, after: tuple[float, int] | None = None,
                limit: int | None = None) -> list[dict]:
    """Issues in scene-time order; `after` = (scene_time, id) of the last one seen, for the next page."""
    query = select(m.ReviewIssue).where(m.ReviewIssue.scene_id == scene_id, m.ReviewIssue.deleted_at.is_(None))
    if not include_closed:
        query = query.where(m.ReviewIssue.status.in_(OPEN))
    if after is not None:
        time, last_id = after
        query = query.where((m.ReviewIssue.scene_time > time)
                            | ((m.ReviewIssue.scene_time == time) & (m.ReviewIssue.id > last_id)))
    issues = list(session.scalars(query.order_by(m.ReviewIssue.scene_time, m.ReviewIssue.id).limit(limit)))
    codes = _codes(session, {i.shot_id for i in issues})
    counts = reply_counts(session, [i.id for i in issues])
    cuts = _cuts(session, {i.take_id for i in issues if i.take_id is not None})
    views = []
    for issue in issues:
        view = issue_view(issue, codes.get(issue.shot_id), counts.get(issue.id, 0))
        view["shots"], view["on_cut"] = shots_under(view["frame"], issue.out_frame, cuts.get(issue.take_id, []))
        views.append(view)
    return views


def _cuts(session, take_ids: set[int]) -> dict[int, list[tuple[str, int, int]]]:
    """Each take's shots as (code, first frame, frame after the last), in one query."""
    cuts: dict[int, list[tuple[str, int, int]]] = {}
    if not take_ids:
        return cuts
    ends: dict[int, int] = {}
    for slot in session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id.in_(take_ids))
                                .order_by(m.TakeSlot.take_id, m.TakeSlot.position)):
        start = ends.get(slot.take_id, 0)
        ends[slot.take_id] = start + frame_at(slot.duration)
        cuts.setdefault(slot.take_id, []).append((slot.code, start, ends[slot.take_id]))
    return cuts


def _codes(session, shot_ids: set[int]) -> dict[int, str]:
    """Current code of each shot, one query; a deleted shot reads 'deleted'."""
    newest = (select(m.ShotVersion.shot_id, func.max(m.ShotVersion.version).label("v"))
              .where(m.ShotVersion.shot_id.in_(shot_ids)).group_by(m.ShotVersion.shot_id).subquery())
    rows = session.execute(select(m.ShotVersion.shot_id, m.ShotVersion.code, m.ShotVersion.deleted).join(
        newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version)))
    return {shot_id: ("deleted" if deleted else code) for shot_id, code, deleted in rows}


def _locate(session, scene_id: int, take: m.Take | None, scene_time: float, shot_id: int | None):
    """The shot under the playhead, its clip and the time inside it."""
    if take is None:
        raise Conflict("this scene has no take to review yet")
    slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take.id).order_by(m.TakeSlot.position)))
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


def _attribute(app, session, description: str, category: str | None, shot_id: int, shot_time: float) -> dict:
    from rushes.services.shot_context import attribution_request

    request = attribution_request(session, app, shot_id, description, category, shot_time)
    return app.attributor.attribute(request).as_dict()


def _overridden(stage: int, category: str, suggestion: dict | None) -> bool:
    """The filmmaker routed elsewhere than the agent proposed; a suggestion with no stage proposed nothing."""
    if not suggestion or suggestion.get("stage") is None:
        return False
    return stage != suggestion["stage"] or category != suggestion.get("category")


def pin_issue(app, scene_id: int, body: dict) -> dict:
    """Pin an issue at a scene timecode; the attribution is recomputed here and kept beside the user's choice."""
    with app.db.session() as session:
        return pin_issue_in(app, session, scene_id, body)


def pin_issue_in(app, session, scene_id: int, body: dict) -> dict:
    """pin_issue inside the caller's transaction (QC accepts a finding and writes its note in one)."""
    category = IssueCategory(body["category"])
    description = body["description"].strip()
    if not description:
        raise Conflict("describe the issue")
    if session.get(m.Scene, scene_id) is None:
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
    same = session.scalar(select(m.ReviewIssue.id).where(
        m.ReviewIssue.scene_id == scene_id, m.ReviewIssue.take_id == take.id, m.ReviewIssue.frame == frame,
        m.ReviewIssue.text_key == key, m.ReviewIssue.deleted_at.is_(None)).limit(1))
    if same is not None:
        raise Conflict(_same_note(frame))
    suggestion = _attribute(app, session, description, category.value, slot.shot_id, shot_time)
    stage = int(body.get("stage") or category.route)
    if stage not in (7, 8, 9, 10):
        raise Conflict("an issue routes to stage 7, 8, 9 or 10")
    issue = m.ReviewIssue(scene_id=scene_id, take_id=take.id, shot_id=slot.shot_id, clip_id=slot.clip_id,
                          scene_time=scene_time, shot_time=shot_time, category=category.value,
                          description=description, stage=stage, suggestion=suggestion,
                          overridden=_overridden(stage, category.value, suggestion),
                          author_user_id=body.get("author_user_id"), author_name=body.get("author_name"),
                          frame=frame, out_frame=int(out_frame) if out_frame is not None else None,
                          rate_num=DEFAULT_RATE.numerator, rate_den=DEFAULT_RATE.denominator, text_key=key,
                          drawing=drawing, still_key=_still(app, session, slot, shot_time, drawing))
    try:
        with session.begin_nested():  # a twin written at the same moment loses here, not with a 500
            session.add(issue)
            session.flush()
    except IntegrityError:
        raise Conflict(_same_note(frame)) from None
    return issue_view(issue, slot.code)


def _still(app, session, slot: m.TakeSlot, shot_time: float, drawing: list[dict] | None) -> str | None:
    """The note's frame with its drawing burned in, stored like a poster; None when there is nothing to burn.

    Made inline, in the request: it is one seek and one decode of a clip already in the media store (tens of
    milliseconds), so the note and its still are there together and no job can leave a note without one.
    A clip that cannot be decoded keeps the note (its words and shapes matter more) without a still.
    """
    if not drawing or slot.clip_id is None:
        return None
    from rushes.media.marked_still import marked_still
    from rushes.media.probe import CorruptClip

    clip = session.get(m.Clip, slot.clip_id)
    try:
        still = marked_still(app.media.read(clip.media_key), shot_time, drawing)
    except (CorruptClip, OSError) as err:
        log.warning("no still for a note on clip %s: %s", clip.id, err)
        return None
    return app.media.put(still, "jpg")


def _same_note(frame: int) -> str:
    return f"the same note is already pinned on frame {frame} ({timecode(frame)}) of this take"


def edit_issue(app, issue_id: int, changes: dict) -> dict:
    with app.db.session() as session:
        issue = session.get(m.ReviewIssue, issue_id)
        if issue is None or issue.deleted_at is not None:
            raise NotFound(f"unknown issue {issue_id}")
        if "description" in changes and changes["description"] is not None:
            if not changes["description"].strip():
                raise Conflict("describe the issue")
            issue.description = changes["description"].strip()
        if changes.get("category"):
            issue.category = IssueCategory(changes["category"]).value
        if changes.get("stage"):
            if int(changes["stage"]) not in (7, 8, 9, 10):
                raise Conflict("an issue routes to stage 7, 8, 9 or 10")
            issue.stage = int(changes["stage"])
        if changes.get("status"):
            refusal = status_move_refusal(issue.status, changes["status"])
            if refusal:
                raise Conflict(refusal)
            issue.status = changes["status"]
        issue.overridden = _overridden(issue.stage, issue.category, issue.suggestion)
        issue.updated_at = datetime.now(timezone.utc)
        return issue_view(issue, _codes(session, {issue.shot_id})[issue.shot_id])


def delete_issue(app, issue_id: int) -> None:
    with app.db.session() as session:
        issue = session.get(m.ReviewIssue, issue_id)
        if issue is None or issue.deleted_at is not None:
            raise NotFound(f"unknown issue {issue_id}")
        issue.deleted_at = datetime.now(timezone.utc)


def route(app, scene_id: int, stage: int) -> dict:
    """Send the scene's open issues for `stage` back there, and say what the re-render will cost."""
    if stage not in (7, 8, 9, 10):
        raise Conflict("issues route back to stage 7, 8, 9 or 10")
    from rushes.services.snapshot import load_scene

    with app.db.session() as session:
        snap = load_scene(session, scene_id, app.render_spec)
        issues = list(session.scalars(select(m.ReviewIssue).where(
            m.ReviewIssue.scene_id == scene_id, m.ReviewIssue.deleted_at.is_(None),
            m.ReviewIssue.status.in_(OPEN), m.ReviewIssue.stage == stage)))
        if not issues:
            raise Conflict(f"no open issues for stage {stage}")
        for issue in issues:
            issue.status = "routed"
        shots = sorted({i.shot_id for i in issues} & set(snap.shot_ids), key=snap.shot_ids.index)
        if stage == Stage.SHOT_LIST:
            # A shot-list change cascades to 8, 9, 10: any shot may move, so the estimate covers them all.
            shots = list(snap.shot_ids)
        # Every cost of the fix: the frames it redraws at Stage 10 as well as the clips Stage 11 re-renders.
        costs = routed_fix_estimate(app, snap, stage, shots)
        codes = [snap.shot_versions[s].code for s in shots]
        # The stage opens on the first noted shot (the page scrolls to it and marks it).
        first = next((s for s in snap.shot_ids if s in {i.shot_id for i in issues}), None)
        url = f"/scenes/{scene_id}/stage/{stage}" + (f"?shot={first}" if first is not None else "")
        return {"scene_id": scene_id, "stage": stage, "stage_title": Stage(stage).title, "routed": len(issues),
                "shots": codes, "estimated_credits": costs["total_credits"], "costs": costs, "url": url,
                "statement": costs["statement"]}


def complete_scene(app, scene_id: int, take_id: int | None = None) -> dict:
    """Approve the take: the scene is Complete and its last frame becomes the Hub thumbnail."""
    from rushes.services.snapshot import load_scene
    from rushes.domain.status import SceneStatus

    with app.db.session() as session:
        take = _take(session, scene_id, take_id)
        if take is None:
            raise Conflict("render the scene before completing it")
        snap = load_scene(session, scene_id, app.render_spec)
        if snap.latest_take is None or snap.latest_take.id != take.id:
            raise Conflict("only the newest take can be approved")
        if snap.status not in (SceneStatus.READY_FOR_REVIEW, SceneStatus.COMPLETE):
            raise Conflict(f"the scene is {snap.status.value}: it can be completed when it is Ready for Review")
        failed = session.scalar(select(m.RenderJob.id).where(m.RenderJob.take_id == take.id, m.RenderJob.kind == "clip",
                                                             m.RenderJob.state != "succeeded").limit(1))
        if failed is not None:
            raise Conflict("some shots of this take did not render; re-render them first")
        now = datetime.now(timezone.utc)
        take.approved_at = take.approved_at or now
        closed = 0
        for issue in session.scalars(select(m.ReviewIssue).where(m.ReviewIssue.scene_id == scene_id,
                                                                 m.ReviewIssue.deleted_at.is_(None),
                                                                 m.ReviewIssue.status.in_(OPEN))):
            issue.status = "resolved"
            issue.updated_at = now
            closed += 1
        from rushes.services.notifications import mark_scene_read

        mark_scene_read(session, scene_id)
        slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take.id)))
        approved = {"take_number": take.number, "shots": len(slots),
                    "duration": round(sum(s.duration for s in slots), 3), "closed_notes": closed}
        # The filmmaker is told exactly what they signed off, not just that it worked.
        message = (f"Scene {snap.scene.number} is Complete: take {take.number} approved, "
                   f"{_count(approved['shots'], 'shot')}, {approved['duration']:g} s; "
                   f"{_count(closed, 'open note') + ' closed' if closed else 'no open notes'}.")
        return {"scene_id": scene_id, "take_id": take.id, "status": "Complete", "approved": approved,
                "message": message, "url": f"/projects/{snap.scene.project_id}"}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def mark_addressed(session, shot_id: int, clip: m.Clip) -> int:
    """Issues a shot carried are addressed by the new clip version that replaced theirs."""
    count = 0
    for issue in session.scalars(select(m.ReviewIssue).where(
            m.ReviewIssue.shot_id == shot_id, m.ReviewIssue.status.in_(OPEN), m.ReviewIssue.deleted_at.is_(None))):
        if issue.clip_id != clip.id:
            issue.status = "addressed"
            issue.addressed_by_clip_id = clip.id
            count += 1
    return count


def override_pairs(session) -> list[dict]:
    """Issues whose stage or category the filmmaker changed from the agent's proposal, as data-set lines."""
    from rushes.providers.attribution.dataset import split_for
    from rushes.domain.issues import category_for_stage

    rows = session.scalars(select(m.ReviewIssue).where(m.ReviewIssue.overridden.is_(True)).order_by(m.ReviewIssue.id))
    out = []
    for issue in rows:
        ident = f"review-{issue.id}"
        category = category_for_stage(Stage(issue.stage), IssueCategory(issue.category)).value
        out.append({"id": ident, "description": issue.description, "category": category, "stage": issue.stage,
                    "fields": [], "picked": issue.category, "split": split_for(ident),
                    "suggested": {"stage": (issue.suggestion or {}).get("stage"),
                                  "category": (issue.suggestion or {}).get("category")}})
    return out
