"""Exports API: a take as OTIO, EDL, FCP 7 XML or CSV, and the whole cut as one MP4 built by the worker."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from rushes.services import exports
from rushes.bootstrap import Rushes
from rushes.web.access import access
from rushes.web.deps import get_rushes
from rushes.web.media import deliver
from rushes.web.schemas import EntityId

router = APIRouter(prefix="/api", tags=["exports"])


class ExportFormat(StrEnum):
    OTIO = "otio"
    EDL = "edl"
    FCPXML = "fcpxml"
    CSV = "csv"
    MP4 = "mp4"
    ZIP = "zip"  # "Download for editing": the timelines with the clips beside them


class Mp4Status(BaseModel):
    """Where a take's MP4 stands; `url` (this same path) once it is done."""

    take_id: int
    scene_id: int
    status: str  # none | queued | running | done | failed
    progress: float
    job_id: int | None
    method: str | None  # copy (packets moved as they are) | encode
    seconds: float | None
    size_bytes: int | None
    error: str | None
    url: str | None


FILE_TYPES: dict[str, dict] = {"application/vnd.opentimelineio+json": {}, "text/plain": {}, "application/xml": {}, "text/csv": {},
              "video/mp4": {}, "application/zip": {}}
# Not cached: the same address answers 202 until the MP4 exists, and notes change what the others hold.
NO_STORE = "private, no-store"


@router.get("/takes/{take_id}/export/{format}", response_class=Response, responses={
    200: {"description": "The export as a file to save (Content-Disposition names it)", "content": FILE_TYPES},
    202: {"model": Mp4Status, "description": "mp4 only: the MP4 is still being built; ask again"},
    206: {"description": "mp4 only: the part of the file a Range asked for", "content": {"video/mp4": {}}},
    307: {"description": "mp4 only, signed delivery: a short-lived address of the file"},
})
@access("reviewer")
def get_export(take_id: EntityId, format: ExportFormat, request: Request,
               rushes: Rushes = Depends(get_rushes)) -> Response:
    """otio, edl, fcpxml, csv: written now from the cut and its notes. zip: those timelines with the clips beside
    them, linked by relative paths (Download for editing). mp4: the file once the export job
    (POST) has built it, 202 with its progress meanwhile, 404 if none was started, 409 if it failed."""
    if format is ExportFormat.ZIP:
        return _package(rushes, take_id)
    if format is ExportFormat.MP4:
        with rushes.db.session() as session:
            key, view, name = exports.mp4_file(session, take_id)
        if key is None:
            return JSONResponse(view, status_code=202, headers={"Cache-Control": NO_STORE, "Retry-After": "1"})
        return deliver(rushes, key, request.headers.get("range"), download=name, cache=NO_STORE)
    # Media references are absolute, so a tool outside opens the clips at this server.
    base = str(request.base_url).rstrip("/")
    body, media_type, name = exports.export_text(rushes, take_id, format.value, base)
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": NO_STORE})


@router.post("/takes/{take_id}/export/mp4", status_code=202, response_model=Mp4Status)
@access("reviewer")  # building the file costs no credits and changes nothing a reviewer could not watch
def start_mp4(take_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Queue the whole cut as one MP4 (H.264/AAC, a chapter per shot); reuses one queued, running or done."""
    return exports.request_mp4(rushes, take_id)


def _package(rushes: Rushes, take_id: int) -> Response:
    """The zip is written to a temporary file (clips can be large), sent, then deleted."""
    import os

    from fastapi.responses import FileResponse
    from starlette.background import BackgroundTask

    from rushes.services.edit_package import build_package

    path, name = build_package(rushes, take_id)
    return FileResponse(path, media_type="application/zip", filename=name, headers={"Cache-Control": NO_STORE},
                        background=BackgroundTask(os.unlink, path))
