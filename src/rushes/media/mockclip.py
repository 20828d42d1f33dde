"""Render a stand-in shot clip: a real H.264/AAC MP4 moving from the start frame to the end frame."""

from __future__ import annotations

import math
import random

import io
import os
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from rushes.media import mockfaults
from rushes.media.fonts import load_font
from rushes.media.mockfaults import Fault
from rushes.media.mocksound import sound_bed
from rushes.media.voice import SAMPLE_RATE, DialogueWindow, dialogue_windows, synthesize_dialogue

PUSH_IN = 0.08  # how far the camera creeps in over the shot (8 % zoom)
AUDIO_FRAME = 1024  # AAC frame size


@dataclass(frozen=True)
class ClipSketch:
    """Everything the mock needs to draw one shot."""

    start_frame: bytes
    duration_seconds: float
    end_frame: bytes | None = None
    shot_code: str = ""
    dialogue: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    width: int = 1280
    height: int = 720
    fps: int = 24
    audio: bool = True
    seed: int = 0
    sfx: str = ""  # the prompt's sound cues; a bed of sound is laid under them
    faults: tuple[Fault, ...] = ()  # planted for quality-control tests (RUSHES_MOCK_FAULTS)


def _fit(data: bytes, width: int, height: int) -> np.ndarray:
    """Decode an anchor frame and cover-fit it to the clip size as an RGB array."""
    with Image.open(io.BytesIO(data)) as image:
        rgb = ImageOps.fit(image.convert("RGB"), (width, height), method=Image.Resampling.BICUBIC)
    return np.asarray(rgb, dtype=np.uint8)


