"""The export job: lay a finished take's clips end to end into one MP4, outside any transaction, and keep it."""

from __future__ import annotations

import logging
import time

from rushes.jobs.queue import end_job, now, start_local_job
from rushes.media.cut_export import assemble_cut
from rushes.services.exports import reels_of

log = logging.getLogger("rushes.worker")


def step_export(rushes, job_id: int, owner: str) -> None:
    from rushes.jobs.steps import locked_job

    take_id = start_local_job(rushes, job_id, owner, "the export")
    if take_id is None:
        return
    began = time.perf_counter()
    reels, rate = reels_of(rushes, take_id)

    def progress(fraction: float) -> None:
        # Written as each shot lands so the review page's Export menu can show it; a short transaction each.
        with rushes.db.session() as session:
            job = locked_job(session, job_id, owner)
            job.progress = round(0.95 * fraction, 3)
            job.updated_at = now()

    data, method = assemble_cut(reels, rate, progress)
    key = rushes.media.put(data, "mp4")
    seconds = time.perf_counter() - began
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        job.payload = {**job.payload, "key": key, "method": method, "size_bytes": len(data),
                       "frames": sum(r.frames for r in reels), "rate": str(rate), "seconds": round(seconds, 3)}
        job.progress = 1.0
        end_job(session, job, "succeeded")
    log.info("take %s: cut exported (%s) as %s in %.2f s", take_id, method, key, seconds)
