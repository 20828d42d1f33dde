"""Stage 7-11 edits through the JSON API; every edit answers with the new version and today's staleness."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile, Request
from pydantic import ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rushes.domain.shots import ShotFieldError
from rushes.media.probe import MAX_IMAGE_BYTES, InvalidImage
from rushes.services import locks, prompting, shotlist, visuals
from rushes.services.checkout import checkout
from rushes.bootstrap import Rushes
from rushes.services.errors import Conflict, NotFound
from rushes.services.frame_jobs import enqueue_frames
from rushes.services.frames import approve_frames, newest_job_view, store_frame
from rushes.services.history import frame_view, shot_history
from rushes.services.rail import scene_rail, upstream_changes
from rushes.services.snapshot import load_scene
from rushes.services.views import open_issue_counts, shot_detail
from rushes.web.access import signed_in
from rushes.web.api.orders import plan_order
from rushes.web.deps import get_rushes, get_session
from rushes.web.schemas import ApiModel, BodyId, EntityId
from rushes.web.api.edit_schemas import (FrameEdit, FramesApproved, FramesQueued, LatestFramesJob, LockImpact, LockOut, PlanOut,
                                         PromptEdit, PromptVersions, RailOut, ShotEdit, ShotHistory, ShotVersionsEdit,
                                         VisualStateVersion)

router = APIRouter(prefix="/api", tags=["edits"])


class ShotPatch(ApiModel):
    model_config = ConfigDict(extra="forbid")  # strict numbers: `duration` is a JSON number, never "8" or true
    code: str | None = None
    duration: float | None = None
    action: str | None = None
    dialogue: str | None = None
    characters: list[str] | str | None = None
    setting: str | None = None
    camera: str | None = None
    sfx: str | None = None


class ShotCreate(ShotPatch):
    after_shot_id: BodyId | None = None


class ShotOrder(ApiModel):
    shot_ids: list[BodyId] = Field(min_length=1, max_length=500)


class MergeBody(ApiModel):
    next_shot_id: BodyId | None = None


class LockBody(ApiModel):
    stage: Literal[7, 8]
    locked: bool = True


class VisualStateBody(ApiModel):
    kind: Literal["character", "location", "prop"]
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(max_length=4000)


class DescriptionBody(ApiModel):
    description: str = Field(max_length=4000)


class PromptPatch(ApiModel):
    model_config = ConfigDict(extra="forbid")
    video_prompt: str | None = None
    clear_override: bool = False
    start_frame_only: bool | None = None


class FramesBody(ApiModel):
    kinds: list[Literal["start", "end"]] = Field(default_factory=lambda: ["start", "end"], min_length=1)  # type: ignore[arg-type]  # the literal list is inferred as list[str]


def _scene_id(session: Session, shot_id: int) -> int:
    return shotlist.scene_of(session, shot_id)


def _shot_now(rushes: Rushes, session: Session, shot_id: int) -> dict | None:
    """The shot's detail view after an edit (None when it left the list)."""
    snap = load_scene(session, _scene_id(session, shot_id), rushes.render_spec)
    if shot_id not in snap.shot_ids:
        return None
    issues = open_issue_counts(session, [snap.scene.id]).get(snap.scene.id, {})
    return shot_detail(snap, shot_id, issues)


def _order(rushes: Rushes, session: Session, scene_id: int) -> list[dict]:
    snap = load_scene(session, scene_id, rushes.render_spec)
    return [{"shot_id": s.shot_id, "code": s.fields.code} for s in snap.state.shots]


# ---- Stage 7: shot list -------------------------------------------------------------------------

@router.patch("/shots/{shot_id}", response_model=ShotEdit)
def patch_shot(shot_id: EntityId, body: ShotPatch, rushes: Rushes = Depends(get_rushes)) -> dict:
    from rushes.services.editing import update_shot

    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise Conflict("no shot-list field given")
    with rushes.db.session() as session:
        _scene_id(session, shot_id)
        version = update_shot(session, shot_id, changes)
        return {"version": shotlist.version_view(version), "shot": _shot_now(rushes, session, shot_id)}


@router.post("/scenes/{scene_id}/shots", status_code=201, response_model=ShotEdit)
def add_shot(scene_id: EntityId, body: ShotCreate, rushes: Rushes = Depends(get_rushes)) -> dict:
    values = body.model_dump(exclude={"after_shot_id"}, exclude_none=True)
    with rushes.db.session() as session:
        version = shotlist.insert_shot(session, scene_id, values, body.after_shot_id)
        return {"version": shotlist.version_view(version), "shot": _shot_now(rushes, session, version.shot_id),
                "order": _order(rushes, session, scene_id)}


