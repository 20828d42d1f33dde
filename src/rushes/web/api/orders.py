"""The user's order for a take (issue 22): model, resolution, sound, the shots ticked, and going over budget.

The same fields arrive as the confirm body (POST /api/scenes/{id}/takes) and as the plan's query
(GET /api/scenes/{id}/plan?model=&resolution=&audio=&shot_ids=1,2), so Stage 11 prices exactly what it sends.
Kept apart from the body's other fields (retakes, variants), which another change adds.
"""

from __future__ import annotations

from typing import Literal

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field

from rushes.domain.text import MAX_ID
from rushes.services.confirm import TakeOrder
from rushes.web.schemas import ApiModel, BodyId


class TakeOrderBody(ApiModel):
    """Every field optional. Left out: the scene's current model, resolution and sound, and every shot that needs a render."""

    shot_ids: list[BodyId] | None = Field(None, max_length=500,
                                          description="render only these shots; the rest keep their clip or stay unrendered")
    model: str | None = Field(None, max_length=80, description="a model from the plan's `options`")
    resolution: Literal["720p", "1080p"] | None = None
    audio: bool | None = Field(None, description="generate sound (dialogue, effects) with the picture")
    accept_over_budget: bool = Field(False, description="go ahead although this take passes the project's budget")


def take_order(body: TakeOrderBody | None) -> TakeOrder | None:
    if body is None:
        return None
    return TakeOrder(tuple(dict.fromkeys(body.shot_ids)) if body.shot_ids is not None else None,
                     body.model, body.resolution, body.audio, body.accept_over_budget)


def plan_order(model: str | None = Query(None, max_length=80), resolution: Literal["720p", "1080p"] | None = None,
               audio: bool | None = None,
               shot_ids: str | None = Query(None, max_length=10_000, description="comma-separated shot ids to render")
               ) -> TakeOrder | None:
    if model is None and resolution is None and audio is None and shot_ids is None:
        return None
    ids = None
    if shot_ids is not None:
        parts = [p.strip() for p in shot_ids.split(",") if p.strip()]
        if not all(p.isascii() and p.isdigit() and 0 < int(p) <= MAX_ID for p in parts):
            raise RequestValidationError([{"loc": ("query", "shot_ids"), "msg": "comma-separated shot ids",
                                           "type": "value_error", "input": shot_ids}])
        ids = tuple(dict.fromkeys(int(p) for p in parts))
    return TakeOrder(ids, model, resolution, audio)


def page_order(request: Request) -> TakeOrder | None:
    """Stage 11's picker as a query (`model`, `resolution`, `audio`, and `tick` per ticked shot once `picked`);
    anything malformed falls back to the default plan rather than breaking the page."""
    q = request.query_params
    if not any(k in q for k in ("model", "resolution", "audio", "picked")):
        return None
    ticks = None
    if "picked" in q:
        ticks = tuple(dict.fromkeys(int(t) for t in q.getlist("tick") if t.isascii() and t.isdigit() and 0 < int(t) <= MAX_ID))
    resolution = q.get("resolution") if q.get("resolution") in ("720p", "1080p") else None
    audio = {"true": True, "false": False}.get(q.get("audio", ""))
    model = (q.get("model") or None)
    return TakeOrder(ticks, model[:80] if model else None, resolution, audio)


def form_order(model: str | None, resolution: str | None, audio: str | None, shot_ids: str | None,
               accept_over_budget: str | None) -> TakeOrder:
    """The no-script confirm form's hidden fields as an order."""
    ids = None
    if shot_ids is not None:
        ids = tuple(int(p) for p in shot_ids.split(",") if p.strip().isascii() and p.strip().isdigit() and 0 < int(p) <= MAX_ID)
    return TakeOrder(ids, model or None, resolution if resolution in ("720p", "1080p") else None,
                     {"true": True, "false": False}.get(audio or ""), accept_over_budget == "true")
