"""Shared page plumbing: templates, the top bar's context, the scene rail; for every page including stage 12.

A page extends `base.html` and passes `page_context(...)` (or `scene_context(...)` for a scene page,
which adds `scene`, `snap`, `rail`, `status` and fills the rail block by itself).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from rushes.domain.glossary import GLOSSARY
from rushes.domain.stages import Stage
from rushes.services.accounts import balance
from rushes.services.rail import scene_rail, upstream_changes
from rushes.services.snapshot import SceneSnapshot, load_scene
from rushes.store import models as m
from rushes.store import notifications as notification_store
from rushes.store import projects as project_store
from rushes.web import static_assets

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))

STATE_CLASSES = {"fresh": "ok", "stale": "warn", "missing": "muted", "locked": "lock", "not_started": "muted"}


def _credits(value) -> str:
    return f"{int(value):,}" if value is not None else "\u2014"


def _seconds(value) -> str:
    return f"{float(value):g} s" if value is not None else "\u2014"


def _when(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%d %b %Y %H:%M:%S")


templates.env.filters.update(credits=_credits, seconds=_seconds, when=_when)
templates.env.globals.update(STATE_CLASSES=STATE_CLASSES, Stage=Stage, GLOSSARY=GLOSSARY)
templates.env.globals.update(asset=static_assets.asset, IMPORT_MAP=static_assets.import_map)


def page_context(session: Session, request: Request, project: m.Project | None = None, **extra) -> dict:
    """What base.html needs: who is signed in and their role, the studio's balance, unread notifications, CSRF."""
    from rushes.web import abilities
    from rushes.web.access import current, studio_account

    principal = current(request)
    studio = studio_account(session, request, project)
    unread = 0
    if principal is not None and not principal.guest and principal.studio_ids:
        unread = notification_store.unread_count(session, list(principal.studio_ids))
    role = principal.role_in(studio.id) if principal is not None and studio is not None else None
    studio_id = studio.id if studio is not None else None

    def can(ability: str) -> bool:
        return abilities.can(request, ability, studio_id)

    return {"request": request, "project": project, "account": studio, "studio": studio,
            "balance": balance(session, studio.id) if studio is not None else None, "unread": unread,
            "me": principal.email if principal is not None else None, "role": role,
            "guest": principal is not None and principal.guest,
            "guest_notes": principal is not None and principal.guest and principal.allow_notes,
            # Templates ask can("spend") etc.; data-can lists the same answers for the scripts.
            "can": can, "abilities": abilities.abilities_of(request, studio_id),
            "can_edit": can("edit"), "is_owner": can("members"),
            "csrf_token": principal.csrf if principal is not None and principal.via != "bearer" else None, **extra}


def scene_context(rushes, session: Session, request: Request, scene_id: int, stage: int, **extra) -> dict:
    """page_context plus the scene, its snapshot and the workflow rail with `stage` marked current."""
    snap: SceneSnapshot = load_scene(session, scene_id, rushes.render_spec)
    project = project_store.project(session, snap.scene.project_id)
    return page_context(session, request, project, scene=snap.scene, snap=snap, status=snap.status.value,
                        rail=scene_rail(session, snap, current=stage), stage=stage,
                        stage_title=Stage(stage).title if stage in Stage._value2member_map_ else "", changes=upstream_changes(snap), **extra)


def render(name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(context["request"], name, context, status_code=status_code)
