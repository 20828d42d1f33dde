"""Takes as the API and pages see them, and cancelling one."""

from __future__ import annotations

import time

from sqlalchemy import select

from rushes.jobs.queue import end_job, finish_take_if_done, lock_job
from rushes.services.accounts import account_of_scene, lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.services.views import media_url
from rushes.store import models as m

JOB_OPEN = ("queued", "submitting", "rendering", "attention")


def job_view(job: m.RenderJob | None) -> dict | None:
    if job is None:
        return None
    return {"id": job.id, "kind": job.kind, "state": job.state, "attempt": job.attempt, "progress": round(job.progress, 3),
            "error": job.error, "error_kind": job.error_kind, "operation": job.operation_name,
            "cost_credits": job.cost_credits, "cancel_requested": job.cancel_requested,
            "shot_id": job.shot_id, "take_id": job.take_id, "finished": job.finished_at is not None,
            "notes": list((job.payload or {}).get("notes", [])), "quota": quota_wait(job)}


def quota_wait(job: m.RenderJob, at: float | None = None) -> dict | None:
    """A queued job holding a send slot in the future is "queued for quota": when it goes, and how soon."""
    t = time.time() if at is None else at
    if job.state != "queued" or job.quota_at is None or job.quota_at <= t or job.cancel_requested:
        return None
    return {"at": job.quota_at, "eta_seconds": round(job.quota_at - t, 1)}


def take_view(session, take_id: int) -> dict:
    take = session.get(m.Take, take_id)
    if take is None:
        raise NotFound(f"unknown take {take_id}")
    slots = list(session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id).order_by(m.TakeSlot.position)))
    jobs = {j.id: j for j in session.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id))}
    clip_ids = [s.clip_id for s in slots if s.clip_id]
    clips = {c.id: c for c in session.scalars(select(m.Clip).where(m.Clip.id.in_(clip_ids)))}
    refunds = set(session.scalars(select(m.LedgerEntry.job_id).where(m.LedgerEntry.take_id == take_id,
                                                                     m.LedgerEntry.kind == "refund")))
    shots = []
    for slot in slots:
        job = jobs.get(slot.job_id) if slot.job_id else None
        clip = clips.get(slot.clip_id) if slot.clip_id else None
        state = "reused" if slot.reused else (job.state if job else "missing")
        shots.append({
            "shot_id": slot.shot_id, "code": slot.code, "position": slot.position, "duration": slot.duration,
            "reused": slot.reused, "state": state, "job": job_view(job),
            "attempt": job.attempt if job else 0, "progress": 1.0 if clip else (job.progress if job else 0.0),
            "error": job.error if job and job.state in ("failed", "attention") else None,
            "quota": quota_wait(job) if job else None,
            "clip": None if clip is None else {
                "id": clip.id, "version": clip.version, "url": media_url(clip.media_key),
                "poster_url": media_url(clip.poster_key), "strip_url": media_url(clip.strip_key),
                "strip": clip.strip_meta, "duration": clip.duration, "fps": clip.fps},
            "cost_credits": job.cost_credits if job else 0,
            "refunded": bool(job and job.id in refunds),
        })
    ended = [s for s in shots if s["state"] in ("succeeded", "reused", "failed", "cancelled")]
    return {
        "id": take.id, "scene_id": take.scene_id, "number": take.number, "render": take.render,
        "cost_credits": take.cost_credits,
        "charged": -sum(e.amount for e in session.scalars(select(m.LedgerEntry).where(
            m.LedgerEntry.take_id == take_id, m.LedgerEntry.kind.in_(("charge", "refund"))))),
        "created_at": take.created_at.isoformat(),
        "finished": take.finished_at is not None,
        "finished_at": take.finished_at.isoformat() if take.finished_at else None,
        "approved": take.approved_at is not None,
        "cancelled": take.cancelled_at is not None,
        "progress": round(sum(s["progress"] for s in shots) / max(1, len(shots)), 3),
        "done_count": len(ended), "failed": [s["code"] for s in shots if s["state"] == "failed"],
        "shots": shots,
    }


