"""Quality control of a take: enqueue it when the take lands, measure every shot and cut, keep the
findings as proposed notes, and let the filmmaker accept (a normal note) or dismiss each one."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from rushes.domain.costs import render_seconds
from rushes.domain.issues import IssueCategory
from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.port import JobQueue, NewJob
from rushes.domain.qc_rules import Finding, ShotMaterial, check_take
from rushes.domain.stages import Stage
from rushes.media.qc_probe import anchor_frame, decode_clip
from rushes.services.errors import Conflict, NotFound
from rushes.services.queueing import job_queue
from rushes.store import clips as clip_store
from rushes.store import exports as export_store
from rushes.store import projects as project_store
from rushes.store import models as m
from rushes.store import qc as qc_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store

QC_KIND = JobKind.QC
QC_MAX_ATTEMPTS = 3
# What each kind of finding is, as a note: the category its accepted note gets.
CATEGORIES: dict[str, IssueCategory] = {
    "start_frame_mismatch": IssueCategory.VISUAL_CONTINUITY,
    "end_frame_mismatch": IssueCategory.VISUAL_CONTINUITY,
    "visual_jump": IssueCategory.VISUAL_CONTINUITY,
    "frozen": IssueCategory.VISUAL_CONTINUITY,
    "black": IssueCategory.VISUAL_CONTINUITY,
    "audio_jump": IssueCategory.DIALOGUE_AUDIO,
    "missing_audio": IssueCategory.DIALOGUE_AUDIO,
    "unexpected_audio": IssueCategory.DIALOGUE_AUDIO,
    "length": IssueCategory.TIMING,
}


def enqueue_qc(queue: JobQueue, session: Session, take: m.Take) -> int:
    """One QC job for a take that just finished, in the same transaction that finished it; its id."""
    scene = scene_store.scene(session, take.scene_id)
    project = project_store.project(session, scene.project_id)
    return queue.defer(NewJob(kind=JobKind.QC, account_id=project.account_id, scene_id=take.scene_id,
                              take_id=take.id, max_attempts=QC_MAX_ATTEMPTS, payload={"take_id": take.id},
                              run_after=time.time()), within=session)


def _plan(session: Session, take_id: int) -> list[dict]:
    """What QC needs of each shot that has a clip, read in one short transaction."""
    slots = take_store.slots(session, take_id)
    clips = clip_store.clips_by_id(session, [s.clip_id for s in slots])
    versions = scene_store.newest_versions(session, [s.shot_id for s in slots])
    plan, start = [], 0.0
    for slot in slots:
        clip = clips.get(slot.clip_id) if slot.clip_id else None
        if clip is not None:
            render = slot.inputs.get("render") or {}
            version = versions.get(slot.shot_id)
            plan.append({"slot": slot.id, "shot_id": slot.shot_id, "code": slot.code, "start": start,
                         "duration": slot.duration, "clip_id": clip.id, "clip_key": clip.media_key,
                         "start_key": slot.inputs.get("start"), "end_key": slot.inputs.get("end"),
                         "prompt": slot.inputs.get("video_prompt") or "",
                         "ordered": float(render_seconds(slot.duration, render.get("model", "mock"))),
                         "generate_audio": bool(render.get("generate_audio", True)),
                         "characters": tuple(version.characters or ()) if version else ()})
        start += slot.duration
    return plan


def measure_take(rushes, take_id: int) -> list[Finding]:
    """Decode every clip of the take at QC size and run every check; no transaction is held meanwhile."""
    with rushes.db.session() as session:
        if take_store.take(session, take_id) is None:
            raise NotFound(f"unknown take {take_id}")
        plan = _plan(session, take_id)
    shots = []
    for item in plan:
        clip = decode_clip(rushes.media.read(item["clip_key"]))
        height, width = clip.frames.shape[1:3]

        def anchor(key, width=width, height=height):
            return anchor_frame(rushes.media.read(key), width, height) if key else None

        shots.append(ShotMaterial(
            shot_id=item["shot_id"], code=item["code"], start=item["start"], duration=item["duration"],
            ordered_seconds=item["ordered"], fps=clip.fps, frames=clip.frames, audio=clip.audio,
            audio_rate=clip.audio_rate, start_anchor=anchor(item["start_key"]), end_anchor=anchor(item["end_key"]),
            video_prompt=item["prompt"], characters=item["characters"], generate_audio=item["generate_audio"]))
    return check_take(shots)


def store_findings(session: Session, take: m.Take, findings: list[Finding], job_id: int | None) -> int:
    """Replace the take's still-proposed findings with these; decided ones stay as the filmmaker left them."""
    qc_store.drop_proposed(session, take.id)
    clips = take_store.clip_of_shot(session, take.id)
    decided = {(f.kind, f.shot_id, f.frame) for f in qc_store.decided(session, take.id)}
    added = 0
    for f in findings:
        if (f.kind, f.shot_id, f.frame) in decided:
            continue
        session.add(m.QcFinding(take_id=take.id, scene_id=take.scene_id, shot_id=f.shot_id, clip_id=clips.get(f.shot_id),
                                job_id=job_id, shot_code=f.shot_code, kind=f.kind, frame=f.frame, scene_time=f.scene_time,
                                measure=f.measure, threshold=f.threshold, stage=f.stage, message=f.message[:500],
                                detail=f.detail))
        added += 1
    session.flush()
    return added


