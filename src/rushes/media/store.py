"""The media store port: clips, frames and thumbnails keyed by their sha256, wherever they live.

`MediaStore` is the protocol every part of the app uses; `LocalMediaStore` (a folder, the embedded
default) and `ObjectMediaStore` (S3 or GCS through obstore, media/object_store.py) implement it.
`open_media_store(settings)` picks one from RUSHES_MEDIA_URL.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

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


class MediaStore(Protocol):
    """What the app needs from media storage. Keys are `<sha256>.<ext>`; anything else is refused."""

    def put(self, data: bytes, ext: str, sync: bool = True) -> str:
        """Store bytes, return their key; storing the same bytes again is a no-op. With sync=False
        the bytes may not be durable until sync() (batches)."""

    def sync(self) -> None:
        """Make everything put with sync=False durable."""

    def exists(self, key: str) -> bool: ...

    def read(self, key: str) -> bytes:
        """Bytes of a stored key; FileNotFoundError if it was never stored."""

    def size(self, key: str) -> int:
        """Length in bytes; FileNotFoundError if it was never stored."""

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of a stored key."""

    def media_type(self, key: str) -> str: ...

    def output_uri(self, folder: str) -> str | None:
        """A gs:// folder a provider may write its results into directly, or None."""

    def read_uri(self, uri: str) -> bytes:
        """Bytes at a provider's result URI inside this store (see output_uri)."""


class LocalMediaStore:
    """Files under `root/<sha[:2]>/<sha>.<ext>`, written atomically and never overwritten."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def put(self, data: bytes, ext: str, sync: bool = True) -> str:
        """Store bytes and return their key; storing the same bytes again is a no-op.

        `sync=False` skips the per-file fsync for a batch (an import of thousands of frames); the
        caller must then call sync() before committing rows that name the keys.
        """
        key = key_for(data, ext)
        ext = key.rsplit(".", 1)[1]
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
        return self.root / relative_path(key)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def read(self, key: str) -> bytes:
        """Bytes of a stored key; FileNotFoundError if it was never stored."""
        return self.path(key).read_bytes()

    def size(self, key: str) -> int:
        return self.path(key).stat().st_size

    def read_range(self, key: str, start: int, end: int) -> bytes:
        with self.path(key).open("rb") as f:
            f.seek(start)
            return f.read(max(0, end - start))

    def media_type(self, key: str) -> str:
        return media_type(key)

    def output_uri(self, folder: str) -> str | None:
        return None  # a provider cannot write into a local folder: results come back inline

    def read_uri(self, uri: str) -> bytes:
        raise FileNotFoundError(f"{uri} is not in the local media folder (RUSHES_MEDIA_URL is not gs://)")


def open_media_store(settings) -> MediaStore:
    """The local folder unless RUSHES_MEDIA_URL names a bucket (s3://bucket/prefix or gs://bucket/prefix)."""
    url = (settings.media_url or "").strip()
    if not url or url.startswith("file://"):
        return LocalMediaStore(Path(url.removeprefix("file://")) if url else settings.media_dir)
    from rushes.media.object_store import ObjectMediaStore

    return ObjectMediaStore.from_settings(settings)
