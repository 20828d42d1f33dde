"""The film export task: lay the film's scenes end to end into one MP4 (a chapter per scene, slates black),
outside any transaction, and keep it in the media store. It needs no service, so it lives with the worker."""

from __future__ import annotations

import logging
from fractions import Fraction

from rushes.domain.jobs import JobKind
from rushes.jobs.cut_step import keep_assembled_cut
from rushes.jobs.port import JobRecord
from rushes.jobs.registry import task
from rushes.jobs.steps import start_local_job
from rushes.media.cut_export import Reel
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
    reels, rate, chapters = film_reels(rushes, payload["plan"])
    key, method, seconds = keep_assembled_cut(rushes, job.id, owner, reels, rate, chapters)
    log.info("project %s: film exported (%s) as %s in %.2f s", payload.get("project_id"), method, key, seconds)
