"""Probe and validate rendered clips (PyAV) and anchor-frame images (Pillow) before trusting them."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MIN_IMAGE_SIDE = 64
MAX_IMAGE_SIDE = 4096
IMAGE_MIMES: dict[str, str] = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


class MediaError(ValueError):
    """Base for media that cannot be used; `reason` is shown to the filmmaker."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CorruptClip(MediaError):
    """The bytes are not a readable video (garbage, truncated, empty)."""


class InvalidClip(MediaError):
    """A readable clip that does not match what was ordered (length, audio)."""


class InvalidImage(MediaError):
    """An image that is not an allowed PNG/JPEG/WebP within the size limits."""


@dataclass(frozen=True)
class ClipProbe:
    duration_seconds: float
    fps: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    frame_count: int
    video_duration_seconds: float = 0.0
    audio_duration_seconds: float | None = None
    audio_sample_rate: int | None = None
    audio_channels: int | None = None
    size_bytes: int = 0


@dataclass(frozen=True)
class ImageProbe:
    format: str
    width: int
    height: int
    mime: str


def _stream_seconds(stream: av.stream.Stream) -> float | None:
    if stream.duration is None or stream.time_base is None:
        return None
    return float(stream.duration * stream.time_base)


def probe_clip(data: bytes) -> ClipProbe:
    """Read a clip fully (every video frame is decoded) and describe it; raises CorruptClip."""
    if not data:
        raise CorruptClip("clip is empty (0 bytes)")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptClip(f"clip is not a readable video file ({exc.__class__.__name__})") from exc
    with container:
        # Only MP4 is stored and played; ffmpeg would happily "play" a lone PNG or a GIF.
        if "mp4" not in container.format.name.split(","):
            raise CorruptClip(f"clip is a {container.format.name} file, not an MP4 video")
        if not container.streams.video:
            raise CorruptClip("clip has no video stream")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        video.thread_type = "AUTO"
        indexed_frames = video.frames
        decoded = 0
        audio_packets = 0
        streams = [video] + ([audio] if audio is not None else [])
        try:
            for packet in container.demux(*streams):
                if packet.stream is video:
                    decoded += len(packet.decode())
                elif packet.size and packet.duration:
                    audio_packets += 1
        except (av.FFmpegError, ValueError, OSError) as exc:
            raise CorruptClip(f"clip data is damaged after {decoded} frames ({exc.__class__.__name__})") from exc
        if decoded == 0:
            raise CorruptClip("clip has no decodable video frames")
        # A clip cut short still has the full index at the front (faststart): compare with it.
        if indexed_frames and decoded < indexed_frames:
            raise CorruptClip(f"clip is truncated: {decoded} of {indexed_frames} frames readable")
        rate = video.average_rate or video.guessed_rate or video.base_rate
        fps = float(rate) if rate else 0.0
        video_seconds = _stream_seconds(video) or (decoded / fps if fps else 0.0)
        audio_seconds = _stream_seconds(audio) if audio is not None else None
        if audio is not None and audio_packets == 0:
            raise CorruptClip("clip's audio stream has no readable packets")
        if container.duration is not None:
            total = container.duration / av.time_base
        else:
            total = max(video_seconds, audio_seconds or 0.0)
        return ClipProbe(
            duration_seconds=round(total, 4),
            fps=round(fps, 4),
            width=video.codec_context.width,
            height=video.codec_context.height,
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            frame_count=decoded,
            video_duration_seconds=round(video_seconds, 4),
            audio_duration_seconds=round(audio_seconds, 4) if audio_seconds is not None else None,
            audio_sample_rate=audio.codec_context.sample_rate if audio is not None else None,
            audio_channels=audio.codec_context.channels if audio is not None else None,
            size_bytes=len(data),
        )


def validate_clip(
    probe: ClipProbe, expected_duration: float, tolerance: float = 0.25, require_audio: bool = True
) -> None:
    """Check a probed clip against what was ordered; raises CorruptClip or InvalidClip."""
    if probe.frame_count <= 0 or probe.width <= 0 or probe.height <= 0:
        raise CorruptClip("clip has no picture")
    if abs(probe.duration_seconds - expected_duration) > tolerance:
        raise InvalidClip(f"clip is {probe.duration_seconds:.1f} s, expected {expected_duration:.1f} s")
    if abs(probe.video_duration_seconds - expected_duration) > tolerance:
        raise InvalidClip(
            f"clip's picture is {probe.video_duration_seconds:.1f} s, expected {expected_duration:.1f} s"
        )
    if probe.audio_codec is None:
        if require_audio:
            raise InvalidClip("clip has no audio track, expected dialogue and sound")
        return
    if probe.audio_duration_seconds is not None and (
        abs(probe.audio_duration_seconds - probe.video_duration_seconds) > tolerance
    ):
        raise InvalidClip(
            f"clip's sound is {probe.audio_duration_seconds:.2f} s but its picture is "
            f"{probe.video_duration_seconds:.2f} s"
        )


def probe_image(data: bytes) -> ImageProbe:
    """Sniff an image's real format from its bytes and check limits; raises InvalidImage."""
    if not data:
        raise InvalidImage("image is empty (0 bytes)")
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(
            f"image is {len(data) / 1024 / 1024:.1f} MB, the limit is {MAX_IMAGE_BYTES // 1024 // 1024} MB"
        )
    try:
        # formats= restricts sniffing, so a GIF or SVG renamed .png is never decoded.
        with Image.open(io.BytesIO(data), formats=list(IMAGE_MIMES)) as image:
            fmt = image.format or ""
            width, height = image.size
            if fmt not in IMAGE_MIMES:
                raise InvalidImage(f"image format {fmt or 'unknown'} is not allowed (PNG, JPEG or WebP)")
            _check_dimensions(width, height)
            image.load()  # catches truncated or damaged pixel data, after the size limits
    except InvalidImage:
        raise
    except UnidentifiedImageError as exc:
        raise InvalidImage("file is not a PNG, JPEG or WebP image") from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidImage(f"image data is damaged ({exc})") from exc
    return ImageProbe(format=fmt, width=width, height=height, mime=IMAGE_MIMES[fmt])


def _check_dimensions(width: int, height: int) -> None:
    for side, value in (("width", width), ("height", height)):
        if value < MIN_IMAGE_SIDE:
            raise InvalidImage(f"image {side} is {value} px, at least {MIN_IMAGE_SIDE} px is needed")
        if value > MAX_IMAGE_SIDE:
            raise InvalidImage(f"image {side} is {value} px, at most {MAX_IMAGE_SIDE} px is allowed")