def scene_takes(session, scene_id: int, before_number: int | None = None, limit: int | None = None) -> list[dict]:
    """Takes newest first; `before_number` continues after the last take seen."""
    query = select(m.Take).where(m.Take.scene_id == scene_id)
    if before_number is not None:
        query = query.where(m.Take.number < before_number)
    takes = session.scalars(query.order_by(m.Take.number.desc()).limit(limit))
    return [{"id": t.id, "number": t.number, "finished": t.finished_at is not None, "approved": t.approved_at is not None,
             "cost_credits": t.cost_credits, "created_at": t.created_at.isoformat()} for t in takes]


def cancel_take(app, take_id: int) -> dict:
    """Queued jobs end now and are refunded; rendering ones stop at their next poll."""
    from datetime import datetime, timezone

    with app.db.session() as session:
        scene_id = session.scalar(select(m.Take.scene_id).where(m.Take.id == take_id))
        if scene_id is None:
            raise NotFound(f"unknown take {take_id}")
        lock_account(session, account_of_scene(session, scene_id))  # refunds follow: money moves
        # Jobs before the take, as worker steps lock them, so a cancel and a step never wait on each other.
        list(session.scalars(select(m.RenderJob.id).where(m.RenderJob.take_id == take_id, m.RenderJob.finished_at.is_(None))
                             .order_by(m.RenderJob.id).with_for_update()))
        take = session.get(m.Take, take_id, with_for_update=True)
        if take.finished_at is not None:
            raise Conflict("this take has already finished")
        take.cancelled_at = take.cancelled_at or datetime.now(timezone.utc)
        for job in session.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id,
                                                             m.RenderJob.finished_at.is_(None))):
            job.cancel_requested = True
            # A queued job that no worker holds can end here; one under a lease ends at its next step.
            if job.state in ("queued", "attention") and job.lease_owner is None:
                if job.quota_at is not None and app.submit_limiter is not None:
                    app.submit_limiter.forget(session, job.id, time.time())  # its place in line goes to the next shot
                end_job(session, job, "cancelled", "cancelled before it was sent" if job.state == "queued"
                        else "abandoned after an unconfirmed submit", refund=True)
        finish_take_if_done(session, take)
    with app.db.session() as session:
        return take_view(session, take_id)


def resolve_attention(app, job_id: int, action: str) -> dict:
    """A job whose submit went unconfirmed: resubmit it (may bill twice) or abandon it (refunded)."""
    with app.db.session() as session:
        account_id = session.scalar(select(m.RenderJob.account_id).where(m.RenderJob.id == job_id))
        if account_id is None:
            raise NotFound(f"unknown job {job_id}")
        lock_account(session, account_id)
        job = lock_job(session, job_id)
        if job is None:
            raise NotFound(f"unknown job {job_id}")
        if job.state != "attention":
            raise Conflict(f"job {job_id} is {job.state}, not waiting for attention")
        if action == "resubmit":
            job.state, job.error, job.run_after = "queued", "resubmitted by the filmmaker", 0.0
            _note_resubmit(session, job)
        elif action == "abandon":
            end_job(session, job, "failed", "abandoned after an unconfirmed submit", "uncertain", refund=True)
        else:
            raise Conflict("action must be resubmit or abandon")
        return job_view(job)


def _note_resubmit(session, job: m.RenderJob) -> None:
    """Rushes does not charge a resubmit again, but the provider may bill both sends: the ledger says so."""
    from sqlalchemy.exc import IntegrityError

    code = (job.payload or {}).get("code", "")
    warning = (f"resubmitted {code} after an unconfirmed submit: if the first one reached the provider it bills "
               f"this render twice (up to {job.cost_credits} credits more there); Rushes charges it once")
    job.payload = {**(job.payload or {}), "notes": list((job.payload or {}).get("notes", [])) + [warning]}
    try:
        with session.begin_nested():
            session.add(m.LedgerEntry(account_id=job.account_id, amount=0, kind="resubmit", take_id=job.take_id,
                                      job_id=job.id, memo=warning[:500]))
    except IntegrityError:
        pass  # a second resubmit of the same job: the first note already says it
