"""Replies on review notes: members of the studio, and guests whose link allows notes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from rushes.services import replies, users
from rushes.bootstrap import Rushes
from rushes.services.errors import Conflict
from rushes.store import models as m
from rushes.web.access import access, signed_in
from rushes.web.api.rooms import announce_in_rooms
from rushes.web.deps import get_rushes, get_session
from rushes.web.schemas import ApiModel, EntityId
from rushes.web.api.review_schemas import ReplyOut


router = APIRouter(prefix="/api", tags=["review"])


class ReplyIn(ApiModel):
    body: str = Field(min_length=1, max_length=2000)
    guest_name: str | None = Field(None, max_length=80)  # a guest's own name; members are known already


@router.get("/issues/{issue_id}/replies", response_model=list[ReplyOut])
@access(guest="watch")
def get_replies(issue_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """The note's thread, oldest first (a guest reads members' display names, not their emails)."""
    rows = replies.list_replies(session, issue_id)
    return users.authors_for_guests(session, rows, m.NoteReply) if signed_in(request).guest else rows


@router.post("/issues/{issue_id}/replies", status_code=201, response_model=ReplyOut)
@access("reviewer", guest="notes")
def post_reply(issue_id: EntityId, request: Request, body: ReplyIn, rushes: Rushes = Depends(get_rushes)) -> dict:
    who = signed_in(request)
    if who.guest:
        name = (body.guest_name or "").strip()
        if not name:
            raise Conflict("a guest reply needs the guest's name")
        reply = replies.add_reply(rushes, issue_id, body.body, f"{name} (guest)", None)
    else:
        reply = replies.add_reply(rushes, issue_id, body.body, who.email or "", who.user_id)
    announce_in_rooms(request, rushes, issue_id, "reply")
    return reply
