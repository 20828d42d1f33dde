"""Content-addressed media over HTTP, with Range requests so the player can seek."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse

from rushes.media.store import InvalidMediaKey
from rushes.services.context import Rushes
from rushes.web.deps import get_rushes

router = APIRouter(tags=["media"])


@router.get("/media/{key}")
def get_media(key: str, rushes: Rushes = Depends(get_rushes)) -> FileResponse:
    try:
        path = rushes.media.path(key)
    except InvalidMediaKey:
        raise HTTPException(404, "unknown media") from None
    if not path.is_file():
        raise HTTPException(404, "unknown media")
    # Content-addressed: a key never changes meaning, so browsers may cache it for good.
    return FileResponse(path, media_type=rushes.media.media_type(key),
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})
