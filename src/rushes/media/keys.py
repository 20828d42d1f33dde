"""Media keys: a stored file's content address (`<sha256hex>.<ext>`), its MIME type and where it lives
below a store's root. Shared by every media store (local folder, object storage)."""

from __future__ import annotations

import hashlib
import re

# Extension -> MIME type; only these kinds of media are ever stored.
MEDIA_TYPES: dict[str, str] = {
    "mp4": "video/mp4",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "json": "application/json",  # a clip's sound peaks (media/waveform.py)
}

_KEY_RE = re.compile(r"^([0-9a-f]{64})\.(mp4|png|jpg|webp|json)$")


class InvalidMediaKey(ValueError):
    """A key that is not `<sha256hex>.<allowed ext>`; never turned into a path."""


def _parse_key(key: str) -> tuple[str, str]:
    # fullmatch on a str only; rejects '../', absolute paths, upper case, NUL, trailing newline
    match = _KEY_RE.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise InvalidMediaKey(f"invalid media key: {key!r}")
    return match.group(1), match.group(2)


def media_type(key: str) -> str:
    """MIME type for a media key, e.g. 'video/mp4'."""
    return MEDIA_TYPES[_parse_key(key)[1]]


def ext_for_mime(mime: str) -> str:
    """Store extension for a MIME type ('image/jpeg' -> 'jpg')."""
    for ext, known in MEDIA_TYPES.items():
        if known == mime:
            return ext
    raise ValueError(f"unsupported media type: {mime!r}")


def key_for(data: bytes, ext: str) -> str:
    """The content address of `data` stored as `ext`; refuses kinds of media we never store."""
    ext = ext.lower().lstrip(".")
    if ext == "jpeg":
        ext = "jpg"
    if ext not in MEDIA_TYPES:
        raise ValueError(f"unsupported media extension: {ext!r}")
    return f"{hashlib.sha256(data).hexdigest()}.{ext}"


def relative_path(key: str) -> str:
    """Where a key lives below the store's root: `<sha[:2]>/<key>` (keeps folders small)."""
    digest, _ = _parse_key(key)
    return f"{digest[:2]}/{key}"
