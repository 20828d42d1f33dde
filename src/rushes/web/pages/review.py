"""The Stage 12 review page: player, shot list, issues, routing, progress; opening it reads its notifications."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from rushes.domain.issues import CATEGORY_LABELS, CATEGORY_ROUTES
from rushes.services import review
from rushes.bootstrap import Rushes
from rushes.services.notifications import mark_scene_read
from rushes.services.takes import scene_takes
from rushes.web.access import access, signed_in
from rushes.web.deps import get_rushes, get_session
from rushes.web.pages.helpers import render, scene_context
from rushes.web.schemas import EntityId, OptionalQueryId

router = APIRouter(include_in_schema=False)


@router.get("/scenes/{scene_id}/review", response_class=HTMLResponse)
@access(guest="watch")
def review_page(scene_id: EntityId, request: Request, take: OptionalQueryId = None,
                session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)):
    try:
        if not signed_in(request).guest:  # a guest watching does not read the studio's notifications
            mark_scene_read(session, scene_id)
        ctx = scene_context(rushes, session, request, scene_id, 12)
    except LookupError:
        from rushes.web.pages.helpers import page_context

        return render("not_found.html", page_context(session, request, message=f"There is no scene {scene_id}."), 404)
    cut = review.cut(session, scene_id, take)
    snap = ctx["snap"]
    details = {s.shot_id: s for s in snap.assessment.shots}
    ctx.update(
        cut=cut,
        takes=scene_takes(session, scene_id),
        shot_rows=[{**shot, "dialogue": snap.shot_versions[shot["shot_id"]].dialogue if shot["shot_id"] in snap.shot_versions else "",
                    "fresh": shot["shot_id"] in details and not details[shot["shot_id"]].clip.stale}
                   for shot in cut["shots"]],
        categories=[{"value": c.value, "label": CATEGORY_LABELS[c], "stage": int(CATEGORY_ROUTES[c])} for c in CATEGORY_LABELS],
    )
    return render("review.html", ctx)


@router.get("/rooms/{room_id}")
@access(guest="watch")
def room_page(room_id: EntityId, rushes: Rushes = Depends(get_rushes)):
    """A review session's link: the scene's review page, joining the room."""
    from fastapi.responses import RedirectResponse

    from rushes.services.rooms import read_room

    room = read_room(rushes, room_id, None)
    return RedirectResponse(f"/scenes/{room['scene_id']}/review?room={room_id}", status_code=303)
