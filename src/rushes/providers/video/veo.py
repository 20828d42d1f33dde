"""Veo 3 on Vertex AI: submit a shot render, poll its long-running operation, return the MP4 bytes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from rushes.providers.errors import (
    OperationNotFound,
    PermanentProviderError,
    ProviderError,
    TransientProviderError,
)
from rushes.providers.vertex import VERTEX_ERRORS, make_client, map_api_error
from rushes.providers.video.base import OperationStatus, VideoRequest
from rushes.providers.video.models import UnknownVideoModel, card
from rushes.providers.video.safety import plain_reason, support_codes
from rushes.settings import Settings

GcsDownload = Callable[[str], bytes]

ASPECT_RATIOS = ("16:9", "9:16")
REQUEST_TIMEOUT_MS = 120_000
MAX_SAMPLES = 4  # sampleCount: videos per request
# Phrases Vertex uses when a failed operation is really a content-policy refusal.
_SAFETY_PHRASES = ("usage guidelines", "responsible ai", "safety", "prohibited")


class VeoVideoProvider:
    """The VideoProvider for Veo on Vertex AI through the google-genai SDK."""

    name = "veo"

    def __init__(
        self,
        client: genai.Client,
        model: str,
        resolution: str = "720p",
        aspect_ratio: str = "16:9",
        generate_audio: bool = True,
        negative_prompt: str | None = None,
        *,
        gcs_download: GcsDownload | None = None,
        output_gcs_uri: str | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.resolution = resolution
        self.aspect_ratio = aspect_ratio
        self.generate_audio = generate_audio
        self.negative_prompt = negative_prompt
        self.gcs_download = gcs_download or download_from_gcs
        # When media lives on GCS, Veo writes each video straight into the bucket (storageUri) and we
        # read it from there: no large base64 answer, and the video is already where media lives.
        self.output_gcs_uri = output_gcs_uri

    @classmethod
    def from_settings(cls, settings: Settings, *, gcs_download: GcsDownload | None = None,
                      output_gcs_uri: str | None = None) -> VeoVideoProvider:
        return cls(
            make_client(settings, timeout_ms=REQUEST_TIMEOUT_MS),
            settings.veo_model,
            settings.veo_resolution,
            settings.veo_aspect_ratio,
            settings.veo_generate_audio,
            settings.veo_negative_prompt,
            gcs_download=gcs_download,
            output_gcs_uri=output_gcs_uri,
        )

    def model_for(self, request: VideoRequest) -> str:
        """The request's model when it names a Veo model (it was priced with it), else ours."""
        return request.model if request.model.startswith("veo-") else self.model

    def submit(self, request: VideoRequest) -> str:
        """Validate, then start one render; returns the operation name. Never retried here."""
        model = self.model_for(request)
        validate_request(request, model)
        source = types.GenerateVideosSource(
            prompt=request.prompt,
            image=types.Image(image_bytes=request.start_frame, mime_type=request.start_frame_mime),
        )
        config = types.GenerateVideosConfig(
            number_of_videos=request.sample_count,
            duration_seconds=request.duration_seconds,
            aspect_ratio=request.aspect_ratio,
            resolution=request.resolution,
            generate_audio=request.generate_audio,
            negative_prompt=request.negative_prompt or self.negative_prompt,
            seed=request.seed,
            output_gcs_uri=self.output_gcs_uri,
            last_frame=(
                types.Image(image_bytes=request.end_frame, mime_type=request.end_frame_mime)
                if request.end_frame
                else None
            ),
        )
        try:
            operation = self.client.models.generate_videos(model=model, source=source, config=config)
        except VERTEX_ERRORS as exc:
            raise map_api_error(exc) from exc
        if not operation.name:
            # The server may have accepted (and billed) a render we cannot find again: say so, don't retry.
            raise PermanentProviderError("Vertex AI accepted the render but returned no operation name.")
        return operation.name

    def poll(self, operation_name: str) -> OperationStatus:
        """Fetch the operation once; done with the MP4 bytes, not done, or a ProviderError."""
        if "/operations/" not in operation_name:
            raise OperationNotFound(f"{operation_name!r} is not a Vertex AI operation name.")
        try:
            operation = self.client.operations.get(types.GenerateVideosOperation(name=operation_name))  # type: ignore[call-arg]  # `name` is declared on a base the pydantic plugin does not see
        except genai_errors.APIError as exc:
            if exc.code == 404:
                raise OperationNotFound(
                    f"Vertex AI no longer knows operation {operation_name}: {exc.message or exc.status}"
                ) from exc
            raise map_api_error(exc) from exc
        except VERTEX_ERRORS as exc:
            raise map_api_error(exc) from exc
        if not operation.done:
            return OperationStatus(done=False, progress=_progress(operation.metadata))
        if operation.error:
            raise _operation_failure(operation.error)
        response = operation.response
        first = self._video_bytes(response)
        assert response is not None  # _video_bytes refused a response without videos
        # Variants: the first video was checked above; the rest follow it. Filtered ones are simply absent.
        rest = [self._lenient(v.video) for v in (response.generated_videos or [])[1:] if v.video is not None]
        filtered = int(response.rai_media_filtered_count or 0)
        return OperationStatus(done=True, video=first, progress=1.0, videos=(first, *rest), filtered=filtered,
                               filtered_reasons=tuple(response.rai_media_filtered_reasons or ()))

    def _video_bytes(self, response: types.GenerateVideosResponse | None) -> bytes:
        videos = (response.generated_videos if response else None) or []
        if not videos or videos[0].video is None:
            filtered = (response.rai_media_filtered_count if response else None) or 0
            if filtered >= 1:
                reasons = list(response.rai_media_filtered_reasons or []) if response else []
                raise PermanentProviderError(plain_reason(reasons, filtered), kind="safety")
            raise PermanentProviderError("Veo finished the render but returned no video.", kind="failed")
        return self._one(videos[0].video)

    def _lenient(self, video: types.Video) -> bytes:
        """A later variant that came back empty is that variant's loss (refunded alone), not the render's."""
        try:
            return self._one(video)
        except PermanentProviderError:
            return b""

    def _one(self, video: types.Video) -> bytes:
        if video.video_bytes is not None:
            data = video.video_bytes
        elif video.uri:
            data = self._download(video.uri)
        else:
            data = b""
        if not data:
            raise PermanentProviderError("Veo returned an empty video file.", kind="corrupt")
        return data

    def _download(self, uri: str) -> bytes:
        if not uri.startswith("gs://"):
            raise PermanentProviderError(f"Veo returned a video at {uri}, which Rushes cannot fetch.")
        try:
            return self.gcs_download(uri)
        except ProviderError:
            raise
        except Exception as exc:  # the downloader is injectable: any failure to fetch is worth a retry
            raise TransientProviderError(f"Could not download {uri}: {type(exc).__name__}: {exc}") from exc


