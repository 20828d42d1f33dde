"""A clip's sound peaks: computed from the real audio with PyAV, so a silent stretch and a loud one show."""

from __future__ import annotations

import io
import json
from fractions import Fraction

import av
import numpy as np

from rushes.media.waveform import PEAKS_PER_SECOND, clip_peaks, peaks_json
from tests.fakes.media import tiny_mp4

RATE = 48000


def _clip_with_sound(levels: list[float], seconds_each: float = 1.0) -> bytes:
    """A real MP4 whose sound is a 300 Hz tone at each level in turn (0 = silence)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 36, "yuv420p"
        audio = container.add_stream("aac", rate=RATE)
        audio.layout = "mono"
        frames = round(len(levels) * seconds_each * 24)
        for i in range(frames):
            container.mux(video.encode(av.VideoFrame.from_ndarray(np.full((36, 64, 3), i % 255, np.uint8), format="rgb24")))
        container.mux(video.encode(None))
        t = np.arange(int(len(levels) * seconds_each * RATE)) / RATE
        envelope = np.repeat(np.array(levels, dtype=np.float32), int(seconds_each * RATE))
        wave = (envelope * np.sin(2 * np.pi * 300 * t)).astype(np.float32)
        for start in range(0, wave.size, 1024):
            chunk = wave[start:start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            container.mux(audio.encode(frame))
        container.mux(audio.encode(None))
    return buffer.getvalue()


def test_peaks_follow_the_sound_second_by_second():
    peaks = clip_peaks(_clip_with_sound([0.8, 0.0, 0.2]))
    assert peaks["rate"] == PEAKS_PER_SECOND
    values = np.array(peaks["peaks"])
    assert abs(len(values) - 3 * PEAKS_PER_SECOND) <= 3
    loud, silent, quiet = (values[i * 50 + 10:(i + 1) * 50 - 10] for i in range(3))
    assert loud.min() > 0.6 and silent.max() < 0.05 and 0.12 < quiet.mean() < 0.3
    assert values.max() <= 1.0


def test_a_clip_without_sound_has_no_peaks():
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 36, "yuv420p"
        for _ in range(24):
            container.mux(video.encode(av.VideoFrame.from_ndarray(np.zeros((36, 64, 3), np.uint8), format="rgb24")))
        container.mux(video.encode(None))
    peaks = clip_peaks(buffer.getvalue())
    assert peaks["peaks"] == [] and peaks["silent"] is True


def test_peaks_are_small_json():
    data = peaks_json(clip_peaks(tiny_mp4(duration=8)))
    assert len(data) < 8000
    assert len(json.loads(data)["peaks"]) >= 8 * PEAKS_PER_SECOND - 2
