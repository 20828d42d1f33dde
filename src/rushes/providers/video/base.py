"""The video port: submit a shot render, poll its operation, get the MP4 bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class DialogueLine:
    speaker: str
    line: str


@dataclass(frozen=True)
class VideoRequest:
    prompt: str
    start_frame: bytes
    duration_seconds: int
    shot_code: str = ""
    start_frame_mime: str = "image/png"
    end_frame: bytes | None = None
    end_frame_mime: str = "image/png"
    aspect_ratio: str = "16:9"
    resolution: str = "720p"
    generate_audio: bool = True
    negative_prompt: str | None = None
    seed: int | None = None
    model: str = "mock"
    dialogue: tuple[DialogueLine, ...] = field(default_factory=tuple)
    sample_count: int = 1  # videos in this one request (Veo's sampleCount): variants, billed per video


@dataclass(frozen=True)
class OperationStatus:
    """State of a provider operation; `done` with `video` set means success. A several-video request
    lands as `videos` (the first is `video`); `filtered` counts the ones the safety filter removed."""

    done: bool
    video: bytes | None = None
    progress: float | None = None
    videos: tuple[bytes, ...] = ()
    filtered: int = 0
    filtered_reasons: tuple[str, ...] = ()

    @property
    def delivered(self) -> tuple[bytes, ...]:
        return self.videos or ((self.video,) if self.video else ())


class VideoProvider(Protocol):
    name: str

    def submit(self, request: VideoRequest) -> str:
        """Start a render; returns the operation name to persist. Not idempotent."""

    def poll(self, operation_name: str) -> OperationStatus:
        """Check an operation; raises ProviderError subclasses for failures."""
