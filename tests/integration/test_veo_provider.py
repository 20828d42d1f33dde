"""VeoVideoProvider through the real google-genai SDK against the local fake Vertex AI server."""

from __future__ import annotations

import io
import socket
import time

import av
import pytest

from rushes.providers.errors import OperationNotFound, PermanentProviderError, TransientProviderError
from rushes.providers.vertex import make_client, submission_uncertain
from rushes.providers.video.base import VideoRequest
from rushes.providers.video.veo import VeoVideoProvider
from tests.fakes.media import tiny_mp4, tiny_png
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env, vertex_settings  # noqa: F401
from tests.fakes.vertex_server import FakeVertex, decode_b64

START = tiny_png(color=(10, 120, 200))
END = tiny_png(color=(220, 30, 30))
MODEL = "veo-3.1-fast-generate-001"


def shot(**overrides: object) -> VideoRequest:
    values: dict[str, object] = {
        "prompt": "[Wide] Mara crosses the rooftop. Style: noir. Audio: rain. Mara speaks: \"Late again.\"",
        "start_frame": START,
        "duration_seconds": 8,
        "shot_code": "3A",
        "model": MODEL,
    }
    values.update(overrides)
    return VideoRequest(**values)  # type: ignore[arg-type]


def provider(fake: FakeVertex, **settings: object) -> VeoVideoProvider:
    return VeoVideoProvider.from_settings(vertex_settings(fake, **settings))


def poll_until_done(veo: VeoVideoProvider, name: str, limit: int = 10) -> tuple[int, bytes]:
    for attempt in range(1, limit + 1):
        status = veo.poll(name)
        if status.done:
            assert status.video is not None
            return attempt, status.video
    raise AssertionError(f"not done after {limit} polls")


def test_submit_sends_first_and_last_frame_render_as_veo_expects(fake_vertex: FakeVertex) -> None:
    veo = provider(fake_vertex, veo_negative_prompt="text overlays")
    name = veo.submit(shot(end_frame=END, seed=1234, resolution="1080p", generate_audio=False))

    assert name.startswith(f"projects/test-project/locations/us-central1/publishers/google/models/{MODEL}/operations/")
    [sent] = fake_vertex.submissions
    assert sent.method == "POST"
    model_path = f"/v1/projects/test-project/locations/us-central1/publishers/google/models/{MODEL}"
    assert sent.path == f"{model_path}:predictLongRunning"
    assert sent.headers["authorization"] == "Bearer fake-token"
    [instance] = sent.json["instances"]
    assert instance["prompt"].startswith("[Wide] Mara crosses the rooftop.")
    assert decode_b64(instance["image"]["bytesBase64Encoded"]) == START
    assert instance["image"]["mimeType"] == "image/png"
    assert decode_b64(instance["lastFrame"]["bytesBase64Encoded"]) == END
    assert sent.json["parameters"] == {
        "sampleCount": 1,
        "durationSeconds": 8,
        "generateAudio": False,
        "aspectRatio": "16:9",
        "resolution": "1080p",
        "negativePrompt": "text overlays",
        "seed": 1234,
    }


def test_start_frame_only_shot_sends_no_last_frame(fake_vertex: FakeVertex) -> None:
    provider(fake_vertex).submit(shot(duration_seconds=6, aspect_ratio="9:16", negative_prompt="blur"))

    [sent] = fake_vertex.submissions
    assert "lastFrame" not in sent.json["instances"][0]
    params = sent.json["parameters"]
    assert (params["durationSeconds"], params["aspectRatio"], params["generateAudio"]) == (6, "9:16", True)
    assert params["negativePrompt"] == "blur" and params["sampleCount"] == 1
    assert "seed" not in params and "storageUri" not in params


