"""fragment_mp4: a stream-copy remux to fragmented MP4 that keeps every packet and timestamp."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest
from PIL import Image

from rushes.media.fragment import fragment_mp4, is_fragmented
from rushes.media.mockclip import ClipSketch, render_mock_clip
from rushes.media.probe import CorruptClip, probe_clip, validate_clip


def _png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), color).save(out, format="PNG")
    return out.getvalue()


def _sketch(audio: bool) -> ClipSketch:
    return ClipSketch(start_frame=_png((200, 40, 40)), end_frame=_png((40, 40, 200)), duration_seconds=3,
                      shot_code="4C", dialogue=(("Ana", "Not tonight."),), width=320, height=180, audio=audio)


@pytest.fixture(scope="module")
def clip() -> bytes:
    return render_mock_clip(_sketch(audio=True))


def _bframe_clip() -> bytes:
    """A 2 s clip with B-frames (pts != dts), as real encoders such as Veo's produce."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 160, 96, "yuv420p"
        video.codec_context.options = {"preset": "ultrafast", "x264-params": "bframes=2:keyint=24:scenecut=0"}
        for i in range(48):
            picture = np.full((96, 160, 3), (i * 5) % 256, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 24)
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode():
            container.mux(packet)
    return out.getvalue()


def _packets(data: bytes) -> list[tuple[str, int | None, int | None, bool, bytes]]:
    with av.open(io.BytesIO(data)) as container:
        return [(p.stream.type, p.pts, p.dts, p.is_keyframe, bytes(p))
                for p in container.demux() if p.dts is not None]


def _moof_count(data: bytes) -> int:
    count, offset = 0, 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        count += data[offset + 4 : offset + 8] == b"moof"
        offset += size
    return count


def test_result_is_fragmented_and_the_source_was_not(clip: bytes) -> None:
    fragmented = fragment_mp4(clip)
    assert not is_fragmented(clip)
    assert is_fragmented(fragmented)
    # One fragment per keyframe: a player can append or drop them one GOP at a time.
    keyframes = sum(1 for kind, *_rest, key, _data in _packets(clip) if kind == "video" and key)
    assert _moof_count(fragmented) == keyframes > 1


def test_probe_still_accepts_it_with_the_same_picture(clip: bytes) -> None:
    before, after = probe_clip(clip), probe_clip(fragment_mp4(clip))
    assert after.frame_count == before.frame_count
    assert after.video_duration_seconds == before.video_duration_seconds
    assert (after.fps, after.width, after.height) == (before.fps, before.width, before.height)
    assert (after.video_codec, after.audio_codec) == (before.video_codec, before.audio_codec)
    # ffmpeg counts the AAC priming frame (1024 samples) in a fragmented file's length; the edit
    # list still starts the sound at 0, so the difference is at most that one frame.
    assert 0 <= after.duration_seconds - before.duration_seconds <= 1024 / 48000 + 1e-3
    validate_clip(after, 3.0)


def test_every_packet_and_timestamp_is_copied_not_reencoded(clip: bytes) -> None:
    before, after = _packets(clip), _packets(fragment_mp4(clip))
    for kind in ("video", "audio"):
        assert [p for p in after if p[0] == kind] == [p for p in before if p[0] == kind]
    # The AAC priming frame keeps its negative time, so players trim it instead of playing it late.
    assert min(p[1] for p in after if p[0] == "audio") < 0


def test_b_frame_clip_keeps_presentation_order() -> None:
    clip = _bframe_clip()
    before, after = _packets(clip), _packets(fragment_mp4(clip))
    assert any(p[1] != p[2] for p in before)  # the source really reorders frames
    assert after == before
    assert probe_clip(fragment_mp4(clip)).frame_count == 48


def test_silent_clip_and_idempotence() -> None:
    silent = render_mock_clip(_sketch(audio=False))
    fragmented = fragment_mp4(silent)
    assert probe_clip(fragmented).audio_codec is None
    assert fragment_mp4(fragmented) is fragmented


@pytest.mark.parametrize("data", [b"", b"not a video at all" * 40])
def test_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(CorruptClip):
        fragment_mp4(data)
