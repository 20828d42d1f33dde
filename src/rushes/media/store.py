"""The media store port: clips, frames and thumbnails keyed by their sha256, wherever they live.

`MediaStore` is the protocol every part of the app uses; `LocalMediaStore` (a folder, the embedded
default) and `ObjectMediaStore` (S3 or GCS through obstore, media/object_store.py) implement it.
`open_media_store(settings)` picks one from RUSHES_MEDIA_URL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

# The key helpers live in media/keys.py (object storage uses them too); re-exported for callers.
from rushes.media.keys import (MEDIA_TYPES, InvalidMediaKey, ext_for_mime, key_for,  # noqa: F401
                               media_type, relative_path)


class MediaUnwritable(OSError):
    """The media store refused a write (a read-only or full folder): the reason, never the path."""

    def __init__(self, err: OSError) -> None:
        from rushes.domain.text import without_paths

        self.reason = err.strerror or without_paths(str(err)) or type(err).__name__
        super().__init__(self.reason)


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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # A temp file in the same folder then os.replace: readers never see a partial file,
            # and two writers racing on the same content both end with identical bytes.
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=f".{ext}", dir=target.parent)
        except OSError as err:
            raise MediaUnwritable(err) from err
        try:
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
                tmp.flush()
                if sync:
                    os.fsync(tmp.fileno())
            os.replace(tmp_name, target)
        except BaseException as err:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass
            if isinstance(err, OSError):  # a full disk, a folder turned read-only
                raise MediaUnwritable(err) from err
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
