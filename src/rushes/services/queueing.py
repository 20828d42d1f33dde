"""How services reach the job queue: through the port on the composition root, never its table."""

from __future__ import annotations

from rushes.jobs.port import JobQueue


def job_queue(rushes) -> JobQueue:
    return rushes.queue
