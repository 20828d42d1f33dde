"""Text a database can store: no NUL (PostgreSQL refuses it in text) and no lone UTF-16 surrogates."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_ID = 2**63 - 1  # the largest id a BIGINT holds; SQLite INTEGER is the same width


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain the NUL character"
    return "must be valid Unicode (it has a lone surrogate)"


def shorten(text: str, limit: int = 80) -> str:
    """A printable, bounded echo of user input for an error message."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"


# An absolute POSIX path (not the path of a URL: no word, ':', '/' or '.' just before it) or a Windows one.
_PATH = re.compile(r"(?<![\w:/.~])(?:/[^\s/'\"(),;:]+)+/?|\b[A-Za-z]:\\[^\s'\"(),;]+")


def without_paths(text: str) -> str:
    """Server paths in a message shown to users become their last part ('…/abcd.mp4')."""
    def last_part(match: re.Match) -> str:
        parts = [p for p in re.split(r"[\\/]", match.group()) if p]
        return f"…/{parts[-1]}" if parts else "…"

    return _PATH.sub(last_part, text)
