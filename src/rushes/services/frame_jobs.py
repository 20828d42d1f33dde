"""Stage 10 regeneration as a job on the render worker, charged per frame and refunded on failure."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from rushes.domain.jobs import JobKind
from rushes.jobs.port import NewJob
from rushes.services.accounts import InsufficientCredits, account_of_scene, balance, lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.services.queueing import job_queue
from rushes.services.snapshot import load_scene
from rushes.domain.ledger import LedgerKind
from rushes.store import frames, job_queue as job_rows, ledger, shots


def enqueue_frames(rushes, shot_id: int, kinds: tuple[str, ...] = ("start", "end"), user_id: int | None = None) -> int:
    """Queue new frames for a shot (a fresh variation each time); returns the job id."""
    if not kinds or any(k not in ("start", "end") for k in kinds):
        raise Conflict("kinds must be start and/or end")
    try:
        with rushes.db.session() as session:
            return _enqueue(rushes, session, shot_id, kinds, user_id)
    except IntegrityError:
        # The partial unique index on open jobs per shot and kind refused a second one.
        with rushes.db.session() as session:
            raise Conflict("frames for this shot are already being generated",
                           {"job_id": frames.open_frames_job(session, shot_id)}) from None


def _enqueue(rushes, session, shot_id: int, kinds: tuple[str, ...], user_id: int | None = None) -> int:
    shot = shots.shot(session, shot_id)
    if shot is None:
        raise NotFound(f"unknown shot {shot_id}")
    account_id = account_of_scene(session, shot.scene_id)
    # Locked before the "already generating" check, so that check sees every committed job.
    lock_account(session, account_id)
    busy = frames.open_frames_job(session, shot_id)
    if busy is not None:
        raise Conflict("frames for this shot are already being generated", {"job_id": busy})
    snap = load_scene(session, shot.scene_id, rushes.render_spec)
    check = snap.assessment.shot(shot_id)
    if check.end is None:
        kinds = tuple(k for k in kinds if k != "end")
        if not kinds:
            raise Conflict("this shot is start-frame-only: it has no end frame")
    cost = len(kinds) * rushes.prices.frame_image
    available = balance(session, account_id)
    if cost > available:
        raise InsufficientCredits(cost, available)
    seed = (job_rows.newest_job_id(session) or 0) + 1
    # Queued in this transaction: the job, its charge and the "already generating" check commit together.
    job_id = job_queue(rushes).defer(NewJob(kind=JobKind.FRAMES, account_id=account_id, scene_id=shot.scene_id,
                                         shot_id=shot_id, max_attempts=rushes.settings.job_max_attempts,
                                         cost_credits=cost, payload={"kinds": list(kinds), "seed": seed,
                                                                     "code": check.code}), within=session)
    if cost:
        ledger.record(session, account_id, LedgerKind.CHARGE, -cost, job_id=job_id, user_id=user_id,
                      memo=f"frames {check.code} ({', '.join(kinds)})")
    return job_id
