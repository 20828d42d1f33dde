"""The frames job: draw a shot's anchor frames through the image provider, outside any transaction."""

from __future__ import annotations

from rushes.jobs.queue import end_job
from rushes.providers.errors import PermanentProviderError, TransientProviderError
from rushes.services.frames import draw_frames, frame_orders, save_frames
from rushes.services.snapshot import load_scene


def step_frames(rushes, job_id: int, owner: str) -> None:
    from rushes.jobs.steps import _retry_or_fail, locked_job

    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        if job.cancel_requested:
            end_job(session, job, "cancelled", "cancelled before it ran", refund=True)
            return
        job.state = "submitting"
        job.attempt += 1
        payload = dict(job.payload)
        snap = load_scene(session, job.scene_id, rushes.render_spec)
        orders = frame_orders(rushes, snap, job.shot_id, tuple(payload["kinds"]), payload.get("seed"))
    try:
        drawn = draw_frames(rushes, orders)
    except TransientProviderError as err:
        with rushes.db.session() as session:
            job = locked_job(session, job_id, owner)
            job.state = "queued"
            _retry_or_fail(rushes, session, job, err, job.attempt)
        return
    except PermanentProviderError as err:
        with rushes.db.session() as session:
            end_job(session, locked_job(session, job_id, owner), "failed", err.reason, err.kind, refund=True)
        return
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        each = job.cost_credits // max(1, len(drawn))
        frames = save_frames(rushes, session, drawn, "generated", each, job.id)
        job.payload = {**payload, "frame_ids": [f.id for f in frames]}
        job.progress = 1.0
        end_job(session, job, "succeeded")
