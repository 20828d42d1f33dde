"""Confirm & Render and the take/job API."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from rushes.services import takes as take_service
from rushes.services.confirm import confirm_take
from rushes.bootstrap import Rushes
from rushes.services.draws import scene_shot_ids
from rushes.services.errors import NotFound
from rushes.store import job_queue as job_rows
from rushes.store import scenes as scene_store
from rushes.web.access import access, signed_in
from rushes.web.api.draws import DrawsIn, checked
from rushes.web.deps import get_rushes, get_session
from rushes.web.pagination import Page, finish, page_params
from rushes.web.api.orders import TakeOrderBody, take_order
from rushes.web.schemas import EntityId
from rushes.web.api.take_schemas import JobOut, TakeListItem, TakeOut


class ConfirmIn(TakeOrderBody, DrawsIn):
    """The optional confirm body: the user's order (issue 22) and new draws of unchanged shots (issue 20)."""

    @property
    def asks_for_draws(self) -> bool:
        return bool(self.retake) or self.variants != 1

router = APIRouter(prefix="/api", tags=["renders"])


@router.post("/scenes/{scene_id}/takes", status_code=201, response_model=TakeOut,
             responses={200: {"model": TakeOut, "description": "the same Idempotency-Key again: the take it already made"}})
def create_take(scene_id: EntityId, request: Request, idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=200),
                body: ConfirmIn | None = Body(None), rushes: Rushes = Depends(get_rushes)):
    """Charge, create the take and enqueue its renders; the same key again returns the same take.
    Optional body: the user's order (`shot_ids`, `model`, `resolution`, `audio`, `accept_over_budget`) and new draws
    (`"retake": [shot_id, ...]`, `"variants": N | {shot_id: N}`). A take that would pass the project's budget is
    refused (409, `over_budget`) unless `accept_over_budget` is true."""
    draws = checked(body, scene_shot_ids(rushes, scene_id)) if body is not None and body.asks_for_draws else None
    take_id, created = confirm_take(rushes, scene_id, idempotency_key, user_id=signed_in(request).user_id,
                                    order=take_order(body), draws=draws)
    with rushes.db.session() as session:
        view = take_service.take_view(session, take_id)
    return JSONResponse(view, status_code=201 if created else 200)


@router.get("/scenes/{scene_id}/takes", response_model=list[TakeListItem])
def list_takes(scene_id: EntityId, request: Request, response: Response, page: Page = Depends(page_params(100)),
               session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """Takes newest first; paginated (`limit`, `after` = the last take number seen)."""
    if scene_store.scene(session, scene_id) is None:
        raise NotFound(f"unknown scene {scene_id}")
    rows = take_service.scene_takes(session, scene_id, page.cursor(int), page.fetch())
    return finish(request, response, page, rows, lambda t: t["number"])


@router.get("/takes/{take_id}", response_model=TakeOut)
@access(guest="watch")
def get_take(take_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    return take_service.take_view(session, take_id)


@router.post("/takes/{take_id}/cancel", response_model=TakeOut)
def cancel(take_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return take_service.cancel_take(rushes, take_id)


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    job = job_rows.job(session, job_id)
    if job is None:
        raise NotFound(f"unknown job {job_id}")
    return take_service.job_view(job)


@router.post("/jobs/{job_id}/resubmit", response_model=JobOut)
def resubmit(job_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return take_service.resolve_attention(rushes, job_id, "resubmit")


@router.post("/jobs/{job_id}/abandon", response_model=JobOut)
def abandon(job_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return take_service.resolve_attention(rushes, job_id, "abandon")
