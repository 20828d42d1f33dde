"""Local content-addressed media store: clips, frames and thumbnails keyed by their sha256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

# Extension -> MIME type; only these kinds of media are ever stored.
MEDIA_TYPES: dict[str, str] = {
    "mp4": "video/mp4",
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
}

_KEY_RE = re.compile(r"^([0-9a-f]{64})\.(mp4|png|jpg|webp)$")


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


class MediaStore:
    """Files under `root/<sha[:2]>/<sha>.<ext>`, written atomically and never overwritten."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes, ext: str, sync: bool = True) -> str:
        """Store bytes and return their key; storing the same bytes again is a no-op.

        `sync=False` skips the per-file fsync for a batch (an import of thousands of frames); the
        caller must then call sync() before committing rows that name the keys.
        """
        ext = ext.lower().lstrip(".")
        if ext == "jpeg":
            ext = "jpg"
        if ext not in MEDIA_TYPES:
            raise ValueError(f"unsupported media extension: {ext!r}")
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest}.{ext}"
        target = self.path(key)
        if target.exists():
            return key
        target.parent.mkdir(parents=True, exist_ok=True)
        # A temp file in the same folder then os.replace: readers never see a partial file,
        # and two writers racing on the same content both end with identical bytes.
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=f".{ext}", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                if sync:
                    os.fsync(tmp.fileno())
            os.replace(tmp_name, target)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise
        return key

    def sync(self) -> None:
        """Make every file written with sync=False durable: one flush to disk for the whole batch."""
        os.sync()

    def path(self, key: str) -> Path:
        """Filesystem path of a key; raises InvalidMediaKey for anything not a media key."""
        digest, _ = _parse_key(key)
        return self.root / digest[:2] / key

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def read(self, key: str) -> bytes:
        """Bytes of a stored key; FileNotFoundError if it was never stored."""
        return self.path(key).read_bytes()

    def media_type(self, key: str) -> str:
        return media_type(key)
