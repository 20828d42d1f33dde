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
    ROUTED = "routed"          # sent to the stage that must change (set by routing)
    ADDRESSED = "addressed"    # a new clip replaced the one the note was about (set by the render)
    RESOLVED = "resolved"
    WONT_FIX = "wont_fix"


# Notes still waiting on somebody: counted on the Hub, the rail and the film's notes.
OPEN_STATUSES: tuple[IssueStatus, ...] = (IssueStatus.OPEN, IssueStatus.ROUTED)


# What a person may move a note to from each status; routing and rendering set the others.
STATUS_MOVES: dict[IssueStatus, frozenset[IssueStatus]] = {
    IssueStatus.OPEN: frozenset({IssueStatus.RESOLVED, IssueStatus.WONT_FIX}),
    IssueStatus.ROUTED: frozenset({IssueStatus.OPEN, IssueStatus.RESOLVED, IssueStatus.WONT_FIX}),
    IssueStatus.ADDRESSED: frozenset({IssueStatus.OPEN, IssueStatus.RESOLVED, IssueStatus.WONT_FIX}),
    IssueStatus.RESOLVED: frozenset({IssueStatus.OPEN}),
    IssueStatus.WONT_FIX: frozenset({IssueStatus.OPEN}),
}
STATUS_LABELS = {IssueStatus.OPEN: "open", IssueStatus.ROUTED: "routed", IssueStatus.ADDRESSED: "addressed",
                 IssueStatus.RESOLVED: "resolved", IssueStatus.WONT_FIX: "won't fix"}


def status_move_refusal(current: str, wanted: str) -> str | None:
    """Why a note cannot go from `current` to `wanted` by hand, or None when it can."""
    now, then = IssueStatus(current), IssueStatus(wanted)
    if now == then:
        return None
    allowed = STATUS_MOVES[now]
    if then in allowed:
        return None
    names = ", ".join(sorted(STATUS_LABELS[s] for s in allowed))
    return f"a note that is {STATUS_LABELS[now]} can be set to {names}"
