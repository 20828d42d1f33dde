"""The export task: lay a finished take's clips end to end into one MP4, outside any transaction, and keep it."""

from __future__ import annotations

import logging

from rushes.domain.jobs import JobKind
from rushes.jobs.cut_step import keep_assembled_cut
from rushes.jobs.port import JobRecord
from rushes.jobs.registry import task
from rushes.jobs.steps import start_local_job
from rushes.services.exports import reels_of

log = logging.getLogger("rushes.worker")


@task(JobKind.EXPORT)
def work_export(rushes, job: JobRecord, owner: str) -> None:
    payload = start_local_job(rushes, job.id, owner, "the export")
    if payload is None:
        return
    take_id = int(payload["take_id"])
    reels, rate = reels_of(rushes, take_id)
    key, method, seconds = keep_assembled_cut(rushes, job.id, owner, reels, rate)
    log.info("take %s: cut exported (%s) as %s in %.2f s", take_id, method, key, seconds)
