"""The film's cut over HTTP: the whole film's cut, its exports (OTIO, EDL, FCP 7 XML, CSV) and its MP4 built by the worker."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from rushes.services import film_exports
from rushes.bootstrap import Rushes
from rushes.services.film import film_cut
from rushes.web.access import access
from rushes.web.deps import get_rushes, get_session
from rushes.web.media import deliver
from rushes.web.schemas import EntityId
from rushes.web.api.film_schemas import FilmCut

router = APIRouter(prefix="/api", tags=["film"])
Prefer = Literal["approved", "latest"]
NO_STORE = "private, no-store"


class FilmFormat(StrEnum):
    OTIO = "otio"
    EDL = "edl"
    FCPXML = "fcpxml"
    CSV = "csv"
    MP4 = "mp4"


class FilmMp4Status(BaseModel):
    project_id: int
    prefer: str
    status: str  # none | queued | running | done | failed
    progress: float
    job_id: int | None
    method: str | None
    seconds: float | None
    size_bytes: int | None
    error: str | None
    url: str | None


@router.get("/projects/{project_id}/cut", response_model=FilmCut)
def get_film_cut(project_id: EntityId, prefer: Prefer = "approved", session: Session = Depends(get_session, scope="function")) -> dict:
    """The film's cut: `scenes[]` in order, each with its `shots[]` (`shot_id`, `clip_id`, `start` in film
    seconds, `duration`, `src`, …), and the film's `duration`. `prefer=approved` shows each scene's newest
    approved take, `prefer=latest` its newest take; a scene with nothing to play is one slate of its planned length."""
    return film_cut(session, project_id, prefer)


@router.get("/projects/{project_id}/export/{format}", response_class=Response, responses={
    200: {"description": "The export as a file (an EDL past 999 events is a zip of numbered EDLs)"},
    202: {"model": FilmMp4Status, "description": "mp4 only: still being built; ask again"},
})
@access("reviewer")
def get_film_export(project_id: EntityId, format: FilmFormat, request: Request, prefer: Prefer = "approved",
                    rushes: Rushes = Depends(get_rushes)) -> Response:
    """otio, edl, fcpxml, csv: written now from the film's cut and its open notes. mp4: the file once the job
    (POST) has built it for the takes the film shows now, 202 with its progress meanwhile, 404 if none was started."""
    if format is FilmFormat.MP4:
        with rushes.db.session() as session:
            key, view, name = film_exports.film_mp4_file(session, project_id, prefer)
        if key is None:
            return JSONResponse(view, status_code=202, headers={"Cache-Control": NO_STORE, "Retry-After": "1"})
        return deliver(rushes, key, request.headers.get("range"), download=name, cache=NO_STORE)
    base = str(request.base_url).rstrip("/")
    body, media_type, name = film_exports.export_film_text(rushes, project_id, format.value, prefer, base)
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": NO_STORE})


@router.post("/projects/{project_id}/export/mp4", status_code=202, response_model=FilmMp4Status)
@access("reviewer")  # costs no credits, changes nothing a reviewer could not watch
def start_film_mp4(project_id: EntityId, prefer: Prefer = "approved", rushes: Rushes = Depends(get_rushes)) -> dict:
    """Queue the film as one MP4 (H.264/AAC, a chapter per scene, slates as black); reuses one for the same takes."""
    return film_exports.request_film_mp4(rushes, project_id, prefer)
