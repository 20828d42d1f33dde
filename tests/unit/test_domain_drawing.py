"""Drawings on a note's frame: what a drawing may hold, and how it is burned into the still."""

from __future__ import annotations

import math

import pytest
from PIL import Image

from rushes.domain.drawing import MAX_PEN_POINTS, MAX_SHAPES, DrawingRefused, clean_drawing
from rushes.media.marked_still import burn_drawing

RECT = {"tool": "rect", "color": "#FF4D4D", "width": 4, "points": [[0.1, 0.2], [0.5, 0.6]]}


def test_a_clean_drawing_keeps_its_shapes_and_normalises_colour_and_words():
    shapes = clean_drawing([RECT, {"tool": "arrow", "color": "#4dabf7", "width": 2, "points": [[0.9, 0.9], [0.5, 0.5]]},
                            {"tool": "pen", "color": "#ffffff", "width": 1, "points": [[0, 0], [1, 1], [0.5, 0.25]]},
                            {"tool": "ellipse", "color": "#51cf66", "width": 12, "points": [[0.3, 0.3], [0.4, 0.1]]},
                            {"tool": "text", "color": "#ffd43b", "width": 3, "points": [[0.2, 0.8]],
                             "text": "  her   coat  "}])
    assert shapes[0] == {"tool": "rect", "color": "#ff4d4d", "width": 4, "points": [[0.1, 0.2], [0.5, 0.6]]}
    assert shapes[4]["text"] == "her coat"
    assert clean_drawing(None) is None and clean_drawing([]) is None


@pytest.mark.parametrize("shape, words", [
    ({**RECT, "points": [[0.1, 0.2]]}, "exactly 2 points"),
    ({**RECT, "points": [[0.1, 0.2], [0.5, 1.5]]}, "off the picture"),
    ({**RECT, "points": [[0.1, -0.01], [0.5, 0.5]]}, "off the picture"),
    ({**RECT, "points": [[math.nan, 0.2], [0.5, 0.5]]}, "finite"),
    ({**RECT, "points": [[math.inf, 0.2], [0.5, 0.5]]}, "finite"),
    ({**RECT, "points": [["0.1", 0.2], [0.5, 0.5]]}, "must be a number"),
    ({**RECT, "points": [[True, 0.2], [0.5, 0.5]]}, "must be a number"),
    ({**RECT, "points": [[0.1, 0.2, 0.3], [0.5, 0.5]]}, "must be [x, y]"),
    ({**RECT, "tool": "lasso"}, "tool must be one of"),
    ({**RECT, "color": "#123456"}, "colour must be one of"),
    ({**RECT, "width": 0}, "width"), ({**RECT, "width": 13}, "width"), ({**RECT, "width": 2.5}, "width"),
    ({**RECT, "opacity": 0.5}, "unknown key opacity"),
    ({**RECT, "text": "hello"}, "only a text shape"),
    ({"tool": "text", "color": "#ffffff", "width": 2, "points": [[0.5, 0.5]]}, "needs its words"),
    ({"tool": "text", "color": "#ffffff", "width": 2, "points": [[0.5, 0.5]], "text": "x" * 201}, "at most 200"),
    ({"tool": "text", "color": "#ffffff", "width": 2, "points": [[0.5, 0.5]], "text": "a\x00b"}, "shape 0"),
    ({"tool": "pen", "color": "#ffffff", "width": 2, "points": []}, "1 to 2000 points"),
    ({"tool": "pen", "color": "#ffffff", "width": 2, "points": [[0.5, 0.5]] * (MAX_PEN_POINTS + 1)}, "1 to 2000"),
    ("rect", "must be an object"),
])
def test_a_bad_shape_is_refused_with_what_is_wrong(shape, words):
    with pytest.raises(DrawingRefused, match="shape 0") as refused:
        clean_drawing([shape])
    assert words in str(refused.value)


def test_too_many_shapes_or_points_are_refused():
    with pytest.raises(DrawingRefused, match="at most 200 shapes"):
        clean_drawing([RECT] * (MAX_SHAPES + 1))
    pen = {"tool": "pen", "color": "#ffffff", "width": 2, "points": [[0.5, 0.5]] * MAX_PEN_POINTS}
    with pytest.raises(DrawingRefused, match="points in all"):
        clean_drawing([pen] * 11)
    with pytest.raises(DrawingRefused, match="list of shapes"):
        clean_drawing({"tool": "rect"})


def test_the_still_has_the_drawn_colour_where_the_shape_is_and_the_picture_elsewhere():
    picture = Image.new("RGB", (640, 360), (20, 30, 40))
    shapes = clean_drawing([RECT, {"tool": "arrow", "color": "#4dabf7", "width": 4, "points": [[0.7, 0.2], [0.9, 0.2]]},
                            {"tool": "text", "color": "#ffd43b", "width": 4, "points": [[0.1, 0.8]], "text": "LAMP"},
                            {"tool": "pen", "color": "#51cf66", "width": 6, "points": [[0.6, 0.7], [0.9, 0.7]]},
                            {"tool": "ellipse", "color": "#ffffff", "width": 4, "points": [[0.3, 0.3], [0.4, 0.4]]}])
    still = burn_drawing(picture, shapes)
    assert still.size == (640, 360)
    assert still.getpixel((round(0.1 * 639), round(0.4 * 359))) == (255, 77, 77)  # the rectangle's left edge
    assert still.getpixel((round(0.3 * 639), round(0.4 * 359))) == (20, 30, 40)  # inside it: the picture
    assert still.getpixel((round(0.8 * 639), round(0.2 * 359))) == (77, 171, 247)  # the arrow's shaft
    assert still.getpixel((round(0.75 * 639), round(0.7 * 359))) == (81, 207, 102)  # the pen stroke
    box = still.crop((64, 280, 200, 330)).getcolors(10000)
    assert any(colour == (255, 212, 59) for _, colour in box)  # the words
