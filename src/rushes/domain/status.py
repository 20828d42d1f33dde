"""The scene status, derived from artifacts and takes, never stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from rushes.domain.staleness import SceneAssessment


class SceneStatus(StrEnum):
    DRAFT = "Draft"
    SHOT_LIST_LOCKED = "Shot List Locked"
    FRAMES_LOCKED = "Frames Locked"
    RENDERING = "Rendering"
    READY_FOR_REVIEW = "Ready for Review"
    COMPLETE = "Complete"
    OUTDATED = "Outdated"
    CONTINUITY_BROKEN = "Continuity Broken"


@dataclass(frozen=True)
class TakeSummary:
    take_id: int
    finished: bool
    approved: bool
    planned_digests: dict[int, str] = field(default_factory=dict)  # shot id -> clip inputs digest


def frames_locked(assessment: SceneAssessment, approved: dict[int, bool]) -> bool:
    """Every shot has fresh anchor frames that the filmmaker approved."""
    if not assessment.shots:
        return False
    for shot in assessment.shots:
        checks = [shot.start] + ([shot.end] if shot.end is not None else [])
        if not all(c.fresh for c in checks) or not approved.get(shot.shot_id, False):
            return False
    return True


def take_matches(assessment: SceneAssessment, take: TakeSummary) -> bool:
    """The take was planned from exactly today's inputs, and nothing upstream awaits a redo."""
    current = {shot.shot_id: shot.clip.expected_digest for shot in assessment.shots}
    pending = any(shot.prompt.stale or shot.start.stale or (shot.end and shot.end.stale) for shot in assessment.shots)
    return current == take.planned_digests and not pending


def scene_status(
    assessment: SceneAssessment,
    latest_take: TakeSummary | None,
    shot_list_locked: bool,
    frames_approved: dict[int, bool],
) -> SceneStatus:
    if latest_take is not None and not latest_take.finished:
        return SceneStatus.RENDERING
    if assessment.continuity_broken:
        return SceneStatus.CONTINUITY_BROKEN
    if latest_take is not None:
        if not take_matches(assessment, latest_take):
            return SceneStatus.OUTDATED
        return SceneStatus.COMPLETE if latest_take.approved else SceneStatus.READY_FOR_REVIEW
    if frames_locked(assessment, frames_approved):
        return SceneStatus.FRAMES_LOCKED
    if shot_list_locked:
        return SceneStatus.SHOT_LIST_LOCKED
    return SceneStatus.DRAFT
