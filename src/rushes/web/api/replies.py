"""Replies on review notes: members of the studio, and guests whose link allows notes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from rushes.services import replies
from rushes.services.context import Rushes
from rushes.services.errors import Conflict
from rushes.web.access import access, current
from rushes.web.deps import get_rushes, get_session
from rushes.web.schemas import ApiModel, EntityId

router = APIRouter(prefix="/api", tags=["review"])


class ReplyIn(ApiModel):
    body: str = Field(min_length=1, max_length=2000)
    guest_name: str | None = Field(None, max_length=80)  # a guest's own name; members are known already


@router.get("/issues/{issue_id}/replies")
@access(guest="watch")
def get_replies(issue_id: EntityId, session: Session = Depends(get_session)) -> list[dict]:
    """The note's thread, oldest first."""
    return replies.list_replies(session, issue_id)


@router.post("/issues/{issue_id}/replies", status_code=201)
@access("reviewer", guest="notes")
def post_reply(issue_id: EntityId, request: Request, body: ReplyIn, rushes: Rushes = Depends(get_rushes)) -> dict:
    who = current(request)
    if who.guest:
        name = (body.guest_name or "").strip()
        if not name:
            raise Conflict("a guest reply needs the guest's name")
        return replies.add_reply(rushes, issue_id, body.body, f"{name} (guest)", None)
    return replies.add_reply(rushes, issue_id, body.body, who.email, who.user_id)
