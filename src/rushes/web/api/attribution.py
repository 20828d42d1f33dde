"""POST /api/attribution: propose where to fix a review note."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from pydantic import Field

from rushes.domain.issues import IssueCategory
from rushes.providers.attribution.base import AttributionRequest, Attributor, ElementLook, ShotContext
from rushes.providers.attribution.factory import make_attributor
from rushes.settings import get_settings
from rushes.web.schemas import ApiModel, BodyId
from rushes.web.access import access, current, studio_of
from rushes.web.api.review_schemas import AttributionOut

router = APIRouter()

SceneContext = tuple[ShotContext, tuple[ShotContext, ...], tuple[str, ...]]


class LookIn(ApiModel):
    kind: Literal["character", "location", "prop"]
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


class ShotIn(ApiModel):
    code: str = Field(min_length=1, max_length=16)
    action: str = Field("", max_length=4000)
    dialogue: str = Field("", max_length=4000)
    characters: list[str] = Field(default_factory=list, max_length=50)
    setting: str = Field("", max_length=1000)
    camera: str = Field("", max_length=1000)
    duration: float = Field(8.0, gt=0, le=60)
    video_prompt: str = Field("", max_length=8000)
    visual_states: list[LookIn] = Field(default_factory=list, max_length=50)

    def context(self) -> ShotContext:
        return ShotContext(
            code=self.code,
            action=self.action,
            dialogue=self.dialogue,
            characters=tuple(self.characters),
            setting=self.setting,
            camera=self.camera,
            duration=self.duration,
            video_prompt=self.video_prompt,
            visual_states=tuple(ElementLook(v.kind, v.name, v.description) for v in self.visual_states),
        )


class AttributionIn(ApiModel):
    description: str = Field(min_length=1, max_length=2000)
    category: Annotated[IssueCategory, Field(strict=False)] | None = None
    shot_id: BodyId | Annotated[str, Field(max_length=40)] | None = None
    shot: ShotIn | None = None
    neighbours: list[ShotIn] = Field(default_factory=list, max_length=4)
    scene_elements: list[str] = Field(default_factory=list, max_length=200)
    shot_time: float | None = Field(None, ge=0, le=60)  # seconds into the pinned shot


def resolve_shot_context(shot_id: int | str, within: tuple[int | None, int | None] = (None, None)) -> SceneContext:
    """The pinned shot, its neighbours and the scene's element names; the app sets its own as app.state.shot_context.

    `within` is (studio id, guest's scene id) the caller was admitted to: a shot outside it is unknown.
    """
    raise HTTPException(status_code=404, detail="unknown shot")


def pinned_shot_context(body: Annotated[AttributionIn, Body()], request: Request) -> SceneContext | None:
    """Resolve `shot_id` through the app's lookup (app.state.shot_context), or a test's override of
    resolve_shot_context."""
    if body.shot_id is None:
        return None
    # resolve_shot_context takes the id from the body, which FastAPI cannot inject into a
    # dependency on its own; looking the override up here lets a test replace it as usual.
    overrides = getattr(request.app, "dependency_overrides", {})
    lookup = overrides.get(resolve_shot_context) or getattr(request.app.state, "shot_context", resolve_shot_context)
    principal = current(request)
    guest_scene = principal.share_scene_id if principal is not None and principal.guest else None
    # Checked again here, from the parsed body, so no way of sending it can skip the guard's check.
    return lookup(body.shot_id, (studio_of(request), guest_scene))


_attributor: Attributor | None = None


def get_attributor(request: Request) -> Attributor:
    """The app's attributor when mounted in Rushes, else one per process, so the local model trains once."""
    rushes = getattr(request.app.state, "rushes", None)
    if rushes is not None:
        return rushes.attributor
    global _attributor
    if _attributor is None:
        _attributor = make_attributor(get_settings())
    return _attributor


@router.post("/api/attribution", response_model=AttributionOut)
@access("reviewer", guest="notes")
def attribute_issue(
    body: Annotated[AttributionIn, Body()],
    attributor: Annotated[Attributor, Depends(get_attributor)],
    pinned: Annotated[SceneContext | None, Depends(pinned_shot_context)],
) -> dict[str, Any]:
    """Stage (null when the note does not say), category, shots, fields, confidence and a one-line reason."""
    shot = body.shot.context() if body.shot is not None else None
    neighbours = tuple(n.context() for n in body.neighbours)
    elements = tuple(body.scene_elements)
    if pinned is not None:
        shot, stored_neighbours, stored_elements = pinned
        neighbours = neighbours or stored_neighbours
        elements = elements or stored_elements
    request = AttributionRequest(
        description=body.description,
        category=body.category.value if body.category else None,
        shot=shot,
        neighbours=neighbours,
        scene_elements=elements,
        shot_time=body.shot_time,
    )
    from rushes.services.note_routes import with_split

    return with_split(attributor.attribute(request).as_dict(), body.description, shot.duration if shot else None)
