"""The shared Vertex AI client for the real adapters, and the mapping of its failures to provider errors."""

from __future__ import annotations

import importlib
import os
import re
from typing import Any

import google.auth.exceptions
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from rushes.providers.errors import PermanentProviderError, ProviderError, TransientProviderError
from rushes.settings import Settings

DEFAULT_LOCATION = "us-central1"
# Vertex quota is counted per minute; without a server hint, waiting most of a minute is the useful retry.
QUOTA_RETRY_SECONDS = 30.0
TRANSIENT_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})


def _network_errors() -> tuple[type[BaseException], ...]:
    """Transport exceptions of whichever HTTP libraries the SDK may use (httpx2 by default, or httpx)."""
    found: list[type[BaseException]] = [google.auth.exceptions.TransportError]
    for module_name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        # TransportError covers timeouts, connect/read/write errors and protocol errors.
        found.append(module.TransportError)
    return tuple(found)


NETWORK_ERRORS = _network_errors()
# Everything a Vertex call can raise that map_api_error knows how to translate.
VERTEX_ERRORS: tuple[type[BaseException], ...] = (
    genai_errors.APIError,
    google.auth.exceptions.GoogleAuthError,
    *NETWORK_ERRORS,
)


def make_client(settings: Settings, *, timeout_ms: int | None = None) -> genai.Client:
    """A Vertex AI `genai.Client` for the configured project; no network or ADC is touched here."""
    project = settings.vertex_project or os.environ.get("GOOGLE_CLOUD_PROJECT")
    if not project:
        raise PermanentProviderError(
            "No Google Cloud project configured: set RUSHES_VERTEX_PROJECT or GOOGLE_CLOUD_PROJECT.",
            kind="invalid",
        )
    location = settings.vertex_location or os.environ.get("GOOGLE_CLOUD_LOCATION") or DEFAULT_LOCATION
    # retry_options stays unset: the SDK then sends each call exactly once. A retried submit that the
    # server had in fact accepted would start a second, billed render; the worker owns retries.
    options = types.HttpOptions(
        base_url=settings.vertex_base_url,
        api_version=settings.vertex_api_version,
        timeout=timeout_ms,
        retry_options=None,
    )
    credentials = None
    if settings.vertex_token:
        # Imported here so production (ADC) never needs to know about static tokens.
        from google.oauth2.credentials import Credentials

        credentials = Credentials(token=settings.vertex_token)
    return genai.Client(
        vertexai=True, project=project, location=location, credentials=credentials, http_options=options
    )


def map_api_error(exc: BaseException) -> ProviderError:
    """Translate an SDK, auth or network failure into a Transient or Permanent provider error."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, genai_errors.APIError):
        return _from_api_error(exc)
    if isinstance(exc, google.auth.exceptions.RefreshError):
        return PermanentProviderError(f"Google credentials could not be refreshed: {exc}", kind="invalid")
    if isinstance(exc, NETWORK_ERRORS):
        kind = "timed out" if "Timeout" in type(exc).__name__ else "network error"
        return TransientProviderError(f"Vertex AI {kind}: {type(exc).__name__}: {exc}".rstrip(": "))
    if isinstance(exc, google.auth.exceptions.GoogleAuthError):
        return PermanentProviderError(f"Google credentials problem: {exc}", kind="invalid")
    return PermanentProviderError(f"Unexpected Vertex AI failure: {type(exc).__name__}: {exc}", kind="failed")


def _from_api_error(exc: genai_errors.APIError) -> ProviderError:
    code = int(exc.code or 0)
    message = exc.message or str(exc)
    reason = f"Vertex AI {code}{' ' + exc.status if exc.status else ''}: {message}"
    if code in TRANSIENT_STATUS_CODES or code >= 500:
        server_hint = retry_after_seconds(exc)
        hint = QUOTA_RETRY_SECONDS if server_hint is None and code == 429 else server_hint
        return TransientProviderError(reason, retry_after=hint, quota=code == 429, server_retry_after=server_hint)
    return PermanentProviderError(reason, kind="invalid")


def submission_uncertain(error: BaseException) -> bool:
    """Whether a failed submit may still have started a render on Vertex (so resubmitting could double-bill).

    False when the request provably never reached the model (connection refused or timed out while
    connecting or sending, or a 4xx answer such as a 429); True for lost answers and 5xx.
    """
    cause = error if not isinstance(error, ProviderError) else (error.__cause__ or error)
    if isinstance(cause, genai_errors.APIError):
        return int(cause.code or 0) >= 500
    name = type(cause).__name__
    if isinstance(cause, NETWORK_ERRORS):
        return name not in _NOT_SENT_ERRORS
    # A provider error we raised ourselves (validation) was decided before sending.
    return not isinstance(cause, ProviderError)


_NOT_SENT_ERRORS = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout", "WriteTimeout", "WriteError"})


def retry_after_seconds(exc: genai_errors.APIError) -> float | None:
    """The server's retry hint: a Retry-After header, or a google.rpc.RetryInfo detail."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is not None:
        value = headers.get("retry-after")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                pass  # an HTTP date: rare from Google, fall through to the body
    for detail in _error_details(exc.details):
        if str(detail.get("@type", "")).endswith("google.rpc.RetryInfo"):
            seconds = _duration_seconds(detail.get("retryDelay"))
            if seconds is not None:
                return seconds
    return None


def _error_details(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list) and body:
        body = body[0]
    if not isinstance(body, dict):
        return []
    error = body.get("error", body)
    details = error.get("details") if isinstance(error, dict) else None
    return [d for d in details if isinstance(d, dict)] if isinstance(details, list) else []


def _duration_seconds(value: Any) -> float | None:
    """Parse a protobuf Duration as JSON ("7s", "1.5s") or a {seconds, nanos} object."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)s\s*", value)
        return float(match.group(1)) if match else None
    if isinstance(value, dict):
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    return None
