"""Renders are draws: retakes and variants on top of a take plan, and QC's ranking of a render's variants.

Pure. A retake asks for a new draw of a shot whose inputs did not change (full price, fresh seed);
variants ask one provider request for N videos of a shot (N times its price). QC summarises each
variant alone and `rank_variants` orders them; the best becomes the shot's select by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from collections.abc import Iterable, Mapping

from rushes.domain.costs import PriceTable, clip_credits
from rushes.domain.planning import TakePlan

MAX_VARIANTS = 4  # Veo's sampleCount ceiling per request


class DrawRefused(ValueError):
    """A retake or variants request that cannot be planned as asked."""


@dataclass(frozen=True)
class DrawRequest:
    retake: frozenset[int] = frozenset()
    variants: int = 1  # for every shot that renders
    per_shot: Mapping[int, int] = field(default_factory=dict)  # shot id -> variants (implies a new draw)

    @property
    def plain(self) -> bool:
        return not self.retake and self.variants == 1 and not self.per_shot

    def count_for(self, shot_id: int) -> int:
        return int(self.per_shot.get(shot_id, self.variants))

    def as_dict(self) -> dict:
        return {"retake": sorted(self.retake), "variants": self.variants,
                "per_shot": {str(k): v for k, v in sorted(self.per_shot.items())}}


def _count(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VARIANTS:
        raise DrawRefused(f"{what} must be a whole number from 1 to {MAX_VARIANTS}, not {value!r}")
    return value


def draw_request(retake: Iterable | None = None, variants=None, shot_ids: Iterable[int] = ()) -> DrawRequest:
    """Check what the filmmaker asked against the scene's shots; raises DrawRefused with the reason."""
    known = set(shot_ids)
    ids: set[int] = set()
    for item in retake or ():
        if isinstance(item, bool) or not isinstance(item, int):
            raise DrawRefused(f"retake lists shot ids, not {item!r}")
        if item not in known:
            raise DrawRefused(f"shot {item} is not a shot of this scene")
        ids.add(item)
    per_shot: dict[int, int] = {}
    every = 1
    if isinstance(variants, Mapping):
        for key, value in variants.items():
            try:
                shot_id = int(key)
            except (TypeError, ValueError):
                raise DrawRefused(f"variants are keyed by shot id, not {key!r}") from None
            if shot_id not in known:
                raise DrawRefused(f"shot {shot_id} is not a shot of this scene")
            per_shot[shot_id] = _count(value, f"variants for shot {shot_id}")
    elif variants is not None:
        every = _count(variants, "variants")
    return DrawRequest(frozenset(ids), every, per_shot)


def apply_draws(plan: TakePlan, request: DrawRequest | None, prices: PriceTable) -> TakePlan:
    """The plan with retakes drawn again and variant counts priced at one video's price each (Vertex
    bills per generated video). A retaken or per-shot-counted shot renders even when a clip matches
    its inputs; a blocked shot stays blocked."""
    if request is None or request.plain:
        return plan
    shots = []
    for shot in plan.shots:
        again = shot.shot_id in request.retake or shot.shot_id in request.per_shot
        if shot.decision == "blocked" or (shot.decision == "reuse" and not again):
            shots.append(shot)
            continue
        n = request.count_for(shot.shot_id)
        reason = "retake: a new draw of the same inputs" if shot.decision == "reuse" else shot.reason
        if n > 1:
            reason += f"; {n} variants in one request"
        shots.append(replace(shot, decision="render", reason=reason, reuse_clip_id=None, variants=n,
                             retake=shot.decision == "reuse", credits=n * clip_credits(shot.duration, plan.spec, prices)))
    return replace(plan, shots=tuple(shots))


# -- ranking ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantSummary:
    """QC's look at one variant alone: its faults and how closely it keeps its anchors."""

    variant: int
    faults: tuple[dict, ...]  # {"kind", "measure", "threshold", "message"}
    anchor: float | None  # mean SSIM against the start (and end) frame; None without anchors
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"faults": list(self.faults), "fault_count": len(self.faults),
                "kinds": sorted({f["kind"] for f in self.faults}),
                "anchor_ssim": None if self.anchor is None else round(self.anchor, 4), "clean": not self.faults}


def rank_key(summary: VariantSummary) -> tuple:
    """Fewest faults first; then the closest to its anchors; then the earliest variant (stable)."""
    return (len(summary.faults), -(summary.anchor if summary.anchor is not None else 0.0), summary.variant)


def rank_variants(summaries: Iterable[VariantSummary]) -> list[VariantSummary]:
    return sorted(summaries, key=rank_key)
