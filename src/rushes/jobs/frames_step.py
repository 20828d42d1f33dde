"""The frames job: draw a shot's anchor frames through the image provider, outside any transaction."""

from __future__ import annotations

from rushes.jobs.queue import end_job
from rushes.providers.errors import PermanentProviderError, TransientProviderError
from rushes.services.frames import draw_frames, frame_orders, save_frames
from rushes.services.snapshot import load_scene


def step_frames(rushes, job_id: int, owner: str) -> None:
    from rushes.jobs.steps import begin_attempt, fail_for_good, locked_job, retry_later

    with rushes.db.session() as session:
        job = begin_attempt(session, job_id, owner)
        if job is None:
            return
        payload = dict(job.payload)
        snap = load_scene(session, job.scene_id, rushes.render_spec)
        orders = frame_orders(rushes, snap, job.shot_id, tuple(payload["kinds"]), payload.get("seed"))
    try:
        drawn = draw_frames(rushes, orders)
    except TransientProviderError as err:
        retry_later(rushes, job_id, owner, err)
        return
    except PermanentProviderError as err:
        fail_for_good(rushes, job_id, owner, err)
        return
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        each = job.cost_credits // max(1, len(drawn))
        frames = save_frames(rushes, session, drawn, "generated", each, job.id)
        job.payload = {**payload, "frame_ids": [f.id for f in frames]}
        job.progress = 1.0
        end_job(session, job, "succeeded")
