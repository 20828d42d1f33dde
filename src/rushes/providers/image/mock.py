"""Local stand-in for the image model: a deterministic picture drawn from the frame prompt."""

from __future__ import annotations

import colorsys
import hashlib
import io
import re
import textwrap
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from rushes.media.fonts import load_font
from rushes.media.probe import InvalidImage, probe_image
from rushes.providers.errors import PermanentProviderError
from rushes.providers.image.base import GeneratedImage, ImageRequest

Color = tuple[int, int, int]
_MAX_SHAPES = 14


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _hue_color(byte_a: int, byte_b: int, lightness: float) -> Color:
    r, g, b = colorsys.hls_to_rgb(byte_a / 255, lightness, 0.35 + byte_b / 255 * 0.5)
    return int(r * 255), int(g * 255), int(b * 255)


def _mix(a: Color, b: Color, share: float) -> Color:
    return tuple(int(round(x * (1 - share) + y * share)) for x, y in zip(a, b))  # type: ignore[return-value]


def reference_palette(data: bytes, colors: int = 5) -> list[Color]:
    """The dominant colours of a reference image, most common first."""
    try:
        probe_image(data)
        with Image.open(io.BytesIO(data)) as image:
            small = image.convert("RGB").resize((64, 36), Image.Resampling.BILINEAR)
    except InvalidImage as exc:
        raise PermanentProviderError(f"reference image: {exc.reason}", kind="invalid") from exc
    quant = small.quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    palette = quant.getpalette() or []
    counts = sorted(quant.getcolors() or [], reverse=True)
    return [tuple(palette[i * 3 : i * 3 + 3]) for _, i in counts]  # type: ignore[misc, operator]


def _sky(width: int, height: int, top: Color, bottom: Color) -> Image.Image:
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    rows = np.array(top, np.float32)[None, :] * (1 - ramp) + np.array(bottom, np.float32)[None, :] * ramp
    return Image.fromarray(np.repeat(rows[:, None, :], width, axis=1).astype(np.uint8), "RGB")


def _draw_shape(draw: ImageDraw.ImageDraw, word: str, width: int, height: int, color: Color, salt: str) -> None:
    h = _digest(word.lower() + salt)
    x = h[0] / 255 * width
    y = height * (0.2 + h[1] / 255 * 0.65)
    size = min(width, height) * (0.05 + h[2] / 255 * 0.18)
    kind = h[3] % 4
    box = (x - size, y - size, x + size, y + size)
    if kind == 0:
        draw.ellipse(box, fill=color)
    elif kind == 1:
        draw.rectangle((x - size, y - size * 0.6, x + size, y + size * 0.6), fill=color)
    elif kind == 2:
        draw.polygon([(x, y - size), (x + size, y + size * 0.8), (x - size, y + size * 0.8)], fill=color)
    else:
        draw.rounded_rectangle((x - size * 0.4, y - size * 1.4, x + size * 0.4, y + size), radius=size * 0.3, fill=color)


class MockImageProvider:
    """Same prompt, seed and reference in, identical PNG bytes out; no network."""

    name = "mock"

    @classmethod
    def from_settings(cls, settings: Any) -> MockImageProvider:
        return cls()

    def generate(self, request: ImageRequest) -> GeneratedImage:
        """Draw the frame: gradient sky, horizon, one shape per prompt word, label and prompt text."""
        if not request.prompt.strip():
            raise PermanentProviderError("frame prompt is empty", kind="invalid")
        width, height = request.width, request.height
        if not (64 <= width <= 4096 and 64 <= height <= 4096):
            raise PermanentProviderError(f"unsupported image size {width}x{height}", kind="invalid")
        palette = reference_palette(request.reference) if request.reference else []
        # A seed asks for another variation: it moves colours and shapes, never the text.
        salt = "" if request.seed is None else f"\x00seed={request.seed}"
        h = _digest(request.prompt + salt)
        top, bottom = _hue_color(h[0], h[1], 0.72), _hue_color(h[2], h[3], 0.45)
        ground = _hue_color(h[4], h[5], 0.28)
        if palette:
            # Pull the whole picture towards the reference so continuity reads at a glance.
            top = _mix(top, palette[0], 0.6)
            bottom = _mix(bottom, palette[min(1, len(palette) - 1)], 0.6)
            ground = _mix(ground, palette[-1], 0.6)
        image = _sky(width, height, top, bottom)
        draw = ImageDraw.Draw(image)
        horizon = int(height * (0.55 + h[6] / 255 * 0.25))
        draw.rectangle((0, horizon, width, height), fill=ground)
        words = [w for w in re.findall(r"[A-Za-z0-9']+", request.prompt) if len(w) >= 3][:_MAX_SHAPES]
        for index, word in enumerate(words):
            wh = _digest(word.lower() + salt)
            color = _hue_color(wh[4], wh[5], 0.35 + wh[6] / 255 * 0.35)
            if palette:
                color = _mix(color, palette[index % len(palette)], 0.5)
            _draw_shape(draw, word, width, height, color, salt)
        if palette:
            self._draw_swatches(draw, palette, width, height)
        self._draw_text(draw, request, width, height)
        out = io.BytesIO()
        image.save(out, format="PNG")
        return GeneratedImage(data=out.getvalue(), mime="image/png")

    @staticmethod
    def _draw_swatches(draw: ImageDraw.ImageDraw, palette: list[Color], width: int, height: int) -> None:
        unit = max(8, min(width, height) // 30)
        for i, color in enumerate(palette):
            x = width - unit * (len(palette) - i) - unit // 2
            draw.rectangle((x, unit // 2, x + unit - 2, unit // 2 + unit), fill=color, outline=(255, 255, 255))

    @staticmethod
    def _draw_text(draw: ImageDraw.ImageDraw, request: ImageRequest, width: int, height: int) -> None:
        unit = max(10, min(width, height) // 24)
        if request.label:
            font = load_font(int(unit * 1.3), bold=True)
            box = draw.textbbox((unit, unit), request.label, font=font)
            draw.rectangle((box[0] - 8, box[1] - 8, box[2] + 8, box[3] + 8), fill=(0, 0, 0))
            draw.text((unit, unit), request.label, font=font, fill=(255, 255, 255))
        font = load_font(max(8, int(unit * 0.7)))
        chars = max(16, int(width * 0.9 / (unit * 0.7 * 0.55)))
        lines = textwrap.wrap(request.prompt, chars)[:3]
        if len(textwrap.wrap(request.prompt, chars)) > 3:
            lines[-1] = lines[-1][: max(0, chars - 1)].rstrip() + "…"
        line_h = int(unit * 0.95)
        top = height - unit // 2 - line_h * len(lines)
        draw.rectangle((0, top - unit // 3, width, height), fill=(12, 12, 16))
        for i, line in enumerate(lines):
            draw.text((unit, top + i * line_h), line, font=font, fill=(235, 235, 235))
