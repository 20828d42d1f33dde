"""Drawings on a note's frame: vector shapes in coordinates normalised to the picture (0..1 both ways).

Normalised coordinates keep a drawing true at any size: the review player's overlay, fullscreen and the
still burned for the exports all scale the same shapes. This module only checks and cleans; no I/O.
"""

from __future__ import annotations

import math

from rushes.domain.text import unstorable

TOOLS = ("pen", "arrow", "rect", "ellipse", "text")
# A few colours that read on any grade; a free colour picker would only make notes harder to compare.
PALETTE = {"#ff4d4d": "red", "#ffd43b": "yellow", "#51cf66": "green", "#4dabf7": "blue", "#ffffff": "white"}
MAX_SHAPES = 200
MAX_PEN_POINTS = 2000
MAX_TEXT = 200
MAX_POINTS = 20_000  # all the shapes together: a drawing is a mark-up, not a painting
WIDTHS = (1, 12)
KEYS = {"tool", "color", "width", "points", "text"}
# Strokes are sized against a 360-line picture so a width reads the same on every resolution.
REFERENCE_LINES = 360


class DrawingRefused(ValueError):
    """A drawing the note cannot carry; the message names the shape and what is wrong with it."""


def _number(value, where: str) -> float:
    # bool is an int in Python; a true/false coordinate is a client bug, not a point.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DrawingRefused(f"{where} must be a number")
    if not math.isfinite(value):
        raise DrawingRefused(f"{where} must be a finite number")
    return float(value)


def _points(raw, tool: str, where: str) -> list[list[float]]:
    if not isinstance(raw, list):
        raise DrawingRefused(f"{where}: points must be a list of [x, y]")
    if tool in ("arrow", "rect", "ellipse") and len(raw) != 2:
        raise DrawingRefused(f"{where}: a {tool} has exactly 2 points (from and to), not {len(raw)}")
    if tool == "text" and len(raw) != 1:
        raise DrawingRefused(f"{where}: a text has exactly 1 point (where it starts), not {len(raw)}")
    if tool == "pen" and not 1 <= len(raw) <= MAX_PEN_POINTS:
        raise DrawingRefused(f"{where}: a pen stroke has 1 to {MAX_PEN_POINTS} points, not {len(raw)}")
    points = []
    for n, point in enumerate(raw):
        if not isinstance(point, list) or len(point) != 2:
            raise DrawingRefused(f"{where}: point {n} must be [x, y]")
        x, y = (_number(v, f"{where}: point {n}") for v in point)
        if not (0 <= x <= 1 and 0 <= y <= 1):
            raise DrawingRefused(f"{where}: point {n} ({x:g}, {y:g}) is off the picture (0 to 1 each way)")
        points.append([round(x, 5), round(y, 5)])  # five places are finer than any picture's pixels
    return points


def _shape(raw, n: int) -> dict:
    where = f"shape {n}"
    if not isinstance(raw, dict):
        raise DrawingRefused(f"{where} must be an object")
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        raise DrawingRefused(f"{where}: unknown key {', '.join(unknown)}")
    tool = raw.get("tool")
    if tool not in TOOLS:
        raise DrawingRefused(f"{where}: tool must be one of {', '.join(TOOLS)}")
    color = raw.get("color")
    if not isinstance(color, str) or color.lower() not in PALETTE:
        raise DrawingRefused(f"{where}: colour must be one of {', '.join(PALETTE)}")
    width = raw.get("width", 4)
    if isinstance(width, bool) or not isinstance(width, int) or not WIDTHS[0] <= width <= WIDTHS[1]:
        raise DrawingRefused(f"{where}: width must be a whole number from {WIDTHS[0]} to {WIDTHS[1]}")
    shape = {"tool": tool, "color": color.lower(), "width": width, "points": _points(raw.get("points"), tool, where)}
    if tool == "text":
        text = raw.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DrawingRefused(f"{where}: a text needs its words")
        if len(text) > MAX_TEXT:
            raise DrawingRefused(f"{where}: a text is at most {MAX_TEXT} characters")
        if unstorable(text):
            raise DrawingRefused(f"{where}: {unstorable(text)}")
        shape["text"] = " ".join(text.split())
    elif "text" in raw:
        raise DrawingRefused(f"{where}: only a text shape carries words")
    return shape


def clean_drawing(raw) -> list[dict] | None:
    """The drawing as stored, or None for no drawing; raises DrawingRefused with the first fault."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise DrawingRefused("a drawing is a list of shapes")
    if len(raw) > MAX_SHAPES:
        raise DrawingRefused(f"a drawing has at most {MAX_SHAPES} shapes, not {len(raw)}")
    shapes = [_shape(s, n) for n, s in enumerate(raw)]
    points = sum(len(s["points"]) for s in shapes)
    if points > MAX_POINTS:
        raise DrawingRefused(f"a drawing has at most {MAX_POINTS} points in all, not {points}")
    return shapes or None


def stroke_pixels(width: int, picture_height: int) -> float:
    """A shape's line width in pixels on a picture of this height (the player draws the same)."""
    return max(1.0, width * picture_height / REFERENCE_LINES)


def text_pixels(width: int, picture_height: int) -> float:
    """A text's font size in pixels: it grows with the width chosen, like a stroke."""
    return max(10.0, (12 + 3 * width) * picture_height / REFERENCE_LINES)
