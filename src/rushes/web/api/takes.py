"""Confirm & Render and the take/job API."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from rushes.services import takes as take_service
from rushes.services.confirm import confirm_take
from rushes.services.context import Rushes
from rushes.services.errors import NotFound
from rushes.store import models as m
from rushes.web.access import access, current
from rushes.web.deps import get_rushes, get_session
from rushes.web.pagination import Page, finish, page_params
from rushes.web.schemas import EntityId

router = APIRouter(prefix="/api", tags=["renders"])


@router.post("/scenes/{scene_id}/takes", status_code=201)
def create_take(scene_id: EntityId, request: Request, idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=200),
                rushes: Rushes = Depends(get_rushes)):
    """Charge, create the take and enqueue its renders; the same key again returns the same take."""
    take_id, created = confirm_take(rushes, scene_id, idempotency_key, user_id=current(request).user_id)
    with rushes.db.session() as session:
        body = take_service.take_view(session, take_id)
    return JSONResponse(body, status_code=201 if created else 200)


@router.get("/scenes/{scene_id}/takes")
def list_takes(scene_id: EntityId, request: Request, response: Response, page: Page = Depends(page_params(100)),
               session: Session = Depends(get_session)) -> list[dict]:
    """Takes newest first; paginated (`limit`, `after` = the last take number seen)."""
    if session.get(m.Scene, scene_id) is None:
        raise NotFound(f"unknown scene {scene_id}")
    rows = take_service.scene_takes(session, scene_id, page.cursor(int), page.fetch())
    return finish(request, response, page, rows, lambda t: t["number"])


@router.get("/takes/{take_id}")
@access(guest="watch")
def get_take(take_id: EntityId, session: Session = Depends(get_session)) -> dict:
    return take_service.take_view(session, take_id)


@router.post("/takes/{take_id}/cancel")
def cancel(take_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return take_service.cancel_take(rushes, take_id)


@router.get("/jobs/{job_id}")
def get_job(job_id: EntityId, session: Session = Depends(get_session)) -> dict:
    job = session.get(m.RenderJob, job_id)
    if job is None:
        raise NotFound(f"unknown job {job_id}")
    return take_service.job_view(job)


@router.post("/jobs/{job_id}/resubmit")
def resubmit(job_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return take_service.resolve_attention(rushes, job_id, "resubmit")


@router.post("/jobs/{job_id}/abandon")
def abandon(job_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return take_service.resolve_attention(rushes, job_id, "abandon")
