"""Runtime settings from RUSHES_* environment variables and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Credits per second of video, per model and audio on/off. 1 credit = US$0.01, so these
# follow the published per-second prices (VEO_NOTES.md); "mock" is priced like Veo 3.1 Fast
# so the demo shows realistic costs.
DEFAULT_VIDEO_PRICES: dict[str, dict[str, int]] = {
    "mock": {"audio": 10, "silent": 8},
    "veo-3.1-generate-001": {"audio": 40, "silent": 40},
    "veo-3.1-fast-generate-001": {"audio": 10, "silent": 8},
    "veo-3.1-fast-generate-001@1080p": {"audio": 12, "silent": 10},
    "veo-3.0-generate-001": {"audio": 40, "silent": 20},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RUSHES_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///rushes-data/rushes.db"
    media_dir: Path = Path("rushes-data/media")
    # s3://bucket/prefix or gs://bucket/prefix puts media in object storage (media/object_store.py).
    media_url: str | None = None
    media_options: dict[str, str] = Field(default_factory=dict)
    media_allow_http: bool = False
    media_token: str | None = None
    # How browsers get object-store media: through this server (Range-capable, same origin, checked on
    # every request) or redirected to a short-lived signed URL (the bucket needs CORS for the player).
    media_delivery: Literal["proxy", "signed"] = "proxy"
    media_signed_url_seconds: int = Field(300, ge=10, le=3600)

    video_provider: Literal["mock", "veo"] = "mock"
    image_provider: Literal["mock", "gemini"] = "mock"
    attribution: Literal["local", "gemini"] = "local"

    # Vertex AI (real adapters); project and location fall back to GOOGLE_CLOUD_* in the adapters.
    vertex_base_url: str | None = None
    vertex_token: str | None = None
    vertex_project: str | None = None
    vertex_location: str | None = None
    vertex_api_version: str | None = None
    veo_model: str = "veo-3.1-fast-generate-001"
    veo_resolution: Literal["720p", "1080p"] = "720p"
    veo_aspect_ratio: Literal["16:9", "9:16"] = "16:9"
    veo_generate_audio: bool = True
    veo_negative_prompt: str | None = None
    gemini_image_model: str = "gemini-2.5-flash-image"
    gemini_text_model: str = "gemini-2.5-flash"
    attribution_timeout_seconds: float = 8.0

    # Worker
    job_lease_seconds: float = 30.0
    provider_poll_seconds: float = 5.0
    worker_idle_poll_seconds: float = 0.2
    job_max_attempts: int = 5
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 120.0
    submitting_policy: Literal["attention", "resubmit"] = "attention"
    # Veo submissions per window across every worker (Vertex allows a project about 10 a minute);
    # 0 turns pacing off. The window is a minute; tests shorten it.
    veo_requests_per_minute: int = Field(10, ge=0)
    veo_rate_window_seconds: float = Field(60.0, gt=0)

    # Mock providers: simulated latency and fault injection (shares in [0, 1]).
    mock_latency_seconds: float = 2.0
    mock_fail_429: float = Field(0.0, ge=0, le=1)
    mock_fail_safety: float = Field(0.0, ge=0, le=1)
    mock_fail_corrupt: float = Field(0.0, ge=0, le=1)
    mock_seed: int | None = None
    # Planted picture and sound faults for quality control (syntax in the README), e.g. "1B:frozen,black=0.1".
    mock_faults: str = ""

    # Money: credits per second of video per model, per generated frame image, starting grant.
    video_prices: dict[str, dict[str, int]] = Field(default_factory=lambda: dict(DEFAULT_VIDEO_PRICES))
    frame_image_credits: int = 4
    demo_starting_credits: int = 2000

    # Server
    host: str = "127.0.0.1"
    port: int = 8000
    load_demo: bool = True
    # Host headers answered (comma-separated); any other gets 400, which stops DNS rebinding.
    allowed_hosts: str = "127.0.0.1,localhost"
    # The address printed in sign-in and review links (default http://HOST:PORT).
    public_url: str | None = None

    @property
    def allowed_host_list(self) -> list[str]:
        return [h.strip() for h in self.allowed_hosts.split(",") if h.strip()]

    def base_url(self, host: str | None = None, port: int | None = None) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = host or self.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        return f"http://{shown}:{port or self.port}"

    @field_validator("mock_faults")
    @classmethod
    def _faults_parse(cls, value: str) -> str:
        from rushes.media.mockfaults import parse_fault_spec

        parse_fault_spec(value)  # a typo fails at start-up, not silently at the first render
        return value

    @property
    def video_model(self) -> str:
        """The model name renders are planned and priced with."""
        return "mock" if self.video_provider == "mock" else self.veo_model


@lru_cache
def get_settings() -> Settings:
    return Settings()
