"""Frames, timecodes and which shots a note covers (rushes.domain.timecode)."""

from fractions import Fraction

import pytest

from rushes.domain.timecode import frame_at, note_text_key, seconds_at, shots_under, timecode

CUTS = [("1A", 0, 192), ("1B", 192, 336), ("1C", 336, 528)]


def test_frames_and_timecodes():
    assert frame_at(1.02) == 24 and frame_at(1.0 / 24 * 0.49) == 0 and frame_at(10.0) == 240
    assert seconds_at(36) == 1.5 and timecode(0) == "00:00:00:00" and timecode(24 * 3725 + 1) == "01:02:05:01"
    assert frame_at(2.0, Fraction(30000, 1001)) == 60
    for bad in (float("nan"), float("inf"), -0.5):
        with pytest.raises(ValueError):
            frame_at(bad)


def test_the_same_words_make_the_same_key():
    assert note_text_key("Too  DARK ") == note_text_key("too dark") != note_text_key("too dark!")
    assert note_text_key("Caf\u00e9") == note_text_key("Cafe\u0301")  # composed or not, the same word
    assert len(note_text_key("\ud800 lone half")) == 64  # a lone surrogate still makes a key


def test_a_note_names_the_shots_it_covers_and_both_shots_of_a_cut():
    assert shots_under(10, None, CUTS) == (["1A"], False)
    assert shots_under(192, None, CUTS) == (["1A", "1B"], True)   # the first frame of 1B
    assert shots_under(191, None, CUTS) == (["1A", "1B"], True)   # the last frame of 1A
    assert shots_under(100, 400, CUTS) == (["1A", "1B", "1C"], False)
    assert shots_under(200, 300, CUTS) == (["1B"], False)
    assert shots_under(5, None, []) == ([], False)
