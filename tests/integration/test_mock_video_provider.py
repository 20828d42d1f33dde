"""MockVideoProvider: disk-persisted operations, resumable polling, real clips, fault injection."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from rushes.clock import FakeClock
from rushes.media.probe import CorruptClip, probe_clip, validate_clip
from rushes.media.voice import dialogue_windows
from rushes.providers.errors import OperationNotFound, PermanentProviderError, TransientProviderError
from rushes.providers.video.base import DialogueLine, VideoRequest
from rushes.providers.video.mock import MockVideoProvider
from rushes.settings import Settings

LINES = (DialogueLine("Mara", "We should not be here after dark."), DialogueLine("Theo", "Then why the lantern?"))


def _frame(color: tuple[int, int, int], size: tuple[int, int] = (1280, 720)) -> bytes:
    image = Image.new("RGB", size, color)
    image.paste((255, 255, 255), (size[0] // 3, size[1] // 3, size[0] // 2, size[1] // 2))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _request(**changes: object) -> VideoRequest:
    base: dict[str, object] = dict(
        prompt="[Wide] Mara lifts the lantern. Style: noir",
        start_frame=_frame((150, 60, 40)),
        end_frame=_frame((40, 60, 150)),
        duration_seconds=8,
        shot_code="3A",
        dialogue=LINES,
        seed=7,
    )
    base.update(changes)
    return VideoRequest(**base)  # type: ignore[arg-type]


def _done(provider: MockVideoProvider, name: str):
    status = provider.poll(name)
    assert status.done, "an operation whose latency has passed is done at the first poll"
    return status


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, bytes]:
    """One 8 s shot submitted by one provider and collected by a fresh one (as after a crash)."""
    state = tmp_path_factory.mktemp("ops")
    # The render's latency passes when the test says, not on the wall clock; the clock starts in the past
    # so providers reading the wall clock (a fresh one, another process) find the render done too.
    clock = FakeClock(start=time.time() - 60)
    first = MockVideoProvider(state, latency_seconds=0.6, clock=clock)
    name = first.submit(_request())
    status = first.poll(name)
    assert not status.done and status.progress == 0
    clock.advance(0.3)
    assert first.poll(name).progress == 0.5
    del first
    second = MockVideoProvider(state, latency_seconds=99, clock=clock)  # latency is the submitter's, stored on disk
    clock.advance(0.31)
    done = _done(second, name)
    assert done.video
    return state, name, done.video


def test_operation_name_and_state_on_disk(rendered: tuple[Path, str, bytes]) -> None:
    state, name, _ = rendered
    assert name.startswith("mock-operations/")
    op_dir = state / name.split("/", 1)[1]
    record = json.loads((op_dir / "request.json").read_text())
    assert record["shot_code"] == "3A" and record["duration_seconds"] == 8
    assert (op_dir / "start.img").read_bytes() == _request().start_frame


def test_clip_is_real_h264_aac_with_matching_durations(rendered: tuple[Path, str, bytes]) -> None:
    _, _, clip = rendered
    probe = probe_clip(clip)
    validate_clip(probe, expected_duration=8)
    assert (probe.width, probe.height, probe.fps) == (1280, 720, 24)
    assert (probe.video_codec, probe.audio_codec) == ("h264", "aac")
    assert probe.frame_count == 192
    assert probe.video_duration_seconds == pytest.approx(8.0, abs=1 / 48)
    assert probe.audio_duration_seconds == pytest.approx(8.0, abs=1 / 48)
    assert probe.audio_sample_rate == 48000


def test_clip_is_streamable_and_seekable(rendered: tuple[Path, str, bytes]) -> None:
    _, _, clip = rendered
    assert 0 < clip.find(b"moov") < clip.find(b"mdat")  # faststart: index before the data
    with av.open(io.BytesIO(clip)) as container:
        video = container.streams.video[0]
        assert video.codec_context.pix_fmt == "yuv420p"
        audio = container.streams.audio[0]
        assert audio.start_time == 0 and video.start_time == 0
        keys = [i for i, packet in enumerate(p for p in container.demux(video) if p.size) if packet.is_keyframe]
    assert keys == list(range(0, 192, 24))


def test_dialogue_is_audible_in_its_windows(rendered: tuple[Path, str, bytes]) -> None:
    _, _, clip = rendered
    with av.open(io.BytesIO(clip)) as container:
        chunks = [f.to_ndarray() for f in container.decode(audio=0)]
    samples = np.concatenate(chunks, axis=1).mean(axis=0)
    rate = 48000
    windows = dialogue_windows(8.0, [(d.speaker, d.line) for d in LINES])
    assert len(windows) == 2
    inside = [samples[int(w.start * rate) : int(w.end * rate)] for w in windows]
    # Between the lines, away from the window edges.
    gap = samples[int((windows[0].end + 0.2) * rate) : int((windows[1].start - 0.2) * rate)]
    lead = samples[int(0.05 * rate) : int((windows[0].start - 0.1) * rate)]

    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))

    quiet = max(rms(gap), rms(lead))
    for spoken in inside:
        assert rms(spoken) > 0.05
        assert rms(spoken) > 10 * quiet


def test_first_and_last_pictures_are_the_anchors(rendered: tuple[Path, str, bytes]) -> None:
    _, _, clip = rendered
    with av.open(io.BytesIO(clip)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    # The badge and subtitles cover the corners and bottom; compare a central-left patch.
    first = frames[0][300:340, 100:300].reshape(-1, 3).mean(axis=0)
    last = frames[-1][300:340, 100:300].reshape(-1, 3).mean(axis=0)
    assert np.abs(first - (150, 60, 40)).max() < 12
    assert np.abs(last - (40, 60, 150)).max() < 12


def test_polling_never_submits_again(rendered: tuple[Path, str, bytes]) -> None:
    state, name, clip = rendered
    provider = MockVideoProvider(state)
    assert provider.poll(name).video == clip  # cached render, identical bytes
    log = provider.submissions()
    assert [entry["operation"] for entry in log] == [name]
    assert (state / "submissions.log").read_text().count("\n") == 1


def test_another_process_can_poll(rendered: tuple[Path, str, bytes]) -> None:
    state, name, clip = rendered
    script = (
        "import sys, hashlib; from pathlib import Path\n"
        "from rushes.providers.video.mock import MockVideoProvider\n"
        "s = MockVideoProvider(Path(sys.argv[1])).poll(sys.argv[2])\n"
        "print(s.done, hashlib.sha256(s.video).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(state), name], capture_output=True, text=True, timeout=60, check=True
    )
    import hashlib

    assert out.stdout.split() == ["True", hashlib.sha256(clip).hexdigest()]


def test_vertical_start_frame_only_silent(tmp_path: Path) -> None:
    provider = MockVideoProvider(tmp_path, latency_seconds=0)
    name = provider.submit(
        _request(end_frame=None, aspect_ratio="9:16", duration_seconds=2, dialogue=(), generate_audio=False)
    )
    probe = probe_clip(_done(provider, name).video or b"")
    assert (probe.width, probe.height, probe.audio_codec) == (720, 1280, None)
    validate_clip(probe, expected_duration=2, require_audio=False)


def test_unknown_operation_not_found(tmp_path: Path) -> None:
    provider = MockVideoProvider(tmp_path)
    for name in ("mock-operations/" + "0" * 32, "mock-operations/../../etc", "projects/x/operations/1", ""):
        with pytest.raises(OperationNotFound):
            provider.poll(name)


def test_fail_429_raises_transient_and_records_nothing(tmp_path: Path) -> None:
    provider = MockVideoProvider(tmp_path, fail_429=1.0)
    with pytest.raises(TransientProviderError, match="429 RESOURCE_EXHAUSTED"):
        provider.submit(_request(duration_seconds=1))
    assert provider.submissions() == []


def test_fail_safety_raises_permanent_on_poll(tmp_path: Path) -> None:
    provider = MockVideoProvider(tmp_path, latency_seconds=0, fail_safety=1.0)
    name = provider.submit(_request(duration_seconds=1))
    with pytest.raises(PermanentProviderError) as err:
        provider.poll(name)
    assert err.value.kind == "safety"
    assert "usage guidelines" in err.value.reason
    assert len(provider.submissions()) == 1


def test_fail_corrupt_returns_bytes_that_validation_refuses(tmp_path: Path) -> None:
    provider = MockVideoProvider(tmp_path, latency_seconds=0, fail_corrupt=1.0, seed=11)
    modes = set()
    for _ in range(4):
        name = provider.submit(_request(duration_seconds=1, seed=None))
        status = provider.poll(name)
        assert status.done and status.video
        with pytest.raises(CorruptClip):
            probe_clip(status.video)
        modes.add(json.loads((tmp_path / name.split("/")[1] / "request.json").read_text())["corrupt_mode"])
    assert modes == {"truncated", "garbage"}


def test_invalid_requests_refused_before_submission(tmp_path: Path) -> None:
    provider = MockVideoProvider(tmp_path)
    for request in (
        _request(duration_seconds=12),
        _request(start_frame=b"this is text, not a frame"),
        _request(aspect_ratio="4:3"),
    ):
        with pytest.raises(PermanentProviderError) as err:
            provider.submit(request)
        assert err.value.kind == "invalid"
    assert provider.submissions() == []


def test_from_settings(tmp_path: Path) -> None:
    settings = Settings(
        media_dir=tmp_path, mock_latency_seconds=0.5, mock_fail_429=0.25, mock_fail_safety=0.5, mock_seed=3
    )
    provider = MockVideoProvider.from_settings(settings)
    assert provider.state_dir == tmp_path / "mock-operations"
    assert (provider.latency_seconds, provider.fail_429, provider.fail_safety, provider.seed) == (0.5, 0.25, 0.5, 3)
    assert provider.name == "mock"
    assert os.fspath(provider.submissions_log).endswith("submissions.log")
