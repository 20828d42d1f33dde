"""Pages to start a film: New project (a title, or an import file) and a project's scenes (add, rename, reorder)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from rushes.services.film_setup import project_scenes
from rushes.services.importer import __doc__ as IMPORT_FORMAT
from rushes.store import projects as project_store
from rushes.web.deps import get_session
from rushes.web.pages.helpers import page_context, render
from rushes.web.schemas import EntityId

router = APIRouter(include_in_schema=False)


@router.get("/projects/new", response_class=HTMLResponse)
def new_project_page(request: Request, session: Session = Depends(get_session, scope="function")):
    example = IMPORT_FORMAT.split("Format (every key but `name` and `scenes` optional):", 1)[-1].split("Frame paths", 1)[0]
    return render("project_new.html", page_context(session, request, import_example=example.strip()))


@router.get("/projects/{project_id}/scenes", response_class=HTMLResponse)
def scenes_page(project_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function")):
    project = project_store.project(session, project_id)
    return render("project_scenes.html", page_context(session, request, project, scenes=project_scenes(session, project_id)))
