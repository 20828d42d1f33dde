"""map_api_error and make_client: SDK, auth and network failures become provider errors."""

from __future__ import annotations

import google.auth.exceptions
import httpx
import httpx2
import pytest
from google.genai import errors as genai_errors

from rushes.providers.errors import (
    OperationNotFound,
    PermanentProviderError,
    TransientProviderError,
)
from rushes.providers.vertex import (
    QUOTA_RETRY_SECONDS,
    make_client,
    map_api_error,
    retry_after_seconds,
    submission_uncertain,
)
from tests.fakes.vertex_fixtures import vertex_env, vertex_settings  # noqa: F401


def api_error(code: int, status: str, message: str, **extra: object) -> genai_errors.APIError:
    body = {"error": {"code": code, "status": status, "message": message, **extra}}
    cls = genai_errors.ServerError if code >= 500 else genai_errors.ClientError
    return cls(code, body)


@pytest.mark.parametrize("code,status", [(408, "DEADLINE_EXCEEDED"), (500, "INTERNAL"), (502, "UNAVAILABLE"),
                                         (503, "UNAVAILABLE"), (504, "DEADLINE_EXCEEDED")])
def test_timeouts_and_server_errors_are_transient(code: int, status: str) -> None:
    mapped = map_api_error(api_error(code, status, "try later"))
    assert isinstance(mapped, TransientProviderError)
    assert mapped.reason == f"Vertex AI {code} {status}: try later"
    assert mapped.retry_after is None


def test_quota_errors_are_transient_with_a_retry_hint() -> None:
    hinted = api_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.",
                       details=[{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "12.5s"}])
    plain = api_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")
    assert map_api_error(hinted).retry_after == 12.5  # type: ignore[attr-defined]
    assert map_api_error(plain).retry_after == QUOTA_RETRY_SECONDS  # type: ignore[attr-defined]


def test_retry_after_header_wins_over_the_body() -> None:
    response = httpx.Response(429, headers={"Retry-After": "3"}, json={"error": {"code": 429}})
    error = genai_errors.ClientError(
        429,
        {"error": {"code": 429, "details": [{"@type": "x/google.rpc.RetryInfo", "retryDelay": "40s"}]}},
        response,
    )
    assert retry_after_seconds(error) == 3.0


@pytest.mark.parametrize("code,status", [(400, "INVALID_ARGUMENT"), (401, "UNAUTHENTICATED"),
                                         (403, "PERMISSION_DENIED"), (404, "NOT_FOUND")])
def test_client_errors_are_permanent_invalid_with_the_message(code: int, status: str) -> None:
    mapped = map_api_error(api_error(code, status, "Image is too large."))
    assert type(mapped) is PermanentProviderError
    assert mapped.kind == "invalid" and "Image is too large." in mapped.reason and str(code) in mapped.reason


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        httpx2.ConnectError("connection refused"),
        httpx2.ReadTimeout("read timed out"),
        httpx2.RemoteProtocolError("server disconnected"),
        google.auth.exceptions.TransportError("metadata server unreachable"),
    ],
)
def test_network_failures_of_either_http_library_are_transient(exc: Exception) -> None:
    mapped = map_api_error(exc)
    assert isinstance(mapped, TransientProviderError) and str(exc) in mapped.reason


def test_timeouts_say_so() -> None:
    assert "timed out" in map_api_error(httpx2.ReadTimeout("slow")).reason
    assert "network error" in map_api_error(httpx2.ConnectError("refused")).reason


def test_credentials_and_unknown_failures_are_permanent() -> None:
    refresh = map_api_error(google.auth.exceptions.RefreshError("invalid_grant"))
    assert isinstance(refresh, PermanentProviderError) and refresh.kind == "invalid"
    unknown = map_api_error(RuntimeError("boom"))
    assert isinstance(unknown, PermanentProviderError) and unknown.kind == "failed" and "boom" in unknown.reason


def test_provider_errors_pass_through_unchanged() -> None:
    original = OperationNotFound("gone")
    assert map_api_error(original) is original


def test_make_client_needs_a_project(vertex_env: None) -> None:
    with pytest.raises(PermanentProviderError, match="RUSHES_VERTEX_PROJECT") as caught:
        make_client(vertex_settings(vertex_project=None))
    assert caught.value.kind == "invalid"


def test_make_client_with_a_token_never_looks_for_adc(vertex_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # Any attempt to load Application Default Credentials would now raise DefaultCredentialsError.
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json")
    closed_port = "http://127.0.0.1:9"
    with_token = make_client(vertex_settings(vertex_token="t", vertex_base_url=closed_port), timeout_ms=2000)
    without = make_client(vertex_settings(vertex_base_url=closed_port), timeout_ms=2000)

    with pytest.raises(Exception) as sent:
        with_token.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert isinstance(map_api_error(sent.value), TransientProviderError)  # it got as far as the network

    with pytest.raises(google.auth.exceptions.DefaultCredentialsError) as adc:
        without.models.generate_content(model="gemini-2.5-flash", contents="hi")
    mapped = map_api_error(adc.value)
    assert isinstance(mapped, PermanentProviderError) and mapped.kind == "invalid"


def test_submission_uncertain_separates_never_sent_from_lost_answers() -> None:
    def wrapped(exc: BaseException) -> TransientProviderError:
        mapped = map_api_error(exc)
        mapped.__cause__ = exc
        return mapped  # type: ignore[return-value]

    assert not submission_uncertain(wrapped(httpx2.ConnectError("refused")))
    assert not submission_uncertain(wrapped(httpx2.ConnectTimeout("slow connect")))
    assert not submission_uncertain(wrapped(api_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded.")))
    assert submission_uncertain(wrapped(httpx2.ReadTimeout("no answer")))
    assert submission_uncertain(wrapped(httpx.RemoteProtocolError("server disconnected")))
    assert submission_uncertain(wrapped(api_error(503, "UNAVAILABLE", "later")))
    assert not submission_uncertain(PermanentProviderError("Shot 1A: the start frame is missing.", kind="invalid"))
