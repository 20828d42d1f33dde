"""Snapshots of a scene's current artifacts, as the pure staleness core reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

from rushes.domain.shots import ShotFields, VisualState


@dataclass(frozen=True)
class RenderSpec:
    model: str
    resolution: str = "720p"
    aspect_ratio: str = "16:9"
    generate_audio: bool = True

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "resolution": self.resolution,
            "aspect_ratio": self.aspect_ratio,
            "generate_audio": self.generate_audio,
        }


@dataclass(frozen=True)
class PromptArtifact:
    id: int
    inputs: dict
    inputs_digest: str
    frame_prompt: str
    video_prompt: str
    override: str | None = None
    override_base_digest: str | None = None
    start_frame_only: bool = False

    @property
    def effective_video_prompt(self) -> str:
        return self.override if self.override else self.video_prompt


@dataclass(frozen=True)
class FrameArtifact:
    id: int
    kind: str  # start | end
    inputs: dict
    inputs_digest: str
    media_key: str
    approved: bool = False


@dataclass(frozen=True)
class ClipArtifact:
    id: int
    inputs: dict
    inputs_digest: str
    media_key: str


@dataclass(frozen=True)
class ShotState:
    shot_id: int
    fields: ShotFields
    prompt: PromptArtifact | None = None
    start: FrameArtifact | None = None
    end: FrameArtifact | None = None
    clip: ClipArtifact | None = None

    @property
    def start_frame_only(self) -> bool:
        return bool(self.prompt and self.prompt.start_frame_only)

    @property
    def anchor_out(self) -> str | None:
        """The frame the next shot continues from: the end frame, or the start frame if there is none."""
        if not self.start_frame_only and self.end is not None:
            return self.end.media_key
        return self.start.media_key if self.start is not None else None


@dataclass(frozen=True)
class SceneState:
    scene_id: int
    shots: tuple[ShotState, ...]
    style: str = ""
    visual_states: tuple[VisualState, ...] = ()
    incoming_anchor: str | None = None  # the previous scene's last frame, if there is a previous scene
    render: RenderSpec = field(default_factory=lambda: RenderSpec(model="mock"))
