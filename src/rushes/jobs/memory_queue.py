"""The job queue in memory: the port's fake for unit tests, with the job table's behaviour.

Same rules as rushes.store.job_queue.SqlJobQueue: due jobs are claimed in (run_after, id) order under
a lease, only by one owner at a time; a job ends once and refunds at most once; when the last open job
of a take ends, TakeFinished is published once. Time comes from the clock it is given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from rushes.clock import Clock, SystemClock
from rushes.domain.events import TakeFinished
from rushes.domain.jobs import ACTIVE_JOB_STATES, ENDED_JOB_STATES, JobState
from rushes.jobs.port import JobRecord, LeaseLost, NewJob


class InMemoryJobQueue:
    def __init__(self, clock: Clock | None = None, publish: Callable[[Any, Any], None] | None = None) -> None:
        self.clock = clock or SystemClock()
        self.publish = publish
        self.jobs: dict[int, JobRecord] = {}
        self.refunds: dict[int, int] = {}  # job id -> credits given back (once)
        self.cancelled_takes: set[int] = set()
        self._finished_takes: set[int] = set()
        self._lock = threading.RLock()

    def defer(self, job: NewJob, within: Any = None) -> int:
        with self._lock:
            job_id = max(self.jobs, default=0) + 1
            self.jobs[job_id] = JobRecord(
                id=job_id, kind=job.kind, state=JobState.QUEUED, account_id=job.account_id, scene_id=job.scene_id,
                shot_id=job.shot_id, take_id=job.take_id, attempt=0, max_attempts=job.max_attempts,
                run_after=job.run_after if job.run_after is not None else 0.0, lease_owner=None,
                lease_expires_at=None, operation_name=None, cost_credits=job.cost_credits, cancel_requested=False,
                error=None, error_kind=None, progress=0.0, finished_at=None,
                payload=MappingProxyType(dict(job.payload)))
            return job_id

    def get(self, job_id: int) -> JobRecord | None:
        with self._lock:
            return self.jobs.get(job_id)

    def claim(self, owner: str, lease_seconds: float, kinds: tuple[str, ...] | None = None,
              take_id: int | None = None) -> JobRecord | None:
        with self._lock:
            t = self.clock.now()
            due = [j for j in self.jobs.values()
                   if j.state in ACTIVE_JOB_STATES and j.run_after <= t
                   and (j.lease_expires_at is None or j.lease_expires_at < t)
                   and (not kinds or j.kind in kinds) and (take_id is None or j.take_id == take_id)]
            if not due:
                return None
            job = min(due, key=lambda j: (j.run_after, j.id))
            return self._put(replace(job, lease_owner=owner, lease_expires_at=t + lease_seconds))

    def heartbeat(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.lease_owner != owner:
                return False
            self._put(replace(job, lease_expires_at=self.clock.now() + lease_seconds))
            return True

    def snooze(self, job_id: int, owner: str, until: float, error: str | None = None,
               payload: Mapping[str, Any] | None = None) -> None:
        with self._lock:
            job = self._held(job_id, owner)
            self._put(replace(job, lease_owner=None, lease_expires_at=None, run_after=until,
                              error=error if error is not None else job.error,
                              payload=MappingProxyType({**job.payload, **(payload or {})})))

    def finish(self, job_id: int, owner: str, payload: Mapping[str, Any] | None = None) -> None:
        with self._lock:
            job = self._held(job_id, owner)
            job = self._put(replace(job, progress=1.0, payload=MappingProxyType({**job.payload, **(payload or {})})))
            self._end(job, JobState.SUCCEEDED)

    def fail(self, job_id: int, owner: str, reason: str, error_kind: str | None = None,
             refund: bool = False) -> None:
        with self._lock:
            self._end(self._held(job_id, owner), JobState.FAILED, reason, error_kind, refund)

    def cancel(self, job_id: int, reason: str, refund: bool = True) -> bool:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.finished_at is not None:
                return False
            job = self._put(replace(job, cancel_requested=True))
            if job.state not in (JobState.QUEUED, JobState.ATTENTION) or job.lease_owner is not None:
                return False
            self._end(job, JobState.CANCELLED, reason, refund=refund)
            return True

    def _held(self, job_id: int, owner: str) -> JobRecord:
        job = self.jobs.get(job_id)
        if job is None or job.lease_owner != owner:
            raise LeaseLost(job_id)
        return job

    def _put(self, job: JobRecord) -> JobRecord:
        self.jobs[job.id] = job
        return job

    def _end(self, job: JobRecord, state: JobState, error: str | None = None, error_kind: str | None = None,
             refund: bool = False) -> None:
        if job.state in ENDED_JOB_STATES:
            return
        self._put(replace(job, state=state, error=error, error_kind=error_kind, finished_at=self.clock.now(),
                          lease_owner=None, lease_expires_at=None))
        if refund and job.cost_credits and job.id not in self.refunds:
            self.refunds[job.id] = job.cost_credits
        if job.take_id is not None:
            self._finish_take_if_done(job.take_id, job.scene_id)

    def _finish_take_if_done(self, take_id: int, scene_id: int) -> None:
        jobs = [j for j in self.jobs.values() if j.take_id == take_id]
        if take_id in self._finished_takes or any(j.finished_at is None for j in jobs):
            return
        self._finished_takes.add(take_id)
        event = TakeFinished(take_id, scene_id, failed=sum(1 for j in jobs if j.state == JobState.FAILED),
                             cancelled=take_id in self.cancelled_takes)
        if self.publish is not None:
            self.publish(None, event)
