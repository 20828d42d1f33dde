"""An owner's hand on the money: credits granted from the credits page, and each project's budget."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy.orm import Session

from rushes.services import budgets
from rushes.bootstrap import Rushes
from rushes.web.access import access, signed_in
from rushes.web.deps import get_rushes, get_session
from rushes.web.schemas import ApiModel, EntityId
from rushes.web.api.film_schemas import Grant, ProjectBudget

router = APIRouter(prefix="/api", tags=["money"])


class GrantBody(ApiModel):
    credits: int = Field(ge=1, le=budgets.MAX_GRANT, description="credits to add (1 credit = US$0.01)")
    reason: str = Field(min_length=1, max_length=300, description="why: kept on the ledger row with who granted it")


class BudgetBody(ApiModel):
    credits: int | None = Field(ge=0, le=10**12, description="what the project may spend; null removes the budget")


@router.post("/studios/{studio_id}/credits", status_code=201, response_model=Grant,
             responses={200: {"model": Grant, "description": "the same Idempotency-Key again: the grant it already made"}})
@access("owner")
def grant_credits(studio_id: EntityId, body: GrantBody, request: Request,
                  idempotency_key: str = Header(..., alias="Idempotency-Key", min_length=1, max_length=200),
                  rushes: Rushes = Depends(get_rushes)):
    """Add credits by hand (no payment provider): a ledger row with who and why. The same key adds them once."""
    entry, created = budgets.grant_credits(rushes, studio_id, body.credits, body.reason, signed_in(request).user_id,
                                           idempotency_key)
    return JSONResponse(entry, status_code=201 if created else 200)


@router.get("/projects/{project_id}/budget", response_model=ProjectBudget)
def get_budget(project_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    return budgets.project_budget(session, project_id)


@router.put("/projects/{project_id}/budget", response_model=ProjectBudget)
@access("owner")
def set_budget(project_id: EntityId, body: BudgetBody, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Set the project's budget: a confirm that would pass it is refused unless it says `accept_over_budget`."""
    return budgets.set_budget(rushes, project_id, body.credits)
