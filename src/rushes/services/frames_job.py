"""The frames task: draw a shot's anchor frames through the image provider, outside any transaction."""

from __future__ import annotations

from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.port import JobRecord
from rushes.jobs.queue import end_job
from rushes.jobs.registry import task
from rushes.jobs.steps import begin_attempt, fail_for_good, locked_job, retry_later
from rushes.providers.errors import PermanentProviderError, TransientProviderError
from rushes.services.frames import draw_frames, frame_orders, save_frames
from rushes.services.snapshot import load_scene


@task(JobKind.FRAMES)
def work_frames(rushes, job: JobRecord, owner: str) -> None:
    job_id = job.id
    with rushes.db.session() as session:
        row = begin_attempt(session, job_id, owner)
        if row is None:
            return
        payload = dict(row.payload)
        snap = load_scene(session, row.scene_id, rushes.render_spec)
        orders = frame_orders(rushes, snap, row.shot_id, tuple(payload["kinds"]), payload.get("seed"))
    try:
        drawn = draw_frames(rushes, orders)
    except TransientProviderError as err:
        retry_later(rushes, job_id, owner, err)
        return
    except PermanentProviderError as err:
        fail_for_good(rushes, job_id, owner, err)
        return
    with rushes.db.session() as session:
        row = locked_job(session, job_id, owner)
        each = row.cost_credits // max(1, len(drawn))
        frames = save_frames(rushes, session, drawn, "generated", each, row.id)
        row.payload = {**payload, "frame_ids": [f.id for f in frames]}
        row.progress = 1.0
        end_job(session, row, JobState.SUCCEEDED)
