"""Wire formats of the fake Vertex AI server: Google error bodies, response bodies, base64 helpers."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

from starlette.responses import JSONResponse

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    408: "DEADLINE_EXCEEDED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
VIDEO_RESPONSE_TYPE = "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse"


def google_error(
    status: int, message: str, details: list[dict[str, Any]] | None = None, status_name: str | None = None
) -> JSONResponse:
    """An error body the way Google APIs send it."""
    name = status_name or STATUS_NAMES.get(status, "UNKNOWN")
    error: dict[str, Any] = {"code": status, "message": message, "status": name}
    if details:
        error["details"] = details
    return JSONResponse({"error": error}, status_code=status)


async def scripted_failure(answer: Any) -> JSONResponse | None:
    """Apply a scripted delay; return the scripted error response, or None to carry on normally."""
    if answer == "ok" or answer is None:
        return None
    if isinstance(answer, int):
        answer = {"status": answer}
    if not isinstance(answer, dict):
        raise ValueError(f"cannot script {answer!r}")
    if answer.get("delay"):
        await asyncio.sleep(float(answer["delay"]))
    status = answer.get("status")
    if status is None:
        return None
    details = None
    if answer.get("retry_after") is not None:
        details = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{answer['retry_after']}s"}]
    default_message = {
        429: "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.",
        500: "Internal error encountered.",
        503: "The service is currently unavailable.",
    }.get(status, "Request contains an invalid argument.")
    return google_error(status, answer.get("message", default_message), details)


def check_video_body(model: str, body: dict[str, Any]) -> JSONResponse | None:
    """Reject what real Vertex rejects, so tests notice when our validation lets something through."""
    instances = body.get("instances")
    if not isinstance(instances, list) or not instances or not instances[0].get("prompt"):
        return google_error(400, "instances[0].prompt is required.")
    parameters = body.get("parameters") or {}
    duration = parameters.get("durationSeconds")
    allowed = (4, 6, 8) if model.startswith("veo-3") else (5, 6, 7, 8)
    if duration is not None and duration not in allowed:
        return google_error(400, f"Unsupported output video duration {duration} seconds.")
    samples = parameters.get("sampleCount", 1)
    if not isinstance(samples, int) or not 1 <= samples <= 4:
        return google_error(400, f"sampleCount must be between 1 and 4, got {samples}.")
    if parameters.get("aspectRatio") not in (None, "16:9", "9:16"):
        return google_error(400, f"Unsupported aspect ratio {parameters['aspectRatio']}.")
    if "lastFrame" in instances[0] and not model.startswith("veo-3.1"):
        return google_error(
            400, f"Image to video with a last frame is not allowlisted for {model}.", status_name="FAILED_PRECONDITION"
        )
    return None


def content_response(model: str, answer: dict[str, Any]) -> dict[str, Any]:
    """A generateContent answer body from a scripted item."""
    if answer.get("block_reason"):
        return {"promptFeedback": {"blockReason": answer["block_reason"]}, "modelVersion": model}
    parts: list[dict[str, Any]] = list(answer.get("parts", []))
    if "text" in answer:
        parts.append({"text": answer["text"]})
    if "json" in answer:
        parts.append({"text": json.dumps(answer["json"])})
    if "image" in answer:
        parts.append({"inlineData": {"mimeType": answer.get("mime", "image/png"), "data": b64(answer["image"])}})
    candidate: dict[str, Any] = {"index": 0, "finishReason": answer.get("finish_reason", "STOP")}
    if parts:
        candidate["content"] = {"role": "model", "parts": parts}
    return {
        "candidates": [candidate],
        "usageMetadata": {"promptTokenCount": 12, "candidatesTokenCount": 34, "totalTokenCount": 46},
        "modelVersion": model,
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_b64(text: str) -> bytes:
    """Decode base64 in either alphabet: the SDK sends inline images URL-safe, Veo frames standard."""
    padded = text + "=" * (-len(text) % 4)
    return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))


def inline_image(part: dict[str, Any]) -> tuple[str, bytes] | None:
    """(mime, bytes) of a request part's inlineData, accepting the SDK's mime_type spelling too."""
    data = part.get("inlineData") or part.get("inline_data")
    if not data:
        return None
    return data.get("mimeType") or data.get("mime_type") or "", decode_b64(data.get("data", ""))
