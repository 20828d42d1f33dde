"""Durations are whole frames at 24 fps, snapped before they are validated."""

from __future__ import annotations

import pytest

from rushes.domain.shots import FRAME_RATE, ShotFieldError, snap_to_frames, validate_duration


@pytest.mark.parametrize("given, frames", [(0.0004, 0), (0.02, 0), (0.021, 1), (4.99, 120), (8.01, 192), (8.03, 193)])
def test_snap_to_frames(given, frames):
    assert snap_to_frames(given) == frames


@pytest.mark.parametrize("given, stored", [(4.99, 5.0), (0.03, 0.041667), (8.01, 8.0), ("6", 6.0), (7.5, 7.5)])
def test_valid_durations_are_stored_on_a_frame(given, stored):
    seconds = validate_duration(given)
    assert seconds == stored
    assert snap_to_frames(seconds) * 1 == round(seconds * FRAME_RATE)


@pytest.mark.parametrize("given", [0.0004, 0.02, 0, -1, 8.03, 1e308, float("nan"), float("inf"), True, False, None, "soon"])
def test_durations_that_are_not_one_to_192_frames_are_refused(given):
    with pytest.raises(ShotFieldError) as err:
        validate_duration(given)
    assert err.value.field == "duration"
