"""The worker on the in-memory queue: it finds a job's task by kind in the registry, and a task that
crashes is retried later, then failed and refunded once its attempts are spent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rushes.clock import FakeClock
from rushes.domain.jobs import JobKind, JobState
from rushes.jobs import registry
from rushes.jobs.memory_queue import InMemoryJobQueue
from rushes.jobs.port import NewJob
from rushes.jobs.runner import Worker

SETTINGS = SimpleNamespace(job_lease_seconds=30.0, retry_base_seconds=0.0, retry_max_seconds=0.0)


@pytest.fixture
def tasks():
    """The registry as it was, restored afterwards (the real tasks stay registered for other tests)."""
    saved = dict(registry._tasks)
    yield registry
    registry._tasks.clear()
    registry._tasks.update(saved)


def _worker(queue) -> Worker:
    return Worker(SimpleNamespace(settings=SETTINGS, db=None), name="w", queue=queue)


def test_the_worker_runs_the_task_registered_for_the_kind(tasks):
    queue = InMemoryJobQueue(FakeClock())
    seen = []

    @tasks.task(JobKind.EXPORT)
    def export(rushes, job, owner):
        seen.append((job.kind, owner))
        queue.finish(job.id, owner, {"key": "k"})

    job_id = queue.defer(NewJob(kind=JobKind.EXPORT, account_id=1, scene_id=1))
    worker = _worker(queue)
    assert worker.run_once() is True
    assert seen == [(JobKind.EXPORT, "w")]
    assert queue.get(job_id).state == JobState.SUCCEEDED
    assert worker.run_once() is False


def test_a_crashing_task_is_retried_then_failed_and_refunded_once(tasks):
    queue = InMemoryJobQueue(FakeClock())

    @tasks.task(JobKind.QC)
    def broken(rushes, job, owner):
        raise ValueError("a broken file")

    job_id = queue.defer(NewJob(kind=JobKind.QC, account_id=1, scene_id=1, max_attempts=2, cost_credits=7))
    worker = _worker(queue)
    assert worker.run_once() is True
    job = queue.get(job_id)
    assert (job.state, job.payload["crashes"], job.lease_owner) == (JobState.QUEUED, 1, None)
    assert "internal error: ValueError: a broken file" in job.error
    assert worker.run_once() is True
    job = queue.get(job_id)
    assert (job.state, job.error_kind) == (JobState.FAILED, "internal")
    assert queue.refunds == {job_id: 7}


def test_a_kind_without_a_task_says_how_to_wire_it(tasks):
    tasks._tasks.pop(JobKind.FILM, None)
    with pytest.raises(registry.NoTask, match="register_handlers"):
        registry.task_for(JobKind.FILM)
