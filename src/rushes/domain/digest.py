"""Canonical JSON and the sha256 digests every artifact stores of its inputs."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any


def _normalise(value: Any) -> Any:
    # 8 and 8.0 must digest alike, and tuples like lists, or staleness would flap.
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("non-finite numbers have no canonical form")
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    raise TypeError(f"cannot digest a {type(value).__name__}")


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, integral floats as ints: one text per meaning."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def changed_keys(before: dict | None, after: dict) -> list[str]:
    """Top-level keys whose canonical values differ; used to say why something is stale."""
    if before is None:
        return sorted(after)
    keys = set(before) | set(after)
    return sorted(k for k in keys if canonical_json(before.get(k)) != canonical_json(after.get(k)))
