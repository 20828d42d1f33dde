"""Fail points for crash tests: RUSHES_CRASH_AT=<point> makes the worker kill itself with SIGKILL there.

RUSHES_STALL_AT=<point> with RUSHES_STALL_UNTIL=<file> holds the step there until the file exists: a
step stuck on a slow provider, for shutdown tests that must not depend on timing."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

POINTS = ("after_claim", "after_submit", "while_polling", "while_downloading", "before_submit_persist")


def crash_point(point: str) -> None:
    """Die exactly like `kill -9` would, when the environment names this point."""
    if os.environ.get("RUSHES_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def stall_point(point: str) -> None:
    """Block here, holding the job's lease, until the named file appears (shutdown tests)."""
    if os.environ.get("RUSHES_STALL_AT") != point:
        return
    until = Path(os.environ.get("RUSHES_STALL_UNTIL", "/nonexistent"))
    while not until.exists():
        time.sleep(0.05)
