"""probe_clip / validate_clip on real mock MP4s, and probe_image's sniffing and limits."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from rushes.media.mockclip import ClipSketch, render_mock_clip
from rushes.media.probe import (
    CorruptClip,
    InvalidClip,
    InvalidImage,
    probe_clip,
    probe_image,
    validate_clip,
)


def _png(color: tuple[int, int, int], size: tuple[int, int] = (320, 180), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture(scope="module")
def clip() -> bytes:
    sketch = ClipSketch(
        start_frame=_png((200, 40, 40)),
        end_frame=_png((40, 40, 200)),
        duration_seconds=4,
        shot_code="2B",
        dialogue=(("Ana", "Hold the door."),),
        width=320,
        height=180,
    )
    return render_mock_clip(sketch)


@pytest.fixture(scope="module")
def silent_clip() -> bytes:
    return render_mock_clip(
        ClipSketch(start_frame=_png((10, 120, 10)), duration_seconds=2, width=320, height=180, audio=False)
    )


def test_probe_reads_real_clip(clip: bytes) -> None:
    probe = probe_clip(clip)
    assert (probe.width, probe.height) == (320, 180)
    assert probe.fps == pytest.approx(24)
    assert probe.video_codec == "h264"
    assert probe.audio_codec == "aac"
    assert probe.frame_count == 96
    assert probe.duration_seconds == pytest.approx(4.0, abs=0.05)
    assert probe.audio_sample_rate == 48000
    assert probe.size_bytes == len(clip)


def test_validate_accepts_matching_clip(clip: bytes) -> None:
    validate_clip(probe_clip(clip), expected_duration=4)


def test_validate_refuses_wrong_length_with_human_reason(clip: bytes) -> None:
    with pytest.raises(InvalidClip) as err:
        validate_clip(probe_clip(clip), expected_duration=8)
    assert err.value.reason == "clip is 4.0 s, expected 8.0 s"


def test_validate_tolerance_is_respected(clip: bytes) -> None:
    validate_clip(probe_clip(clip), expected_duration=4.2, tolerance=0.25)
    with pytest.raises(InvalidClip):
        validate_clip(probe_clip(clip), expected_duration=4.3, tolerance=0.25)


def test_missing_audio_refused_only_when_required(silent_clip: bytes) -> None:
    probe = probe_clip(silent_clip)
    assert probe.audio_codec is None
    with pytest.raises(InvalidClip, match="no audio"):
        validate_clip(probe, expected_duration=2)
    validate_clip(probe, expected_duration=2, require_audio=False)


@pytest.mark.parametrize("share", [0.1, 0.4, 0.7, 0.95])
def test_truncated_clip_is_corrupt(clip: bytes, share: float) -> None:
    with pytest.raises(CorruptClip):
        probe_clip(clip[: int(len(clip) * share)])


@pytest.mark.parametrize(
    "data", [b"", b"\x00" * 4096, b"not a video at all" * 100, bytes(range(256)) * 64, _png((1, 2, 3))]
)
def test_garbage_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptClip):
        probe_clip(data)


def test_corrupt_reason_is_readable() -> None:
    with pytest.raises(CorruptClip) as err:
        probe_clip(b"")
    assert "empty" in err.value.reason


@pytest.mark.parametrize(("fmt", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_allowed_images_accepted(fmt: str, mime: str) -> None:
    probe = probe_image(_png((90, 90, 90), (640, 360), fmt))
    assert (probe.format, probe.width, probe.height, probe.mime) == (fmt, 640, 360, mime)


def test_text_named_png_refused() -> None:
    with pytest.raises(InvalidImage, match="not a PNG, JPEG or WebP"):
        probe_image(b"<html>this is not an image</html>\n" * 10)


def test_gif_refused_even_though_pillow_reads_it() -> None:
    with pytest.raises(InvalidImage):
        probe_image(_png((5, 5, 5), (200, 200), "GIF"))


def test_oversize_refused_before_decoding() -> None:
    data = _png((0, 0, 0), (100, 100)) + b"\x00" * (20 * 1024 * 1024)
    with pytest.raises(InvalidImage, match="20 MB"):
        probe_image(data)


@pytest.mark.parametrize("size", [(63, 200), (200, 32), (4097, 100), (100, 5000)])
def test_dimension_limits(size: tuple[int, int]) -> None:
    with pytest.raises(InvalidImage, match="px"):
        probe_image(_png((0, 0, 0), size))


def test_dimension_edges_allowed() -> None:
    assert probe_image(_png((0, 0, 0), (64, 64))).width == 64
    assert probe_image(_png((0, 0, 0), (4096, 64))).width == 4096


def test_truncated_png_refused() -> None:
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, format="PNG")
    with pytest.raises(InvalidImage, match="damaged"):
        probe_image(out.getvalue()[: len(out.getvalue()) // 2])
