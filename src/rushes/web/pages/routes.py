"""HTML pages: projects, Script Hub (6), stages 7-11, shot history. Thin: services build the data."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.domain.stages import Stage
from rushes.domain.status import SceneStatus
from rushes.services.accounts import InsufficientCredits
from rushes.services.checkout import checkout
from rushes.services.confirm import confirm_take
from rushes.services.context import Rushes
from rushes.services.credits import credits_view
from rushes.services.errors import Conflict, NotFound
from rushes.services.history import shot_history
from rushes.services.locks import unlock_impact
from rushes.services.rail import current_stage, rail_facts, routed_issues, scene_rail, upstream_changes
from rushes.services.shotlist import next_free_code
from rushes.services.snapshot import load_project, load_scene
from rushes.services.views import media_url, open_issue_counts, scene_thumbnail, shot_detail, unread_badges
from rushes.services.visuals import shots_using
from rushes.store import models as m
from rushes.web.access import current
from rushes.web.deps import get_rushes, get_session
from rushes.web.pages.helpers import page_context, render, scene_context
from rushes.web.schemas import EntityId, OptionalQueryId

router = APIRouter(include_in_schema=False)
REVIEWABLE = (SceneStatus.READY_FOR_REVIEW.value, SceneStatus.COMPLETE.value)


def _not_found(session: Session, request: Request, message: str) -> HTMLResponse:
    return render("not_found.html", page_context(session, request, message=message), status_code=404)


@router.get("/", response_class=HTMLResponse)
def projects(request: Request, session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)):
    rows = []
    studios = current(request).studio_ids
    for project in session.scalars(select(m.Project).where(m.Project.account_id.in_(studios)).order_by(m.Project.id)):
        snaps = load_project(session, project.id, rushes.render_spec)
        statuses = [s.status.value for s in snaps]
        rows.append({"project": project, "scenes": len(snaps),
                     "statuses": {s: statuses.count(s) for s in dict.fromkeys(statuses)},
                     "thumb": next((scene_thumbnail(s)[0] for s in snaps if scene_thumbnail(s)[0]), None)})
    return render("projects.html", page_context(session, request, rows=rows))


@router.get("/credits", response_class=HTMLResponse)
def credits_page(request: Request, session: Session = Depends(get_session)):
    """The credits chip's page: balance and ledger, each row linked to its take and shot."""
    from rushes.web.access import studio_account

    return render("credits.html", page_context(session, request, credits=credits_view(session, studio_account(session, request))))


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def script_hub(project_id: EntityId, request: Request, scene: OptionalQueryId = None, session: Session = Depends(get_session),
               rushes: Rushes = Depends(get_rushes)):
    project = session.get(m.Project, project_id)
    if project is None:
        return _not_found(session, request, f"There is no project {project_id}.")
    snaps = load_project(session, project_id, rushes.render_spec)
    ids = [s.scene.id for s in snaps]
    issues, badges, facts = open_issue_counts(session, ids), unread_badges(session, ids), rail_facts(session, ids)
    scenes = []
    for snap in snaps:
        rail = scene_rail(session, snap, facts=facts)
        stage = current_stage(snap, rail)
        status = snap.status.value
        scenes.append({
            "scene": snap.scene, "status": status, "shots": len(snap.state.shots),
            "duration": sum(s.fields.duration for s in snap.state.shots),
            "thumb": scene_thumbnail(snap)[0], "thumb_kind": scene_thumbnail(snap)[1], "badge": badges.get(snap.scene.id, 0),
            "issues": sum(issues.get(snap.scene.id, {}).values()), "rail": rail,
            "stage": stage, "stage_url": rail[stage - 6]["url"], "stage_title": Stage(stage).title,
            "review_url": f"/scenes/{snap.scene.id}/review" if status in REVIEWABLE else None,
            "warning": status in (SceneStatus.OUTDATED.value, SceneStatus.CONTINUITY_BROKEN.value),
            "changes": upstream_changes(snap),
            "rendering_take": snap.latest_take.id if status == SceneStatus.RENDERING.value else None,
        })
    # The side panel always shows a scene: the one asked for, else the first.
    selected = scene if scene in ids else (ids[0] if ids else None)
    return render("hub.html", page_context(session, request, project, scenes=scenes, selected=selected))


@router.get("/scenes/{scene_id}")
def scene_entry(scene_id: EntityId, session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)):
    """A scene's own address lands on the stage where its work is now."""
    snap = load_scene(session, scene_id, rushes.render_spec)
    rail = scene_rail(session, snap)
    return RedirectResponse(rail[current_stage(snap, rail) - 6]["url"], status_code=303)


