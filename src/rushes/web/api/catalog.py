"""Read side of the JSON API: projects, scenes with derived status, shots with staleness, account."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.services.accounts import account_view
from rushes.services.errors import NotFound
from rushes.services.context import Rushes
from rushes.services.snapshot import load_project, load_scene
from rushes.services.views import open_issue_counts, scene_detail, scene_summary, unread_badges
from rushes.store import models as m
from rushes.web.access import current, studio_account
from rushes.web.deps import get_rushes, get_session
from rushes.web.pagination import Page, finish, page_params
from rushes.web.schemas import EntityId

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/projects")
def list_projects(request: Request, response: Response, page: Page = Depends(page_params(100)),
                  session: Session = Depends(get_session)) -> list[dict]:
    """The projects of every studio the caller belongs to, by id; paginated (`limit`, `after` = the last id seen)."""
    query = (select(m.Project).where(m.Project.account_id.in_(current(request).studio_ids))
             .order_by(m.Project.id).limit(page.fetch()))
    after = page.cursor(int)
    if after is not None:
        query = query.where(m.Project.id > after)
    projects = finish(request, response, page, list(session.scalars(query)), lambda p: p.id)
    return [{"id": p.id, "name": p.name, "style": p.style, "logline": p.logline,
             "created_at": p.created_at.isoformat()} for p in projects]


@router.get("/projects/{project_id}/scenes")
def list_scenes(project_id: EntityId, request: Request, response: Response, page: Page = Depends(page_params(200)),
                session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)) -> list[dict]:
    """Scenes in order with derived status; paginated (`limit`, `after` = the last scene number seen)."""
    snaps = load_project(session, project_id, rushes.render_spec, page.cursor(int), page.fetch())
    snaps = finish(request, response, page, snaps, lambda s: s.scene.number)
    ids = [s.scene.id for s in snaps]
    issues, badges = open_issue_counts(session, ids), unread_badges(session, ids)
    return [scene_summary(s, issues.get(s.scene.id), badges.get(s.scene.id, 0)) for s in snaps]


@router.get("/scenes/{scene_id}")
def get_scene(scene_id: EntityId, session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)) -> dict:
    return scene_detail(session, load_scene(session, scene_id, rushes.render_spec))


@router.get("/account")
def get_account(request: Request, session: Session = Depends(get_session)) -> dict:
    """The caller's (first) studio: its balance and ledger, with who spent each charge."""
    studio = studio_account(session, request)
    if studio is None:
        raise NotFound("you belong to no studio")
    return {**account_view(session, studio), "role": current(request).role_in(studio.id)}
