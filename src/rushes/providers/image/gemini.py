"""Anchor frames from a Gemini image model on Vertex AI (generate_content with an IMAGE modality)."""

from __future__ import annotations

from fractions import Fraction

from google import genai
from google.genai import types

from rushes.providers.errors import PermanentProviderError
from rushes.providers.image.base import GeneratedImage, ImageRequest
from rushes.providers.vertex import VERTEX_ERRORS, make_client, map_api_error
from rushes.settings import Settings

REQUEST_TIMEOUT_MS = 90_000
# Aspect ratios the Gemini image models accept; a frame size is sent as the matching one, if any.
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
_SAFETY_FINISH = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_PROHIBITED_CONTENT"}


class GeminiImageProvider:
    """The ImageProvider for Gemini image models (e.g. gemini-2.5-flash-image)."""

    name = "gemini"

    def __init__(self, client: genai.Client, model: str = "gemini-2.5-flash-image") -> None:
        self.client = client
        self.model = model

    @classmethod
    def from_settings(cls, settings: Settings) -> GeminiImageProvider:
        return cls(make_client(settings, timeout_ms=REQUEST_TIMEOUT_MS), settings.gemini_image_model)

    def generate(self, request: ImageRequest) -> GeneratedImage:
        """Draw one frame from the prompt (and the reference picture, when given)."""
        if not request.prompt.strip():
            raise PermanentProviderError("The frame prompt is empty.", kind="invalid")
        parts = [types.Part.from_text(text=request.prompt)]
        if request.reference:
            parts.append(types.Part.from_bytes(data=request.reference, mime_type=request.reference_mime))
        ratio = aspect_ratio_for(request.width, request.height)
        config = types.GenerateContentConfig(
            response_modalities=["TEXT", "IMAGE"],
            seed=request.seed,
            image_config=types.ImageConfig(aspect_ratio=ratio) if ratio else None,
        )
        try:
            response = self.client.models.generate_content(
                model=self.model, contents=[types.Content(role="user", parts=parts)], config=config
            )
        except VERTEX_ERRORS as exc:
            raise map_api_error(exc) from exc
        return first_image(response)


def first_image(response: types.GenerateContentResponse) -> GeneratedImage:
    """The first inline image of the answer, or a PermanentProviderError quoting what the model said."""
    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason:
        reason = feedback.block_reason_message or _name(feedback.block_reason)
        raise PermanentProviderError(f"The image model refused the prompt: {reason}", kind="safety")
    said: list[str] = []
    finish = ""
    for candidate in response.candidates or []:
        finish = finish or _name(candidate.finish_reason)
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.inline_data is not None and part.inline_data.data:
                return GeneratedImage(data=part.inline_data.data, mime=part.inline_data.mime_type or "image/png")
            if part.text and not part.thought:
                said.append(part.text.strip())
    text = " ".join(s for s in said if s) or "(no text)"
    if finish in _SAFETY_FINISH:
        raise PermanentProviderError(f"The image model withheld the image ({finish}): {text}", kind="safety")
    raise PermanentProviderError(f"The image model returned no image. It said: {text}", kind="failed")


def aspect_ratio_for(width: int, height: int) -> str | None:
    """'16:9' for 1280x720, and so on; None when the size matches no supported ratio."""
    if width <= 0 or height <= 0:
        return None
    ratio = Fraction(width, height)
    for candidate in ASPECT_RATIOS:
        w, h = candidate.split(":")
        if Fraction(int(w), int(h)) == ratio:
            return candidate
    return None


def _name(value: object) -> str:
    if value is None:
        return ""
    return str(getattr(value, "value", value))
