"""GeminiImageProvider through the real google-genai SDK against the local fake Vertex AI server."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from rushes.providers.errors import PermanentProviderError, TransientProviderError
from rushes.providers.image.base import ImageRequest
from rushes.providers.image.gemini import GeminiImageProvider
from tests.fakes.media import tiny_png
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env, vertex_settings  # noqa: F401
from tests.fakes.vertex_server import FakeVertex, inline_image

MODEL = "gemini-2.5-flash-image"


def provider(fake: FakeVertex) -> GeminiImageProvider:
    return GeminiImageProvider.from_settings(vertex_settings(fake))


def test_frame_comes_back_as_png_and_the_reference_goes_out_inline(fake_vertex: FakeVertex) -> None:
    drawn = tiny_png(size=(160, 90), color=(12, 34, 56))
    reference = tiny_png(color=(250, 250, 0))
    fake_vertex.script_generate_content(MODEL, [{"text": "Here is the frame.", "image": drawn}])

    request = ImageRequest(prompt="Mara on the rooftop, dusk", reference=reference, seed=99)
    image = provider(fake_vertex).generate(request)

    assert image.mime == "image/png" and image.data == drawn
    assert Image.open(io.BytesIO(image.data)).size == (160, 90)
    [sent] = fake_vertex.calls("generateContent")
    model_path = f"/v1/projects/test-project/locations/us-central1/publishers/google/models/{MODEL}"
    assert sent.path == f"{model_path}:generateContent"
    assert sent.token == "fake-token"
    assert sent.json["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]
    assert sent.json["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}
    assert sent.json["generationConfig"]["seed"] == 99
    [content] = sent.json["contents"]
    assert content["role"] == "user"
    assert content["parts"][0] == {"text": "Mara on the rooftop, dusk"}
    assert inline_image(content["parts"][1]) == ("image/png", reference)


def test_without_a_reference_only_the_prompt_is_sent(fake_vertex: FakeVertex) -> None:
    image = provider(fake_vertex).generate(ImageRequest(prompt="An empty diner", width=720, height=1280))

    assert image.data.startswith(b"\x89PNG")  # the fake's unscripted image answer
    [sent] = fake_vertex.calls("generateContent")
    assert sent.json["contents"][0]["parts"] == [{"text": "An empty diner"}]
    assert sent.json["generationConfig"]["imageConfig"] == {"aspectRatio": "9:16"}
    assert "seed" not in sent.json["generationConfig"]


def test_an_answer_without_an_image_is_permanent_and_quotes_the_model(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_generate_content(MODEL, [{"text": "I can only describe this scene, not draw it."}])

    with pytest.raises(PermanentProviderError) as caught:
        provider(fake_vertex).generate(ImageRequest(prompt="A diner"))
    assert caught.value.kind == "failed"
    assert "I can only describe this scene, not draw it." in caught.value.reason


def test_blocked_prompts_and_withheld_images_are_safety_failures(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_generate_content(
        MODEL, [{"block_reason": "PROHIBITED_CONTENT"}, {"finish_reason": "IMAGE_SAFETY"}]
    )
    gemini = provider(fake_vertex)

    reasons = []
    for _ in range(2):
        with pytest.raises(PermanentProviderError) as caught:
            gemini.generate(ImageRequest(prompt="A diner"))
        assert caught.value.kind == "safety"
        reasons.append(caught.value.reason)
    assert reasons[0] == "The image model refused the prompt: PROHIBITED_CONTENT"
    assert reasons[1].startswith("The image model withheld the image (IMAGE_SAFETY)")


def test_server_errors_are_transient_and_bad_requests_permanent(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_generate_content(
        MODEL, [{"status": 500}, {"status": 429}, {"status": 400, "message": "Bad image."}]
    )
    gemini = provider(fake_vertex)

    for _ in range(2):
        with pytest.raises(TransientProviderError):
            gemini.generate(ImageRequest(prompt="A diner"))
    with pytest.raises(PermanentProviderError, match="Bad image."):
        gemini.generate(ImageRequest(prompt="A diner"))
    assert len(fake_vertex.calls("generateContent")) == 3
