"""Dialogue placement and the speech-like signal the mock renders."""

from __future__ import annotations

import numpy as np
import pytest

from rushes.media.voice import SAMPLE_RATE, dialogue_windows, speaker_pitch, synthesize_dialogue

LINES = (("Mara", "We should not be here after dark."), ("Theo", "Then why bring the lantern?"), ("Mara", "Habit."))


def test_windows_are_ordered_inside_the_clip_and_apart() -> None:
    windows = dialogue_windows(8.0, LINES)
    assert [w.line for w in windows] == [line for _, line in LINES]
    assert windows[0].start >= 0.3 and windows[-1].end <= 7.8
    for a, b in zip(windows, windows[1:]):
        assert a.end < b.start
    assert all(w.end - w.start >= 0.5 for w in windows)


def test_longer_lines_get_longer_windows() -> None:
    short, long = dialogue_windows(8.0, (("A", "Yes."), ("B", "I have been waiting here for a very long time.")))
    assert long.end - long.start > short.end - short.start


def test_no_dialogue_no_windows() -> None:
    assert dialogue_windows(8.0, ()) == []


def test_speaker_pitch_is_stable_and_in_voice_range() -> None:
    assert speaker_pitch("Mara") == speaker_pitch("mara ")
    assert speaker_pitch("Mara") != speaker_pitch("Theo")
    assert all(90 <= speaker_pitch(name) <= 235 for name in ("A", "Bob", "Zoë", "Narrator"))


@pytest.mark.parametrize("channels", [1, 2])
def test_synthesis_length_level_and_determinism(channels: int) -> None:
    audio, windows = synthesize_dialogue(6.0, LINES, seed=3, channels=channels)
    assert audio.shape == (channels, 6 * SAMPLE_RATE) and audio.dtype == np.float32
    assert np.abs(audio).max() <= 1.0
    inside = np.concatenate([audio[0, int(w.start * SAMPLE_RATE) : int(w.end * SAMPLE_RATE)] for w in windows])
    quiet = audio[0, : int(0.3 * SAMPLE_RATE)]
    assert np.sqrt(np.mean(inside**2)) > 20 * np.sqrt(np.mean(quiet**2))
    again, _ = synthesize_dialogue(6.0, LINES, seed=3, channels=channels)
    assert np.array_equal(audio, again)


def test_voice_pitch_follows_speaker() -> None:
    low = min(("Mara", "Theo"), key=speaker_pitch)
    high = max(("Mara", "Theo"), key=speaker_pitch)
    assert speaker_pitch(high) - speaker_pitch(low) > 15

    def dominant(name: str) -> float:
        audio, (window,) = synthesize_dialogue(3.0, ((name, "Ahh ooo ahh ooo"),), seed=1, channels=1)
        seg = audio[0, int(window.start * SAMPLE_RATE) : int(window.end * SAMPLE_RATE)]
        spectrum = np.abs(np.fft.rfft(seg * np.hanning(seg.size)))
        freqs = np.fft.rfftfreq(seg.size, 1 / SAMPLE_RATE)
        band = (freqs > 60) & (freqs < 400)
        # The lowest strong peak approximates the fundamental.
        strong = freqs[band][spectrum[band] > spectrum[band].max() * 0.3]
        return float(strong.min())

    assert dominant(low) == pytest.approx(speaker_pitch(low), rel=0.15)
    assert dominant(high) == pytest.approx(speaker_pitch(high), rel=0.15)
