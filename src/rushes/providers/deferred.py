"""Providers built on first use. The composition root is built whole at start, but a Vertex client
cannot be made without a configured project (the error belongs to the job that renders, not to
`rushes user create`), and the attribution model costs seconds of imports a command may never need.
Each stand-in has its port's methods, so the root's fields keep their port types."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar
from collections.abc import Callable

from rushes.providers.attribution.base import Attribution, AttributionRequest, Attributor
from rushes.providers.image.base import GeneratedImage, ImageProvider, ImageRequest
from rushes.providers.video.base import OperationStatus, VideoProvider, VideoRequest

T = TypeVar("T")


class _OnFirstUse(Generic[T]):
    def __init__(self, name: str, build: Callable[[], T]) -> None:
        self.name = name
        self._build = build
        self._built: T | None = None
        self._lock = threading.Lock()  # the web warm-up thread and a request may both ask first

    def provider(self) -> T:
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return self._built


class DeferredVideo(_OnFirstUse[VideoProvider]):
    def submit(self, request: VideoRequest) -> str:
        return self.provider().submit(request)

    def poll(self, operation_name: str) -> OperationStatus:
        return self.provider().poll(operation_name)


class DeferredImages(_OnFirstUse[ImageProvider]):
    def generate(self, request: ImageRequest) -> GeneratedImage:
        return self.provider().generate(request)


class DeferredAttributor(_OnFirstUse[Attributor]):
    def attribute(self, request: AttributionRequest) -> Attribution:
        return self.provider().attribute(request)
