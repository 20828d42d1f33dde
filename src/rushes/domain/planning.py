"""Take planning: which shots reuse a clip, which render, what it costs, what blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Mapping

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable, clip_credits, render_seconds
from rushes.domain.render_choice import Selection
from rushes.domain.staleness import Freshness, SceneAssessment


@dataclass(frozen=True)
class ShotPlan:
    shot_id: int
    code: str
    index: int
    decision: str  # reuse | render | blocked | keep (not ticked: keeps its clip, or stays unrendered)
    reason: str
    inputs: dict
    inputs_digest: str
    duration: float
    render_seconds: int
    credits: int
    reuse_clip_id: int | None = None
    blockers: tuple[str, ...] = ()
    variants: int = 1  # videos asked of the provider in this shot's one request (domain/draws.py)
    retake: bool = False  # a new draw of unchanged inputs

    def as_dict(self) -> dict:
        return {
            "shot_id": self.shot_id,
            "code": self.code,
            "decision": self.decision,
            "reason": self.reason,
            "duration": self.duration,
            "render_seconds": self.render_seconds,
            "credits": self.credits,
            "reuse_clip_id": self.reuse_clip_id,
            "blockers": list(self.blockers),
            "inputs_digest": self.inputs_digest,
            "variants": self.variants,
            "retake": self.retake,
            "unit_credits": self.credits // max(1, self.variants),
        }


@dataclass(frozen=True)
class TakePlan:
    scene_id: int
    spec: RenderSpec
    shots: tuple[ShotPlan, ...]

    @property
    def total_credits(self) -> int:
        return sum(s.credits for s in self.shots)

    @property
    def to_render(self) -> tuple[ShotPlan, ...]:
        return tuple(s for s in self.shots if s.decision == "render")

    @property
    def blocked(self) -> tuple[ShotPlan, ...]:
        return tuple(s for s in self.shots if s.decision == "blocked")

    @property
    def renderable(self) -> bool:
        return bool(self.shots) and not self.blocked

    def as_dict(self) -> dict:
        return {
            "scene_id": self.scene_id,
            "render": self.spec.as_dict(),
            "shots": [s.as_dict() for s in self.shots],
            "total_credits": self.total_credits,
            "render_count": len(self.to_render),
            "video_count": sum(s.variants for s in self.to_render),
            "reuse_count": sum(1 for s in self.shots if s.decision == "reuse"),
            "keep_count": sum(1 for s in self.shots if s.decision == "keep"),
            "blocked": [{"code": s.code, "blockers": list(s.blockers)} for s in self.blocked],
            "renderable": self.renderable,
        }


def plan_take(
    assessment: SceneAssessment,
    reusable: Mapping[int, Mapping[str, int]],
    spec: RenderSpec,
    prices: PriceTable,
    selection: Selection | None = None,
    current: Mapping[int, tuple[int, dict, str]] | None = None,
) -> TakePlan:
    """Plan a take; `reusable` maps shot id -> {clip inputs digest: clip id} over every kept clip.

    A shot that needs a render (or is blocked) but is not in `selection` is kept as it is: its current
    clip (`current`: shot id -> (clip id, inputs, digest)) stays in the take with the inputs it was
    made from, so it still reads as stale; a shot with no clip stays unrendered (an empty digest
    matches nothing, so the scene reads as Outdated until it is rendered).
    """
    selection = selection or Selection()
    current = current or {}
    plans = []
    for shot in assessment.shots:
        clip = shot.clip
        duration = float(clip.expected_inputs["duration"])
        seconds = render_seconds(duration, spec.model)
        common: dict[str, Any] = dict(
            shot_id=shot.shot_id,
            code=shot.code,
            index=shot.index,
            inputs=clip.expected_inputs,
            inputs_digest=clip.expected_digest,
            duration=duration,
            render_seconds=seconds,
        )
        match = reusable.get(shot.shot_id, {}).get(clip.expected_digest)
        blockers = tuple(shot.blockers())
        if match is None and not selection.includes(shot.shot_id):
            kept = current.get(shot.shot_id)
            if kept is not None:
                plans.append(ShotPlan(decision="keep", reason="not ticked: keeps the clip it has", credits=0,
                                      reuse_clip_id=kept[0], **{**common, "inputs": kept[1], "inputs_digest": kept[2]}))
            else:
                plans.append(ShotPlan(decision="keep", reason="not ticked: stays unrendered", credits=0,
                                      **{**common, "inputs_digest": ""}))
        elif blockers:
            plans.append(ShotPlan(decision="blocked", reason="; ".join(blockers), credits=0, blockers=blockers, **common))
        elif match is not None:
            plans.append(ShotPlan(decision="reuse", reason="clip matches current inputs", credits=0, reuse_clip_id=match, **common))
        else:
            why = "no clip yet" if clip.freshness == Freshness.MISSING else "; ".join(clip.reasons) or "inputs changed"
            plans.append(ShotPlan(decision="render", reason=why, credits=clip_credits(duration, spec, prices), **common))
    return TakePlan(assessment.scene_id, spec, tuple(plans))


def picks_without_render(plan: TakePlan, selection: Selection) -> list[str]:
    """Codes of ticked shots that have nothing to buy (their clip already matches)."""
    if selection.shot_ids is None:
        return []
    return [s.code for s in plan.shots if s.shot_id in selection.shot_ids and s.decision == "reuse"]
