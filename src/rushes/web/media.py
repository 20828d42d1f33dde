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
from rushes.services.context import Rushes
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
    if isinstance(store, LocalMediaStore):
        return FileResponse(store.path(key), media_type=store.media_type(key), headers={"Cache-Control": IMMUTABLE})
    if rushes.settings.media_delivery == "signed":
        url = store.signed_url(key, rushes.settings.media_signed_url_seconds)
        # Not cached: each visit passes the access check again and gets a fresh, short-lived URL.
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})
    return _proxy(store, key, request.headers.get("range"))


def _proxy(store, key: str, range_header: str | None) -> Response:
    size = store.size(key)
    headers = {"Cache-Control": IMMUTABLE, "Accept-Ranges": "bytes", "ETag": f'"{key.split(".")[0]}"'}
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
