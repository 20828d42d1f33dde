"""Stage 10 regeneration as a job on the render worker, charged per frame and refunded on failure."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rushes.services.accounts import InsufficientCredits, account_of_scene, balance, lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.services.snapshot import load_scene
from rushes.store import models as m


def enqueue_frames(app, shot_id: int, kinds: tuple[str, ...] = ("start", "end"), user_id: int | None = None) -> int:
    """Queue new frames for a shot (a fresh variation each time); returns the job id."""
    if not kinds or any(k not in ("start", "end") for k in kinds):
        raise Conflict("kinds must be start and/or end")
    try:
        with app.db.session() as session:
            return _enqueue(app, session, shot_id, kinds, user_id)
    except IntegrityError:
        # The partial unique index on open jobs per shot and kind refused a second one.
        with app.db.session() as session:
            raise Conflict("frames for this shot are already being generated",
                           {"job_id": _open_frames_job(session, shot_id)}) from None


def _open_frames_job(session, shot_id: int) -> int | None:
    return session.scalar(select(m.RenderJob.id).where(m.RenderJob.shot_id == shot_id, m.RenderJob.kind == "frames",
                                                       m.RenderJob.finished_at.is_(None)).limit(1))


def _enqueue(app, session, shot_id: int, kinds: tuple[str, ...], user_id: int | None = None) -> int:
    shot = session.get(m.Shot, shot_id)
    if shot is None:
        raise NotFound(f"unknown shot {shot_id}")
    account_id = account_of_scene(session, shot.scene_id)
    # Locked before the "already generating" check, so that check sees every committed job.
    lock_account(session, account_id)
    busy = _open_frames_job(session, shot_id)
    if busy is not None:
        raise Conflict("frames for this shot are already being generated", {"job_id": busy})
    snap = load_scene(session, shot.scene_id, app.render_spec)
    check = snap.assessment.shot(shot_id)
    if check.end is None:
        kinds = tuple(k for k in kinds if k != "end")
        if not kinds:
            raise Conflict("this shot is start-frame-only: it has no end frame")
    cost = len(kinds) * app.prices.frame_image
    available = balance(session, account_id)
    if cost > available:
        raise InsufficientCredits(cost, available)
    seed = (session.scalar(select(m.RenderJob.id).order_by(m.RenderJob.id.desc()).limit(1)) or 0) + 1
    job = m.RenderJob(kind="frames", account_id=account_id, scene_id=shot.scene_id, shot_id=shot_id,
                      max_attempts=app.settings.job_max_attempts, cost_credits=cost,
                      payload={"kinds": list(kinds), "seed": seed, "code": check.code})
    session.add(job)
    session.flush()
    if cost:
        session.add(m.LedgerEntry(account_id=account_id, amount=-cost, kind="charge", job_id=job.id, user_id=user_id,
                                  memo=f"frames {check.code} ({', '.join(kinds)})"))
    return job.id
