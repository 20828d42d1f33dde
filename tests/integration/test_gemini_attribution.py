"""GeminiAttributor through the real google-genai SDK against the local fake Vertex AI server."""

from __future__ import annotations

import time

import pytest

from rushes.providers.attribution.base import AttributionRequest, ElementLook, ShotContext
from rushes.providers.attribution.factory import UnconfiguredGemini, make_attributor
from rushes.providers.attribution.gemini import GeminiAttributor
from rushes.providers.attribution.local import LocalAttributor
from rushes.providers.vertex import make_client
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env, vertex_settings  # noqa: F401
from tests.fakes.vertex_server import FakeVertex

MODEL = "gemini-2.5-flash"
REQUEST = AttributionRequest(
    description="mara's scarf jumps from red to blue between 2A and 2B",
    category="visual_continuity",
    shot=ShotContext(code="2B", action="Mara turns to the door", characters=("Mara",), camera="slow push in",
                     dialogue="Mara: Who's there?",
                     visual_states=(ElementLook("character", "Mara", "thirties, red scarf, dark curls"),)),
    neighbours=(ShotContext(code="2A", dialogue="Theo: Don't open it."), ShotContext(code="2C")),
    scene_elements=("Mara", "red scarf"),
    shot_time=0.2,
)
GOOD = {
    "stage": "10",
    "category": "visual_continuity",
    "shots": ["2A", "2B"],
    "fields": ["start_frame"],
    "confidence": 0.82,
    "reason": '"jumps from red to blue" is a continuity break between the anchor frames',
}


@pytest.fixture(scope="module")
def local() -> LocalAttributor:
    return LocalAttributor()


def gemini(fake: FakeVertex, local: LocalAttributor, timeout: float = 5.0) -> GeminiAttributor:
    client = make_client(vertex_settings(fake), timeout_ms=int(timeout * 1000))
    return GeminiAttributor(client, MODEL, fallback=local, timeout=timeout)


def test_structured_answer_is_validated_and_returned(fake_vertex: FakeVertex, local: LocalAttributor) -> None:
    fake_vertex.script_generate_content(MODEL, [{"json": GOOD}])

    out = gemini(fake_vertex, local).attribute(REQUEST)

    assert (out.stage, out.category, out.source) == (10, "visual_continuity", "gemini")
    assert out.shots == ("2A", "2B") and out.fields == ("start_frame",) and out.confidence == 0.82
    [sent] = fake_vertex.calls("generateContent")
    assert sent.path.endswith(f"/publishers/google/models/{MODEL}:generateContent")
    assert sent.token == "fake-token"
    config = sent.json["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    schema = config["responseSchema"]
    assert schema["properties"]["stage"]["enum"] == ["7", "8", "9", "10", "none"]
    assert set(schema["required"]) == {"stage", "category", "confidence", "reason"}
    prompt = sent.json["contents"][0]["parts"][0]["text"]
    assert REQUEST.description in prompt and "code 2B" in prompt and "visual_continuity" in prompt
    assert "stage 8" in sent.json["systemInstruction"]["parts"][0]["text"]
    # the scene goes with the note: the shot's line and look, the neighbours' lines, the cut
    assert "dialogue: Mara: Who's there?" in prompt and "character Mara: thirties, red scarf" in prompt
    assert "Theo: Don't open it." in prompt and "camera: slow push in" in prompt
    assert "Pinned at 0.2 s into the shot (on a cut)" in prompt


def test_gemini_may_say_it_cannot_tell(fake_vertex: FakeVertex, local: LocalAttributor) -> None:
    answer = {"stage": "none", "category": None, "confidence": 0.7, "reason": '"asdf" names nothing to fix'}
    fake_vertex.script_generate_content(MODEL, [{"json": answer}])
    out = gemini(fake_vertex, local).attribute(REQUEST)
    assert (out.stage, out.source, out.shots, out.fields) == (None, "gemini", (), ())
    assert out.category == "visual_continuity"  # the user's pick is kept; the stage is theirs to choose
    assert out.as_dict()["stage"] is None


def test_quota_error_falls_back_to_local_and_says_so(fake_vertex: FakeVertex, local: LocalAttributor) -> None:
    fake_vertex.script_generate_content(MODEL, [{"status": 429}])

    out = gemini(fake_vertex, local).attribute(REQUEST)

    assert out.reason.startswith("Gemini unavailable (429 RESOURCE_EXHAUSTED); local: ")
    assert out.source == "local" and out.stage == 10 and out.extra["fallback_from"] == "gemini"
    assert len(fake_vertex.calls("generateContent")) == 1  # no silent retries


def test_server_error_falls_back(fake_vertex: FakeVertex, local: LocalAttributor) -> None:
    fake_vertex.script_generate_content(MODEL, [{"status": 503}])
    out = gemini(fake_vertex, local).attribute(REQUEST)
    assert out.reason.startswith("Gemini unavailable (503 UNAVAILABLE); local: ")


def test_timeout_falls_back(fake_vertex: FakeVertex, local: LocalAttributor) -> None:
    fake_vertex.script_generate_content(MODEL, [{"delay": 3, "json": GOOD}])
    started = time.monotonic()
    out = gemini(fake_vertex, local, timeout=0.5).attribute(REQUEST)
    assert time.monotonic() - started < 2.5
    assert out.reason.startswith("Gemini unavailable (timeout); local: ")
    assert out.source == "local"


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ({"text": "I think it's the frames, stage 10."}, "not JSON"),
        ({"json": {**GOOD, "stage": "12"}}, "stage"),
        ({"json": {**GOOD, "confidence": 1.7}}, "confidence"),
        ({"json": {k: v for k, v in GOOD.items() if k != "reason"}}, "reason"),
        ({"json": {**GOOD, "category": "timing"}}, "does not route"),
        ({"json": {**GOOD, "category": "lighting"}}, "category"),
        ({"json": {**GOOD, "category": None}}, "needs a category"),
    ],
)
def test_invalid_answers_fall_back(fake_vertex: FakeVertex, local: LocalAttributor, answer: dict, why: str) -> None:
    fake_vertex.script_generate_content(MODEL, [answer])

    out = gemini(fake_vertex, local).attribute(REQUEST)

    assert out.reason.startswith("Gemini unavailable (invalid answer: ")
    assert why in out.reason.split("; local: ")[0]
    assert out.source == "local" and 0 <= out.confidence <= 1