def recheck_take_notes(session: Session, take_id: int, findings: list[Finding]) -> int:
    """QC's notes on a shot whose clip this take changed are checked again against what QC measured now."""
    from rushes.services.draws import recheck_qc_notes

    found: dict[int, dict[str, float]] = {}
    for f in findings:
        found.setdefault(f.shot_id, {}).setdefault(f.kind, f.measure)
    count = 0
    for slot in take_store.slots_with_clips(session, take_id):
        count += recheck_qc_notes(session, slot.shot_id, clip_store.clip(session, slot.clip_id), found.get(slot.shot_id, {}))
    return count


def finding_view(f: m.QcFinding) -> dict:
    return {"id": f.id, "take_id": f.take_id, "scene_id": f.scene_id, "shot_id": f.shot_id, "shot_code": f.shot_code,
            "kind": f.kind, "frame": f.frame, "scene_time": f.scene_time, "measure": f.measure,
            "threshold": f.threshold, "stage": f.stage, "stage_title": Stage(f.stage).title, "message": f.message,
            "source": f.source, "status": f.status, "note_id": f.note_id}


def _status(take: m.Take, job: m.RenderJob | None) -> str:
    if job is None:
        # Not enqueued yet: the take is still rendering (QC starts when it lands), or it predates QC.
        return "queued" if take.finished_at is None else "none"
    if job.state == JobState.SUCCEEDED:
        return "done"
    if job.state in (JobState.FAILED, JobState.CANCELLED):
        return "failed"
    if job.lease_owner is not None and (job.lease_expires_at or 0) > time.time():
        return "running"
    return "queued"


def latest_qc_job(session: Session, take_id: int) -> m.RenderJob | None:
    return export_store.latest_take_job(session, take_id, QC_KIND)


def qc_view(session: Session, take_id: int, include_dismissed: bool = True) -> dict:
    """GET /api/takes/{take_id}/qc: where QC stands and what it found, in cut order."""
    take = take_store.take(session, take_id)
    if take is None:
        raise NotFound(f"unknown take {take_id}")
    job = latest_qc_job(session, take_id)
    findings = qc_store.take_findings(session, take_id, include_dismissed)
    return {"take_id": take_id, "scene_id": take.scene_id, "status": _status(take, job),
            "take_finished": take.finished_at is not None,
            "error": job.error if job is not None and job.state == JobState.FAILED else None,
            "findings": [finding_view(f) for f in findings]}


def request_qc(rushes, take_id: int) -> dict:
    """Queue QC again for a finished take (one that predates QC, or after a failed run)."""
    with rushes.db.session() as session:
        take = take_store.take(session, take_id, for_update=True)
        if take is None:
            raise NotFound(f"unknown take {take_id}")
        if take.finished_at is None:
            raise Conflict("this take is still rendering: QC starts by itself when it lands")
        job = latest_qc_job(session, take_id)
        if job is None or job.state in (JobState.FAILED, JobState.CANCELLED):
            enqueue_qc(job_queue(rushes), session, take)
    with rushes.db.session() as session:
        return qc_view(session, take_id)


def _locked_finding(session: Session, finding_id: int) -> m.QcFinding:
    finding = qc_store.finding(session, finding_id, for_update=True)
    if finding is None:
        raise NotFound(f"unknown QC finding {finding_id}")
    return finding


def accept_finding(rushes, finding_id: int) -> dict:
    """The finding becomes a normal note (through the review service) at its frame, routed to its stage."""
    from rushes.services.review import pin_issue_in

    with rushes.db.session() as session:
        finding = _locked_finding(session, finding_id)
        if finding.status == "accepted":
            raise Conflict(f"QC finding {finding_id} is already note {finding.note_id}", {"note_id": finding.note_id})
        note = pin_issue_in(rushes, session, finding.scene_id, {
            "scene_time": finding.scene_time, "take_id": finding.take_id, "shot_id": finding.shot_id,
            "category": CATEGORIES[finding.kind].value, "stage": finding.stage,
            "description": f"QC {finding.kind.replace('_', ' ')}: {finding.message}"})
        finding.status = "accepted"
        finding.note_id = note["id"]
        finding.decided_at = datetime.now(timezone.utc)
        return {"finding": finding_view(finding), "note": note}


def dismiss_finding(rushes, finding_id: int) -> dict:
    with rushes.db.session() as session:
        finding = _locked_finding(session, finding_id)
        if finding.status == "accepted":
            raise Conflict(f"QC finding {finding_id} is already note {finding.note_id}: delete the note instead",
                           {"note_id": finding.note_id})
        finding.status = "dismissed"
        finding.decided_at = datetime.now(timezone.utc)
        return {"finding": finding_view(finding)}
