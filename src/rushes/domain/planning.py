"""Take planning: which shots reuse a clip, which render, what it costs, what blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable, clip_credits, render_seconds
from rushes.domain.staleness import Freshness, SceneAssessment


@dataclass(frozen=True)
class ShotPlan:
    shot_id: int
    code: str
    index: int
    decision: str  # reuse | render | blocked
    reason: str
    inputs: dict
    inputs_digest: str
    duration: float
    render_seconds: int
    credits: int
    reuse_clip_id: int | None = None
    blockers: tuple[str, ...] = ()

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
            "reuse_count": sum(1 for s in self.shots if s.decision == "reuse"),
            "blocked": [{"code": s.code, "blockers": list(s.blockers)} for s in self.blocked],
            "renderable": self.renderable,
        }


def plan_take(
    assessment: SceneAssessment,
    reusable: Mapping[int, Mapping[str, int]],
    spec: RenderSpec,
    prices: PriceTable,
) -> TakePlan:
    """Plan a take; `reusable` maps shot id -> {clip inputs digest: clip id} over every kept clip."""
    plans = []
    for shot in assessment.shots:
        clip = shot.clip
        duration = float(clip.expected_inputs["duration"])
        seconds = render_seconds(duration, spec.model)
        common = dict(
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
        if blockers:
            plans.append(ShotPlan(decision="blocked", reason="; ".join(blockers), credits=0, blockers=blockers, **common))
        elif match is not None:
            plans.append(ShotPlan(decision="reuse", reason="clip matches current inputs", credits=0, reuse_clip_id=match, **common))
        else:
            why = "no clip yet" if clip.freshness == Freshness.MISSING else "; ".join(clip.reasons) or "inputs changed"
            plans.append(ShotPlan(decision="render", reason=why, credits=clip_credits(duration, spec, prices), **common))
    return TakePlan(assessment.scene_id, spec, tuple(plans))
