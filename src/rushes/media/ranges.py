"""HTTP byte ranges (RFC 9110 §14) for serving media: the one range a <video> or fetch() asks for."""

from __future__ import annotations

import re

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeNotSatisfiable(ValueError):
    """The range starts past the end of the object (answer 416)."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) asked for by a Range header, or None for the whole object.

    Multi-range and malformed headers are ignored (the whole object is a valid answer to them);
    a range starting at or past the end raises RangeNotSatisfiable.
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # "bytes=-N": the last N bytes
        n = int(last)
        if n == 0:
            raise RangeNotSatisfiable(header)
        return max(0, size - n), size
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiable(header)
    end = size if last == "" else min(size, int(last) + 1)
    if end <= start:
        return None
    return start, end
