"""Takes as the API and pages see them, and cancelling one."""

from __future__ import annotations

import time
from typing import Any

from rushes.jobs.queue import end_job, finish_take_if_done, lock_job
from rushes.services.accounts import account_of_scene, lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.services.views import media_url
from rushes.domain.ledger import LedgerKind
from rushes.store import ledger
from rushes.store import clips as clip_store
from rushes.store import job_queue as job_rows
from rushes.store import models as m
from rushes.store import takes as take_store

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
    take = take_store.take(session, take_id)
    if take is None:
        raise NotFound(f"unknown take {take_id}")
    slots = take_store.slots(session, take_id)
    jobs = {j.id: j for j in take_store.jobs_of_take(session, take_id)}
    clip_ids = [s.clip_id for s in slots if s.clip_id]
    clips = clip_store.clips_by_id(session, clip_ids)
    refunds = ledger.refunded_jobs_of_take(session, take_id)
    shots: list[dict[str, Any]] = []
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
        "charged": ledger.charged_for_take(session, take_id),
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
    takes = take_store.scene_takes(session, scene_id, before_number, limit)
    return [{"id": t.id, "number": t.number, "finished": t.finished_at is not None, "approved": t.approved_at is not None,
             "cost_credits": t.cost_credits, "created_at": t.created_at.isoformat()} for t in takes]


def cancel_take(rushes, take_id: int) -> dict:
    """Queued jobs end now and are refunded; a render already sent is paid for at the provider, so it is still
    fetched and kept as a version when it arrives (the take ends then)."""
    from datetime import datetime, timezone

    with rushes.db.session() as session:
        scene_id = take_store.scene_of_take(session, take_id)
        if scene_id is None:
            raise NotFound(f"unknown take {take_id}")
        lock_account(session, account_of_scene(session, scene_id))  # refunds follow: money moves
        # Jobs before the take, as worker steps lock them, so a cancel and a step never wait on each other.
        job_rows.lock_open_jobs_of_take(session, take_id)
        take = take_store.take(session, take_id, for_update=True)
        if take.finished_at is not None:
            raise Conflict("this take has already finished")
        take.cancelled_at = take.cancelled_at or datetime.now(timezone.utc)
        for job in job_rows.open_jobs_of_take(session, take_id):
            job.cancel_requested = True
            # A queued job that no worker holds can end here; one under a lease ends at its next step.
            if job.state in ("queued", "attention") and job.lease_owner is None:
                if job.quota_at is not None and rushes.limiter is not None:
                    rushes.limiter.forget(session, job.id, time.time())  # its place in line goes to the next shot
                end_job(session, job, "cancelled", "cancelled before it was sent" if job.state == "queued"
                        else "abandoned after an unconfirmed submit", refund=True)
        finish_take_if_done(session, take)
    with rushes.db.session() as session:
        return take_view(session, take_id)


def resolve_attention(rushes, job_id: int, action: str) -> dict:
    """A job whose submit went unconfirmed: resubmit it (may bill twice) or abandon it (refunded)."""
    with rushes.db.session() as session:
        account_id = job_rows.account_of_job(session, job_id)
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
            ledger.record(session, job.account_id, LedgerKind.RESUBMIT, 0, take_id=job.take_id, job_id=job.id,
                          memo=warning[:500])
    except IntegrityError:
        pass  # a second resubmit of the same job: the first note already says it
