"""Local checks of the real adapters: Veo request validation, Gemini answer reading, aspect ratios."""

from __future__ import annotations

import pytest
from google.genai import types

from rushes.providers.errors import PermanentProviderError
from rushes.providers.image.gemini import aspect_ratio_for, first_image
from rushes.providers.video.base import VideoRequest
from rushes.providers.video.veo import validate_request

FRAME = b"\x89PNG fake frame bytes"


def request(**overrides: object) -> VideoRequest:
    values: dict[str, object] = {"prompt": "A door opens.", "start_frame": FRAME, "duration_seconds": 8}
    values.update(overrides)
    return VideoRequest(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("duration", [4, 6, 8])
def test_veo_3_durations_pass(duration: int) -> None:
    validate_request(request(duration_seconds=duration, end_frame=FRAME), "veo-3.1-generate-001")


@pytest.mark.parametrize(
    "overrides,model,fragment",
    [
        ({"duration_seconds": 7}, "veo-3.1-fast-generate-001", "renders 4, 6, 8 seconds, not 7"),
        ({"duration_seconds": 8}, "veo-2.0-generate-001", "use one of: veo-3.1-generate-001, veo-3.1-fast"),
        ({"resolution": "4k"}, "veo-3.1-fast-generate-001", "resolution '4k'"),
        ({"duration_seconds": 8.0}, "veo-3.1-fast-generate-001", "not 8.0"),
        ({"aspect_ratio": "1:1"}, "veo-3.1-fast-generate-001", "aspect ratio '1:1'"),
        ({"resolution": "480p"}, "veo-3.1-fast-generate-001", "resolution '480p'"),
        ({"start_frame": b""}, "veo-3.1-fast-generate-001", "start frame is missing"),
        ({"prompt": ""}, "veo-3.1-fast-generate-001", "prompt is empty"),
        ({"end_frame": FRAME}, "veo-3.0-generate-001", "'veo-3.0-generate-001' is not available (discontinued on"),
        ({}, "veo-3.1-generate-preview", "removed from Vertex AI on 2026-04-02"),
    ],
)
def test_invalid_requests_are_refused_with_a_reason(overrides: dict[str, object], model: str, fragment: str) -> None:
    with pytest.raises(PermanentProviderError) as caught:
        validate_request(request(**overrides), model)
    assert caught.value.kind == "invalid" and fragment in caught.value.reason


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(PermanentProviderError) as caught:
        validate_request(request(shot_code="2B", duration_seconds=10, aspect_ratio="4:3"), "veo-3.1-generate-001")
    assert caught.value.reason.startswith("Shot 2B: ") and "10" in caught.value.reason and "4:3" in caught.value.reason


@pytest.mark.parametrize(
    "size,ratio",
    [((1280, 720), "16:9"), ((720, 1280), "9:16"), ((1024, 1024), "1:1"), ((1000, 333), None), ((0, 5), None)],
)
def test_frame_sizes_map_to_gemini_aspect_ratios(size: tuple[int, int], ratio: str | None) -> None:
    assert aspect_ratio_for(*size) == ratio


def test_first_image_skips_text_and_takes_the_first_picture() -> None:
    response = types.GenerateContentResponse(
        candidates=[
            types.Candidate(
                content=types.Content(
                    role="model",
                    parts=[
                        types.Part(text="Drawing it now."),
                        types.Part(inline_data=types.Blob(data=b"JPEGDATA", mime_type="image/jpeg")),
                        types.Part(inline_data=types.Blob(data=b"SECOND", mime_type="image/png")),
                    ],
                )
            )
        ]
    )
    image = first_image(response)
    assert (image.data, image.mime) == (b"JPEGDATA", "image/jpeg")


def test_first_image_without_candidates_is_a_permanent_failure() -> None:
    with pytest.raises(PermanentProviderError, match="no image"):
        first_image(types.GenerateContentResponse(candidates=[]))
