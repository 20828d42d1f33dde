"""Content-addressed media over HTTP, with Range requests so the player can seek.

Local media is served from its file. Object-store media is proxied with Range support (the default:
same origin, so the player's fetch() and <video> need no CORS), or, with RUSHES_MEDIA_DELIVERY=signed,
redirected to a short-lived signed URL. Either way this route is where access is decided.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from rushes.media.ranges import RangeNotSatisfiable, byte_range
from rushes.media.store import InvalidMediaKey, LocalMediaStore
from rushes.bootstrap import Rushes
from rushes.web.access import access
from rushes.web.deps import get_rushes

router = APIRouter(tags=["media"])

# Content-addressed: a key never changes meaning, so this browser may keep it for good; "private"
# because only members (and guests of its scene) may see it, so no shared cache may keep it.
IMMUTABLE = "private, max-age=31536000, immutable"


@router.get("/media/{key}")
@access(guest="watch")
def get_media(key: str, request: Request, rushes: Rushes = Depends(get_rushes)) -> Response:
    store = rushes.media
    try:
        exists = store.exists(key)
    except InvalidMediaKey:
        raise HTTPException(404, "unknown media") from None
    if not exists:
        raise HTTPException(404, "unknown media")
    return deliver(rushes, key, request.headers.get("range"))


def deliver(rushes: Rushes, key: str, range_header: str | None, download: str | None = None,
            cache: str = IMMUTABLE) -> Response:
    """Send stored media the way this deployment delivers it (file, proxy or signed redirect).

    `download` names the file for a Save dialog; `cache` is for routes whose address is not the key
    (an export's URL answers 202 before its file exists, so it must not be kept as if immutable).
    """
    store = rushes.media
    disposition = {"Content-Disposition": f'attachment; filename="{download}"'} if download else {}
    if isinstance(store, LocalMediaStore):
        return FileResponse(store.path(key), media_type=store.media_type(key),
                            headers={"Cache-Control": cache, **disposition})
    if rushes.settings.media_delivery == "signed":
        url = store.signed_url(key, rushes.settings.media_signed_url_seconds)  # type: ignore[attr-defined]  # settings allow signed delivery only from an object store
        # Not cached: each visit passes the access check again and gets a fresh, short-lived URL.
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    response = _proxy(store, key, range_header, cache)
    response.headers.update(disposition)
    return response


def _proxy(store, key: str, range_header: str | None, cache: str = IMMUTABLE) -> Response:
    size = store.size(key)
    headers = {"Cache-Control": cache, "Accept-Ranges": "bytes", "ETag": f'"{key.split(".")[0]}"'}
    try:
        wanted = byte_range(range_header, size)
    except RangeNotSatisfiable:
        return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = wanted or (0, size)
    headers["Content-Length"] = str(end - start)
    status = 200
    if wanted is not None:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    if end == start:
        return Response(b"", status_code=status, headers=headers, media_type=store.media_type(key))
    return StreamingResponse(store.stream_range(key, start, end), status_code=status, headers=headers,
                             media_type=store.media_type(key))
