"""Pytest fixtures around FakeVertex; import them into a test module to use them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rushes.settings import Settings
from tests.fakes.vertex_server import FakeVertex

# The SDK silently switches mode or project when these are set; tests must not inherit them.
VERTEX_ENV_VARS = (
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_APPLICATION_CREDENTIALS",
)


@pytest.fixture
def vertex_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VERTEX_ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def fake_vertex_server() -> Iterator[FakeVertex]:
    with FakeVertex() as fake:
        yield fake


@pytest.fixture
def fake_vertex(fake_vertex_server: FakeVertex, vertex_env: None) -> Iterator[FakeVertex]:
    """The module's fake server with fresh scripts and an empty request log."""
    fake_vertex_server.reset()
    yield fake_vertex_server
    fake_vertex_server.reset()


def vertex_settings(fake: FakeVertex | None = None, **overrides: Any) -> Settings:
    """Settings pointing the real adapters at `fake` (no .env file, no ADC)."""
    values: dict[str, Any] = {"vertex_project": "test-project", "vertex_location": "us-central1"}
    if fake is not None:
        values |= {"vertex_base_url": fake.base_url, "vertex_token": fake.token}
    values |= overrides
    return Settings(_env_file=None, **values)
