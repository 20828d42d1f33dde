"""Runtime settings from RUSHES_* environment variables and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rushes.providers.video.models import DEFAULT_MODEL, UnknownVideoModel, card


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
    # The SDK's Vertex default is v1beta1, where GA Veo 3.1 has been seen to answer 400
    # RESOURCE_PROJECT_INVALID (googleapis/python-genai#2079); the documented v1 works.
    vertex_api_version: str = "v1"
    # Model ids, regions, durations, resolutions, prices and quotas: providers/video/models.py.
    veo_model: str = DEFAULT_MODEL
    veo_resolution: Literal["720p", "1080p", "4k"] = "720p"
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
    # Each worker process writes a heartbeat row this often; doctor and /readyz call a worker gone
    # after worker_stale_seconds. On SIGTERM steps under way get worker_drain_seconds to finish, then
    # their leases are handed back so another worker takes them at once.
    worker_heartbeat_seconds: float = Field(10.0, gt=0)
    worker_stale_seconds: float = Field(60.0, gt=0)
    worker_drain_seconds: float = Field(20.0, ge=0)
    # Veo submissions per window across every worker; unset follows the model card (50 a minute for
    # GA Veo 3.1; new projects may be granted less: set it to your quota). 0 turns pacing off.
    # The window is a minute; tests shorten it.
    veo_requests_per_minute: int | None = Field(None, ge=0)
    veo_rate_window_seconds: float = Field(60.0, gt=0)

    # Mock providers: simulated latency and fault injection (shares in [0, 1]).
    mock_latency_seconds: float = 2.0
    mock_fail_429: float = Field(0.0, ge=0, le=1)
    mock_fail_safety: float = Field(0.0, ge=0, le=1)
    mock_fail_corrupt: float = Field(0.0, ge=0, le=1)
    mock_seed: int | None = None
    # Planted picture and sound faults for quality control (syntax in the README), e.g. "1B:frozen,black=0.1".
    mock_faults: str = ""

    # Money: credits per second of video come from the model cards; entries here ("model" or
    # "model@resolution" → {"audio": n, "silent": n}) override them. Then per frame image, starting grant.
    video_prices: dict[str, dict[str, int]] = Field(default_factory=dict)
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
    # How long a request waits for a busy database (SQLite's write lock) before answering 503 with
    # Retry-After; workers and the CLI keep waiting up to 30 s.
    db_busy_seconds: float = Field(5.0, gt=0, le=60)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses or
    # networks, e.g. "10.0.0.5,192.168.0.0/24"); empty: the client is the peer of the connection.
    trusted_proxies: str = ""

    @property
    def trusted_proxy_list(self) -> list[str]:
        return [p.strip() for p in self.trusted_proxies.split(",") if p.strip()]

    # Operations: "json" logs one object a line with request, take and job ids.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"] = "INFO"
    # Who may read /metrics: loopback callers not relayed by a proxy, or anyone sending this bearer token.
    metrics_token: str | None = None
    # /readyz also requires a live worker heartbeat (off: web processes stay ready while workers are down).
    ready_needs_worker: bool = True
    # Access lifecycle: how long an API token, a guest review link (unless the link says otherwise)
    # and an invitation last.
    api_token_days: int = Field(90, ge=1, le=3650)
    guest_link_days: float = Field(7, gt=0, le=90)
    invite_days: int = Field(7, ge=1, le=90)
    # Invitations go by mail when a host is set (standard library smtplib); otherwise the members
    # page shows the link to hand over.
    smtp_host: str | None = None
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "rushes@localhost"
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(10.0, gt=0, le=120)

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

    @field_validator("veo_model")
    @classmethod
    def _model_known(cls, value: str) -> str:
        try:
            card(value)  # unknown and retired ids fail at start-up, before anything can be charged
        except UnknownVideoModel as exc:
            raise ValueError(str(exc)) from None
        if value == "mock":
            raise ValueError("the mock model is chosen with RUSHES_VIDEO_PROVIDER=mock, not RUSHES_VEO_MODEL")
        return value

    @model_validator(mode="after")
    def _resolution_offered(self) -> Settings:
        offered = card(self.veo_model).resolutions
        if self.video_provider == "veo" and self.veo_resolution not in offered:
            raise ValueError(f"{self.veo_model} renders {', '.join(offered)}, not {self.veo_resolution}")
        return self

    @property
    def veo_rate_per_minute(self) -> int:
        """Submissions a minute to pace Veo at: the setting, else the model card's default quota."""
        if self.veo_requests_per_minute is not None:
            return self.veo_requests_per_minute
        return card(self.veo_model).requests_per_minute

    @property
    def video_model(self) -> str:
        """The model name renders are planned and priced with."""
        return "mock" if self.video_provider == "mock" else self.veo_model


@lru_cache
def get_settings() -> Settings:
    return Settings()
