"""The fake Vertex AI server itself: error shapes, scripting, recording, standalone mode, tiny media."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import av
import httpx
import pytest
from google.genai import types
from pydantic import BaseModel

from rushes.providers.vertex import make_client
from tests.fakes.media import tiny_mp4
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env, vertex_settings  # noqa: F401
from tests.fakes.vertex_server import FakeVertex

PREFIX = "/v1/projects/p/locations/us-central1/publishers/google/models"
AUTH = {"Authorization": "Bearer fake-token"}
REPO = Path(__file__).resolve().parents[2]


def post(fake: FakeVertex, path: str, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(fake.base_url + path, json=body, headers=AUTH if headers is None else headers, timeout=10)


def test_missing_or_wrong_token_is_401_in_googles_shape(fake_vertex: FakeVertex) -> None:
    for headers in ({}, {"Authorization": "Bearer other"}):
        answer = post(fake_vertex, f"{PREFIX}/gemini-2.5-flash:generateContent", {"contents": []}, headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["status"] == "UNAUTHENTICATED"
    assert [r.token for r in fake_vertex.requests] == [None, "other"]


def test_unknown_operations_and_paths_are_404_in_googles_shape(fake_vertex: FakeVertex) -> None:
    name = "projects/p/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/42"
    answer = post(fake_vertex, f"{PREFIX}/veo-3.1-generate-001:fetchPredictOperation", {"operationName": name})
    assert answer.status_code == 404
    assert answer.json()["error"] == {"code": 404, "message": f"Operation {name!r} not found.", "status": "NOT_FOUND"}
    assert post(fake_vertex, "/v1beta1/somewhere/else", {}).json()["error"]["code"] == 404


def test_operation_lifecycle_over_raw_http(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(polls_until_done=2, outcome="error", error_message="nope")
    body = {"instances": [{"prompt": "x"}], "parameters": {"durationSeconds": 4, "sampleCount": 1}}
    name = post(fake_vertex, f"{PREFIX}/veo-3.1-generate-001:predictLongRunning", body).json()["name"]
    fetch = f"{PREFIX}/veo-3.1-generate-001:fetchPredictOperation"

    assert post(fake_vertex, fetch, {"operationName": name}).json() == {"name": name}
    assert post(fake_vertex, fetch, {"operationName": name}).json() == {
        "name": name, "done": True, "error": {"code": 3, "message": "nope"}
    }
    # Polling through another model's path does not find it, as on Vertex.
    other_model = f"{PREFIX}/veo-3.0-generate-001:fetchPredictOperation"
    assert post(fake_vertex, other_model, {"operationName": name}).status_code == 404


def test_the_fake_rejects_what_vertex_rejects(fake_vertex: FakeVertex) -> None:
    lpath = f"{PREFIX}/veo-3.0-generate-001:predictLongRunning"
    frame = {"bytesBase64Encoded": "AAAA", "mimeType": "image/png"}
    last = post(fake_vertex, lpath, {"instances": [{"prompt": "x", "lastFrame": frame}], "parameters": {}})
    assert last.status_code == 400 and last.json()["error"]["status"] == "FAILED_PRECONDITION"
    odd = post(fake_vertex, lpath, {"instances": [{"prompt": "x"}], "parameters": {"durationSeconds": 5}})
    assert odd.status_code == 400
    assert fake_vertex.operations == {}


class Verdict(BaseModel):
    stage: int
    reason: str


def test_scripted_json_text_feeds_structured_output_through_the_sdk(fake_vertex: FakeVertex) -> None:
    seen: list[dict] = []

    def answer(body: dict) -> dict:
        seen.append(body)
        return {"json": {"stage": 9, "reason": "The line is wrong in the audio prompt."}}

    fake_vertex.script_generate_content("gemini-2.5-flash", [answer, {"status": 503}])
    client = make_client(vertex_settings(fake_vertex))
    config = types.GenerateContentConfig(response_mime_type="application/json", response_schema=Verdict)

    response = client.models.generate_content(
        model="gemini-2.5-flash", contents="Mara says the wrong line", config=config
    )

    assert response.parsed == Verdict(stage=9, reason="The line is wrong in the audio prompt.")
    assert seen[0]["generationConfig"]["responseMimeType"] == "application/json"
    assert seen[0]["contents"][0]["parts"] == [{"text": "Mara says the wrong line"}]
    with pytest.raises(Exception, match="503"):
        client.models.generate_content(model="gemini-2.5-flash", contents="again", config=config)
    # Unscripted text models answer with default_text.
    fake_vertex.default_text = '{"stage": 7, "reason": "default"}'
    assert client.models.generate_content(model="gemini-2.5-flash", contents="x", config=config).parsed.stage == 7


def test_wildcard_scripts_and_delays(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_generate_content("*", [{"delay": 0.3, "text": "slow"}])
    client = make_client(vertex_settings(fake_vertex))
    started = time.monotonic()
    assert client.models.generate_content(model="any-model", contents="x").text == "slow"
    assert time.monotonic() - started >= 0.3


def test_tiny_mp4_is_real_h264_and_aac_of_the_asked_length() -> None:
    data = tiny_mp4(duration=4, fps=24, size=(320, 180))
    with av.open(io.BytesIO(data)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, audio.codec_context.name) == ("h264", "aac")
        assert (video.codec_context.width, video.codec_context.height) == (320, 180)
        assert abs(float(container.duration) / av.time_base - 4) < 0.1
        assert sum(1 for _ in container.decode(video=0)) == 96


def test_standalone_mode_serves_the_same_protocol(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOOGLE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.vertex_server", "--port", str(port), "--polls-until-done", "1"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}{PREFIX}/veo-3.1-fast-generate-001"
        deadline = time.monotonic() + 20
        while True:
            try:
                submitted = httpx.post(f"{url}:predictLongRunning", json={"instances": [{"prompt": "x"}]}, headers=AUTH)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline and process.poll() is None, "standalone server did not start"
                time.sleep(0.1)
        name = submitted.json()["name"]
        done = httpx.post(f"{url}:fetchPredictOperation", json={"operationName": name}, headers=AUTH, timeout=20).json()
        assert done["done"] is True and done["response"]["videos"][0]["mimeType"] == "video/mp4"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_fake_serves_v1_and_answers_ga_veo_on_v1beta1_as_vertex_is_reported_to(fake_vertex: FakeVertex) -> None:
    body = {"instances": [{"prompt": "x"}], "parameters": {"durationSeconds": 4, "sampleCount": 1}}
    beta = PREFIX.replace("/v1/", "/v1beta1/") + "/veo-3.1-fast-generate-001:predictLongRunning"
    refused = post(fake_vertex, beta, body)
    assert refused.status_code == 400 and "RESOURCE_PROJECT_INVALID" in refused.json()["error"]["message"]
    assert post(fake_vertex, PREFIX + "/veo-3.1-fast-generate-001:predictLongRunning", body).status_code == 200
    assert post(fake_vertex, PREFIX.replace("/v1/", "/v9/") + "/x:generateContent", {}).status_code == 404
    assert fake_vertex.versions == {"v1beta1": 1, "v1": 1, "v9": 1}


def test_model_metadata_through_the_sdk_knows_ga_models_and_not_retired_ones(fake_vertex: FakeVertex) -> None:
    from google.genai import errors

    client = make_client(vertex_settings(fake_vertex))
    found = client.models.get(model="veo-3.1-generate-001")
    assert found.name == "publishers/google/models/veo-3.1-generate-001" and found.version == "001"
    with pytest.raises(errors.ClientError) as missing:
        client.models.get(model="veo-3.0-generate-001")
    assert missing.value.code == 404
    assert [(r.method, r.path) for r in fake_vertex.requests] == [
        ("GET", "/v1/publishers/google/models/veo-3.1-generate-001"),
        ("GET", "/v1/publishers/google/models/veo-3.0-generate-001"),
    ]
    assert fake_vertex.submissions == []  # a metadata call is never a render
