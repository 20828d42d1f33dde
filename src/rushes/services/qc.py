"""Quality control of a take: enqueue it when the take lands, measure every shot and cut, keep the
findings as proposed notes, and let the filmmaker accept (a normal note) or dismiss each one."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rushes.domain.costs import render_seconds
from rushes.domain.issues import IssueCategory
from rushes.domain.qc_rules import Finding, ShotMaterial, check_take
from rushes.domain.stages import Stage
from rushes.media.qc_probe import anchor_frame, decode_clip
from rushes.services.errors import Conflict, NotFound
from rushes.store import models as m

QC_KIND = "qc"
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


def enqueue_qc(session: Session, take: m.Take) -> m.RenderJob:
    """One QC job for a take that just finished, in the same transaction that finished it."""
    scene = session.get(m.Scene, take.scene_id)
    project = session.get(m.Project, scene.project_id)
    job = m.RenderJob(kind=QC_KIND, account_id=project.account_id, scene_id=take.scene_id, shot_id=None,
                      take_id=take.id, max_attempts=QC_MAX_ATTEMPTS, payload={"take_id": take.id},
                      run_after=time.time())
    session.add(job)
    session.flush()
    return job


def _newest_versions(session: Session, shot_ids: list[int]) -> dict[int, m.ShotVersion]:
    newest = (select(m.ShotVersion.shot_id, func.max(m.ShotVersion.version).label("v"))
              .where(m.ShotVersion.shot_id.in_(shot_ids)).group_by(m.ShotVersion.shot_id).subquery())
    rows = session.scalars(select(m.ShotVersion).join(
        newest, (newest.c.shot_id == m.ShotVersion.shot_id) & (newest.c.v == m.ShotVersion.version)))
    return {v.shot_id: v for v in rows}


def _plan(session: Session, take_id: int) -> list[dict]:
    """What QC needs of each shot that has a clip, read in one short transaction."""
    slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id).order_by(m.TakeSlot.position)))
    clips = {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_([s.clip_id for s in slots if s.clip_id])))}
    versions = _newest_versions(session, [s.shot_id for s in slots])
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


def measure_take(app, take_id: int) -> list[Finding]:
    """Decode every clip of the take at QC size and run every check; no transaction is held meanwhile."""
    with app.db.session() as session:
        if session.get(m.Take, take_id) is None:
            raise NotFound(f"unknown take {take_id}")
        plan = _plan(session, take_id)
    shots = []
    for item in plan:
        clip = decode_clip(app.media.read(item["clip_key"]))
        height, width = clip.frames.shape[1:3]
        anchor = (lambda key: anchor_frame(app.media.read(key), width, height) if key else None)
        shots.append(ShotMaterial(
            shot_id=item["shot_id"], code=item["code"], start=item["start"], duration=item["duration"],
            ordered_seconds=item["ordered"], fps=clip.fps, frames=clip.frames, audio=clip.audio,
            audio_rate=clip.audio_rate, start_anchor=anchor(item["start_key"]), end_anchor=anchor(item["end_key"]),
            video_prompt=item["prompt"], characters=item["characters"], generate_audio=item["generate_audio"]))
    return check_take(shots)


def store_findings(session: Session, take: m.Take, findings: list[Finding], job_id: int | None) -> int:
    """Replace the take's still-proposed findings with these; decided ones stay as the filmmaker left them."""
    session.execute(delete(m.QcFinding).where(m.QcFinding.take_id == take.id, m.QcFinding.status == "proposed"))
    clips = dict(session.execute(select(m.TakeSlot.shot_id, m.TakeSlot.clip_id).where(m.TakeSlot.take_id == take.id)).all())
    decided = {(f.kind, f.shot_id, f.frame) for f in session.scalars(
        select(m.QcFinding).where(m.QcFinding.take_id == take.id, m.QcFinding.status != "proposed"))}
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


