"""One step of a leased job: submit, poll, or collect. Each step ends by snoozing or ending the job.

The steps of a clip render live here; collecting its video (keeping the clip, choosing the select) is
the renders feature's, passed in as `collect` by the task that rushes.services.clip_job registers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from rushes.domain.jobs import JobState
from rushes.jobs.faults import crash_point, stall_point
from rushes.jobs.port import JobRecord, LeaseLost  # noqa: F401 - tasks take LeaseLost and locked_job from here
from rushes.jobs.queue import backoff_seconds, end_job, now, release
from rushes.jobs.quota import SubmitLimiter
from rushes.observe.metrics import PROVIDER_429, RENDER_VARIANTS, RENDERS_SUBMITTED
from rushes.providers.errors import PermanentProviderError, ProviderError, TransientProviderError
from rushes.redact import redact
from rushes.providers.video.base import DialogueLine, OperationStatus, VideoRequest
from rushes.store import models as m
from rushes.store.job_queue import locked_job

log = logging.getLogger("rushes.worker")


# What collects a finished render: (rushes, job id, lease owner, the provider's final status).
Collect = Callable[[object, int, str, OperationStatus], None]


def step_clip(rushes, job: JobRecord, owner: str, collect: Collect) -> None:
    """A clip render's next step, by where the job stands."""
    if job.state == JobState.QUEUED:
        step_submit(rushes, job.id, owner)
    elif job.state == JobState.SUBMITTING:
        step_recover_submitting(rushes, job.id, owner)
    elif job.state == JobState.RENDERING:
        step_poll(rushes, job.id, owner, job.operation_name, collect)


def start_local_job(rushes, job_id: int, owner: str, what: str) -> dict | None:
    """Begin a job that runs on this machine (QC, an export): its payload, or None when it was cancelled
    first. No "submitting" state: nothing leaves the machine or is billed, so a crash simply runs it again."""
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        if job.cancel_requested:
            end_job(session, job, JobState.CANCELLED, f"cancelled before {what} ran")
            return None
        job.attempt += 1
        job.updated_at = now()
        return dict(job.payload)


def set_progress(rushes, job_id: int, owner: str, fraction: float) -> None:
    """A long local step's progress, in a short transaction of its own (pages poll it)."""
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        job.progress = round(fraction, 3)
        job.updated_at = now()


def video_request(rushes, payload: dict) -> VideoRequest:
    render = payload["render"]
    end_key = payload.get("end_key")
    return VideoRequest(
        prompt=payload["prompt"],
        start_frame=rushes.media.read(payload["start_key"]),
        start_frame_mime=rushes.media.media_type(payload["start_key"]),
        end_frame=rushes.media.read(end_key) if end_key else None,
        end_frame_mime=rushes.media.media_type(end_key) if end_key else "image/png",
        duration_seconds=int(payload["render_seconds"]),
        shot_code=payload.get("code", ""),
        aspect_ratio=render["aspect_ratio"],
        resolution=render["resolution"],
        generate_audio=render["generate_audio"],
        model=render["model"],
        negative_prompt=rushes.settings.veo_negative_prompt,
        dialogue=tuple(DialogueLine(s, line) for s, line in payload.get("dialogue", [])),
        seed=payload.get("seed"),
        sample_count=int(payload.get("variants", 1)),
    )


def retry_or_fail(rushes, session: Session, job: m.RenderJob, err: TransientProviderError, count: int) -> None:
    s = rushes.settings
    if count >= job.max_attempts:
        end_job(session, job, JobState.FAILED, f"gave up after {count} tries: {err.reason}", "transient", refund=True)
        return
    delay = max(err.retry_after or 0.0, backoff_seconds(count, s.retry_base_seconds, s.retry_max_seconds))
    job.error = redact(f"{err.reason} (retry {count}/{job.max_attempts - 1} in {delay:.0f} s)")
    job.error_kind = "transient"
    release(job, now() + delay)


def begin_attempt(session: Session, job_id: int, owner: str, limiter: SubmitLimiter | None = None) -> m.RenderJob | None:
    """Mark a new attempt as submitting before any provider call; None if the job was cancelled instead,
    or snoozed until the provider's quota has room for it (no attempt spent, its slot held)."""
    job = locked_job(session, job_id, owner)
    if job.cancel_requested:
        end_job(session, job, JobState.CANCELLED, "cancelled before it was sent", refund=True)
        if limiter is not None:  # the quota row is always locked last
            limiter.forget(session, job.id, now())
        return None
    if limiter is not None:
        t = now()
        at = limiter.take(session, job.id, t)
        if at > t:
            job.quota_at = at
            release(job, at)
            return None
        job.quota_at = None
    job.state = JobState.SUBMITTING
    job.attempt += 1
    job.updated_at = now()
    return job


def fail_for_good(rushes, job_id: int, owner: str, err: PermanentProviderError) -> None:
    with rushes.db.session() as session:
        end_job(session, locked_job(session, job_id, owner), JobState.FAILED, err.reason, err.kind, refund=True)


def retry_later(rushes, job_id: int, owner: str, err: TransientProviderError) -> None:
    """Back to the queue after a transient error, or failed and refunded past the attempt limit."""
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        job.state = JobState.QUEUED
        retry_or_fail(rushes, session, job, err, job.attempt)