@pytest.mark.parametrize(
    ("answer", "why"),
    [({"block_reason": "SAFETY"}, "prompt blocked: SAFETY"), ({"finish_reason": "SAFETY"}, "answer blocked: SAFETY")],
)
def test_safety_blocks_fall_back(fake_vertex: FakeVertex, local: LocalAttributor, answer: dict, why: str) -> None:
    fake_vertex.script_generate_content(MODEL, [answer])
    out = gemini(fake_vertex, local).attribute(REQUEST)
    assert out.reason.startswith(f"Gemini unavailable ({why}); local: ") and out.source == "local"


def test_factory_builds_gemini_from_settings(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_generate_content(MODEL, [{"json": {**GOOD, "stage": 8, "fields": ["character:Mara"]}}])
    attributor = make_attributor(vertex_settings(fake_vertex, attribution="gemini", gemini_text_model=MODEL))
    assert isinstance(attributor, GeminiAttributor)
    out = attributor.attribute(REQUEST)
    assert (out.stage, out.source, out.fields) == (8, "gemini", ("character:Mara",))


def test_factory_without_a_project_falls_back_with_the_reason(vertex_env: None) -> None:
    settings = vertex_settings(attribution="gemini", vertex_project=None)
    attributor = make_attributor(settings)
    assert isinstance(attributor, UnconfiguredGemini)
    out = attributor.attribute(REQUEST)
    assert out.reason.startswith("Gemini unavailable (No Google Cloud project configured")
    assert out.source == "local" and out.stage == 10


def test_factory_defaults_to_local(vertex_env: None) -> None:
    assert isinstance(make_attributor(vertex_settings()), LocalAttributor)


def test_prompt_carries_the_routing_spec_and_the_cut(fake_vertex: FakeVertex, local: LocalAttributor) -> None:
    """Gemini is told DESIGN.md's routing spec and what differs across each cut, and a camera note
    answered at stage 7 (the camera is a shot-list field) is accepted with its camera field."""
    from rushes.providers.attribution.spec import ROUTING_SPEC, SPEC_KEYS

    camera_note = AttributionRequest(
        description="the push in never happens, it just sits static on her",
        shot=ShotContext(code="2B", characters=("Mara", "Theo"), camera="slow push in",
                         visual_states=(ElementLook("character", "Mara", "red scarf"),)),
        neighbours=(ShotContext(code="2A", characters=("Mara",), camera="wide, static",
                                visual_states=(ElementLook("character", "Mara", "red scarf"),)),
                    ShotContext(code="2C", characters=("Theo",), camera="close-up on Theo")),
        scene_elements=("Mara", "Theo"), shot_time=3.0)
    answer = {"stage": "7", "category": "narrative_structure", "shots": ["2B"], "fields": ["camera"],
              "confidence": 0.9, "reason": '"the push in never happens" is the shot list\'s camera'}
    fake_vertex.script_generate_content(MODEL, [{"json": answer}])

    out = gemini(fake_vertex, local).attribute(camera_note)

    assert (out.stage, out.category, out.fields, out.source) == (7, "narrative_structure", ("camera",), "gemini")
    [sent] = fake_vertex.calls("generateContent")
    system = sent.json["systemInstruction"]["parts"][0]["text"]
    assert ROUTING_SPEC in system
    flat = " ".join(system.split())
    assert all(phrase in flat for phrases in SPEC_KEYS.values() for phrase in phrases)
    prompt = sent.json["contents"][0]["parts"][0]["text"]
    assert "Across the cuts:" in prompt
    assert "2A -> 2B: in both shots: Mara" in prompt and "enters: Theo" in prompt
    assert "camera changes from 'wide, static' to 'slow push in'" in prompt
    assert "defined looks on both sides: Mara" in prompt
    assert "2B -> 2C: in both shots: Theo" in prompt and "leaves: Mara" in prompt
    assert "Pinned at 3.0 s into the shot" in prompt and "(on a cut)" not in prompt