def _shots(session: Session, snap) -> list[dict]:
    issues = open_issue_counts(session, [snap.scene.id]).get(snap.scene.id, {})
    return [shot_detail(snap, sid, issues) for sid in snap.shot_ids]


def _rearview(snap) -> dict[int, dict]:
    """For each shot, the frame its start continues from: the previous shot's anchor (the rearview mirror)."""
    mirror = {}
    shots = snap.state.shots
    for index, shot in enumerate(shots):
        if index == 0:
            key = snap.state.incoming_anchor
            label = "previous scene's last frame" if key else "first shot: nothing before it"
        else:
            prev = shots[index - 1]
            key = prev.anchor_out
            label = f"{prev.fields.code} {'start' if prev.start_frame_only else 'end'} frame"
        mirror[shot.shot_id] = {"url": media_url(key), "label": label}
    return mirror


@router.get("/scenes/{scene_id}/stage/{stage}", response_class=HTMLResponse)
def stage_page(scene_id: EntityId, stage: int, request: Request, error: str | None = None,
               session: Session = Depends(get_session), rushes: Rushes = Depends(get_rushes)):
    if stage == Stage.SCRIPT_HUB or stage == Stage.REVIEW:
        scene = session.get(m.Scene, scene_id)
        if scene is None:
            return _not_found(session, request, f"There is no scene {scene_id}.")
        url = f"/projects/{scene.project_id}?scene={scene_id}" if stage == 6 else f"/scenes/{scene_id}/review"
        return RedirectResponse(url, status_code=303)
    if stage not in (7, 8, 9, 10, 11):
        return _not_found(session, request, f"There is no stage {stage}; stages run from 6 to 12.")
    try:
        ctx = scene_context(rushes, session, request, scene_id, stage, error=error,
                            issues_here=routed_issues(session, scene_id, stage))
    except LookupError:
        return _not_found(session, request, f"There is no scene {scene_id}.")
    snap = ctx["snap"]
    if stage in (7, 9, 10):
        ctx["shots"] = _shots(session, snap)
    if stage in (7, 8):
        ctx["lock_impact"] = unlock_impact(rushes, session, snap, stage)
    if stage == 7:
        codes = [s.fields.code for s in snap.state.shots]
        ctx["next_code"] = next_free_code(codes[-1], set(codes)) if codes else f"{snap.scene.number}A"
    if stage == 8:
        ctx["elements"] = [{"element": e, "state": s, "used_in": shots_using(snap, e.kind, e.name)} for e, s in snap.elements]
        ctx["locked"] = ctx["rail"][2]["state"] == "locked"
    if stage == 10:
        ctx["rearview"] = _rearview(snap)
        ctx["frame_credits"] = rushes.prices.frame_image
        ctx["active_jobs"] = dict(session.execute(select(m.RenderJob.shot_id, m.RenderJob.id).where(
            m.RenderJob.scene_id == scene_id, m.RenderJob.kind == "frames", m.RenderJob.finished_at.is_(None))).all())
    if stage == 11:
        ctx["plan"] = checkout(rushes, session, snap)
        ctx["idempotency_key"] = uuid.uuid4().hex
    return render(f"stage{stage}.html", ctx)


@router.post("/scenes/{scene_id}/stage/11/confirm")
def confirm_form(scene_id: EntityId, request: Request, idempotency_key: str = Form(...), rushes: Rushes = Depends(get_rushes)):
    """The no-script fallback of Confirm & Render: same service, same idempotency key from the page."""
    try:
        take_id, _ = confirm_take(rushes, scene_id, idempotency_key, user_id=current(request).user_id)
    except (Conflict, InsufficientCredits) as err:
        message = err.message if isinstance(err, Conflict) else str(err)
        return RedirectResponse(f"/scenes/{scene_id}/stage/11?error={quote(message)}", status_code=303)
    return RedirectResponse(f"/scenes/{scene_id}/review?take={take_id}", status_code=303)


@router.get("/shots/{shot_id}/history", response_class=HTMLResponse)
def history_page(shot_id: EntityId, request: Request, session: Session = Depends(get_session),
                 rushes: Rushes = Depends(get_rushes)):
    try:
        history = shot_history(session, shot_id)
    except NotFound:
        return _not_found(session, request, f"There is no shot {shot_id}.")
    ctx = scene_context(rushes, session, request, history["scene_id"], 0, history=history)
    return render("history.html", ctx)
