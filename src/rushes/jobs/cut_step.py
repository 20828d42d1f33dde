"""The tail shared by the take export and the film export: lay reels end to end into one MP4 outside any
transaction, keep it in the media store, and end the job with what was made."""

from __future__ import annotations

import time
from fractions import Fraction

from rushes.domain.jobs import JobState
from rushes.jobs.queue import end_job
from rushes.jobs.steps import locked_job, set_progress
from rushes.media.cut_export import Reel, assemble_cut


def keep_assembled_cut(rushes, job_id: int, owner: str, reels: list[Reel], rate: Fraction,
                       chapters: list[tuple[str, int, int]] | None = None) -> tuple[str, str, float]:
    """(media key, method, seconds taken). Progress reaches 95 % as reels land (a short transaction each,
    so the page's Export menu can show it); the last 5 % is the store and the job's end."""
    began = time.perf_counter()

    def progress(fraction: float) -> None:
        set_progress(rushes, job_id, owner, 0.95 * fraction)

    data, method = assemble_cut(reels, rate, progress, chapters=chapters)
    key = rushes.media.put(data, "mp4")
    seconds = time.perf_counter() - began
    with rushes.db.session() as session:
        row = locked_job(session, job_id, owner)
        row.payload = {**row.payload, "key": key, "method": method, "size_bytes": len(data),
                       "frames": sum(r.frames for r in reels), "rate": str(rate), "seconds": round(seconds, 3)}
        row.progress = 1.0
        end_job(session, row, JobState.SUCCEEDED)
    return key, method, seconds