def validate_request(request: VideoRequest, model: str) -> None:
    """Refuse what Veo would refuse (or silently misread) before anything is sent or billed."""
    problems: list[str] = []
    if not request.prompt.strip():
        problems.append("the video prompt is empty")
    if not request.start_frame:
        problems.append("the start frame is missing")
    try:
        model_card = card(model)
    except UnknownVideoModel as exc:
        model_card = None
        problems.append(str(exc))
    if model_card is not None:
        allowed = model_card.durations
        if not isinstance(request.duration_seconds, int) or request.duration_seconds not in allowed:
            choices = ", ".join(str(d) for d in allowed)
            problems.append(f"{model} renders {choices} seconds, not {request.duration_seconds!r}")
        if request.aspect_ratio not in model_card.aspect_ratios:
            problems.append(f"aspect ratio {request.aspect_ratio!r} is not one of {', '.join(model_card.aspect_ratios)}")
        if request.resolution not in model_card.resolutions:
            problems.append(f"resolution {request.resolution!r} is not one of {', '.join(model_card.resolutions)}")
        if request.end_frame and not model_card.first_and_last_frame:
            problems.append(f"a start + end frame shot needs a Veo 3.1 model; {model} only takes a start frame")
    if not isinstance(request.sample_count, int) or not 1 <= request.sample_count <= MAX_SAMPLES:
        problems.append(f"Veo returns 1 to {MAX_SAMPLES} videos per request, not {request.sample_count!r}")
    if problems:
        shot = f"Shot {request.shot_code}: " if request.shot_code else ""
        raise PermanentProviderError(shot + "; ".join(problems) + ".", kind="invalid")


def download_from_gcs(uri: str) -> bytes:
    """Without a gs:// media store there is nothing that can read Veo's bucket output."""
    raise PermanentProviderError(
        f"Veo wrote the video to {uri}, but media is not on GCS. Set RUSHES_MEDIA_URL=gs://bucket/prefix "
        "(Veo then writes into that bucket and the worker reads it from there), or leave output_gcs_uri "
        "unset to get videos inline.",
        kind="failed",
    )


def _operation_failure(error: dict[str, Any]) -> PermanentProviderError:
    message = str(error.get("message") or "no message")
    code = error.get("code")
    if support_codes(message):
        # A prompt refused before generation comes back as an error carrying a support code.
        return PermanentProviderError(plain_reason([message]), kind="safety")
    reason = f"Veo failed the render: {message}" + (f" (code {code})" if code is not None else "")
    kind = "safety" if any(phrase in message.lower() for phrase in _SAFETY_PHRASES) else "failed"
    return PermanentProviderError(reason, kind=kind)


def _progress(metadata: dict[str, Any] | None) -> float | None:
    value = (metadata or {}).get("progressPercent")
    return float(value) / 100 if isinstance(value, int | float) else None