def finding_view(f: m.QcFinding) -> dict:
    return {"id": f.id, "take_id": f.take_id, "scene_id": f.scene_id, "shot_id": f.shot_id, "shot_code": f.shot_code,
            "kind": f.kind, "frame": f.frame, "scene_time": f.scene_time, "measure": f.measure,
            "threshold": f.threshold, "stage": f.stage, "stage_title": Stage(f.stage).title, "message": f.message,
            "source": f.source, "status": f.status, "note_id": f.note_id}


def _status(take: m.Take, job: m.RenderJob | None) -> str:
    if job is None:
        # Not enqueued yet: the take is still rendering (QC starts when it lands), or it predates QC.
        return "queued" if take.finished_at is None else "none"
    if job.state == "succeeded":
        return "done"
    if job.state in ("failed", "cancelled"):
        return "failed"
    if job.lease_owner is not None and (job.lease_expires_at or 0) > time.time():
        return "running"
    return "queued"


def latest_qc_job(session: Session, take_id: int) -> m.RenderJob | None:
    return session.scalar(select(m.RenderJob).where(m.RenderJob.take_id == take_id, m.RenderJob.kind == QC_KIND)
                          .order_by(m.RenderJob.id.desc()).limit(1))


def qc_view(session: Session, take_id: int, include_dismissed: bool = True) -> dict:
    """GET /api/takes/{take_id}/qc: where QC stands and what it found, in cut order."""
    take = session.get(m.Take, take_id)
    if take is None:
        raise NotFound(f"unknown take {take_id}")
    job = latest_qc_job(session, take_id)
    query = select(m.QcFinding).where(m.QcFinding.take_id == take_id)
    if not include_dismissed:
        query = query.where(m.QcFinding.status != "dismissed")
    findings = list(session.scalars(query.order_by(m.QcFinding.scene_time, m.QcFinding.id)))
    return {"take_id": take_id, "scene_id": take.scene_id, "status": _status(take, job),
            "take_finished": take.finished_at is not None,
            "error": job.error if job is not None and job.state == "failed" else None,
            "findings": [finding_view(f) for f in findings]}


def request_qc(app, take_id: int) -> dict:
    """Queue QC again for a finished take (one that predates QC, or after a failed run)."""
    with app.db.session() as session:
        take = session.get(m.Take, take_id, with_for_update=True)
        if take is None:
            raise NotFound(f"unknown take {take_id}")
        if take.finished_at is None:
            raise Conflict("this take is still rendering: QC starts by itself when it lands")
        job = latest_qc_job(session, take_id)
        if job is None or job.state in ("failed", "cancelled"):
            enqueue_qc(session, take)
    with app.db.session() as session:
        return qc_view(session, take_id)


def _locked_finding(session: Session, finding_id: int) -> m.QcFinding:
    finding = session.get(m.QcFinding, finding_id, with_for_update=True)
    if finding is None:
        raise NotFound(f"unknown QC finding {finding_id}")
    return finding


def accept_finding(app, finding_id: int) -> dict:
    """The finding becomes a normal note (through the review service) at its frame, routed to its stage."""
    from rushes.services.review import pin_issue_in

    with app.db.session() as session:
        finding = _locked_finding(session, finding_id)
        if finding.status == "accepted":
            raise Conflict(f"QC finding {finding_id} is already note {finding.note_id}", {"note_id": finding.note_id})
        note = pin_issue_in(app, session, finding.scene_id, {
            "scene_time": finding.scene_time, "take_id": finding.take_id, "shot_id": finding.shot_id,
            "category": CATEGORIES[finding.kind].value, "stage": finding.stage,
            "description": f"QC {finding.kind.replace('_', ' ')}: {finding.message}"})
        finding.status = "accepted"
        finding.note_id = note["id"]
        finding.decided_at = datetime.now(timezone.utc)
        return {"finding": finding_view(finding), "note": note}


def dismiss_finding(app, finding_id: int) -> dict:
    with app.db.session() as session:
        finding = _locked_finding(session, finding_id)
        if finding.status == "accepted":
            raise Conflict(f"QC finding {finding_id} is already note {finding.note_id}: delete the note instead",
                           {"note_id": finding.note_id})
        finding.status = "dismissed"
        finding.decided_at = datetime.now(timezone.utc)
        return {"finding": finding_view(finding)}
