"""Logs as one JSON object a line (RUSHES_LOG_FORMAT=json), each carrying the request, take and job it is about.

The ids live in context variables: the web middleware sets the request id (and the take id when the
path names one), the worker sets the job and take ids around each step, so every line logged while
that work runs carries them without threading them through calls.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextlib import contextmanager
from contextvars import ContextVar
from collections.abc import Iterator

request_id: ContextVar[str | None] = ContextVar("rushes_request_id", default=None)
take_id: ContextVar[int | None] = ContextVar("rushes_take_id", default=None)
job_id: ContextVar[int | None] = ContextVar("rushes_job_id", default=None)

_CONFIGURED = "_rushes_handler"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
_TAKE_IN_PATH = re.compile(r"/takes/(\d{1,18})(?:/|$)")


class ContextFilter(logging.Filter):
    """Stamps each record with the ids of the work under way."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.take_id = take_id.get()
        record.job_id = job_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "take_id", "job_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # masked text
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings, stream=None) -> None:
    """Install one root handler in the configured format (again on a second call: replaced, not added)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _CONFIGURED, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    setattr(handler, _CONFIGURED, True)
    handler.addFilter(ContextFilter())
    as_json = getattr(settings, "log_format", "text") == "json"
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    level = getattr(settings, "log_level", "INFO").upper()
    root.setLevel(level)
    # Alembic narrates every start-up migration check at INFO; only its warnings matter to an operator.
    logging.getLogger("alembic").setLevel(level if level == "DEBUG" else "WARNING")
    from rushes.redact import install_log_redaction

    install_log_redaction()  # after our handler exists, so secrets are masked in it too


@contextmanager
def job_context(job: int | None, take: int | None) -> Iterator[None]:
    tokens = (job_id.set(job), take_id.set(take))
    try:
        yield
    finally:
        job_id.reset(tokens[0])
        take_id.reset(tokens[1])


def take_in_path(path: str) -> int | None:
    match = _TAKE_IN_PATH.search(path)
    return int(match.group(1)) if match else None
