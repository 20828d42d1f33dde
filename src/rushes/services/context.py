"""The application's wiring: settings, database, media store and the providers chosen by flags."""

from __future__ import annotations

from functools import cached_property

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable
from rushes.media.store import MediaStore
from rushes.settings import Settings, get_settings
from rushes.store.db import Database


class Rushes:
    """One per process: what services need to reach the outside world."""

    def __init__(self, settings: Settings | None = None, db: Database | None = None) -> None:
        self.settings = settings or get_settings()
        self.db = db or Database(self.settings.database_url)
        self.media = MediaStore(self.settings.media_dir)

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

            return VeoVideoProvider.from_settings(self.settings)
        from rushes.providers.video.mock import MockVideoProvider

        return MockVideoProvider.from_settings(self.settings)

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
