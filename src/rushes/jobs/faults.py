"""Fail points for crash tests: RUSHES_CRASH_AT=<point> makes the worker kill itself with SIGKILL there."""

from __future__ import annotations

import os
import signal

POINTS = ("after_claim", "after_submit", "while_polling", "while_downloading", "before_submit_persist")


def crash_point(point: str) -> None:
    """Die exactly like `kill -9` would, when the environment names this point."""
    if os.environ.get("RUSHES_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
