"""The jobs layer's dispatcher: domain events (rushes.domain.events) handed to whoever subscribed.

Handlers run synchronously inside the publisher's transaction, with its session, so what they write
(a notification, a QC job) commits or rolls back with the fact itself: never lost, never half-done.
Subscriptions are named, so wiring the app twice (tests build many apps in one process) replaces a
handler instead of running it twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any], None]  # (session, event)


class Dispatcher:
    def __init__(self) -> None:
        self._handlers: dict[type, dict[str, Handler]] = {}
        self._lock = threading.Lock()

    def subscribe(self, event_type: type, name: str, handler: Handler) -> None:
        """Run `handler(session, event)` for every `event_type` published; `name` replaces an earlier one."""
        with self._lock:
            self._handlers.setdefault(event_type, {})[name] = handler

    def unsubscribe(self, event_type: type, name: str) -> None:
        with self._lock:
            self._handlers.get(event_type, {}).pop(name, None)

    def handlers(self, event_type: type) -> list[Handler]:
        with self._lock:
            return list(self._handlers.get(event_type, {}).values())

    def publish(self, session: Any, event: Any) -> None:
        """Hand the event to its handlers in subscription order; an error rolls the whole transaction back."""
        for handler in self.handlers(type(event)):
            handler(session, event)


# One per process: the app's start-up subscribes (rushes.services.handlers.register_handlers).
dispatcher = Dispatcher()


def publish(session: Any, event: Any) -> None:
    dispatcher.publish(session, event)
