"""Read side of the JSON API: projects, scenes with derived status, shots with staleness, account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from rushes.services.accounts import account_view
from rushes.services.errors import NotFound
from rushes.bootstrap import Rushes
from rushes.services.hub import hub_rows, scene_list_item
from rushes.services.snapshot import load_scene
from rushes.services.views import scene_detail
from rushes.store import projects as project_store
from rushes.web.access import current, signed_in, studio_account
from rushes.web.deps import get_rushes, get_session
from rushes.web.pagination import Page, finish, page_params
from rushes.web.schemas import EntityId
from rushes.web.api.catalog_schemas import AccountOut, ProjectOut, SceneDetail, SceneListItem

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/projects", response_model=list[ProjectOut])
def list_projects(request: Request, response: Response, page: Page = Depends(page_params(100)),
                  session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """The projects of every studio the caller belongs to, by id; paginated (`limit`, `after` = the last id seen)."""
    found = project_store.studio_projects(session, current(request).studio_ids, page.cursor(int), page.fetch())
    projects = finish(request, response, page, found, lambda p: p.id)
    return [{"id": p.id, "name": p.name, "style": p.style, "logline": p.logline,
             "created_at": p.created_at.isoformat()} for p in projects]


@router.get("/projects/{project_id}/scenes", response_model=list[SceneListItem])
def list_scenes(project_id: EntityId, request: Request, response: Response, page: Page = Depends(page_params(200)),
                session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)) -> list[dict]:
    """Scenes in order with derived status; paginated (`limit`, `after` = the last scene number seen).

    Read from the stored per-scene summaries, so the cost grows with the scenes, not their shots."""
    if project_store.project(session, project_id) is None:
        raise NotFound(f"unknown project {project_id}")
    after = page.cursor(int)
    rows = [r for r in hub_rows(rushes, session, project_id) if after is None or r["scene"].number > after]
    rows = finish(request, response, page, rows[:page.fetch()], lambda r: r["scene"].number)
    return [scene_list_item(r) for r in rows]


@router.get("/scenes/{scene_id}", response_model=SceneDetail)
def get_scene(scene_id: EntityId, session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)) -> dict:
    return scene_detail(session, load_scene(session, scene_id, rushes.render_spec))


@router.get("/account", response_model=AccountOut)
def get_account(request: Request, session: Session = Depends(get_session, scope="function")) -> dict:
    """The caller's (first) studio: its balance and ledger, with who spent each charge."""
    studio = studio_account(session, request)
    if studio is None:
        raise NotFound("you belong to no studio")
    return {**account_view(session, studio), "role": signed_in(request).role_in(studio.id)}
