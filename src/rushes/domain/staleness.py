"""Expected inputs of every artifact, compared with what each was made from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rushes.domain.artifacts import SceneState, ShotState
from rushes.domain.digest import changed_keys, digest
from rushes.domain.prompts import AssembledPrompts, assemble
from rushes.domain.shots import ShotFields, VisualState, referenced_states


class Freshness(StrEnum):
    MISSING = "missing"
    FRESH = "fresh"
    STALE = "stale"


@dataclass(frozen=True)
class ArtifactCheck:
    freshness: Freshness
    expected_inputs: dict
    expected_digest: str
    reasons: tuple[str, ...] = ()

    @property
    def fresh(self) -> bool:
        return self.freshness == Freshness.FRESH

    @property
    def stale(self) -> bool:
        return self.freshness == Freshness.STALE

    def as_dict(self) -> dict:
        return {"state": self.freshness.value, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class ShotAssessment:
    shot_id: int
    code: str
    index: int
    prompt: ArtifactCheck
    start: ArtifactCheck
    end: ArtifactCheck | None  # None for start-frame-only shots
    clip: ArtifactCheck
    frame_prompt: str
    video_prompt: str  # what will be sent: the override if there is one, else the assembled prompt
    assembled_video_prompt: str
    start_frame_only: bool
    override_outdated: bool
    continuity_broken: bool

    def blockers(self) -> list[str]:
        """Why this shot cannot be rendered as it stands; empty when it can."""
        found = []
        if self.prompt.freshness == Freshness.MISSING:
            found.append("no prompt set yet (stage 9)")
        elif self.prompt.stale:
            found.append("prompt set is stale: reassemble it in stage 9")
        for label, check in (("start", self.start), ("end", self.end)):
            if check is None:
                continue
            if check.freshness == Freshness.MISSING:
                found.append(f"no {label} frame (stage 10)")
            elif check.stale:
                found.append(f"{label} frame is stale: regenerate or replace it in stage 10")
        return found


@dataclass(frozen=True)
class SceneAssessment:
    scene_id: int
    shots: tuple[ShotAssessment, ...]

    @property
    def continuity_broken(self) -> bool:
        return bool(self.shots) and self.shots[0].continuity_broken

    def shot(self, shot_id: int) -> ShotAssessment:
        for shot in self.shots:
            if shot.shot_id == shot_id:
                return shot
        raise KeyError(shot_id)


def _check(stored, expected: dict, explain) -> ArtifactCheck:
    expected_digest = digest(expected)
    if stored is None:
        return ArtifactCheck(Freshness.MISSING, expected, expected_digest)
    if stored.inputs_digest == expected_digest:
        return ArtifactCheck(Freshness.FRESH, expected, expected_digest)
    keys = changed_keys(stored.inputs or None, expected)
    return ArtifactCheck(Freshness.STALE, expected, expected_digest, tuple(explain(stored.inputs or {}, keys)))


def _prompt_reasons(before: dict, keys: list[str], after: dict) -> list[str]:
    reasons = []
    if "shot" in keys:
        fields = changed_keys(before.get("shot"), after["shot"])
        reasons.append("shot list changed: " + ", ".join(fields))
    if "visual" in keys:
        old = {(s["kind"], s["name"]): s["description"] for s in before.get("visual", [])}
        new = {(s["kind"], s["name"]): s["description"] for s in after["visual"]}
        names = sorted({k[1] for k in set(old) ^ set(new)} | {k[1] for k in old.keys() & new.keys() if old[k] != new[k]})
        reasons.append("visual definition changed: " + ", ".join(names or ["elements"]))
    if "style" in keys:
        reasons.append("project style changed")
    return reasons or ["inputs changed"]


def _frame_reasons(keys: list[str], previous_label: str) -> list[str]:
    reasons = []
    if "frame_prompt" in keys:
        reasons.append("frame prompt changed")
    if "previous" in keys:
        reasons.append(f"{previous_label} changed (continuity)")
    return reasons or ["inputs changed"]


_CLIP_KEY_LABELS = {
    "video_prompt": "video prompt changed",
    "start": "start frame changed",
    "end": "end frame changed",
    "duration": "duration changed",
    "render": "render settings changed",
    "start_frame_only": "start-frame-only toggled",
}


def assess_shot(scene: SceneState, index: int, previous_anchor: str | None, previous_label: str) -> ShotAssessment:
    shot: ShotState = scene.shots[index]
    fields = shot.fields
    refs = referenced_states(fields, scene.visual_states)
    prompt_inputs = {"shot": fields.as_dict(), "visual": [s.as_dict() for s in refs], "style": scene.style}
    prompt_check = _check(shot.prompt, prompt_inputs, lambda b, k: _prompt_reasons(b, k, prompt_inputs))

    assembled = assemble(fields, scene.visual_states, scene.style)
    if shot.prompt is not None and prompt_check.freshness == Freshness.FRESH:
        # Downstream artifacts consume the stored prompt set, not a fresh assembly: a prompt set that still
        # matches its inputs stays in effect, so rewording the assembler never makes existing frames and
        # clips stale (and re-billed) by itself. New wording arrives with the shot's next real change.
        assembled = AssembledPrompts(shot.prompt.frame_prompt, shot.prompt.video_prompt)
    override = shot.prompt.override if shot.prompt else None
    video_prompt = override or assembled.video_prompt
    override_outdated = shot.prompt is not None and bool(override) and shot.prompt.override_base_digest != prompt_check.expected_digest
    start_only = shot.start_frame_only

    start_inputs = {"kind": "start", "frame_prompt": assembled.frame_prompt, "previous": previous_anchor}
    start_check = _check(shot.start, start_inputs, lambda b, k: _frame_reasons(k, previous_label))
    end_check = None
    if not start_only:
        end_inputs = {"kind": "end", "frame_prompt": assembled.frame_prompt}
        end_check = _check(shot.end, end_inputs, lambda b, k: _frame_reasons(k, previous_label))

    clip_inputs = {
        "video_prompt": video_prompt,
        "start": shot.start.media_key if shot.start else None,
        "end": shot.end.media_key if (shot.end and not start_only) else None,
        "duration": fields.duration,
        "render": scene.render.as_dict(),
        "start_frame_only": start_only,
    }
    clip_check = _check(shot.clip, clip_inputs, lambda b, k: [_CLIP_KEY_LABELS.get(x, x) for x in k])
    upstream = [f"{n} frame is stale" for n, c in (("start", start_check), ("end", end_check)) if c and c.stale]
    if upstream and clip_check.freshness == Freshness.FRESH:
        # The clip still matches its frames, but those frames are due to be replaced.
        clip_check = ArtifactCheck(Freshness.STALE, clip_inputs, clip_check.expected_digest, tuple(upstream))
    continuity_broken = start_check.stale and "previous" in changed_keys(
        shot.start.inputs if shot.start else None, start_inputs
    )
    return ShotAssessment(
        shot_id=shot.shot_id,
        code=fields.code,
        index=index,
        prompt=prompt_check,
        start=start_check,
        end=end_check,
        clip=clip_check,
        frame_prompt=assembled.frame_prompt,
        video_prompt=video_prompt,
        assembled_video_prompt=assembled.video_prompt,
        start_frame_only=start_only,
        override_outdated=override_outdated,
        continuity_broken=continuity_broken,
    )


def assess_scene(scene: SceneState) -> SceneAssessment:
    """Freshness of every artifact of every shot, with reasons, computed from inputs alone."""
    results = []
    for index, _shot in enumerate(scene.shots):
        if index == 0:
            anchor, label = scene.incoming_anchor, "previous scene's last frame"
        else:
            prev = scene.shots[index - 1]
            anchor = prev.anchor_out
            label = f"shot {prev.fields.code}'s {'start' if prev.start_frame_only else 'end'} frame"
        results.append(assess_shot(scene, index, anchor, label))
    return SceneAssessment(scene.scene_id, tuple(results))


def shot_list_digest(scene: SceneState) -> str:
    """One digest of the whole shot list in order: what a stage-7 lock pins."""
    return shot_fields_digest([shot.fields for shot in scene.shots])


def shot_fields_digest(fields: list[ShotFields] | tuple[ShotFields, ...]) -> str:
    """The stage-7 digest from the shots' fields in scene order (no snapshot needed)."""
    return digest([f.as_dict() for f in fields])


def visual_definition_digest(scene: SceneState) -> str:
    return visual_states_digest(scene.visual_states)


def visual_states_digest(states: list[VisualState] | tuple[VisualState, ...]) -> str:
    """The stage-8 digest: every element's look, in a fixed order."""
    return digest(sorted((s.as_dict() for s in states), key=lambda d: (d["kind"], d["name"])))
