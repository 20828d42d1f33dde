"""Choose the attributor the settings ask for (RUSHES_ATTRIBUTION=local|gemini)."""

from __future__ import annotations

from rushes.providers.attribution.base import Attribution, AttributionRequest, Attributor, fallback_answer
from rushes.providers.attribution.local import LocalAttributor
from rushes.providers.errors import ProviderError
from rushes.settings import Settings


class UnconfiguredGemini:
    """Stands in when Gemini was asked for but no client can be built; every answer says why."""

    name = "gemini"

    def __init__(self, problem: str, fallback: Attributor) -> None:
        self.problem = problem
        self.fallback = fallback

    def attribute(self, request: AttributionRequest) -> Attribution:
        return fallback_answer(self.fallback, request, self.problem)


def make_attributor(settings: Settings) -> Attributor:
    """The local classifier by default; Gemini (falling back to it) when configured."""
    local = LocalAttributor()
    if settings.attribution != "gemini":
        return local
    from rushes.providers.attribution.gemini import GeminiAttributor
    from rushes.providers.vertex import VERTEX_ERRORS, make_client, map_api_error

    timeout = settings.attribution_timeout_seconds
    try:
        client = make_client(settings, timeout_ms=int(timeout * 1000))
    except (*VERTEX_ERRORS, ProviderError) as exc:  # type: ignore[misc]  # a starred tuple of exception types is not followed
        return UnconfiguredGemini(map_api_error(exc).reason, local)
    return GeminiAttributor(client, settings.gemini_text_model, fallback=local, timeout=timeout)


def warm_up(attributor: Attributor) -> None:
    """Load (or train, on the first run after the data changed) the local model the attributor relies on."""
    for candidate in (attributor, getattr(attributor, "fallback", None)):
        if isinstance(candidate, LocalAttributor):
            candidate.warm_up()
            return
