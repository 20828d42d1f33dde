"""The job queue as a port: what services and the worker may ask of it, whatever keeps the jobs.

Adapters: `rushes.store.job_queue.SqlJobQueue` (the job table; claims under row locks) and
`rushes.jobs.memory_queue.InMemoryJobQueue` (a dict, for unit tests). Both pass the same contract
tests (tests/unit/test_job_queue_port.py). Jobs cross the port as `JobRecord`s, frozen copies, never
ORM rows: a record is what the job was when it was read, and changes go back through the port.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from rushes.domain.jobs import JobKind, JobState


class LeaseLost(Exception):
    """Another worker holds this job now (or nobody does): drop the step without writing."""


@dataclass(frozen=True)
class NewJob:
    """A job to defer: what it does, for whom, and what it carries."""

    kind: JobKind
    account_id: int
    scene_id: int
    shot_id: int | None = None
    take_id: int | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)
    max_attempts: int = 5
    cost_credits: int = 0
    run_after: float | None = None  # None: due at once, ahead of every snoozed job


@dataclass(frozen=True)
class JobRecord:
    id: int
    kind: JobKind
    state: JobState
    account_id: int
    scene_id: int
    shot_id: int | None
    take_id: int | None
    attempt: int
    max_attempts: int
    run_after: float
    lease_owner: str | None
    lease_expires_at: float | None
    operation_name: str | None
    cost_credits: int
    cancel_requested: bool
    error: str | None
    error_kind: str | None
    progress: float
    finished_at: float | None
    payload: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def ended(self) -> bool:
        return self.finished_at is not None


class JobQueue(Protocol):
    """Every method that names an `owner` raises LeaseLost unless that owner holds the job's lease."""

    def defer(self, job: NewJob, within: Any = None) -> int:
        """Queue a job; returns its id. `within` is the caller's open transaction (a SQL session): the job
        is written in it, so it commits or rolls back with the caller's other writes (charges, a take)."""
        ...

    def get(self, job_id: int) -> JobRecord | None: ...

    def claim(self, owner: str, lease_seconds: float, kinds: tuple[str, ...] | None = None,
              take_id: int | None = None) -> JobRecord | None:
        """Take one due job under a lease, or None; two workers never hold the same job."""
        ...

    def heartbeat(self, job_id: int, owner: str, lease_seconds: float) -> bool:
        """Extend the lease while `owner` holds it; False means another worker took the job."""
        ...

    def snooze(self, job_id: int, owner: str, until: float, error: str | None = None,
               payload: Mapping[str, Any] | None = None) -> None:
        """Hand the job back, due again at `until` (a retry or a wait; the state is kept). `payload`
        entries are merged into the job's."""
        ...

    def finish(self, job_id: int, owner: str, payload: Mapping[str, Any] | None = None) -> None:
        """End the job as succeeded (once: ending an ended job does nothing)."""
        ...

    def fail(self, job_id: int, owner: str, reason: str, error_kind: str | None = None,
             refund: bool = False) -> None:
        """End the job as failed, giving its charge back when asked (at most once)."""
        ...

    def cancel(self, job_id: int, reason: str, refund: bool = True) -> bool:
        """Ask the job to stop: one no worker holds ends now (True); a held one stops at its next step."""
        ...