class _Layer:
    """One anchor frame that can be pushed in; remembers its last scaled picture for reuse."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.rgb = rgb
        self.height, self.width = rgb.shape[:2]
        self._last_crop: tuple[int, int] | None = None
        self._last: np.ndarray | None = None

    def at_zoom(self, zoom: float) -> np.ndarray:
        """Centre crop by `zoom`, scaled back to full size, as packed yuv420p rows."""
        crop_w = max(2, int(round(self.width / zoom / 2)) * 2)
        crop_h = max(2, int(round(self.height / zoom / 2)) * 2)
        if (crop_w, crop_h) != self._last_crop or self._last is None:
            x0 = (self.width - crop_w) // 2
            y0 = (self.height - crop_h) // 2
            crop = np.ascontiguousarray(self.rgb[y0 : y0 + crop_h, x0 : x0 + crop_w])
            frame = av.VideoFrame.from_ndarray(crop, format="rgb24")
            # swscale does crop-scale and colour conversion in one C pass: far cheaper than Pillow.
            self._last = frame.reformat(self.width, self.height, "yuv420p", interpolation="BILINEAR").to_ndarray()
            self._last_crop = (crop_w, crop_h)
        return self._last


class _Overlay:
    """Burned-in text pre-converted to packed yuv420p with per-sample alpha, for cheap compositing."""

    def __init__(self, rgba: Image.Image) -> None:
        width, height = rgba.size
        rgb = np.asarray(rgba.convert("RGB"), dtype=np.uint8)
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.uint16)
        packed = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()
        chroma_alpha = alpha.reshape(height // 2, 2, width // 2, 2).mean(axis=(1, 3)).astype(np.uint16)
        packed_alpha = np.concatenate([alpha.ravel(), chroma_alpha.ravel(), chroma_alpha.ravel()])
        packed_alpha = packed_alpha.reshape(packed.shape)
        weight = (packed_alpha * 256 + 127) // 255
        rows = np.flatnonzero(weight.any(axis=1))
        self.bands: list[tuple[slice, np.ndarray, np.ndarray]] = []
        for run in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1) if rows.size else []:
            band = slice(int(run[0]), int(run[-1]) + 1)
            w = weight[band]
            self.bands.append((band, (256 - w).astype(np.uint16), (packed[band].astype(np.uint16) * w)))

    def apply(self, packed: np.ndarray) -> None:
        for band, keep, ink in self.bands:
            packed[band] = ((packed[band].astype(np.uint16) * keep + ink) >> 8).astype(np.uint8)


def _draw_badge(draw: ImageDraw.ImageDraw, shot_code: str, width: int, height: int) -> None:
    unit = max(12, min(width, height) // 24)
    font = load_font(int(unit * 1.2), bold=True)
    text = f"SHOT {shot_code}"
    box = draw.textbbox((0, 0), text, font=font)
    pad = unit // 2
    x, y = unit, unit
    draw.rounded_rectangle(
        (x, y, x + box[2] - box[0] + 2 * pad, y + box[3] - box[1] + 2 * pad), radius=pad, fill=(0, 0, 0, 150)
    )
    draw.text((x + pad - box[0], y + pad - box[1]), text, font=font, fill=(255, 255, 255, 255))


def _draw_subtitle(draw: ImageDraw.ImageDraw, window: DialogueWindow, width: int, height: int) -> None:
    unit = max(12, min(width, height) // 24)
    font = load_font(unit)
    text = f"{window.speaker.upper()}: {window.line}" if window.speaker else window.line
    chars = max(12, int(width * 0.8 / (unit * 0.55)))
    lines = textwrap.wrap(text, chars)[:3]
    line_h = int(unit * 1.35)
    pad = unit // 2
    block_h = line_h * len(lines)
    top = height - unit * 2 - block_h
    widest = max(draw.textlength(line, font=font) for line in lines)
    left = int((width - widest) / 2)
    draw.rounded_rectangle(
        (left - pad, top - pad, left + widest + pad, top + block_h + pad), radius=pad, fill=(0, 0, 0, 160)
    )
    for i, line in enumerate(lines):
        x = int((width - draw.textlength(line, font=font)) / 2)
        draw.text((x, top + i * line_h), line, font=font, fill=(255, 255, 255, 255))


def _overlay_for(sketch: ClipSketch, window: DialogueWindow | None) -> _Overlay:
    canvas = Image.new("RGBA", (sketch.width, sketch.height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    if sketch.shot_code:
        _draw_badge(draw, sketch.shot_code, sketch.width, sketch.height)
    if window is not None:
        _draw_subtitle(draw, window, sketch.width, sketch.height)
    return _Overlay(canvas)


def _active_window(windows: Sequence[DialogueWindow], t: float) -> int | None:
    for index, window in enumerate(windows):
        if window.start - 0.15 <= t <= window.end + 0.35:
            return index
    return None


def _blend(a: np.ndarray, b: np.ndarray, weight: float) -> np.ndarray:
    k = int(round(weight * 256))
    if k <= 0:
        return a.copy()
    if k >= 256:
        return b.copy()
    return ((a.astype(np.uint16) * (256 - k) + b.astype(np.uint16) * k) >> 8).astype(np.uint8)


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


class _AudioFeed:
    """Feeds AAC frames alongside the picture so the file comes out interleaved."""

    def __init__(self, container: av.container.OutputContainer, audio: np.ndarray) -> None:
        self.audio = audio
        self.offset = 0
        self.stream = container.add_stream(
            "aac", rate=SAMPLE_RATE, layout="stereo" if audio.shape[0] == 2 else "mono"
        )
        self.stream.bit_rate = 128_000

    def until(self, container: av.container.OutputContainer, seconds: float) -> None:
        # pts start at 0; the encoder's priming samples get an edit list from the muxer, so the
        # audible track starts with the picture and is exactly as long as the samples given.
        limit = min(self.audio.shape[1], int(round(seconds * SAMPLE_RATE)))
        while self.offset < limit:
            chunk = np.ascontiguousarray(self.audio[:, self.offset : self.offset + AUDIO_FRAME])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=self.stream.layout.name)
            frame.sample_rate = SAMPLE_RATE
            frame.pts = self.offset
            frame.time_base = Fraction(1, SAMPLE_RATE)
            for packet in self.stream.encode(frame):
                container.mux(packet)
            self.offset += chunk.shape[1]

    def finish(self, container: av.container.OutputContainer) -> None:
        self.until(container, self.audio.shape[1] / SAMPLE_RATE)
        for packet in self.stream.encode():
            container.mux(packet)


def _video_stream(container: av.container.OutputContainer, sketch: ClipSketch) -> av.video.stream.VideoStream:
    stream = container.add_stream("libx264", rate=sketch.fps)
    stream.width, stream.height, stream.pix_fmt = sketch.width, sketch.height, "yuv420p"
    stream.codec_context.gop_size = sketch.fps
    # A keyframe every second, never an extra one on cuts: seeking stays fast and predictable.
    stream.options = {
        "preset": "ultrafast",
        "crf": "23",
        "x264-params": f"keyint={sketch.fps}:min-keyint={sketch.fps}:scenecut=0",
    }
    return stream


def _encode(
    container: av.container.OutputContainer,
    sketch: ClipSketch,
    windows: list[DialogueWindow],
    audio: np.ndarray | None,
) -> None:
    stream = _video_stream(container, sketch)
    feed = _AudioFeed(container, audio) if audio is not None else None
    start, end = _anchor_layers(sketch)
    overlays: dict[int | None, _Overlay] = {}
    total = _frame_count(sketch)
    graded = mockfaults.has(sketch.faults, "visual_jump")
    frozen = mockfaults.has(sketch.faults, "frozen")
    black = mockfaults.has(sketch.faults, "black")
    held: np.ndarray | None = None
    for index in range(total):
        u = index / max(1, total - 1)
        picture = start.at_zoom(1 + PUSH_IN * u)
        weight = _smoothstep((u - 0.15) / 0.7) if end is not None else 0.0
        if end is not None and weight > 0:
            # The start frame pushes in while the end frame settles from slightly in to exactly
            # itself, so the first and last pictures are the locked anchors.
            picture = _blend(picture, end.at_zoom(1 + PUSH_IN * (1 - u)), weight)
        else:
            picture = picture.copy()
        _subject(picture, sketch, u)
        state = _active_window(windows, index / sketch.fps)
        if state not in overlays:
            overlays[state] = _overlay_for(sketch, windows[state] if state is not None else None)
        overlays[state].apply(picture)
        t = index / sketch.fps
        if graded is not None:
            mockfaults.grade(picture, sketch.width, sketch.height, graded)
        if black is not None:
            mockfaults.darken(picture, sketch.width, sketch.height, mockfaults.black_share(black, t))
        if frozen is not None and float(frozen.get("at")) <= t < float(frozen.get("at")) + float(frozen.get("for")):
            # A freeze repeats the picture it froze on, subtitles and all.
            held = picture if held is None else held
            picture = held
        frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
        frame.pts = index
        frame.time_base = Fraction(1, sketch.fps)
        for packet in stream.encode(frame):
            container.mux(packet)
        if feed is not None:
            feed.until(container, (index + 1) / sketch.fps)
    for packet in stream.encode():
        container.mux(packet)
    if feed is not None:
        feed.finish(container)


def _subject(picture: np.ndarray, sketch: ClipSketch, u: float) -> None:
    """A draw's own content: a soft light crossing the frame on a path set by the seed, so two draws of
    the same inputs differ visibly. It fades in and out (weight 0 on the first and last frame), so the
    anchors stay exactly the approved frames."""
    weight = math.sin(math.pi * u)
    if weight <= 0.02:
        return
    w, h = sketch.width, sketch.height
    rng = random.Random(sketch.seed)
    x0, y0, x1, y1 = (rng.uniform(0.15, 0.85) for _ in range(4))
    cx, cy = (x0 + (x1 - x0) * u) * w, (y0 + (y1 - y0) * u) * h
    radius = h * rng.uniform(0.08, 0.14)
    top, bottom = max(0, int(cy - radius)), min(h, int(cy + radius) + 1)
    left, right = max(0, int(cx - radius)), min(w, int(cx + radius) + 1)
    if top >= bottom or left >= right:
        return
    yy, xx = np.mgrid[top:bottom, left:right]
    falloff = np.clip(1 - ((xx - cx) ** 2 + (yy - cy) ** 2) / radius ** 2, 0, 1)
    luma = picture[top:bottom, left:right].astype(np.float32)
    picture[top:bottom, left:right] = np.clip(luma + 70 * weight * falloff, 0, 255).astype(np.uint8)


def _anchor_layers(sketch: ClipSketch) -> tuple[_Layer, _Layer | None]:
    """The start and end pictures, replaced by the wrong ones when an ignored anchor is planted."""
    start_rgb = _fit(sketch.start_frame, sketch.width, sketch.height)
    end_rgb = _fit(sketch.end_frame, sketch.width, sketch.height) if sketch.end_frame else None
    wrong_start = mockfaults.has(sketch.faults, "start_frame_mismatch")
    if wrong_start is not None:
        start_rgb = mockfaults.wrong_anchor(start_rgb, wrong_start)
    wrong_end = mockfaults.has(sketch.faults, "end_frame_mismatch")
    if wrong_end is not None and end_rgb is not None:
        # "start": the render never travels to its end frame and keeps pushing in on the start.
        end_rgb = None if wrong_end.get("mode") == "start" else mockfaults.wrong_anchor(end_rgb, wrong_end)
    return _Layer(start_rgb), (_Layer(end_rgb) if end_rgb is not None else None)


def _frame_count(sketch: ClipSketch) -> int:
    wrong_length = mockfaults.has(sketch.faults, "length")
    seconds = sketch.duration_seconds + (float(wrong_length.get("delta")) if wrong_length is not None else 0.0)
    return max(1, int(round(seconds * sketch.fps)))


def _soundtrack(sketch: ClipSketch, seconds: float) -> tuple[np.ndarray, list[DialogueWindow]]:
    """Dialogue over room tone, the bed the sound cues ask for, then any planted sound fault."""
    audio, windows = synthesize_dialogue(seconds, sketch.dialogue, seed=sketch.seed)
    bed = sound_bed(seconds, sketch.sfx, seed=sketch.seed, channels=audio.shape[0])
    if not sketch.faults:
        return np.clip(audio + bed, -1.0, 1.0).astype(np.float32), windows
    tone, _ = synthesize_dialogue(seconds, (), seed=sketch.seed)  # the same room tone, no voices
    voice = audio - tone
    extra = None
    planted = mockfaults.has(sketch.faults, "unexpected_audio")
    if planted is not None:
        line = (("Stranger", "Who goes there, is anyone out on the rocks tonight"),)
        extra, _ = synthesize_dialogue(float(planted.get("for")) + 0.8, line, seed=sketch.seed + 1, channels=1)
        extra = extra[0, int(0.4 * SAMPLE_RATE):]
    rng = np.random.default_rng(sketch.seed)
    return mockfaults.apply_sound_faults(audio + bed, voice, SAMPLE_RATE, sketch.faults, extra, rng), windows


def render_mock_clip(sketch: ClipSketch) -> bytes:
    """Render the sketch to MP4 bytes (H.264 yuv420p + AAC 48 kHz, moov first, 1 s GOP)."""
    if sketch.width % 2 or sketch.height % 2:
        raise ValueError("clip width and height must be even for yuv420p")
    if sketch.duration_seconds <= 0:
        raise ValueError("clip duration must be positive")
    frames = _frame_count(sketch)
    # Audio covers exactly the picture's length, whatever rounding the frame count did.
    seconds = frames / sketch.fps
    if sketch.audio:
        audio, windows = _soundtrack(sketch, seconds)
    else:
        audio, windows = None, dialogue_windows(seconds, sketch.dialogue)
    # faststart rewrites the file in a second pass, which needs a real file, not a BytesIO.
    fd, name = tempfile.mkstemp(prefix="rushes-mock-", suffix=".mp4")
    os.close(fd)
    try:
        with av.open(name, mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            _encode(container, sketch, windows, audio)
        return Path(name).read_bytes()
    finally:
        os.unlink(name)