def step_submit(rushes, job_id: int, owner: str) -> None:
    limiter = rushes.limiter
    with rushes.db.session() as session:
        job = begin_attempt(session, job_id, owner, limiter)
        if job is None:
            return
        payload = dict(job.payload)
    crash_point("before_submit")
    try:
        operation = _submit_paced(rushes, limiter, job_id, payload)
    except TransientProviderError as err:
        if err.quota:
            PROVIDER_429.labels(rushes.settings.video_provider, "submit").inc()
        if limiter is not None and err.quota:
            requeue_for_quota(rushes, limiter, job_id, owner, err)
            return
        if not _submission_uncertain(err):
            retry_later(rushes, job_id, owner, err)
            return
        with rushes.db.session() as session:
            _mark_uncertain(rushes, session, locked_job(session, job_id, owner), err.reason)
        return
    except PermanentProviderError as err:
        fail_for_good(rushes, job_id, owner, err)
        return
    crash_point("before_submit_persist")
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        job.operation_name = operation
        job.submitted_at = now()
        job.state = JobState.RENDERING
        job.error = None
        job.error_kind = None
        job.progress = 0.0
        release(job, now() + rushes.settings.provider_poll_seconds)
    model = payload["render"]["model"]
    RENDERS_SUBMITTED.labels(model).inc()
    RENDER_VARIANTS.labels(model).inc(int(payload.get("variants", 1) or 1))
    crash_point("after_submit")


def _submit_paced(rushes, limiter: SubmitLimiter | None, job_id: int, payload: dict) -> str:
    """Send the render; any answer but a 429 ends the request's time on the wire in the shared log."""
    try:
        operation = rushes.video.submit(video_request(rushes, payload))
    except ProviderError as err:
        if limiter is not None and not (isinstance(err, TransientProviderError) and err.quota):
            with rushes.db.session() as session:
                limiter.answered(session, job_id, now())
        raise
    if limiter is not None:
        with rushes.db.session() as session:
            limiter.answered(session, job_id, now())
    return operation


def requeue_for_quota(rushes, limiter: SubmitLimiter, job_id: int, owner: str, err: TransientProviderError) -> None:
    """A 429 started nothing: the job goes back first in line without spending an attempt, and every
    worker holds its submissions back (the provider's window is full, maybe by someone else's calls)."""
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        at = limiter.refused(session, job.id, now(), err.server_retry_after)
        job.state = JobState.QUEUED
        job.attempt = max(0, job.attempt - 1)
        job.quota_at = at
        job.error = f"{err.reason} (waiting for quota)"[:500]
        job.error_kind = "quota"
        job.payload = {**job.payload, "quota_refusals": int((job.payload or {}).get("quota_refusals", 0)) + 1}
        release(job, at)


def _submission_uncertain(err: TransientProviderError) -> bool:
    try:
        from rushes.providers.vertex import submission_uncertain
    except ImportError:
        return False
    return submission_uncertain(err)


def _mark_uncertain(rushes, session: Session, job: m.RenderJob, reason: str) -> None:
    """A submit that may have reached the provider without us learning its operation: never resend silently."""
    reason = redact(reason)
    if rushes.settings.submitting_policy == "resubmit":
        job.state = JobState.QUEUED
        job.error = f"resubmitting under RUSHES_SUBMITTING_POLICY=resubmit after an unconfirmed submit ({reason})"
        # The error is cleared once the resend succeeds; the note keeps the possible double billing visible.
        notes = list((job.payload or {}).get("notes", []))
        job.payload = {**job.payload, "notes": notes + [job.error + "; the provider may bill this shot twice"]}
        release(job, now() + rushes.settings.retry_base_seconds)
        return
    job.state = JobState.ATTENTION
    job.error = (f"the provider may have started this render but never confirmed it ({reason}); "
                 "check the provider console, then resubmit or abandon")
    job.error_kind = "uncertain"
    job.lease_owner = None
    job.lease_expires_at = None
    job.updated_at = now()


def step_recover_submitting(rushes, job_id: int, owner: str) -> None:
    """A job left 'submitting' by a crashed worker: whether the provider got it is unknown."""
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        log.warning("job %s was left submitting by a crashed worker", job_id)
        _mark_uncertain(rushes, session, job, "worker stopped during submission")


def step_poll(rushes, job_id: int, owner: str, operation: str, collect: Collect) -> None:
    crash_point("while_polling")
    stall_point("while_polling")
    try:
        status = rushes.video.poll(operation)
    except TransientProviderError as err:
        if err.quota:
            PROVIDER_429.labels(rushes.settings.video_provider, "poll").inc()
        with rushes.db.session() as session:
            job = locked_job(session, job_id, owner)
            polls = int((job.payload or {}).get("poll_errors", 0)) + 1
            job.payload = {**job.payload, "poll_errors": polls}
            retry_or_fail(rushes, session, job, err, polls)
        return
    except PermanentProviderError as err:
        fail_for_good(rushes, job_id, owner, err)
        return
    if not status.done:
        with rushes.db.session() as session:
            job = locked_job(session, job_id, owner)
            if job.cancel_requested:
                # Veo bills a render once it is submitted, so a cancelled one is still fetched and kept.
                job.error = "take cancelled: this render is already paid for at the provider, keeping it when it arrives"
            if status.progress is not None:
                job.progress = max(0.0, min(0.99, float(status.progress)))
            release(job, now() + rushes.settings.provider_poll_seconds)
        return
    crash_point("while_downloading")
    collect(rushes, job_id, owner, status)
