"""Which code works a job of each kind: registered where the feature lives, looked up by the worker.

    @task(JobKind.QC)
    def work_qc(rushes, job: JobRecord, owner: str) -> None: ...

The modules that register tasks are imported at start-up (rushes.services.handlers.register_handlers),
so the worker needs no list of them and imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rushes.domain.jobs import JobKind
from rushes.jobs.port import JobRecord

Task = Callable[[Any, JobRecord, str], None]  # (rushes, the claimed job, the lease owner)

_tasks: dict[JobKind, Task] = {}


class NoTask(LookupError):
    """No code is registered for a job's kind: the app was started without its task modules."""


def task(kind: JobKind) -> Callable[[Task], Task]:
    """Register the decorated function as the worker of `kind` jobs (a later registration replaces it)."""
    def register(fn: Task) -> Task:
        _tasks[JobKind(kind)] = fn
        return fn
    return register


def task_for(kind: str) -> Task:
    try:
        return _tasks[JobKind(kind)]
    except (KeyError, ValueError):
        raise NoTask(f"no task is registered for {kind!r} jobs: call "
                     "rushes.services.handlers.register_handlers() at start-up") from None


def registered() -> dict[JobKind, Task]:
    return dict(_tasks)
