"""What a take may be rendered with (model, resolution, sound), and which shots of it are bought.

Pure: the options come from the price table, so a model without a price can never be chosen, and
the spec a scene renders at is the one its newest take was confirmed with, so a choice made at
Stage 11 is what every later staleness check compares clips against.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable, UnknownModel
from rushes.domain.shots import ShotFieldError

RESOLUTIONS = ("720p", "1080p")


class BadChoice(ShotFieldError):
    """A model, resolution or shot the take cannot be rendered with; `field` names the body field (422)."""


def offered_models(prices: PriceTable, default: RenderSpec) -> list[str]:
    """Priced models the running provider renders: the mock stands in for any; Veo only for Veo models."""
    models = sorted({key.split("@", 1)[0] for key in prices.video})
    if default.model == "mock":
        return ["mock"] + [m for m in models if m != "mock"]
    return [m for m in models if m.startswith("veo-")]


def options(prices: PriceTable, default: RenderSpec) -> list[dict]:
    """Every choosable (model, resolution, audio) with its credits per second, for the Stage 11 picker."""
    rows = []
    for model in offered_models(prices, default):
        for resolution in RESOLUTIONS:
            for audio in (True, False):
                spec = replace(default, model=model, resolution=resolution, generate_audio=audio)
                try:
                    rows.append({"model": model, "resolution": resolution, "audio": audio,
                                 "per_second": prices.per_second(spec)})
                except UnknownModel:
                    continue
    return rows


def carried_spec(take_render: dict | None, default: RenderSpec) -> RenderSpec:
    """The spec a scene renders at: its newest take's choice while the running provider can render it."""
    if not take_render or "model" not in take_render:
        return default
    model = str(take_render["model"])
    if default.model != "mock" and not model.startswith("veo-"):
        return default  # a take confirmed on the mock, read by a server now on Veo
    return replace(default, model=model, resolution=str(take_render.get("resolution", default.resolution)),
                   generate_audio=bool(take_render.get("generate_audio", default.generate_audio)))


def choose(base: RenderSpec, default: RenderSpec, prices: PriceTable, model: str | None = None,
           resolution: str | None = None, audio: bool | None = None) -> RenderSpec:
    """The scene's spec (`base`) with what the user picked; refused when the result is not on offer
    from the server's provider (`default` is its own spec)."""
    if model is None and not _priced(base, prices):
        base = replace(base, model=default.model)  # the scene's last model has left the price table
    spec = replace(base, model=model if model is not None else base.model,
                   resolution=resolution if resolution is not None else base.resolution,
                   generate_audio=audio if audio is not None else base.generate_audio)
    if model is not None and model not in offered_models(prices, default):
        raise BadChoice("model", f"{model!r} is not a model this server renders with")
    if spec.resolution not in RESOLUTIONS:
        raise BadChoice("resolution", f"resolution must be one of {', '.join(RESOLUTIONS)}")
    try:
        prices.per_second(spec)
    except UnknownModel as err:
        raise BadChoice("model", str(err)) from None
    return spec


def _priced(spec: RenderSpec, prices: PriceTable) -> bool:
    try:
        prices.per_second(spec)
    except UnknownModel:
        return False
    return True


@dataclass(frozen=True)
class Selection:
    """The shots the user ticked to render; None means every shot that needs a render."""

    shot_ids: frozenset[int] | None = None

    def includes(self, shot_id: int) -> bool:
        return self.shot_ids is None or shot_id in self.shot_ids