@router.delete("/shots/{shot_id}", response_model=ShotEdit)
def delete_shot(shot_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        version = shotlist.delete_shot(session, shot_id)
        return {"version": shotlist.version_view(version), "order": _order(rushes, session, _scene_id(session, shot_id))}


@router.post("/scenes/{scene_id}/shots/order", response_model=ShotVersionsEdit)
def reorder(scene_id: EntityId, body: ShotOrder, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        versions = shotlist.reorder_shots(session, scene_id, body.shot_ids)
        return {"versions": [shotlist.version_view(v) for v in versions], "order": _order(rushes, session, scene_id)}


@router.post("/shots/{shot_id}/split", status_code=201, response_model=ShotVersionsEdit)
def split(shot_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        first, second = shotlist.split_shot(session, shot_id)
        return {"versions": [shotlist.version_view(first), shotlist.version_view(second)],
                "order": _order(rushes, session, _scene_id(session, shot_id))}


@router.post("/shots/{shot_id}/merge", response_model=ShotEdit)
def merge(shot_id: EntityId, body: MergeBody | None = None, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        version = shotlist.merge_shots(session, shot_id, body.next_shot_id if body else None)
        return {"version": shotlist.version_view(version), "shot": _shot_now(rushes, session, shot_id),
                "order": _order(rushes, session, _scene_id(session, shot_id))}


@router.post("/scenes/{scene_id}/locks", response_model=LockOut)
def lock(scene_id: EntityId, body: LockBody, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        return shotlist.lock_stage(rushes, session, scene_id, body.stage, body.locked)


@router.get("/scenes/{scene_id}/locks/{stage}", response_model=LockImpact)
def lock_impact(scene_id: int, stage: int, session: Session = Depends(get_session, scope="function"),
                rushes: Rushes = Depends(get_rushes)) -> dict:
    """Whether the stage is locked, what an edit there would make stale and what re-rendering would cost."""
    if stage not in locks.LOCKABLE:
        raise ShotFieldError("stage", "only stages 7 and 8 are locked by hand")
    return locks.unlock_impact(rushes, session, load_scene(session, scene_id, rushes.render_spec), stage)


# ---- Stage 8: visual definition -----------------------------------------------------------------

@router.post("/scenes/{scene_id}/visual-states", status_code=201, response_model=VisualStateVersion)
def save_visual_state(scene_id: EntityId, body: VisualStateBody, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        state = visuals.save_visual_state(session, scene_id, body.kind, body.name, body.description)
        return visuals.element_view(session, state)


@router.patch("/visual-elements/{element_id}", response_model=VisualStateVersion)
def update_visual_state(element_id: EntityId, body: DescriptionBody, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        state = visuals.update_element(session, element_id, body.description)
        return visuals.element_view(session, state)


@router.delete("/visual-elements/{element_id}", response_model=VisualStateVersion)
def delete_visual_state(element_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        state = visuals.delete_element(session, element_id)
        return visuals.element_view(session, state)


@router.get("/visual-elements/{element_id}/history", response_model=list[VisualStateVersion])
def visual_state_history(element_id: EntityId, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    return visuals.element_history(session, element_id)


# ---- Stage 9: prompts ---------------------------------------------------------------------------

@router.patch("/shots/{shot_id}/prompt", response_model=PromptEdit)
def patch_prompt(shot_id: EntityId, body: PromptPatch, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        prompt = prompting.edit_prompt(rushes, session, shot_id, video_prompt=body.video_prompt,
                                       clear_override=body.clear_override, start_frame_only=body.start_frame_only)
        return {"version": prompting.prompt_view(prompt), "shot": _shot_now(rushes, session, shot_id)}


@router.post("/shots/{shot_id}/prompt/reassemble", response_model=PromptEdit)
def reassemble_prompt(shot_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        prompt = prompting.reassemble(rushes, session, shot_id)
        return {"version": prompting.prompt_view(prompt), "shot": _shot_now(rushes, session, shot_id)}


@router.post("/scenes/{scene_id}/prompts/reassemble", response_model=PromptVersions)
def reassemble_scene(scene_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        prompts = prompting.reassemble_scene(rushes, session, scene_id)
        return {"versions": [prompting.prompt_view(p) for p in prompts]}


# ---- Stage 10: frames ---------------------------------------------------------------------------

@router.post("/shots/{shot_id}/frames", status_code=202, response_model=FramesQueued)
def regenerate_frames(shot_id: EntityId, request: Request, body: FramesBody | None = None, rushes: Rushes = Depends(get_rushes)) -> dict:
    kinds = tuple(dict.fromkeys((body or FramesBody()).kinds))
    job_id = enqueue_frames(rushes, shot_id, kinds, user_id=signed_in(request).user_id)
    return {"job_id": job_id, "shot_id": shot_id, "kinds": list(kinds), "status_url": f"/api/jobs/{job_id}"}


@router.get("/shots/{shot_id}/frames/job", response_model=LatestFramesJob)
def latest_frames_job(shot_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    """The shot's newest frames job, so a reloaded page picks its progress up again."""
    _scene_id(session, shot_id)
    return newest_job_view(session, shot_id)


@router.post("/shots/{shot_id}/frames/upload", status_code=201, response_model=FrameEdit)
async def upload_frame(shot_id: EntityId, kind: Literal["start", "end"] = Form(...), file: UploadFile = File(...),
                       rushes: Rushes = Depends(get_rushes)) -> dict:
    # Read one byte past the limit: enough to refuse an oversized file without holding all of it.
    data = await file.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(f"image is larger than the {MAX_IMAGE_BYTES // 1024 // 1024} MB limit")
    from rushes.media.image_clean import reencoded_image

    # Kept as pixels only (no EXIF GPS, no trailing polyglot bytes); decoding is CPU work, off the event loop.
    data = await run_in_threadpool(reencoded_image, data)
    return await run_in_threadpool(_store_upload, rushes, shot_id, kind, data)


def _store_upload(rushes: Rushes, shot_id: int, kind: str, data: bytes) -> dict:
    with rushes.db.session() as session:
        snap = load_scene(session, _scene_id(session, shot_id), rushes.render_spec)
        if shot_id not in snap.shot_ids:
            raise NotFound(f"shot {shot_id} was deleted")
        try:
            frame = store_frame(rushes, session, snap.assessment, shot_id, kind, data, "uploaded")
        except ValueError as err:
            if isinstance(err, InvalidImage):
                raise
            raise Conflict(str(err)) from None
        return {"version": frame_view(frame), "shot": _shot_now(rushes, session, shot_id)}


@router.post("/shots/{shot_id}/frames/approve", response_model=FramesApproved)
def approve(shot_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    with rushes.db.session() as session:
        shot = _shot_now(rushes, session, shot_id)
        if shot is None:
            raise NotFound(f"shot {shot_id} was deleted")
        stale = [f["state"] for f in (shot["start_frame"], shot["end_frame"]) if f is not None and f["state"] != "fresh"]
        if stale:
            raise Conflict("only current frames can be approved: regenerate or upload the stale or missing ones first")
        frames = approve_frames(session, shot_id)
        return {"approved": [frame_view(f) for f in frames], "shot": _shot_now(rushes, session, shot_id)}


# ---- Stage 11, history, rail --------------------------------------------------------------------

@router.get("/scenes/{scene_id}/plan", response_model=PlanOut)
def get_plan(scene_id: EntityId, order=Depends(plan_order), retake: str | None = Query(None, max_length=2000),
             variants: str | None = Query(None, max_length=2000),
             session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)) -> dict:
    """The take Confirm would buy: `?model=&resolution=&audio=&shot_ids=1,2` price another order (Stage 11's
    picker), `?retake=ID,ID&variants=N` new draws and variants."""
    from rushes.web.api.draws import from_query

    snap = load_scene(session, scene_id, rushes.render_spec)
    return checkout(rushes, session, snap, order, from_query(retake, variants, snap.shot_ids))


@router.get("/shots/{shot_id}/history", response_model=ShotHistory)
def history(shot_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    return shot_history(session, shot_id)


@router.get("/scenes/{scene_id}/rail", response_model=RailOut)
def rail(scene_id: EntityId, session: Session = Depends(get_session, scope="function"), rushes: Rushes = Depends(get_rushes)) -> dict:
    snap = load_scene(session, scene_id, rushes.render_spec)
    return {"scene_id": scene_id, "status": snap.status.value, "stages": scene_rail(session, snap),
            "upstream_changes": upstream_changes(snap)}

