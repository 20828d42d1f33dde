"""Exports of a take for tools outside Rushes: the cut and its notes as OTIO, EDL, FCP 7 XML and CSV
(written on request), and the whole cut as one MP4 (built by a worker job, kept in the media store)."""

from __future__ import annotations

import time
from fractions import Fraction

from sqlalchemy.orm import Session

from rushes.domain.jobs import JobKind, JobState
from rushes.domain.shots import FRAME_RATE
from rushes.jobs.port import NewJob
from rushes.media.edit_decisions import CutSheet, NoteMark, ShotCut, frame_of, write
from rushes.services.errors import Conflict, NotFound
from rushes.services.queueing import job_queue
from rushes.services.replies import reply_counts
from rushes.services.views import media_url
from rushes.store import clips as clip_store
from rushes.store import exports as export_store
from rushes.store import projects as project_store
from rushes.store import models as m
from rushes.store import notes as note_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store

EXPORT_KIND = JobKind.EXPORT
EXPORT_MAX_ATTEMPTS = 2
# Each format: its file extension and media type (the names outside tools expect).
FORMATS = {
    "otio": ("otio", "application/vnd.opentimelineio+json"),
    "edl": ("edl", "text/plain; charset=utf-8"),
    "fcpxml": ("xml", "application/xml"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}


def _take(session: Session, take_id: int) -> m.Take:
    take = take_store.take(session, take_id)
    if take is None:
        raise NotFound(f"unknown take {take_id}")
    return take


def _slots_and_clips(session: Session, take_id: int) -> tuple[list[m.TakeSlot], dict[int, m.Clip]]:
    slots = take_store.slots(session, take_id)
    return slots, clip_store.clips_by_id(session, [s.clip_id for s in slots])


def take_rate(clips: dict[int, m.Clip]) -> Fraction:
    """The take's frame rate as a rational: its clips' (probed at import, e.g. 24.0 → 24/1, 23.976 → 24000/1001)."""
    for clip in clips.values():
        if clip.fps:
            return Fraction(clip.fps).limit_denominator(1001)
    return Fraction(FRAME_RATE)


def file_name(session: Session, take: m.Take, ext: str) -> str:
    scene = scene_store.scene(session, take.scene_id)
    return f"scene{scene.number:02d}_take{take.number:02d}.{ext}"


def cut_sheet(session: Session, take_id: int, base_url: str = "") -> CutSheet:
    """The take's cut in frames, and every live note of its scene as a mark at its frame."""
    take = _take(session, take_id)
    scene = scene_store.scene(session, take.scene_id)
    slots, clips = _slots_and_clips(session, take_id)
    rate = take_rate(clips)
    shots, start = [], 0
    for slot in slots:
        clip = clips.get(slot.clip_id) if slot.clip_id else None
        frames = frame_of(slot.duration, rate)
        url = f"{base_url}{media_url(clip.media_key)}" if clip else None
        poster = f"{base_url}{media_url(clip.poster_key)}" if clip and clip.poster_key else None
        shots.append(ShotCut(slot.shot_id, slot.code, start, frames, url,
                             frame_of(clip.duration, rate) if clip else 0, poster))
        start += frames
    # The notes the review page shows for the scene, in scene order (a note keeps its scene time across takes).
    issues = note_store.scene_issues(session, take.scene_id)
    counts = reply_counts(session, [i.id for i in issues])
    last = max(0, start - 1)
    notes = []
    for issue in issues:
        frame, out_frame = _note_frames(issue, rate)
        frame = min(frame, last)
        out_frame = min(max(out_frame, frame + 1), start)
        notes.append(NoteMark(issue.id, frame, out_frame, issue.shot_id, issue.category, issue.stage,
                              issue.status, issue.author_name or "", issue.description, counts.get(issue.id, 0),
                              f"{base_url}{media_url(issue.still_key)}" if issue.still_key else None))
    return CutSheet(f"Scene {scene.number} · {scene.title} · take {take.number}", rate, shots, notes)


def _note_frames(issue: m.ReviewIssue, rate: Fraction) -> tuple[int, int]:
    """A note's in frame and exclusive out frame at the take's rate; one frame when it has no out point.

    The note's own frame is the truth (stored at the rate it was pinned at); it is carried across only if
    the take's rate differs. Older rows without a frame fall back to their scene time.
    """
    pinned = Fraction(issue.rate_num or FRAME_RATE, issue.rate_den or 1)
    if issue.frame is None:
        frame = frame_of(issue.scene_time, rate)
    else:
        frame = issue.frame if pinned == rate else int(Fraction(issue.frame) / pinned * rate + Fraction(1, 2))
    if issue.out_frame is None:
        return frame, frame + 1
    out = issue.out_frame if pinned == rate else int(Fraction(issue.out_frame) / pinned * rate + Fraction(1, 2))
    return frame, out + 1  # stored inclusive; edit decisions count to the frame after


def export_text(rushes, take_id: int, fmt: str, base_url: str = "") -> tuple[str, str, str]:
    """(body, media type, file name) of a text export."""
    if fmt not in FORMATS:
        raise NotFound(f"unknown export format {fmt!r}")
    ext, media_type = FORMATS[fmt]
    with rushes.db.session() as session:
        sheet = cut_sheet(session, take_id, base_url)
        name = file_name(session, _take(session, take_id), ext)
    if not sheet.shots:
        raise Conflict("this take has no shots to export")
    return write(sheet, fmt), media_type, name


# The whole cut as one MP4: a take-level worker job, like QC.

def latest_export_job(session: Session, take_id: int) -> m.RenderJob | None:
    return export_store.latest_take_job(session, take_id, EXPORT_KIND)


def _status(job: m.RenderJob | None) -> str:
    if job is None:
        return "none"
    if job.state == JobState.SUCCEEDED:
        return "done"
    if job.state in (JobState.FAILED, JobState.CANCELLED):
        return "failed"
    return "running" if job.lease_owner is not None and (job.lease_expires_at or 0) > time.time() else "queued"


def mp4_view(session: Session, take_id: int) -> dict:
    """Where the take's MP4 stands: none, queued, running (with progress), done or failed."""
    take = _take(session, take_id)
    job = latest_export_job(session, take_id)
    status = _status(job)
    payload = job.payload if job is not None else {}
    return {"take_id": take_id, "scene_id": take.scene_id, "status": status,
            "progress": 1.0 if status == "done" else (job.progress if job is not None else 0.0),
            "job_id": job.id if job is not None else None, "method": payload.get("method"),
            "seconds": payload.get("seconds"), "size_bytes": payload.get("size_bytes"),
            "error": job.error if status == "failed" else None,
            "url": f"/api/takes/{take_id}/export/mp4" if status == "done" else None}


def request_mp4(rushes, take_id: int) -> dict:
    """Queue the MP4 of a finished take; an export already queued, running or done is reused."""
    with rushes.db.session() as session:
        take = take_store.take(session, take_id, for_update=True)  # one request at a time per take
        if take is None:
            raise NotFound(f"unknown take {take_id}")
        if take.finished_at is None:
            raise Conflict("this take is still rendering: export its MP4 when it lands")
        slots, _ = _slots_and_clips(session, take_id)
        missing = [s.code for s in slots if not s.clip_id]
        if missing or not slots:
            raise Conflict(f"shots {', '.join(missing)} have no clip in this take" if missing else "this take has no shots",
                           {"missing": missing})
        job = latest_export_job(session, take_id)
        if job is None or job.state in (JobState.FAILED, JobState.CANCELLED):
            scene = scene_store.scene(session, take.scene_id)
            project = project_store.project(session, scene.project_id)
            job_queue(rushes).defer(NewJob(kind=JobKind.EXPORT, account_id=project.account_id, scene_id=take.scene_id,
                                        take_id=take.id, max_attempts=EXPORT_MAX_ATTEMPTS,
                                        payload={"take_id": take.id}, run_after=time.time()), within=session)
    with rushes.db.session() as session:
        return mp4_view(session, take_id)


def mp4_file(session: Session, take_id: int) -> tuple[str | None, dict, str]:
    """(media key or None while not done, status view, download name) for GET .../export/mp4."""
    view = mp4_view(session, take_id)
    if view["status"] == "none":
        raise NotFound("no MP4 export of this take yet: POST to start one")
    if view["status"] == "failed":
        raise Conflict(f"the MP4 export failed: {view['error']}", view)
    job = latest_export_job(session, take_id)
    key = job.payload.get("key") if view["status"] == "done" else None
    return key, view, file_name(session, _take(session, take_id), "mp4")


def reels_of(rushes, take_id: int):
    """What the export job needs, read in one short transaction: each shot's clip bytes and frames used."""
    from rushes.media.cut_export import Reel

    with rushes.db.session() as session:
        slots, clips = _slots_and_clips(session, take_id)
        rate = take_rate(clips)
        plan = [(s.code, clips[s.clip_id].media_key, frame_of(s.duration, rate)) for s in slots if s.clip_id]
    return [Reel(code, rushes.media.read(key), frames) for code, key, frames in plan], rate
