"""The mock clip renderer: picture and sound lengths agree for every shot length."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from rushes.media.mockclip import ClipSketch, render_mock_clip
from rushes.media.probe import probe_clip


def _still() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), (90, 20, 120)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("seconds", [1, 5, 7])
def test_audio_and_video_lengths_match_request(seconds: int) -> None:
    clip = render_mock_clip(
        ClipSketch(start_frame=_still(), duration_seconds=seconds, width=320, height=180, dialogue=(("A", "Now."),))
    )
    probe = probe_clip(clip)
    assert probe.frame_count == seconds * 24
    assert probe.video_duration_seconds == pytest.approx(seconds, abs=1e-3)
    assert probe.audio_duration_seconds == pytest.approx(seconds, abs=1e-3)
    assert probe.duration_seconds == pytest.approx(seconds, abs=1e-3)


def test_same_inputs_render_identical_bytes() -> None:
    sketch = ClipSketch(start_frame=_still(), duration_seconds=1, width=320, height=180, seed=5)
    assert render_mock_clip(sketch) == render_mock_clip(sketch)


@pytest.mark.parametrize(
    "changes", [{"width": 321}, {"height": 181}, {"duration_seconds": 0}, {"duration_seconds": -2}]
)
def test_impossible_sketches_refused(changes: dict) -> None:
    base = dict(start_frame=_still(), duration_seconds=1, width=320, height=180)
    base.update(changes)
    with pytest.raises(ValueError):
        render_mock_clip(ClipSketch(**base))  # type: ignore[arg-type]
