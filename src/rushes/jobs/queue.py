"""The jobs layer's side of the queue: ending jobs with the take-finished event, retry timing.

The SQL lives in rushes.store.job_queue; what this module adds is that an end of a job is published:
when it finishes a take, TakeFinished goes to the dispatcher (rushes.jobs.events) in the same
transaction. Services that end jobs themselves (cancelling a take) call these, not the store's.
"""

from __future__ import annotations

import random
import time

from sqlalchemy.orm import Session

from rushes.jobs import events
from rushes.store import job_queue as sql
from rushes.store import models as m
from rushes.store.db import Database
from rushes.store.job_queue import (SqlJobQueue, claim, heartbeat, lock_job, locked_job, refund_once,  # noqa: F401
                                    release)


def now() -> float:
    return time.time()


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter: uniform in [base/2, min(cap, base * 2^(attempt-1))]."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return (rng or random).uniform(min(base / 2, ceiling), ceiling)


def sql_queue(db: Database, clock=None) -> SqlJobQueue:
    """The job table as the queue, publishing what its ends make true to the dispatcher."""
    return SqlJobQueue(db, publish=events.publish, clock=clock)


def end_job(session: Session, job: m.RenderJob, state: str, error: str | None = None,
            error_kind: str | None = None, refund: bool = False) -> None:
    """Finish a job exactly once (refunding when asked), then its take if it was the last one."""
    sql.end_job(session, job, state, error, error_kind, refund, publish=events.publish)


def finish_take_if_done(session: Session, take: m.Take) -> bool:
    """When no job of the take is still open, stamp it finished and publish TakeFinished; True if it did."""
    return sql.finish_take_if_done(session, take, publish=events.publish) is not None
