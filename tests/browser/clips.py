"""Test clip maker: real H.264/AAC MP4 shots with a machine-readable frame code burned in.

Every frame carries, in its top band, 16 black/white cells: bits 0-11 are the frame index
within the clip and bits 12-15 the shot number, so a browser test can read which frame of
which shot is on screen by drawing the visible <video> into a canvas (see FRAME_CODE_JS).
The shot code and frame counter are also drawn large for people looking at screenshots.
"""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from rushes.media.fragment import fragment_mp4

FPS = 24
CODE_CELLS = 16
CODE_BAND = 40  # pixel height of the frame-code band at the top of the picture
AUDIO_RATE = 48000

# 3x5 glyphs, rows top to bottom; enough for shot codes like "3A" and frame counters.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "0": ("111", "101", "101", "101", "111"), "1": ("010", "110", "010", "010", "111"),
    "2": ("111", "001", "111", "100", "111"), "3": ("111", "001", "111", "001", "111"),
    "4": ("101", "101", "111", "001", "001"), "5": ("111", "100", "111", "001", "111"),
    "6": ("111", "100", "111", "101", "111"), "7": ("111", "001", "010", "010", "010"),
    "8": ("111", "101", "111", "101", "111"), "9": ("111", "101", "111", "001", "111"),
    "A": ("010", "101", "111", "101", "101"), "B": ("110", "101", "110", "101", "110"),
    "C": ("011", "100", "100", "100", "011"), "D": ("110", "101", "101", "101", "110"),
    "E": ("111", "100", "110", "100", "111"), "F": ("111", "100", "110", "100", "100"),
    "G": ("011", "100", "101", "101", "011"), "H": ("101", "101", "111", "101", "101"),
    "S": ("011", "100", "010", "001", "110"), "T": ("111", "010", "010", "010", "010"),
    "X": ("101", "101", "010", "101", "101"), "-": ("000", "000", "111", "000", "000"),
    " ": ("000", "000", "000", "000", "000"),
}

# JS (for page.evaluate) reading the frame code of a <video>: returns {shot, frame} or null.
FRAME_CODE_JS = """(video) => {
  const w = video.videoWidth, h = video.videoHeight;
  if (!w || !h) return null;
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const g = c.getContext('2d', {willReadFrequently: true});
  g.drawImage(video, 0, 0, w, h);
  const cell = w / %d, y = Math.round(h * %f);
  let code = 0;
  for (let i = 0; i < %d; i++) {
    const px = g.getImageData(Math.round((i + 0.5) * cell), y, 1, 1).data;
    if ((px[0] + px[1] + px[2]) / 3 > 128) code |= (1 << i);
  }
  return {frame: code & 0xfff, shot: code >> 12};
}""" % (CODE_CELLS, CODE_BAND / 2 / 360, CODE_CELLS)


def _draw_text(img: np.ndarray, text: str, x: int, y: int, scale: int, color: tuple[int, int, int]) -> None:
    """Stamp `text` in the blocky 3x5 font at (x, y) with each font pixel `scale` wide."""
    for ch in text.upper():
        glyph = _GLYPHS.get(ch, _GLYPHS["X"])
        for row, bits in enumerate(glyph):
            for col, bit in enumerate(bits):
                if bit == "1":
                    y0, x0 = y + row * scale, x + col * scale
                    img[y0 : y0 + scale, x0 : x0 + scale] = color
        x += 4 * scale


def _shot_colour(shot_number: int) -> tuple[int, int, int]:
    """A distinct mid-dark background per shot so boundaries are obvious to the eye."""
    hue = (shot_number * 0.61803) % 1.0
    r, g, b = (0.5 + 0.5 * math.cos(2 * math.pi * (hue + k / 3)) for k in range(3))
    return int(40 + 110 * r), int(40 + 110 * g), int(40 + 110 * b)


def clip_frame(shot_number: int, code: str, index: int, width: int, height: int) -> np.ndarray:
    """The RGB picture of frame `index` of a shot."""
    img = np.empty((height, width, 3), dtype=np.uint8)
    img[:] = _shot_colour(shot_number)
    band = round(CODE_BAND * height / 360)
    value = (shot_number & 0xF) << 12 | (index & 0xFFF)
    cell = width / CODE_CELLS
    for bit in range(CODE_CELLS):
        on = (value >> bit) & 1
        img[:band, round(bit * cell) : round((bit + 1) * cell)] = 255 if on else 0
    scale = max(2, height // 36)
    _draw_text(img, code, width // 12, band + height // 8, scale * 2, (255, 255, 255))
    _draw_text(img, f"{index:04d}", width // 12, band + height // 8 + 8 * scale * 2, scale, (255, 230, 120))
    # A bar that sweeps across the shot makes motion (and stalls) visible.
    bar_x = int((index % FPS) / FPS * (width - 20))
    img[height - 30 : height - 10, bar_x : bar_x + 20] = (255, 255, 255)
    return img


def make_clip(
    path: Path,
    code: str,
    shot_number: int,
    seconds: float,
    width: int = 640,
    height: int = 360,
    tone_hz: float = 220.0,
) -> Path:
    """Write a faststart H.264 (yuv420p, 1 s GOP) + AAC MP4 of `seconds` at 24 fps."""
    frames = round(seconds * FPS)
    tmp = path.with_suffix(".part.mp4")
    with av.open(str(tmp), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.codec_context.gop_size = FPS
        video.codec_context.options = {
            "preset": "ultrafast",
            "x264-params": f"keyint={FPS}:min-keyint={FPS}:scenecut=0:bframes=0",
        }
        audio = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(clip_frame(shot_number, code, i, width, height), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        total = round(frames / FPS * AUDIO_RATE)
        t = np.arange(total) / AUDIO_RATE
        wave = (0.15 * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
        for start in range(0, total, 1024):
            chunk = wave[start : start + 1024]
            planar = np.ascontiguousarray(np.stack([chunk, chunk]))
            aframe = av.AudioFrame.from_ndarray(planar, format="fltp", layout="stereo")
            aframe.sample_rate = AUDIO_RATE
            aframe.pts = start
            aframe.time_base = Fraction(1, AUDIO_RATE)
            for packet in audio.encode(aframe):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    tmp.replace(path)
    return path


def scene_clips(
    directory: Path, codes: list[str], seconds: float, width: int = 640, height: int = 360, fragmented: bool = False
) -> list[Path]:
    """Make (or reuse from `directory`) one clip per shot code; shot numbers count from 1.

    fragmented=True stores them as the app does (rushes.media.fragment), ready for MSE.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, code in enumerate(codes, start=1):
        key = hashlib.sha1(f"{code}|{number}|{seconds}|{width}x{height}|v1".encode()).hexdigest()[:10]
        path = directory / f"shot-{code}-{key}.mp4"
        if not path.exists():
            make_clip(path, code, number, seconds, width, height, tone_hz=180.0 + 40 * number)
        if fragmented:
            frag = path.with_name(f"{path.stem}-frag.mp4")
            if not frag.exists():
                frag.write_bytes(fragment_mp4(path.read_bytes()))
            path = frag
        paths.append(path)
    return paths
