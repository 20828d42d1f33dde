"""Start-up wiring of the render side: the tasks the worker runs and what happens when a take finishes.

`register_handlers(queue)` must run once per process before any worker steps a job or any request
ends one (web, CLI and worker start-up all build the app, which calls it). Running it again replaces
the earlier subscriptions instead of doubling them.
"""

from __future__ import annotations

from rushes.domain.events import TakeFinished
from rushes.jobs.events import Dispatcher, dispatcher as default_dispatcher
from rushes.jobs.port import JobQueue
from rushes.store import takes as take_store


def register_handlers(queue: JobQueue, dispatcher: Dispatcher | None = None) -> None:
    """Subscribe the services to the jobs layer's events and register every task with the worker."""
    # The task modules register themselves (@task) when imported; the film task needs no service.
    import rushes.jobs.film_step  # noqa: F401
    import rushes.services.clip_job  # noqa: F401
    import rushes.services.export_job  # noqa: F401
    import rushes.services.frames_job  # noqa: F401
    import rushes.services.qc_job  # noqa: F401

    events = dispatcher or default_dispatcher
    # In this order: the notification is written first, then QC is queued with the finish (never lost).
    events.subscribe(TakeFinished, "notify", notify_finished_take)
    events.subscribe(TakeFinished, "qc", lambda session, event: queue_qc(queue, session, event))


def notify_finished_take(session, event: TakeFinished) -> None:
    from rushes.services.notifications import notify_take_finished

    notify_take_finished(session, take_store.existing_take(session, event.take_id))


def queue_qc(queue: JobQueue, session, event: TakeFinished) -> None:
    """Quality control looks at the take before the filmmaker does."""
    from rushes.services.qc import enqueue_qc

    enqueue_qc(queue, session, take_store.existing_take(session, event.take_id))
