"""The composition root: built by one function, frozen, and every port can be a fake."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from rushes.bootstrap import Rushes, bootstrap
from rushes.clock import FakeClock, SystemClock
from rushes.providers.attribution.base import Attribution, AttributionRequest
from rushes.providers.errors import PermanentProviderError
from rushes.providers.image.base import GeneratedImage, ImageRequest
from rushes.providers.video.base import OperationStatus, VideoRequest
from rushes.providers.video.mock import MockVideoProvider
from rushes.settings import Settings


def _settings(tmp: Path, **values) -> Settings:
    return Settings(_env_file=None, database_url=f"sqlite:///{tmp / 'r.db'}", media_dir=tmp / "media",
                    load_demo=False, **values)


class _Video:
    name = "fake"

    def submit(self, request: VideoRequest) -> str:
        return "op-1"

    def poll(self, operation_name: str) -> OperationStatus:
        return OperationStatus(done=False)


class _Images:
    name = "fake"

    def generate(self, request: ImageRequest) -> GeneratedImage:
        return GeneratedImage(b"png", "image/png")


class _Attributor:
    name = "fake"

    def attribute(self, request: AttributionRequest) -> Attribution:
        return Attribution(stage=None, category=None, confidence=1.0, reason="fake")


def test_fakes_given_to_bootstrap_are_the_ports(tmp_path: Path) -> None:
    clock, video, images, attributor = FakeClock(), _Video(), _Images(), _Attributor()
    rushes = bootstrap(_settings(tmp_path), video=video, images=images, attributor=attributor, clock=clock)
    assert (rushes.video, rushes.images, rushes.attributor, rushes.clock) == (video, images, attributor, clock)
    assert rushes.limiter is None  # the mock provider has no quota to respect


def test_the_root_is_frozen(tmp_path: Path) -> None:
    rushes = bootstrap(_settings(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        rushes.video = _Video()  # type: ignore[misc]
    assert isinstance(rushes, Rushes) and isinstance(rushes.clock, SystemClock)


def test_the_mock_provider_reads_the_roots_clock(tmp_path: Path) -> None:
    clock = FakeClock()
    rushes = bootstrap(_settings(tmp_path), clock=clock)
    assert isinstance(rushes.video, MockVideoProvider) and rushes.video.clock is clock


def test_vertex_providers_are_built_when_first_used_not_at_start(tmp_path: Path, monkeypatch) -> None:
    """A deployment without a Vertex project still runs `rushes user …`; the render is what fails."""
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    rushes = bootstrap(_settings(tmp_path, video_provider="veo", image_provider="gemini", vertex_project=None))
    assert rushes.video.name == "veo" and rushes.images.name == "gemini" and rushes.limiter is not None
    with pytest.raises(PermanentProviderError, match="project"):
        rushes.video.poll("projects/p/operations/1")
    with pytest.raises(PermanentProviderError, match="project"):
        rushes.images.generate(ImageRequest(prompt="a lamp"))
