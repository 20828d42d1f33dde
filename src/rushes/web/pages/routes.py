"""HTML pages: projects, Script Hub (6), stages 7-11, shot history. Thin: services build the data."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from rushes.domain.shots import ShotFieldError
from rushes.domain.stages import ROUTABLE_STAGES, Stage
from rushes.domain.status import SceneStatus
from rushes.services.accounts import InsufficientCredits
from rushes.services.checkout import checkout
from rushes.services.confirm import confirm_take
from rushes.bootstrap import Rushes
from rushes.services.credits import credits_view
from rushes.services.errors import Conflict, NotFound
from rushes.services.history import shot_history
from rushes.services.hub import film_glance, hub_panel, hub_rows, panel_of
from rushes.services.scene_summaries import project_summaries
from rushes.services.locks import unlock_impact
from rushes.services.rail import current_stage, routed_issues, scene_rail
from rushes.services.shotlist import next_free_code
from rushes.services.snapshot import load_scene
from rushes.services.views import media_url, open_issue_counts, shot_detail
from rushes.services.visuals import shots_using
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store
from rushes.web.access import current, signed_in
from rushes.web.api.orders import form_order, page_order
from rushes.web.deps import get_rushes, get_session
from rushes.web.pages.helpers import page_context, render, scene_context
from rushes.web.schemas import EntityId, OptionalQueryId

router = APIRouter(include_in_schema=False)
REVIEWABLE = (SceneStatus.READY_FOR_REVIEW.value, SceneStatus.COMPLETE.value)


def _not_found(session: Session, request: Request, message: str) -> HTMLResponse:
    return render("not_found.html", page_context(session, request, message=message), status_code=404)


@router.get("/", response_class=HTMLResponse)
def projects(request: Request, session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)):
    rows = []
    studios = current(request).studio_ids
    for project in project_store.studio_projects(session, studios):
        summaries = [summary for _, summary in project_summaries(rushes, session, project.id)]
        statuses = [s["status"] for s in summaries]
        rows.append({"project": project, "scenes": len(summaries),
                     "statuses": {s: statuses.count(s) for s in dict.fromkeys(statuses)},
                     "thumb": next((s["thumb"] for s in summaries if s["thumb"]), None)})
    return render("projects.html", page_context(session, request, rows=rows))


@router.get("/credits", response_class=HTMLResponse)
def credits_page(request: Request, session: Session = Depends(get_session, scope="function")):
    """The credits chip's page: balance and ledger, each row linked to its take and shot."""
    from rushes.web.access import studio_account

    return render("credits.html", page_context(session, request, credits=credits_view(session, studio_account(session, request)),
                                               grant_key=uuid.uuid4().hex))


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def script_hub(project_id: EntityId, request: Request, scene: OptionalQueryId = None, session: Session = Depends(get_session, scope="function"),
               rushes: Rushes = Depends(get_rushes)):
    project = project_store.project(session, project_id)
    if project is None:
        return _not_found(session, request, f"There is no project {project_id}.")
    # Stored per-scene summaries: the Hub costs O(scenes), not O(shots) (services/scene_summaries.py).
    scenes = hub_rows(rushes, session, project_id)
    ids = [row["scene"].id for row in scenes]
    # The side panel always shows a scene: the one asked for, else the first. Only its panel is drawn.
    selected = scene if scene in ids else (ids[0] if ids else None)
    panel = panel_of(scenes[ids.index(selected)]) if selected is not None else None
    return render("hub.html", page_context(session, request, project, scenes=scenes, selected=selected, panel=panel,
                                           film=film_glance(project_id, scenes)))


@router.get("/scenes/{scene_id}/hub-panel", response_class=HTMLResponse)
def hub_panel_fragment(scene_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function"),
                       rushes: Rushes = Depends(get_rushes)):
    """A scene's Hub side panel alone (an HTML fragment), fetched when the user selects the scene."""
    try:
        panel = hub_panel(rushes, session, scene_id)
    except LookupError:
        return HTMLResponse(f"There is no scene {scene_id}.", status_code=404)
    return render("_hub_panel.html", {"request": request, "p": panel})


@router.get("/scenes/{scene_id}")
def scene_entry(scene_id: EntityId, session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)):
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
               order=Depends(page_order), session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)):
    if stage == Stage.SCRIPT_HUB or stage == Stage.REVIEW:
        scene = scene_store.scene(session, scene_id)
        if scene is None:
            return _not_found(session, request, f"There is no scene {scene_id}.")
        url = f"/projects/{scene.project_id}?scene={scene_id}" if stage == 6 else f"/scenes/{scene_id}/review"
        return RedirectResponse(url, status_code=303)
    if stage not in (*ROUTABLE_STAGES, Stage.CONFIRM_RENDER):
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
        ctx["active_jobs"] = scene_store.frame_jobs_running(session, scene_id)
    if stage == 11:
        try:
            ctx["plan"] = checkout(rushes, session, snap, order)
        except ShotFieldError as err:  # a model or shot the picker cannot offer: the default plan, and why
            ctx["plan"], ctx["error"] = checkout(rushes, session, snap), err.message
        ctx["idempotency_key"] = uuid.uuid4().hex
    return render(f"stage{stage}.html", ctx)


@router.post("/scenes/{scene_id}/stage/11/confirm")
def confirm_form(scene_id: EntityId, request: Request, idempotency_key: str = Form(...), model: str | None = Form(None),
                 resolution: str | None = Form(None), audio: str | None = Form(None), shot_ids: str | None = Form(None),
                 accept_over_budget: str | None = Form(None), rushes: Rushes = Depends(get_rushes)):
    """The no-script fallback of Confirm & Render: same service, same idempotency key and order from the page."""
    try:
        take_id, _ = confirm_take(rushes, scene_id, idempotency_key, user_id=signed_in(request).user_id,
                                  order=form_order(model, resolution, audio, shot_ids, accept_over_budget))
    except (Conflict, InsufficientCredits, ShotFieldError) as err:
        message = err.message if isinstance(err, (Conflict, ShotFieldError)) else str(err)
        return RedirectResponse(f"/scenes/{scene_id}/stage/11?error={quote(message)}", status_code=303)
    return RedirectResponse(f"/scenes/{scene_id}/review?take={take_id}", status_code=303)


@router.get("/shots/{shot_id}/history", response_class=HTMLResponse)
def history_page(shot_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function"),
                 rushes: Rushes = Depends(get_rushes)):
    try:
        history = shot_history(session, shot_id)
    except NotFound:
        return _not_found(session, request, f"There is no shot {shot_id}.")
    ctx = scene_context(rushes, session, request, history["scene_id"], 0, history=history)
    return render("history.html", ctx)
