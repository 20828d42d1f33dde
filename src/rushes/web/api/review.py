"""Stage 12 API: the cut, issues at timecodes, routing back upstream, completing the scene."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from rushes.domain.drawing import MAX_SHAPES, DrawingRefused, clean_drawing
from rushes.domain.issues import IssueCategory
from rushes.domain.text import MAX_ID
from rushes.services import note_routes, review, users
from rushes.bootstrap import Rushes
from rushes.services.errors import Conflict, NotFound
from rushes.store import models as m
from rushes.store import scenes as scene_store
from rushes.web.access import access, signed_in
from rushes.web.api.rooms import announce_in_rooms
from rushes.web.deps import get_rushes, get_session
from rushes.web.pagination import Page, finish, page_params
from rushes.web.schemas import ApiModel, BodyId, EntityId, OptionalQueryId
from rushes.web.api.review_schemas import CompleteOut, CutOut, IssueOut, ListedIssue, RouteOut, StackedClip


router = APIRouter(prefix="/api", tags=["review"])


class IssueIn(ApiModel):
    scene_time: float = Field(ge=0)
    frame: int | None = Field(None, ge=0, le=10_000_000)  # the exact frame; scene_time is then ignored
    out_frame: int | None = Field(None, ge=0, le=10_000_000)  # a range note's last frame (inclusive)
    # Both optional: with neither, the agent proposes them; where it abstains the note waits under "no route".
    category: Annotated[IssueCategory, Field(strict=False)] | None = None  # the enum's string value
    description: str = Field(min_length=1, max_length=2000)
    stage: Literal[7, 8, 9, 10] | None = None
    take_id: BodyId | None = None
    shot_id: BodyId | None = None
    guest_name: str | None = Field(None, max_length=80)  # a guest's own name; members are known already
    # Shapes drawn on the note's frame, normalised to the picture; see rushes.domain.drawing.
    drawing: list[dict[str, Any]] | None = Field(None, max_length=MAX_SHAPES)

    @field_validator("drawing", mode="after")
    @classmethod
    def _drawable(cls, value: list | None) -> list | None:
        try:
            return clean_drawing(value)
        except DrawingRefused as refused:
            raise ValueError(str(refused)) from None


class IssuePatch(ApiModel):
    description: str | None = Field(None, min_length=1, max_length=2000)
    category: Annotated[IssueCategory, Field(strict=False)] | None = None
    stage: Literal[7, 8, 9, 10] | None = None
    status: Literal["open", "resolved", "wont_fix"] | None = None


class RouteIn(ApiModel):
    stage: Literal[7, 8, 9, 10] | None = None  # every open note of this stage, or (with issue_ids) their new stage
    issue_ids: list[BodyId] | None = Field(None, min_length=1, max_length=500)  # route just these notes


class CompleteIn(ApiModel):
    take_id: BodyId | None = None
    open_notes: Literal["wont_fix", "carry"] | None = None  # required when notes are still open


def _scene(session: Session, scene_id: int) -> m.Scene:
    scene = scene_store.scene(session, scene_id)
    if scene is None:
        raise NotFound(f"unknown scene {scene_id}")
    return scene


@router.get("/scenes/{scene_id}/cut", response_model=CutOut)
@access(guest="watch")
def get_cut(scene_id: EntityId, take: OptionalQueryId = None, session: Session = Depends(get_session, scope="function")) -> dict:
    """The take's shots in scene time (latest take unless `take` is given), ready for <scene-player>."""
    _scene(session, scene_id)
    return review.cut(session, scene_id, take)


@router.get("/shots/{shot_id}/clips", response_model=list[StackedClip])
@access(guest="watch")
def get_shot_clips(shot_id: EntityId, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """The shot's version stack: every clip it ever had, oldest first, with the takes that used each, its
    draw (take, variant, seed, QC rank), its QC summary and whether it is the select of its inputs."""
    from rushes.services.draws import shot_clips

    return shot_clips(session, shot_id)


def _issue_cursor(text: str) -> tuple[float, int]:
    time, last_id = text.split("_")
    seconds, number = float(time), int(last_id)
    if not math.isfinite(seconds) or not 0 <= number <= MAX_ID:
        raise ValueError(text)  # a cursor this list never hands out
    return seconds, number


@router.get("/scenes/{scene_id}/issues", response_model=list[ListedIssue])
@access(guest="watch")
def get_issues(scene_id: EntityId, request: Request, response: Response, page: Page = Depends(page_params(200)),
               session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """Issues in scene-time order; paginated (`limit`, `after` from the Link header)."""
    _scene(session, scene_id)
    rows = review.list_issues(session, scene_id, after=page.cursor(_issue_cursor), limit=page.fetch())
    if signed_in(request).guest:  # emails are for members: a guest sees display names
        rows = users.authors_for_guests(session, rows, m.ReviewIssue)
    return finish(request, response, page, rows, lambda i: f"{i['scene_time']!r}_{i['id']}")


@router.post("/scenes/{scene_id}/issues", status_code=201, response_model=IssueOut)
@access("reviewer", guest="notes")
def pin_issue(scene_id: EntityId, request: Request, body: IssueIn, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Reviewers and guests (with a link that allows notes) pin notes too; each note names its author."""
    who = signed_in(request)
    values = body.model_dump(exclude={"guest_name"})
    if who.guest:
        name = (body.guest_name or "").strip()
        if not name:
            raise Conflict("a guest note needs the guest's name")
        values.update(author_user_id=None, author_name=f"{name} (guest)")
    else:
        values.update(author_user_id=who.user_id, author_name=who.email)
    pinned = review.pin_issue(rushes, scene_id, values)
    announce_in_rooms(request, rushes, pinned["id"], "pinned")
    return pinned


@router.patch("/issues/{issue_id}", response_model=IssueOut)
def edit_issue(issue_id: EntityId, body: IssuePatch, rushes: Rushes = Depends(get_rushes)) -> dict:
    return review.edit_issue(rushes, issue_id, body.model_dump(exclude_none=True))


@router.delete("/issues/{issue_id}", status_code=204)
def delete_issue(issue_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> Response:
    review.delete_issue(rushes, issue_id)
    return Response(status_code=204)


@router.post("/scenes/{scene_id}/route", response_model=RouteOut)
def route_issues(scene_id: EntityId, request: Request, body: RouteIn, rushes: Rushes = Depends(get_rushes)) -> dict:
    return note_routes.route(rushes, scene_id, body.stage, body.issue_ids, signed_in(request).user_id)


@router.get("/scenes/{scene_id}/routes", response_model=list[RouteOut])
@access(guest="watch")
def get_routes(scene_id: EntityId, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """Routes whose notes are still at their stage, newest first, each with the cost statement it was given."""
    _scene(session, scene_id)
    return note_routes.live_routes(session, scene_id)


@router.post("/scenes/{scene_id}/complete", response_model=CompleteOut)
def complete(scene_id: EntityId, body: CompleteIn | None = None, rushes: Rushes = Depends(get_rushes)) -> dict:
    return review.complete_scene(rushes, scene_id, body.take_id if body else None, body.open_notes if body else None)
