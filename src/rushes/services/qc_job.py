"""The QC task: measure a finished take's clips outside any transaction, then keep the findings."""

from __future__ import annotations

import logging
import time

from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.port import JobRecord
from rushes.jobs.queue import end_job
from rushes.jobs.registry import task
from rushes.jobs.steps import locked_job, start_local_job
from rushes.services.qc import measure_take, recheck_take_notes, store_findings
from rushes.store import takes as take_store

log = logging.getLogger("rushes.worker")


@task(JobKind.QC)
def work_qc(rushes, job: JobRecord, owner: str) -> None:
    payload = start_local_job(rushes, job.id, owner, "QC")
    if payload is None:
        return
    take_id = int(payload["take_id"])
    began = time.perf_counter()
    findings = measure_take(rushes, take_id)
    seconds = time.perf_counter() - began
    with rushes.db.session() as session:
        row = locked_job(session, job.id, owner)
        take = take_store.existing_take(session, take_id)
        added = store_findings(session, take, findings, row.id)
        recheck_take_notes(session, take_id, findings)
        row.payload = {**row.payload, "findings": added, "seconds": round(seconds, 3)}
        row.progress = 1.0
        end_job(session, row, JobState.SUCCEEDED)
    log.info("take %s: QC found %d in %.2f s", take_id, added, seconds)
