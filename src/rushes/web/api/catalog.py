"""Read side of the JSON API: projects, scenes with derived status, shots with staleness, account."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.services.accounts import account_view, default_account
from rushes.services.context import Rushes
from rushes.services.snapshot import load_project, load_scene
from rushes.services.views import open_issue_counts, scene_detail, scene_summary, unread_badges
from rushes.store import models as m
from rushes.web.deps import get_rushes, get_session

router = APIRouter(prefix="/api", tags=["catalog"])


@router.get("/projects")
def list_projects(session: Session = Depends(get_session)) -> list[dict]:
    projects = session.scalars(select(m.Project).order_by(m.Project.id))
    return [{"id": p.id, "name": p.name, "style": p.style, "logline": p.logline,
             "created_at": p.created_at.isoformat()} for p in projects]


@router.get("/projects/{project_id}/scenes")
def list_scenes(project_id: int, session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)) -> list[dict]:
    snaps = load_project(session, project_id, rushes.render_spec)
    ids = [s.scene.id for s in snaps]
    issues, badges = open_issue_counts(session, ids), unread_badges(session, ids)
    return [scene_summary(s, issues.get(s.scene.id), badges.get(s.scene.id, 0)) for s in snaps]


@router.get("/scenes/{scene_id}")
def get_scene(scene_id: int, session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)) -> dict:
    return scene_detail(session, load_scene(session, scene_id, rushes.render_spec))


@router.get("/account")
def get_account(session: Session = Depends(get_session)) -> dict:
    return account_view(session, default_account(session))
