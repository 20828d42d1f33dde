"""Tiny but real media for tests: an H.264 + AAC MP4 and a PNG, made locally in milliseconds."""

from __future__ import annotations

import io
import math
from fractions import Fraction

import av
import numpy as np
from PIL import Image, ImageDraw

_AUDIO_RATE = 48_000


def tiny_mp4(duration: float = 8, fps: int = 24, size: tuple[int, int] = (320, 180)) -> bytes:
    """A real MP4 (H.264 video, AAC audio) of `duration` seconds: a moving bar and a 440 Hz tone."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError("H.264 with yuv420p needs even frame sizes")
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "35"}
        audio = container.add_stream("aac", rate=_AUDIO_RATE)
        audio.layout = "mono"

        frame_count = max(1, round(duration * fps))
        for index in range(frame_count):
            container.mux(video.encode(_picture(index, frame_count, width, height)))
        container.mux(video.encode(None))

        _encode_tone(container, audio, duration)
    return buffer.getvalue()


def _picture(index: int, frame_count: int, width: int, height: int) -> av.VideoFrame:
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[:, :] = (30, 40, 60)
    # A bar that sweeps across the frame, so consecutive frames differ like real footage.
    x = int((width - 16) * index / max(1, frame_count - 1))
    pixels[:, x : x + 16] = (230, 200, 80)
    return av.VideoFrame.from_ndarray(pixels, format="rgb24")


def _encode_tone(container: av.container.OutputContainer, stream: av.AudioStream, duration: float) -> None:
    samples_total = int(duration * _AUDIO_RATE)
    chunk = 1024  # the AAC encoder's frame size
    for start in range(0, samples_total, chunk):
        count = min(chunk, samples_total - start)
        t = (np.arange(start, start + count) / _AUDIO_RATE).astype(np.float32)
        wave = (0.2 * np.sin(2 * math.pi * 440.0 * t)).astype(np.float32).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(wave, format="fltp", layout="mono")
        frame.sample_rate = _AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, _AUDIO_RATE)
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def tiny_png(size: tuple[int, int] = (64, 36), color: tuple[int, int, int] = (200, 90, 40)) -> bytes:
    """A small real PNG with a diagonal line, for anchor frames and image-model answers."""
    picture = Image.new("RGB", size, color)
    ImageDraw.Draw(picture).line((0, 0, size[0], size[1]), fill=(255, 255, 255), width=2)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def truncated_mp4(duration: float = 2) -> bytes:
    """The head of a real MP4 without its index (moov): looks like a video, cannot be played."""
    whole = tiny_mp4(duration=duration, fps=12, size=(160, 90))
    return whole[: max(64, len(whole) // 3)]
