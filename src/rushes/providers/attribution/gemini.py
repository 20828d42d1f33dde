"""Gemini attributor: structured JSON from a Gemini model, with the local attributor as safety net."""

from __future__ import annotations

import json
from typing import Any, Literal

from google import genai
from google.genai import types
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from rushes.domain.issues import CATEGORY_LABELS, CATEGORY_ROUTES, IssueCategory
from rushes.providers.attribution.base import Attribution, AttributionRequest, Attributor, ShotContext, fallback_answer
from rushes.providers.attribution.features import NEAR_CUT_SECONDS
from rushes.providers.attribution.spec import ROUTING_SPEC, cut_differences
from rushes.providers.vertex import VERTEX_ERRORS, map_api_error

CATEGORY_VALUES = [c.value for c in IssueCategory]

RESPONSE_SCHEMA = types.Schema(
    type=types.Type.OBJECT,
    properties={
        # Vertex only allows enums on strings, so the stage travels as "7".."10", or "none".
        "stage": types.Schema(type=types.Type.STRING, enum=["7", "8", "9", "10", "none"]),
        "category": types.Schema(type=types.Type.STRING, enum=CATEGORY_VALUES, nullable=True),
        "shots": types.Schema(type=types.Type.ARRAY, items=types.Schema(type=types.Type.STRING)),
        "fields": types.Schema(type=types.Type.ARRAY, items=types.Schema(type=types.Type.STRING)),
        "confidence": types.Schema(type=types.Type.NUMBER, minimum=0, maximum=1),
        "reason": types.Schema(type=types.Type.STRING),
    },
    required=["stage", "category", "confidence", "reason"],
    property_ordering=["stage", "category", "shots", "fields", "confidence", "reason"],
)

INSTRUCTIONS = f"""You triage review notes on an AI-generated short film scene. Each shot was made
from a shot list (stage 7: code, duration <= 8 s, action, dialogue, characters, setting, camera,
shot order), a scene-wide visual definition of each character, location and prop (stage 8), a
video prompt per shot (stage 9: visual part with the style wording, audio part with SFX and spoken
lines) and anchor frames per shot (stage 10: start frame and optional end frame). Say which stage
must change, by this routing spec:
{ROUTING_SPEC}
Categories: stage 7 takes timing (duration, pacing, split, merge) or narrative_structure (action,
blocking, dialogue words, order, who is in the shot, camera); stage 8 and stage 10 take
visual_continuity; stage 9 takes dialogue_audio.
Fields: 10 start_frame/end_frame; 9 video_prompt.audio/video_prompt.visual; 7 duration/action/
dialogue/order/camera; 8 character:<name>/location:<name>/prop:<name>. The reason is one line that
quotes the note's own words. The picked category is a hint but the note's words win.
Read the note against the scene you are given: a note about the camera the pinned shot's camera
field sets (angle, framing, movement), even when the render ignored it, is stage 7; a note quoting
the shot's dialogue is about that line (its delivery: 9; its words or place in the story: 7); a
note about a defined look is stage 8 when the look is wrong in every shot and stage 10 when one
shot departs from it or it changes across a cut; a note about how a shot opens or ends, or about
something listed under "Across the cuts" that does not carry over, is stage 10. Answer stage
"none" (category null, no shots or fields) when the note names nothing to fix or could belong to
several stages equally; the reason then says why, and the filmmaker chooses."""


