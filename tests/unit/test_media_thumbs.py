"""Poster, thumbnail strip and last frame taken from a real mock clip (red start, blue end)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rushes.media.mockclip import ClipSketch, render_mock_clip
from rushes.media.probe import CorruptClip, probe_image
from rushes.media.thumbs import frame_at, last_frame_png, poster_jpeg, thumbnail_strip

RED, BLUE = (220, 30, 30), (30, 30, 220)


def _still(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def clip() -> bytes:
    return render_mock_clip(
        ClipSketch(start_frame=_still(RED), end_frame=_still(BLUE), duration_seconds=4, width=320, height=180)
    )


def _mean(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(axis=0)


def test_poster_defaults_to_middle_frame(clip: bytes) -> None:
    poster = poster_jpeg(clip)
    assert probe_image(poster).format == "JPEG"
    r, _, b = _mean(poster)
    # Midway through the crossfade both anchors show.
    assert 60 < r < 190 and 60 < b < 190


def test_poster_at_time(clip: bytes) -> None:
    r, _, b = _mean(poster_jpeg(clip, at_seconds=0.0))
    assert r > 180 and b < 60
    r, _, b = _mean(poster_jpeg(clip, at_seconds=3.9))
    assert b > 180 and r < 60


def test_frame_at_returns_full_size_picture(clip: bytes) -> None:
    assert frame_at(clip, 1.0).size == (320, 180)


def test_thumbnail_strip_geometry_and_order(clip: bytes) -> None:
    sprite, meta = thumbnail_strip(clip, count=8, height=90)
    assert meta == {"count": 8, "tile_width": 160, "tile_height": 90, "interval_seconds": 0.5}
    with Image.open(io.BytesIO(sprite)) as image:
        assert image.format == "JPEG"
        assert image.size == (160 * 8, 90)
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    tiles = [pixels[:, i * 160 : (i + 1) * 160].reshape(-1, 3).mean(axis=0) for i in range(8)]
    assert tiles[0][0] > 180 and tiles[-1][2] > 180
    reds = [t[0] for t in tiles]
    assert all(a >= b - 3 for a, b in zip(reds, reds[1:]))  # red only fades out along the strip


def test_thumbnail_strip_count_and_height_options(clip: bytes) -> None:
    sprite, meta = thumbnail_strip(clip, count=3, height=60)
    assert (meta["count"], meta["tile_height"], meta["tile_width"]) == (3, 60, 106)
    assert meta["interval_seconds"] == pytest.approx(4 / 3, abs=1e-3)
    with Image.open(io.BytesIO(sprite)) as image:
        assert image.size == (106 * 3, 60)


def test_last_frame_is_the_end_anchor(clip: bytes) -> None:
    png = last_frame_png(clip)
    assert probe_image(png).format == "PNG"
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (320, 180)
    assert np.abs(_mean(png) - np.array(BLUE)).max() < 12


def test_thumbs_refuse_garbage() -> None:
    with pytest.raises(CorruptClip):
        poster_jpeg(b"garbage" * 100)
    with pytest.raises(CorruptClip):
        thumbnail_strip(b"")
