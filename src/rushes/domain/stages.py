"""The fixed stage vocabulary of the film pipeline (6-12)."""

from __future__ import annotations

from enum import IntEnum


class Stage(IntEnum):
    SCRIPT_HUB = 6
    SHOT_LIST = 7
    VISUAL_DEFINITION = 8
    PROMPTS = 9
    FRAMES = 10
    CONFIRM_RENDER = 11
    REVIEW = 12

    @property
    def title(self) -> str:
        return STAGE_TITLES[self]


STAGE_TITLES: dict[Stage, str] = {
    Stage.SCRIPT_HUB: "Script Hub",
    Stage.SHOT_LIST: "Shot List",
    Stage.VISUAL_DEFINITION: "Visual Definition",
    Stage.PROMPTS: "Prompts",
    Stage.FRAMES: "Frames",
    Stage.CONFIRM_RENDER: "Confirm & Render",
    Stage.REVIEW: "Review",
}

# Stages an attribution or a routed issue may point at.
UPSTREAM_STAGES: tuple[Stage, ...] = (
    Stage.SHOT_LIST,
    Stage.VISUAL_DEFINITION,
    Stage.PROMPTS,
    Stage.FRAMES,
)

# The same stages as plain numbers, for request bodies and the routing rail.
ROUTABLE_STAGES: tuple[int, ...] = tuple(int(s) for s in UPSTREAM_STAGES)


def cascade(stage: Stage) -> tuple[Stage, ...]:
    """Stages whose artifacts a change at `stage` makes stale, in order (7 cascades to 8, 9, 10)."""
    chain = (Stage.SHOT_LIST, Stage.VISUAL_DEFINITION, Stage.PROMPTS, Stage.FRAMES)
    if stage not in chain:
        return ()
    return chain[chain.index(stage) + 1 :]
