"""The composition root: the one object that reaches the outside world, and the one function that builds it.

Web (`create_app`), every CLI command and the worker call `bootstrap()`; tests call it with fakes for
any port. Services take the root as their first argument, always named `rushes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rushes.clock import Clock, SystemClock
from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable
from rushes.jobs.port import JobQueue
from rushes.jobs.quota import SubmitLimiter, limiter_for
from rushes.media.store import MediaStore, open_media_store
from rushes.providers.attribution.base import Attributor
from rushes.providers.image.base import ImageProvider
from rushes.providers.video.base import VideoProvider
from rushes.settings import Settings, get_settings
from rushes.store.db import Database


# eq=False: two roots are the same only if they are one object (a root is a process's wiring, not a value).
@dataclass(frozen=True, eq=False)
class Rushes:
    """One per process: what services need to reach the outside world."""

    settings: Settings
    db: Database
    media: MediaStore
    video: VideoProvider
    images: ImageProvider
    attributor: Attributor
    limiter: SubmitLimiter | None  # paces provider submissions; None when the provider has no quota to respect
    clock: Clock
    queue: JobQueue  # the job table behind the port; services defer, the worker claims

    @property
    def submit_limiter(self) -> SubmitLimiter | None:
        """The limiter's former name, kept while code written against it is merged."""
        return self.limiter

    @property
    def prices(self) -> PriceTable:
        from rushes.providers.video.models import price_table

        return PriceTable(price_table(self.settings.video_prices), self.settings.frame_image_credits)

    @property
    def render_spec(self) -> RenderSpec:
        s = self.settings
        if s.video_provider == "mock":
            return RenderSpec("mock", "720p", s.veo_aspect_ratio, True)
        return RenderSpec(s.veo_model, s.veo_resolution, s.veo_aspect_ratio, s.veo_generate_audio)

    def upgrade_schema(self) -> None:
        from rushes.store.migrate import upgrade

        upgrade(self.settings.database_url)


def bootstrap(settings: Settings | None = None, *, db: Database | None = None, media: MediaStore | None = None,
              video: VideoProvider | None = None, images: ImageProvider | None = None,
              attributor: Attributor | None = None, limiter: SubmitLimiter | None = None,
              clock: Clock | None = None, queue: JobQueue | None = None) -> Rushes:
    """The root for these settings (the environment's when None); any port given is used as is."""
    from rushes.redact import install_log_redaction, register_settings

    settings = settings or get_settings()
    register_settings(settings)  # its secrets are masked before anything can print or log them
    install_log_redaction()
    db = db or Database(settings.database_url)
    from rushes.services.broadcast import install_notify

    install_notify(db)  # PostgreSQL: writers announce notifications and job moves on commit
    media = media or open_media_store(settings)
    clock = clock or SystemClock()
    if queue is None:
        from rushes.jobs.queue import sql_queue

        queue = sql_queue(db)
    from rushes.services.handlers import register_handlers

    register_handlers(queue)  # the worker's tasks and what a finished take sets off, once per root
    return Rushes(
        settings=settings,
        db=db,
        media=media,
        video=video or _video(settings, media, clock),
        images=images or _images(settings),
        attributor=attributor or _attributor(settings),
        limiter=limiter or limiter_for(settings),
        clock=clock,
        queue=queue,
    )


def _video(settings: Settings, media: MediaStore, clock: Clock) -> VideoProvider:
    if settings.video_provider == "veo":
        from rushes.providers.deferred import DeferredVideo

        def veo() -> VideoProvider:
            from rushes.providers.video.veo import VeoVideoProvider

            return VeoVideoProvider.from_settings(settings, gcs_download=lambda uri: _provider_result(media, uri),
                                                  output_gcs_uri=media.output_uri("veo-output"))

        return DeferredVideo("veo", veo)
    from rushes.providers.video.mock import MockVideoProvider

    return MockVideoProvider.from_settings(settings, clock=clock)


def _provider_result(media: MediaStore, uri: str) -> bytes:
    """A video the provider wrote into our bucket; one written anywhere else cannot be fetched."""
    from rushes.providers.errors import PermanentProviderError

    try:
        return media.read_uri(uri)
    except FileNotFoundError as exc:
        raise PermanentProviderError(f"Veo's video is not readable from the media store: {exc}") from exc


def _images(settings: Settings) -> ImageProvider:
    if settings.image_provider == "gemini":
        from rushes.providers.deferred import DeferredImages

        def gemini() -> ImageProvider:
            from rushes.providers.image.gemini import GeminiImageProvider

            return GeminiImageProvider.from_settings(settings)

        return DeferredImages("gemini", gemini)
    from rushes.providers.image.mock import MockImageProvider

    return MockImageProvider()


def _attributor(settings: Settings) -> Attributor:
    from rushes.providers.deferred import DeferredAttributor

    def configured() -> Attributor:
        from rushes.providers.attribution.factory import make_attributor

        return make_attributor(settings)

    return DeferredAttributor(settings.attribution, configured)
