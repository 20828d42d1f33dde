"""Review issue categories and the stage each one routes back to."""

from __future__ import annotations

from enum import StrEnum

from rushes.domain.stages import Stage


class IssueCategory(StrEnum):
    VISUAL_CONTINUITY = "visual_continuity"
    TIMING = "timing"
    DIALOGUE_AUDIO = "dialogue_audio"
    NARRATIVE_STRUCTURE = "narrative_structure"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]

    @property
    def route(self) -> Stage:
        return CATEGORY_ROUTES[self]


CATEGORY_LABELS: dict[IssueCategory, str] = {
    IssueCategory.VISUAL_CONTINUITY: "Visual continuity",
    IssueCategory.TIMING: "Timing",
    IssueCategory.DIALOGUE_AUDIO: "Dialogue / audio",
    IssueCategory.NARRATIVE_STRUCTURE: "Narrative structure",
}

# The product owner's chosen mapping (DESIGN.md).
CATEGORY_ROUTES: dict[IssueCategory, Stage] = {
    IssueCategory.VISUAL_CONTINUITY: Stage.FRAMES,
    IssueCategory.TIMING: Stage.SHOT_LIST,
    IssueCategory.DIALOGUE_AUDIO: Stage.PROMPTS,
    IssueCategory.NARRATIVE_STRUCTURE: Stage.SHOT_LIST,
}


def category_for_stage(stage: Stage, hint: IssueCategory | None = None) -> IssueCategory:
    """The category that best names a fix at `stage`; keeps `hint` when it already routes there."""
    if hint is not None and (hint.route == stage or stage == Stage.VISUAL_DEFINITION):
        return hint
    if stage in (Stage.FRAMES, Stage.VISUAL_DEFINITION):
        return IssueCategory.VISUAL_CONTINUITY
    if stage == Stage.PROMPTS:
        return IssueCategory.DIALOGUE_AUDIO
    return IssueCategory.NARRATIVE_STRUCTURE


class IssueStatus(StrEnum):
    OPEN = "open"
    ROUTED = "routed"
    ADDRESSED = "addressed"
    RESOLVED = "resolved"
