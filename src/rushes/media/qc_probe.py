"""Decode what quality control looks at: every frame at a small size, and the sound as mono samples.

QC never needs full resolution: structure, look, stillness and blackness all read at 160 x 90, and
scaling inside the decoder (swscale) costs far less than decoding does. Sound is resampled to
16 kHz mono, enough for levels and for a voice's pitch.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageOps

from rushes.media.probe import CorruptClip

QC_WIDTH = 160
QC_HEIGHT = 90
AUDIO_RATE = 16_000


@dataclass(frozen=True)
class DecodedClip:
    """A clip as QC sees it. `frames` is (N, H, W, 3) uint8; `audio` is None when there is no sound track."""

    frames: np.ndarray
    fps: float
    duration: float
    audio: np.ndarray | None
    audio_rate: int = AUDIO_RATE

    @property
    def video_seconds(self) -> float:
        return len(self.frames) / self.fps if self.fps else 0.0


def qc_size(width: int, height: int) -> tuple[int, int]:
    """A small even size with the clip's aspect ratio, long side 160."""
    if width >= height:
        return QC_WIDTH, max(2, int(round(QC_WIDTH * height / width / 2)) * 2)
    return max(2, int(round(QC_WIDTH * width / height / 2)) * 2), QC_WIDTH


def decode_clip(data: bytes) -> DecodedClip:
    """Every video frame downscaled, and the sound, in one pass; raises CorruptClip when the bytes cannot be read."""
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptClip(f"clip is not a readable video file ({exc.__class__.__name__})") from exc
    with container:
        if not container.streams.video:
            raise CorruptClip("clip has no video stream")
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        # The deblocking filter only smooths block edges, invisible at 160 x 90: skipping it decodes faster.
        video.codec_context.options = {"skip_loop_filter": "all"}
        audio = container.streams.audio[0] if container.streams.audio else None
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE) if audio is not None else None
        width, height = qc_size(video.codec_context.width, video.codec_context.height)
        frames: list[np.ndarray] = []
        sound: list[np.ndarray] = []
        try:
            for packet in container.demux(*([video] + ([audio] if audio is not None else []))):
                if packet.stream is video:
                    for frame in packet.decode():
                        frames.append(frame.reformat(width, height, "rgb24", interpolation="AREA").to_ndarray())  # type: ignore[union-attr]  # a video packet decodes to video frames
                else:
                    for frame in packet.decode():
                        sound.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(frame))  # type: ignore[union-attr, arg-type]  # an audio packet: resampler is set
            if resampler is not None:
                sound.extend(out.to_ndarray().reshape(-1) for out in resampler.resample(None))
        except (av.FFmpegError, ValueError, OSError) as exc:
            raise CorruptClip(f"clip data is damaged after {len(frames)} frames") from exc
        if not frames:
            raise CorruptClip("clip has no decodable video frames")
        rate = video.average_rate or video.guessed_rate or video.base_rate
        fps = float(rate) if rate else 24.0
        duration = container.duration / av.time_base if container.duration else len(frames) / fps
    track = None
    if audio is not None:
        track = np.concatenate(sound).astype(np.float32) if sound else np.zeros(0, dtype=np.float32)
    return DecodedClip(frames=np.stack(frames), fps=fps, duration=float(duration), audio=track)


def anchor_frame(data: bytes, width: int, height: int) -> np.ndarray:
    """An approved anchor image cover-fitted to the clip's aspect and scaled to QC size, (H, W, 3) uint8.

    The render fits the anchor the same way (centre crop to the output aspect), so both sides
    of the comparison frame the same part of the picture.
    """
    with Image.open(io.BytesIO(data)) as image:
        fitted = ImageOps.fit(image.convert("RGB"), (width, height), method=Image.Resampling.BOX)
    return np.asarray(fitted, dtype=np.uint8)
