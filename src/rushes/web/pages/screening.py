"""The screening room: the whole film in one player, its scenes beside it, notes pinned where they land."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from rushes.domain.issues import CATEGORY_LABELS, CATEGORY_ROUTES
from rushes.services.film import film_cut, film_pins
from rushes.store import projects as project_store
from rushes.web.deps import get_session
from rushes.web.pages.helpers import page_context, render
from rushes.web.schemas import EntityId

router = APIRouter(include_in_schema=False)


@router.get("/projects/{project_id}/screening", response_class=HTMLResponse)
def screening_room(project_id: EntityId, request: Request, prefer: Literal["approved", "latest"] = "approved",
                   session: Session = Depends(get_session, scope="function")):
    project = project_store.project(session, project_id)
    if project is None:
        return render("not_found.html", page_context(session, request, message=f"There is no project {project_id}."), 404)
    cut = film_cut(session, project_id, prefer)
    playable = sum(1 for s in cut["scenes"] if s["take"] is not None)
    return render("screening.html", page_context(
        session, request, project, cut=cut, pins=film_pins(session, cut), prefer=prefer, playable=playable,
        categories=[{"value": c.value, "label": CATEGORY_LABELS[c], "stage": int(CATEGORY_ROUTES[c])} for c in CATEGORY_LABELS]))
