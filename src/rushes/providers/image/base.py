"""The image port: draw an anchor frame from a frame prompt and an optional reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    reference: bytes | None = None
    reference_mime: str = "image/png"
    width: int = 1280
    height: int = 720
    label: str = ""  # e.g. "3A start", drawn by the mock
    seed: int | None = None  # a new seed asks for a new variation of the same prompt


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    mime: str


class ImageProvider(Protocol):
    name: str

    def generate(self, request: ImageRequest) -> GeneratedImage:
        """Make one image; raises ProviderError subclasses for failures."""
