"""The QC job: measure a finished take's clips outside any transaction, then keep the findings."""

from __future__ import annotations

import logging
import time

from rushes.jobs.queue import end_job, now, start_local_job
from rushes.services.qc import measure_take, store_findings
from rushes.store import models as m

log = logging.getLogger("rushes.worker")


def step_qc(rushes, job_id: int, owner: str) -> None:
    from rushes.jobs.steps import locked_job

    take_id = start_local_job(rushes, job_id, owner, "QC")
    if take_id is None:
        return
    began = time.perf_counter()
    findings = measure_take(rushes, take_id)
    seconds = time.perf_counter() - began
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        take = session.get(m.Take, take_id)
        added = store_findings(session, take, findings, job.id)
        job.payload = {**job.payload, "findings": added, "seconds": round(seconds, 3)}
        job.progress = 1.0
        end_job(session, job, "succeeded")
    log.info("take %s: QC found %d in %.2f s", take_id, added, seconds)

