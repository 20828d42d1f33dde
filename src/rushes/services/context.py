"""The application's wiring: settings, database, media store and the providers chosen by flags."""

from __future__ import annotations

from functools import cached_property

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable
from rushes.media.store import open_media_store
from rushes.settings import Settings, get_settings
from rushes.store.db import Database


class Rushes:
    """One per process: what services need to reach the outside world."""

    def __init__(self, settings: Settings | None = None, db: Database | None = None) -> None:
        self.settings = settings or get_settings()
        self.db = db or Database(self.settings.database_url)
        from rushes.services.broadcast import install_notify

        install_notify(self.db)  # PostgreSQL: writers announce notifications and job moves on commit
        self.media = open_media_store(self.settings)

    @property
    def prices(self) -> PriceTable:
        return PriceTable(self.settings.video_prices, self.settings.frame_image_credits)

    @property
    def render_spec(self) -> RenderSpec:
        s = self.settings
        if s.video_provider == "mock":
            return RenderSpec("mock", "720p", s.veo_aspect_ratio, True)
        return RenderSpec(s.veo_model, s.veo_resolution, s.veo_aspect_ratio, s.veo_generate_audio)

    @cached_property
    def video(self):
        if self.settings.video_provider == "veo":
            from rushes.providers.video.veo import VeoVideoProvider

            return VeoVideoProvider.from_settings(self.settings, gcs_download=self._read_provider_result,
                                                  output_gcs_uri=self.media.output_uri("veo-output"))
        from rushes.providers.video.mock import MockVideoProvider

        return MockVideoProvider.from_settings(self.settings)

    def _read_provider_result(self, uri: str) -> bytes:
        """A video the provider wrote into our bucket; one written anywhere else cannot be fetched."""
        from rushes.providers.errors import PermanentProviderError

        try:
            return self.media.read_uri(uri)
        except FileNotFoundError as exc:
            raise PermanentProviderError(f"Veo's video is not readable from the media store: {exc}") from exc

    @cached_property
    def submit_limiter(self):
        """The shared pacing of provider submissions, or None when the provider has no quota to respect."""
        from rushes.jobs.quota import limiter_for

        return limiter_for(self.settings)

    @cached_property
    def images(self):
        if self.settings.image_provider == "gemini":
            from rushes.providers.image.gemini import GeminiImageProvider

            return GeminiImageProvider.from_settings(self.settings)
        from rushes.providers.image.mock import MockImageProvider

        return MockImageProvider()

    @cached_property
    def attributor(self):
        from rushes.providers.attribution.factory import make_attributor

        return make_attributor(self.settings)

    def upgrade_schema(self) -> None:
        from rushes.store.migrate import upgrade

        upgrade(self.settings.database_url)
