"""The attribution port: from an issue's words to the upstream stage that must change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class ElementLook:
    """A stage-8 visual state a shot draws on: what the character, location or prop should look like."""

    kind: str  # character | location | prop
    name: str
    description: str = ""


@dataclass(frozen=True)
class ShotContext:
    code: str
    action: str = ""
    dialogue: str = ""
    characters: tuple[str, ...] = ()
    setting: str = ""
    camera: str = ""
    duration: float = 8.0
    video_prompt: str = ""
    visual_states: tuple[ElementLook, ...] = ()


@dataclass(frozen=True)
class AttributionRequest:
    description: str
    category: str | None = None  # an IssueCategory value the user picked, if any
    shot: ShotContext | None = None
    neighbours: tuple[ShotContext, ...] = ()
    scene_elements: tuple[str, ...] = ()  # names of characters/locations/props defined in stage 8
    shot_time: float | None = None  # seconds into the pinned shot where the note was pinned


@dataclass(frozen=True)
class Attribution:
    stage: int | None  # 7, 8, 9 or 10; None when the note does not say (the user must choose)
    category: str | None  # IssueCategory value; None with stage None unless the user picked one
    confidence: float  # for stage None: how sure it is that it cannot tell
    reason: str
    shots: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    source: str = "local"
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "stage": self.stage,
            "category": self.category,
            "shots": list(self.shots),
            "fields": list(self.fields),
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
            "source": self.source,
        }


class Attributor(Protocol):
    name: str

    def attribute(self, request: AttributionRequest) -> Attribution:
        """Propose the stage to fix; never raises for bad model output."""


def fallback_answer(fallback: Attributor, request: AttributionRequest, why: str) -> Attribution:
    """The fallback's answer, saying in its reason why Gemini was not used."""
    local = fallback.attribute(request)
    reason = " ".join(f"Gemini unavailable ({why}); {fallback.name}: {local.reason}".split())
    return Attribution(stage=local.stage, category=local.category, confidence=local.confidence, reason=reason,
                       shots=local.shots, fields=local.fields, source=local.source,
                       extra={**local.extra, "fallback_from": "gemini", "gemini_error": why})
