"""Starting a film from the browser: projects, scenes (add, rename, reorder) and uploading an import file."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import Field

from rushes.services import film_setup
from rushes.bootstrap import Rushes
from rushes.services.film_setup import ImportRefused
from rushes.web.access import signed_in
from rushes.web.deps import get_rushes
from rushes.web.limits import IMPORT_FILE_LIMIT
from rushes.web.schemas import ApiModel, BodyId, EntityId
from rushes.web.api.film_schemas import ImportedProject, NewProject, NewScene

router = APIRouter(prefix="/api", tags=["film"])


class ProjectBody(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    style: str = Field("", max_length=500)
    logline: str = Field("", max_length=4000)
    studio_id: BodyId | None = Field(None, description="the studio it belongs to; default your first where you edit")


class SceneBody(ApiModel):
    title: str = Field(min_length=1, max_length=200)
    synopsis: str = Field("", max_length=4000)


class SceneChange(ApiModel):
    title: str | None = Field(None, min_length=1, max_length=200)
    synopsis: str | None = Field(None, max_length=4000)


class SceneOrder(ApiModel):
    scene_ids: list[BodyId] = Field(min_length=1, max_length=1000)


@router.post("/projects", status_code=201, response_model=NewProject)
def create_project(body: ProjectBody, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    """A new, empty project (a film): add its scenes next."""
    studio = film_setup.studio_for_new_project(signed_in(request).roles, body.studio_id)
    return film_setup.new_project(rushes, studio, body.title, body.style, body.logline)


@router.post("/projects/{project_id}/scenes", status_code=201, response_model=NewScene)
def add_scene(project_id: EntityId, body: SceneBody, rushes: Rushes = Depends(get_rushes)) -> dict:
    """A scene after the last one: Draft, with an empty shot list for Stage 7."""
    return film_setup.add_scene(rushes, project_id, body.title, body.synopsis)


@router.patch("/scenes/{scene_id}", response_model=NewScene)
def change_scene(scene_id: EntityId, body: SceneChange, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Rename a scene (or change its synopsis)."""
    return film_setup.rename_scene(rushes, scene_id, body.title, body.synopsis)


@router.put("/projects/{project_id}/scenes/order", response_model=list[NewScene])
def order_scenes(project_id: EntityId, body: SceneOrder, rushes: Rushes = Depends(get_rushes)) -> list[dict]:
    """Renumber the scenes in the order given (every scene once)."""
    return film_setup.reorder_scenes(rushes, project_id, body.scene_ids)


@router.post("/projects/import", status_code=201, response_model=ImportedProject, responses={
    422: {"description": "the file was refused: `refusals` lists every bad field (path, loc, message)"}})
async def import_project(request: Request, file: UploadFile = File(..., description="a project file in the `rushes import` JSON format"),
                         rushes: Rushes = Depends(get_rushes)):
    """Create a project from an import file; nothing is written unless the whole file is valid."""
    from starlette.concurrency import run_in_threadpool

    raw = await file.read(IMPORT_FILE_LIMIT + 1)
    if len(raw) > IMPORT_FILE_LIMIT:
        return JSONResponse({"detail": f"the file is larger than {IMPORT_FILE_LIMIT // 1024 // 1024} MB",
                             "refusals": [{"path": "", "loc": [], "message": "file too large"}]}, status_code=413)
    studio = film_setup.studio_for_new_project(signed_in(request).roles, None)
    try:
        return await run_in_threadpool(film_setup.import_upload, rushes, studio, raw)
    except ImportRefused as refused:
        return JSONResponse({"detail": refused.message, "refusals": refused.refusals}, status_code=422)
