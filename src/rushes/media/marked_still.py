"""A note's frame with its drawing burned in: the still the exports carry beside the note's words."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageColor, ImageDraw

from rushes.domain.drawing import stroke_pixels, text_pixels
from rushes.media.fonts import load_font
from rushes.media.thumbs import frame_at


def _px(point, size) -> tuple[float, float]:
    return point[0] * (size[0] - 1), point[1] * (size[1] - 1)


def _box(a, b) -> tuple[float, float, float, float]:
    # The two corners may be dragged in any direction; Pillow wants the top left first.
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _arrow(draw: ImageDraw.ImageDraw, tail, tip, colour, stroke: float) -> None:
    draw.line([tail, tip], fill=colour, width=round(stroke))
    length = max(10.0, stroke * 4)
    angle = math.atan2(tip[1] - tail[1], tip[0] - tail[0])
    # The head is a filled triangle so it reads at thumbnail size in an export sheet.
    left = (tip[0] - length * math.cos(angle - 0.45), tip[1] - length * math.sin(angle - 0.45))
    right = (tip[0] - length * math.cos(angle + 0.45), tip[1] - length * math.sin(angle + 0.45))
    draw.polygon([tip, left, right], fill=colour)


def burn_drawing(picture: Image.Image, shapes: list[dict]) -> Image.Image:
    """The picture with the shapes drawn on it, at the picture's own resolution."""
    image = picture.convert("RGB")
    draw = ImageDraw.Draw(image)
    size = image.size
    for shape in shapes:
        colour = ImageColor.getrgb(shape["color"])
        stroke = stroke_pixels(shape["width"], size[1])
        points = [_px(p, size) for p in shape["points"]]
        tool = shape["tool"]
        if tool == "pen":
            if len(points) == 1:
                x, y = points[0]
                r = stroke / 2
                draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
            else:
                draw.line(points, fill=colour, width=round(stroke), joint="curve")
        elif tool == "arrow":
            _arrow(draw, points[0], points[1], colour, stroke)
        elif tool == "rect":
            draw.rectangle(_box(*points), outline=colour, width=round(stroke))
        elif tool == "ellipse":
            draw.ellipse(_box(*points), outline=colour, width=round(stroke))
        elif tool == "text":
            font = load_font(round(text_pixels(shape["width"], size[1])), bold=True)
            # A dark edge keeps white or yellow words readable on a bright sky.
            draw.text(points[0], shape["text"], fill=colour, font=font, anchor="lt",
                      stroke_width=max(1, round(stroke / 3)), stroke_fill=(0, 0, 0))
    return image


def marked_still(clip: bytes, seconds: float, shapes: list[dict], quality: int = 90) -> bytes:
    """The JPEG still of the clip's frame at `seconds` with the drawing on it."""
    out = io.BytesIO()
    burn_drawing(frame_at(clip, seconds), shapes).save(out, format="JPEG", quality=quality)
    return out.getvalue()
