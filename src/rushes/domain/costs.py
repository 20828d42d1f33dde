"""The cost model: credits per second of video per model, and per generated frame."""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Mapping

from rushes.domain.artifacts import RenderSpec

# Veo renders whole clips of these lengths; a shorter shot is cut from the next length up.
VEO_DURATIONS = (4, 6, 8)


class UnknownModel(ValueError):
    pass


@dataclass(frozen=True)
class PriceTable:
    video: Mapping[str, Mapping[str, int]]
    frame_image: int

    def per_second(self, spec: RenderSpec) -> int:
        rates = self.video.get(f"{spec.model}@{spec.resolution}") or self.video.get(spec.model)
        if rates is None:
            raise UnknownModel(f"no price for video model {spec.model!r}; the model cards are in providers/video/models.py")
        return int(rates["audio" if spec.generate_audio else "silent"])


def render_seconds(duration: float, model: str) -> int:
    """Seconds the provider generates (and bills) for a shot of `duration` seconds."""
    whole = max(1, math.ceil(round(duration, 3)))
    if model == "mock":
        return whole
    for length in VEO_DURATIONS:
        if length >= whole:
            return length
    return VEO_DURATIONS[-1]


def clip_credits(duration: float, spec: RenderSpec, prices: PriceTable) -> int:
    return render_seconds(duration, spec.model) * prices.per_second(spec)


def frame_credits(count: int, prices: PriceTable) -> int:
    return count * prices.frame_image