class GeminiAnswer(BaseModel):
    """The model's JSON answer, checked before anyone acts on it."""

    stage: Literal[7, 8, 9, 10] | None
    category: Literal["visual_continuity", "timing", "dialogue_audio", "narrative_structure"] | None = None
    shots: list[str] = Field(default_factory=list, max_length=8)
    fields: list[str] = Field(default_factory=list, max_length=8)
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("stage", mode="before")
    @classmethod
    def _stage_from_text(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("none", "null", ""):
            return None
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("reason")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @model_validator(mode="after")
    def _category_routes_to_stage(self) -> GeminiAnswer:
        if self.stage is None:
            return self
        if self.category is None:
            raise ValueError(f"stage {self.stage} needs a category")
        if self.stage != 8 and CATEGORY_ROUTES[IssueCategory(self.category)] != self.stage:
            raise ValueError(f"category {self.category} does not route to stage {self.stage}")
        return self


class GeminiAttributor:
    """Asks Gemini for an attribution; any failure falls back to `fallback`, saying why."""

    name = "gemini"

    def __init__(self, client: genai.Client, model: str, fallback: Attributor, timeout: float = 8.0) -> None:
        self.client = client
        self.model = model
        self.fallback = fallback
        self.timeout = timeout

    def attribute(self, request: AttributionRequest) -> Attribution:
        try:
            response = self.client.models.generate_content(
                model=self.model,
                contents=render_prompt(request),
                config=types.GenerateContentConfig(
                    system_instruction=INSTRUCTIONS,
                    response_mime_type="application/json",
                    response_schema=RESPONSE_SCHEMA,
                    temperature=0.0,
                    http_options=types.HttpOptions(timeout=int(self.timeout * 1000)),
                ),
            )
        except VERTEX_ERRORS as exc:
            return self._fall_back(request, _why(exc))
        blocked = _blocked(response)
        if blocked:
            return self._fall_back(request, blocked)
        try:
            answer = GeminiAnswer.model_validate(json.loads(response.text or ""))
        except (json.JSONDecodeError, ValidationError, ValueError) as exc:
            return self._fall_back(request, f"invalid answer: {_first_error(exc)}")
        unsure = answer.stage is None
        return Attribution(
            stage=answer.stage,
            category=request.category if unsure else answer.category,
            confidence=answer.confidence,
            reason=answer.reason,
            shots=() if unsure else tuple(answer.shots),
            fields=() if unsure else tuple(answer.fields),
            source="gemini",
            extra={"model": self.model},
        )

    def _fall_back(self, request: AttributionRequest, why: str) -> Attribution:
        return fallback_answer(self.fallback, request, why)


def _blocked(response: types.GenerateContentResponse) -> str | None:
    """Why the model gave no answer at all (a blocked prompt or a safety stop), if it did not."""
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason:
        return f"prompt blocked: {getattr(feedback.block_reason, 'value', feedback.block_reason)}"
    candidates = response.candidates or []
    finish = candidates[0].finish_reason if candidates else None
    if finish is not None and str(getattr(finish, "value", finish)) in ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST"):
        return f"answer blocked: {getattr(finish, 'value', finish)}"
    return None


def _why(exc: BaseException) -> str:
    code, status = getattr(exc, "code", None), getattr(exc, "status", None)
    if isinstance(code, int) and code:
        return f"{code} {status or ''}".strip()
    error = map_api_error(exc)
    return "timeout" if "timed out" in error.reason else error.reason[:120]


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "answer"
        return f"{where}: {err['msg']}"
    if isinstance(exc, json.JSONDecodeError):
        return "not JSON"
    return str(exc)[:120]


def _shot_lines(shot: ShotContext) -> list[str]:
    lines = [f"code {shot.code}, duration {shot.duration:g} s"]
    looks = "; ".join(f"{v.kind} {v.name}: {v.description}" for v in shot.visual_states)
    for label, value in (
        ("action", shot.action),
        ("dialogue", shot.dialogue),
        ("characters", ", ".join(shot.characters)),
        ("setting", shot.setting),
        ("camera", shot.camera),
        ("video prompt", shot.video_prompt),
        ("defined looks (stage 8)", looks),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return lines


def render_prompt(request: AttributionRequest) -> str:
    """The user turn: the note, the picked category, the pinned shot, its neighbours, what differs across
    each cut, and the scene's elements: the same scene the local attributor reads."""
    parts = [f"Review note: {request.description.strip()}"]
    if request.category:
        label = CATEGORY_LABELS.get(IssueCategory(request.category), request.category)
        parts.append(f"Category the filmmaker picked: {request.category} ({label})")
    if request.shot is not None:
        parts.append("Pinned shot:\n  " + "\n  ".join(_shot_lines(request.shot)))
        if request.shot_time is not None:
            on_cut = min(request.shot_time, request.shot.duration - request.shot_time) <= NEAR_CUT_SECONDS
            parts.append(f"Pinned at {request.shot_time:.1f} s into the shot" + (" (on a cut)" if on_cut else ""))
    for neighbour in request.neighbours:
        parts.append("Neighbouring shot:\n  " + "\n  ".join(_shot_lines(neighbour)))
    cuts = [f"{name}: " + "; ".join(lines) for name, lines in cut_differences(request) if lines]
    if cuts:
        parts.append("Across the cuts:\n  " + "\n  ".join(cuts))
    if request.scene_elements:
        parts.append("Defined scene elements (stage 8): " + ", ".join(request.scene_elements))
    return "\n".join(parts)