def test_render_finishes_after_several_polls_with_a_playable_mp4(fake_vertex: FakeVertex) -> None:
    clip = tiny_mp4(duration=4, fps=12)
    fake_vertex.script_operation(polls_until_done=3, outcome="video", video_bytes=clip)
    veo = provider(fake_vertex)
    name = veo.submit(shot(duration_seconds=4))

    attempts, video = poll_until_done(veo, name)

    assert attempts == 3 and video == clip
    assert [p.json for p in fake_vertex.polls] == [{"operationName": name}] * 3
    assert fake_vertex.polls[0].path.endswith(f"/models/{MODEL}:fetchPredictOperation")
    with av.open(io.BytesIO(video)) as container:
        assert {s.type for s in container.streams} == {"video", "audio"}


def test_quota_429_on_submit_is_transient_with_the_servers_hint_and_sent_once(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_submit([{"status": 429, "retry_after": 7}, 429])
    veo = provider(fake_vertex)

    with pytest.raises(TransientProviderError) as first:
        veo.submit(shot())
    assert len(fake_vertex.submissions) == 1  # the SDK did not retry on its own
    assert first.value.retry_after == 7.0
    assert "429" in first.value.reason and "Quota exceeded" in first.value.reason

    with pytest.raises(TransientProviderError) as second:
        veo.submit(shot())
    assert not submission_uncertain(second.value)
    assert second.value.retry_after == 30.0  # no hint: wait out the per-minute quota
    assert len(fake_vertex.submissions) == 2
    assert fake_vertex.operations == {}


def test_server_error_on_poll_is_transient_and_does_not_lose_the_render(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(polls_until_done=1)
    veo = provider(fake_vertex)
    name = veo.submit(shot())
    fake_vertex.script_poll([500, 503])

    for _ in range(2):
        with pytest.raises(TransientProviderError):
            veo.poll(name)
    assert len(fake_vertex.polls) == 2  # one request per poll: no hidden retries either
    assert veo.poll(name).done


def test_safety_filtered_render_fails_for_good_with_googles_reason(fake_vertex: FakeVertex) -> None:
    reason = "The video was filtered because the prompt may depict a real person (support code 29310472)."
    fake_vertex.script_operation(polls_until_done=2, outcome="safety", safety_reasons=[reason])
    veo = provider(fake_vertex)
    name = veo.submit(shot())
    assert not veo.poll(name).done

    with pytest.raises(PermanentProviderError) as caught:
        veo.poll(name)
    # Plain words first, the support code and Google's own text kept.
    assert caught.value.kind == "safety"
    assert caught.value.reason.startswith("Veo's safety filters refused this shot for a celebrity or real public "
                                          "figure (support code 29310472).")
    assert caught.value.reason.endswith("Veo said: " + reason)


def test_a_prompt_refused_before_generation_names_its_support_code_in_words(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(outcome="error", error_code=3, error_message=(
        "The prompt could not be submitted. This prompt contains words that violate Vertex AI's usage "
        "guidelines. Support codes: 61493863"))
    veo = provider(fake_vertex)
    with pytest.raises(PermanentProviderError) as refused:
        veo.poll(veo.submit(shot()))
    assert refused.value.kind == "safety"
    assert "for violence (support code 61493863)" in refused.value.reason


def test_failed_operation_is_permanent_with_the_servers_message(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(outcome="error", error_code=13, error_message="Video generation failed: internal.")
    fake_vertex.script_operation(
        outcome="error", error_code=3, error_message="The prompt violates Vertex AI's usage guidelines."
    )
    veo = provider(fake_vertex)

    with pytest.raises(PermanentProviderError) as failed:
        veo.poll(veo.submit(shot()))
    assert failed.value.kind == "failed"
    assert "Video generation failed: internal." in failed.value.reason and "code 13" in failed.value.reason

    with pytest.raises(PermanentProviderError) as refused:
        veo.poll(veo.submit(shot()))
    assert refused.value.kind == "safety" and "usage guidelines" in refused.value.reason


def test_empty_video_raises_corrupt_and_unreadable_bytes_are_handed_to_the_probe(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(outcome="empty")
    fake_vertex.script_operation(outcome="corrupt")
    fake_vertex.script_operation(outcome="novideo")
    veo = provider(fake_vertex)

    with pytest.raises(PermanentProviderError) as empty:
        veo.poll(veo.submit(shot()))
    assert empty.value.kind == "corrupt"

    status = veo.poll(veo.submit(shot()))
    assert status.done and status.video
    with pytest.raises(av.error.InvalidDataError):  # what media probing will say about it
        av.open(io.BytesIO(status.video))

    with pytest.raises(PermanentProviderError) as nothing:
        veo.poll(veo.submit(shot()))
    assert nothing.value.kind == "failed" and "no video" in nothing.value.reason


def test_gcs_result_is_fetched_through_the_injected_downloader(fake_vertex: FakeVertex) -> None:
    clip = tiny_mp4(duration=4, fps=12)
    fake_vertex.script_operation(outcome="gcs", video_bytes=clip)
    fake_vertex.script_operation(outcome="gcs", video_bytes=clip)
    fetched: list[str] = []

    def download(uri: str) -> bytes:
        fetched.append(uri)
        return fake_vertex.gcs_objects[uri]

    veo = VeoVideoProvider.from_settings(vertex_settings(fake_vertex), gcs_download=download)
    status = veo.poll(veo.submit(shot()))
    assert status.video == clip
    assert fetched and fetched[0].startswith("gs://fake-bucket/") and fetched[0].endswith(".mp4")

    def flaky(uri: str) -> bytes:
        raise ConnectionResetError("storage hiccup")

    with pytest.raises(TransientProviderError, match="storage hiccup"):
        VeoVideoProvider.from_settings(vertex_settings(fake_vertex), gcs_download=flaky).poll(veo.submit(shot()))


def test_gcs_result_without_a_gcs_media_store_explains_what_to_set(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(outcome="gcs")
    veo = provider(fake_vertex)

    with pytest.raises(PermanentProviderError, match="RUSHES_MEDIA_URL=gs://"):
        veo.poll(veo.submit(shot()))


def test_a_new_client_resumes_polling_by_the_stored_operation_name(fake_vertex: FakeVertex) -> None:
    clip = tiny_mp4(duration=4, fps=12)
    fake_vertex.script_operation(polls_until_done=3, video_bytes=clip)
    first = provider(fake_vertex)
    stored_name = first.submit(shot())
    assert not first.poll(stored_name).done
    del first  # the worker process dies here

    resumed = VeoVideoProvider(make_client(vertex_settings(fake_vertex)), MODEL)
    attempts, video = poll_until_done(resumed, stored_name)

    assert video == clip and attempts == 2
    assert len(fake_vertex.submissions) == 1


def test_unknown_operation_is_not_found(fake_vertex: FakeVertex) -> None:
    veo = provider(fake_vertex)
    missing = f"projects/test-project/locations/us-central1/publishers/google/models/{MODEL}/operations/nope"

    with pytest.raises(OperationNotFound) as caught:
        veo.poll(missing)
    assert caught.value.kind == "not_found" and "nope" in caught.value.reason
    assert len(fake_vertex.polls) == 1

    with pytest.raises(OperationNotFound):
        veo.poll("not-an-operation")
    assert len(fake_vertex.polls) == 1


def test_invalid_shots_are_refused_before_anything_is_sent(fake_vertex: FakeVertex) -> None:
    veo = provider(fake_vertex)
    bad = [
        shot(duration_seconds=5),
        shot(duration_seconds=9),
        shot(aspect_ratio="4:3"),
        shot(resolution="4k"),
        shot(start_frame=b""),
        shot(prompt="  "),
        shot(end_frame=END, model="veo-3.0-generate-001"),
    ]
    for request in bad:
        with pytest.raises(PermanentProviderError) as caught:
            veo.submit(request)
        assert caught.value.kind == "invalid" and caught.value.reason.startswith("Shot 3A: ")
    assert fake_vertex.requests == []


def test_a_retired_model_is_refused_before_sending_naming_the_valid_ones(fake_vertex: FakeVertex) -> None:
    veo = VeoVideoProvider(make_client(vertex_settings(fake_vertex)), "veo-3.0-generate-001")
    # The provider's own model stands in for "mock"; a request naming a preview id is refused too.
    for model, why in (("mock", "discontinued on 2026-06-30"), ("veo-3.1-fast-generate-preview", "removed")):
        with pytest.raises(PermanentProviderError) as caught:
            veo.submit(shot(model=model))
        assert caught.value.kind == "invalid" and why in caught.value.reason
        assert "use one of: veo-3.1-generate-001, veo-3.1-fast-generate-001" in caught.value.reason
    assert fake_vertex.requests == []


def test_client_errors_are_permanent_with_the_servers_message(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_submit([{"status": 400, "message": "Image is too large."}])
    with pytest.raises(PermanentProviderError) as caught:
        provider(fake_vertex).submit(shot())
    assert caught.value.kind == "invalid" and "Image is too large." in caught.value.reason

    with pytest.raises(PermanentProviderError) as unauthenticated:
        provider(fake_vertex, vertex_token="stale-token").submit(shot())
    assert "401" in unauthenticated.value.reason
    assert fake_vertex.submissions[-1].token == "stale-token"


def test_unreachable_server_is_transient(vertex_env: None) -> None:
    with socket.socket() as probe:  # a port nothing listens on once this socket closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    veo = VeoVideoProvider.from_settings(vertex_settings(vertex_base_url=f"http://127.0.0.1:{port}", vertex_token="t"))
    name = f"projects/test-project/locations/us-central1/publishers/google/models/{MODEL}/operations/1"

    with pytest.raises(TransientProviderError, match="network error") as refused:
        veo.submit(shot())
    assert not submission_uncertain(refused.value)  # nothing reached Vertex: safe to submit again
    with pytest.raises(TransientProviderError):
        veo.poll(name)


def test_a_server_slower_than_the_client_timeout_is_transient(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_submit([{"delay": 1.0}])
    veo = VeoVideoProvider(make_client(vertex_settings(fake_vertex), timeout_ms=300), MODEL)

    started = time.monotonic()
    with pytest.raises(TransientProviderError, match="timed out") as lost:
        veo.submit(shot())
    assert submission_uncertain(lost.value)
    assert time.monotonic() - started < 0.9
    # The server still accepted it: exactly the case the worker's "submitting" state guards against.
    deadline = time.monotonic() + 5
    while not fake_vertex.operations and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(fake_vertex.operations) == 1 and len(fake_vertex.submissions) == 1


def test_api_version_and_environment_fallbacks_reach_the_path(
    fake_vertex: FakeVertex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "env-project")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "europe-west4")
    settings = vertex_settings(fake_vertex, vertex_project=None, vertex_location=None)
    name = VeoVideoProvider.from_settings(settings).submit(shot())

    # v1 without being asked: the SDK alone would send v1beta1.
    assert fake_vertex.submissions[0].path.startswith("/v1/projects/env-project/locations/europe-west4/")
    assert name.startswith("projects/env-project/locations/europe-west4/")


def test_the_api_version_is_configurable_and_v1beta1_fails_as_reported_for_ga_veo(fake_vertex: FakeVertex) -> None:
    veo = VeoVideoProvider.from_settings(vertex_settings(fake_vertex, vertex_api_version="v1beta1"))
    with pytest.raises(PermanentProviderError) as refused:
        veo.submit(shot())
    assert "RESOURCE_PROJECT_INVALID" in refused.value.reason
    assert [r.path.split("/")[1] for r in fake_vertex.submissions] == ["v1beta1"]
    assert fake_vertex.operations == {}
