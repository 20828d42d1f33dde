"""The film export task: lay the film's scenes end to end into one MP4 (a chapter per scene, slates black),
outside any transaction, and keep it in the media store. It needs no service, so it lives with the worker."""

from __future__ import annotations

import logging
import time
from fractions import Fraction

from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.port import JobRecord
from rushes.jobs.queue import end_job
from rushes.jobs.registry import task
from rushes.jobs.steps import locked_job, set_progress, start_local_job
from rushes.media.cut_export import Reel, assemble_cut
from rushes.media.edit_decisions import frame_of
from rushes.store import clips as clip_store

log = logging.getLogger("rushes.worker")


def film_reels(rushes, plan: list[dict]) -> tuple[list[Reel], Fraction, list[tuple[str, int, int]]]:
    """Each planned shot's clip (or a slate), the rate, and a chapter per scene in frames."""
    ids = [sh["clip_id"] for scene in plan for sh in scene["shots"] if sh["clip_id"]]
    with rushes.db.session() as session:
        clips = {c.id: (c.media_key, c.fps) for c in clip_store.clips_by_id(session, ids).values()}
    fps = next((f for _, f in clips.values() if f), 24)
    rate = Fraction(fps).limit_denominator(1001)
    reels, chapters, at = [], [], 0
    for scene in plan:
        start = at
        for shot in scene["shots"]:
            frames = frame_of(shot["duration"], rate)
            key = clips.get(shot["clip_id"], (None, None))[0] if shot["clip_id"] else None
            reels.append(Reel(shot["code"], rushes.media.read(key) if key else None, frames))
            at += frames
        chapters.append((f"Scene {scene['scene']}: {scene['title']}", start, at))
    return reels, rate, chapters


@task(JobKind.FILM)
def work_film(rushes, job: JobRecord, owner: str) -> None:
    payload = start_local_job(rushes, job.id, owner, "the film export")
    if payload is None:
        return
    began = time.perf_counter()
    reels, rate, chapters = film_reels(rushes, payload["plan"])

    def progress(fraction: float) -> None:
        set_progress(rushes, job.id, owner, 0.95 * fraction)

    data, method = assemble_cut(reels, rate, progress, chapters=chapters)
    key = rushes.media.put(data, "mp4")
    seconds = time.perf_counter() - began
    with rushes.db.session() as session:
        row = locked_job(session, job.id, owner)
        row.payload = {**row.payload, "key": key, "method": method, "size_bytes": len(data),
                       "frames": sum(r.frames for r in reels), "rate": str(rate), "seconds": round(seconds, 3)}
        row.progress = 1.0
        end_job(session, row, JobState.SUCCEEDED)
    log.info("project %s: film exported (%s) as %s in %.2f s", payload.get("project_id"), method, key, seconds)
