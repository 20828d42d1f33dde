"""Renders are draws: picking a shot's select among its draws, and reading retake/variant requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.exceptions import RequestValidationError
from pydantic import Field

from rushes.domain.draws import MAX_VARIANTS, DrawRefused, DrawRequest, draw_request
from rushes.services import draws as draw_service
from rushes.bootstrap import Rushes
from rushes.web.deps import get_rushes
from rushes.web.schemas import ApiModel, BodyId, EntityId
from rushes.web.api.review_schemas import SelectOut

router = APIRouter(prefix="/api", tags=["renders"])

Variants = Annotated[int, Field(ge=1, le=MAX_VARIANTS, strict=True)]


class DrawsIn(ApiModel):
    """Optional body of POST /api/scenes/{scene_id}/takes: shots to draw again, and videos per shot."""

    retake: list[BodyId] = Field(default_factory=list, max_length=500)
    variants: Variants | dict[str, Variants] = 1


class SelectIn(ApiModel):
    clip_id: BodyId


def refused(err: DrawRefused) -> RequestValidationError:
    return RequestValidationError([{"type": "value_error", "loc": ("body",), "msg": str(err), "input": None}])


def checked(body: DrawsIn | None, shot_ids) -> DrawRequest | None:
    """The body checked against the scene's shots; a 422 naming the fault otherwise, nothing changed."""
    if body is None:
        return None
    try:
        return draw_request(body.retake, body.variants, shot_ids)
    except DrawRefused as err:
        raise refused(err) from None


def from_query(retake: str | None, variants: str | None, shot_ids) -> DrawRequest | None:
    """`?retake=ID,ID&variants=N` (or `variants=ID:N,ID:N`), as GET .../plan reads them."""
    if not retake and not variants:
        return None
    try:
        ids = [int(x) for x in (retake or "").split(",") if x.strip()]
        count: int | dict | None = None
        if variants and ":" in variants:
            count = {k.strip(): int(v) for k, v in (p.split(":", 1) for p in variants.split(",") if p.strip())}
        elif variants:
            count = int(variants)
    except ValueError:
        raise refused(DrawRefused("retake is a list of shot ids (retake=12,14); variants a number 1 to "
                                  f"{MAX_VARIANTS} or shot:count pairs (variants=12:3,14:2)")) from None
    try:
        return draw_request(ids, count, shot_ids)
    except DrawRefused as err:
        raise refused(err) from None


@router.post("/shots/{shot_id}/select", response_model=SelectOut)
def select_clip(shot_id: EntityId, body: SelectIn, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Make another draw of the shot's inputs its select; the scene's cut plays it from now on."""
    return draw_service.select_clip(rushes, shot_id, body.clip_id)
