"""Media on S3 or GCS through obstore: the same content-addressed layout as the local folder.

RUSHES_MEDIA_URL=s3://bucket/prefix or gs://bucket/prefix. Credentials come the vendors' usual way
(obstore reads AWS_* and GOOGLE_* variables, instance metadata, Application Default Credentials);
RUSHES_MEDIA_OPTIONS adds store options as JSON (e.g. {"endpoint": "http://minio:9000"} for an
S3-compatible server, {"service_account": "/secrets/sa.json"} for GCS), and RUSHES_MEDIA_TOKEN a
static GCS bearer token (gateways, emulators) the way RUSHES_VERTEX_TOKEN does for Vertex AI.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import obstore
from obstore.store import from_url

from rushes.media.keys import key_for, media_type, relative_path

STREAM_CHUNK = 256 * 1024


class ObjectMediaStore:
    """A bucket (and prefix) holding `<prefix>/<sha[:2]>/<sha>.<ext>` objects, never overwritten."""

    def __init__(self, url: str, store) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("s3", "gs") or not parts.netloc:
            raise ValueError(f"RUSHES_MEDIA_URL must be s3://bucket/prefix or gs://bucket/prefix, not {url!r}")
        self.url = url.rstrip("/")
        self.scheme, self.bucket, self.prefix = parts.scheme, parts.netloc, parts.path.strip("/")
        self.store = store

    @classmethod
    def from_settings(cls, settings) -> ObjectMediaStore:
        options = {k: str(v) for k, v in (settings.media_options or {}).items()}
        endpoint = options.get("endpoint", "") or options.get("aws_endpoint", "")
        client_options = {"allow_http": True} if settings.media_allow_http or endpoint.startswith("http://") else {}
        kwargs: dict[str, Any] = {}
        if settings.media_token:
            token = settings.media_token

            def static_token():
                return {"token": token, "expires_at": None}

            kwargs["credential_provider"] = static_token
        store = from_url(settings.media_url, config=options or None, client_options=client_options or None,  # type: ignore[arg-type]  # obstore types each backend's options; these are whatever RUSHES_MEDIA_OPTIONS names
                         **kwargs)
        return cls(settings.media_url, store)

    # -- the MediaStore port ---------------------------------------------------------------------

    def put(self, data: bytes, ext: str, sync: bool = True) -> str:
        key = key_for(data, ext)
        if not self.exists(key):
            # Same bytes, same key: two writers racing here store identical objects, so no lock is needed.
            obstore.put(self.store, relative_path(key), data)
        return key

    def sync(self) -> None:
        pass  # an object is durable once its PUT has answered

    def exists(self, key: str) -> bool:
        try:
            obstore.head(self.store, relative_path(key))
        except FileNotFoundError:
            return False
        return True

    def read(self, key: str) -> bytes:
        return bytes(obstore.get(self.store, relative_path(key)).bytes())

    def size(self, key: str) -> int:
        return int(obstore.head(self.store, relative_path(key))["size"])

    def read_range(self, key: str, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        return bytes(obstore.get_range(self.store, relative_path(key), start=start, end=end))

    def stream_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes [start, end) in chunks, for the media proxy (a whole 1080p clip never sits in memory)."""
        result = obstore.get(self.store, relative_path(key), options={"range": (start, end)})
        for chunk in result.stream(min_chunk_size=STREAM_CHUNK):
            yield bytes(chunk)

    def media_type(self, key: str) -> str:
        return media_type(key)

    def signed_url(self, key: str, seconds: int) -> str:
        """A GET URL for one object that expires after `seconds`. The one place media URLs are signed:
        only the /media route calls it, after its access check."""
        return obstore.sign(self.store, "GET", relative_path(key), timedelta(seconds=seconds))

    def output_uri(self, folder: str) -> str | None:
        if self.scheme != "gs":
            return None  # Veo writes only to GCS; on S3 its results come back inline
        return f"gs://{self.bucket}/{self._below_prefix(folder.strip('/'))}/"

    def read_uri(self, uri: str) -> bytes:
        """A provider's result written under output_uri (gs://<our bucket>/<prefix>/...)."""
        parts = urlsplit(uri)
        inside = f"{self.prefix}/" if self.prefix else ""
        path = parts.path.lstrip("/")
        if parts.scheme != self.scheme or parts.netloc != self.bucket or not path.startswith(inside):
            raise FileNotFoundError(f"{uri} is outside the media store {self.url}")
        return bytes(obstore.get(self.store, path[len(inside):]).bytes())

    def _below_prefix(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path
