"""The export task: lay a finished take's clips end to end into one MP4, outside any transaction, and keep it."""

from __future__ import annotations

import logging
import time

from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.port import JobRecord
from rushes.jobs.queue import end_job
from rushes.jobs.registry import task
from rushes.jobs.steps import locked_job, set_progress, start_local_job
from rushes.media.cut_export import assemble_cut
from rushes.services.exports import reels_of

log = logging.getLogger("rushes.worker")


@task(JobKind.EXPORT)
def work_export(rushes, job: JobRecord, owner: str) -> None:
    payload = start_local_job(rushes, job.id, owner, "the export")
    if payload is None:
        return
    take_id = int(payload["take_id"])
    began = time.perf_counter()
    reels, rate = reels_of(rushes, take_id)

    def progress(fraction: float) -> None:
        # Written as each shot lands so the review page's Export menu can show it; a short transaction each.
        set_progress(rushes, job.id, owner, 0.95 * fraction)

    data, method = assemble_cut(reels, rate, progress)
    key = rushes.media.put(data, "mp4")
    seconds = time.perf_counter() - began
    with rushes.db.session() as session:
        row = locked_job(session, job.id, owner)
        row.payload = {**row.payload, "key": key, "method": method, "size_bytes": len(data),
                       "frames": sum(r.frames for r in reels), "rate": str(rate), "seconds": round(seconds, 3)}
        row.progress = 1.0
        end_job(session, row, JobState.SUCCEEDED)
    log.info("take %s: cut exported (%s) as %s in %.2f s", take_id, method, key, seconds)
