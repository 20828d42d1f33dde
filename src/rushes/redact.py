"""Secrets out of logs: database URLs, tokens and keys are masked in every banner, log line and error.

`redact` masks what looks like a secret in any text (the password of a URL, bearer tokens,
`token=`/`api_key=`/`password=` values, Google API keys) and every value registered with
`register_secret` (the configured Vertex token, the database password). `install_log_redaction`
wraps the log record factory, so every record of every logger — ours, uvicorn's, SQLAlchemy's,
the SDK's — is masked before any handler formats it, tracebacks included.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
_PATTERNS = (
    # scheme://user:password@host -> scheme://user:***@host
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)[^@\s/]+@"), rf"\g<1>{MASK}@"),
    (re.compile(r"(?i)(\bbearer\s+)[A-Za-z0-9._~+/=\-]{4,}"), rf"\g<1>{MASK}"),
    (re.compile(r"(?i)(\b[\w-]*?(?:api[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|secret|password|passwd)"
                r"[\"']?\s*[=:]\s*[\"']?)[^\s\"'&,;)}]+"), rf"\g<1>{MASK}"),
    (re.compile(r"([?&](?:key|sig|signature)=)[^\s&\"']+"), rf"\g<1>{MASK}"),
    (re.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"), MASK),
    (re.compile(r"\bya29\.[0-9A-Za-z_\-.]+"), MASK),  # Google OAuth access tokens
)
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears (short values would mask ordinary words, so skip them)."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def register_settings(settings) -> None:
    from sqlalchemy.engine import make_url

    register_secret(settings.vertex_token)
    register_secret(getattr(settings, "metrics_token", None))
    register_secret(getattr(settings, "smtp_password", None))
    try:
        register_secret(make_url(settings.database_url).password)
    except Exception:  # an unparseable URL has no password to find
        pass


def redact(text: str) -> str:
    if not text:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _redact_arg(arg):
    if isinstance(arg, (int, float, bool)) or arg is None:
        return arg  # keeps %d and %f working
    shown = arg if isinstance(arg, str) else str(arg)
    masked = redact(shown)
    return arg if masked == shown else masked


def install_log_redaction() -> None:
    """Idempotent: wrap the record factory once per process."""
    current = logging.getLogRecordFactory()
    if getattr(current, "rushes_redacting", False):
        return

    def factory(*args, **kwargs):
        record = current(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters reuse exc_text when it is set, so the traceback is masked once here.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    factory.rushes_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
