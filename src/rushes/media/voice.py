"""Speech-like sound for mock clips: each dialogue line becomes an audible voiced phrase in its window."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 48_000
_LEAD_IN = 0.4  # seconds of room tone before the first line
_TAIL = 0.3
_SYLLABLE_SECONDS = 0.19
_WORD_GAP_SECONDS = 0.07
# Rough first/second formants (Hz) of a few vowels; syllables cycle through them.
_VOICE_PITCHES = (98.0, 116.0, 135.0, 155.0, 176.0, 196.0, 214.0, 232.0)
_VOWELS = ((730, 1090), (530, 1840), (270, 2290), (570, 840), (300, 870), (660, 1720))


@dataclass(frozen=True)
class DialogueWindow:
    """Where one dialogue line is spoken inside a clip, in clip seconds."""

    start: float
    end: float
    speaker: str
    line: str


def _stable_int(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _syllables(word: str) -> int:
    return max(1, len(re.findall(r"[aeiouy]+", word.lower())))


def _words(line: str) -> list[str]:
    return re.findall(r"[\w']+", line) or ["..."]


def speaking_seconds(line: str) -> float:
    """How long a line takes at a calm speaking pace."""
    words = _words(line)
    return sum(_syllables(w) for w in words) * _SYLLABLE_SECONDS + (len(words) - 1) * _WORD_GAP_SECONDS


def dialogue_windows(duration: float, lines: Sequence[tuple[str, str]]) -> list[DialogueWindow]:
    """Spread the lines evenly across the clip, one per slot, each centred in its slot."""
    if not lines:
        return []
    usable = max(0.5, duration - _LEAD_IN - _TAIL)
    slot = usable / len(lines)
    windows = []
    for index, (speaker, line) in enumerate(lines):
        length = min(max(0.6, speaking_seconds(line)), slot * 0.9)
        start = _LEAD_IN + index * slot + (slot - length) / 2
        windows.append(DialogueWindow(round(start, 4), round(start + length, 4), speaker, line))
    return windows


def speaker_pitch(speaker: str) -> float:
    """Fundamental frequency (Hz) for a speaker: stable per name, one of eight distinct voices."""
    # Discrete steps keep two speakers either clearly apart or identical, never nearly alike.
    return _VOICE_PITCHES[_stable_int(speaker.strip().lower()) % len(_VOICE_PITCHES)]


def _envelope(n: int, attack: int, release: int) -> np.ndarray:
    env = np.ones(n, dtype=np.float64)
    attack = min(attack, n // 2)
    release = min(release, n - attack)
    if attack:
        env[:attack] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, attack))
    if release:
        env[n - release :] = 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, release))
    return env


def _phrase(window: DialogueWindow, rng: np.random.Generator) -> np.ndarray:
    """A voiced phrase filling the window: harmonic tone with pitch contour and syllable envelopes."""
    n = int(round((window.end - window.start) * SAMPLE_RATE))
    out = np.zeros(n, dtype=np.float64)
    words = _words(window.line)
    units = [(_syllables(w), wi) for wi, w in enumerate(words)]
    total_syllables = sum(count for count, _ in units)
    gap = int(_WORD_GAP_SECONDS * SAMPLE_RATE)
    syllable_len = max(1, (n - gap * (len(words) - 1)) // max(1, total_syllables))
    f0_base = speaker_pitch(window.speaker)
    harmonics = np.arange(1, 13, dtype=np.float64)[:, None]
    cursor = 0
    syllable_index = 0
    for word_index, word in enumerate(words):
        for _ in range(_syllables(word)):
            seg = min(syllable_len, n - cursor)
            if seg <= 0:
                break
            t = np.arange(seg) / SAMPLE_RATE
            progress = (cursor + np.arange(seg)) / n
            # Declination across the line plus a small rise/fall inside the syllable.
            contour = (1.08 - 0.18 * progress) * (1 + rng.uniform(-0.06, 0.06)) * (1 + 0.04 * np.sin(2 * np.pi * 3 * t))
            f0 = f0_base * contour
            phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE + rng.uniform(0, 2 * np.pi)
            f1, f2 = _VOWELS[(syllable_index + _stable_int(word)) % len(_VOWELS)]
            freq = harmonics * f0[None, :]
            gain = np.exp(-(((freq - f1) / 160.0) ** 2)) + 0.6 * np.exp(-(((freq - f2) / 220.0) ** 2)) + 0.08 / harmonics
            voiced = (gain * np.sin(harmonics * phase[None, :])).sum(axis=0)
            # A short noisy onset reads as a consonant.
            burst = min(seg, int(0.025 * SAMPLE_RATE))
            voiced[:burst] += rng.normal(0, 0.35, burst) * np.linspace(1, 0, burst)
            out[cursor : cursor + seg] += voiced * _envelope(seg, int(0.02 * SAMPLE_RATE), int(0.05 * SAMPLE_RATE))
            cursor += seg
            syllable_index += 1
        if word_index < len(words) - 1:
            cursor += gap
    peak = np.max(np.abs(out)) or 1.0
    return out / peak * 0.5


def room_tone(samples: int, rng: np.random.Generator, level: float = 0.003) -> np.ndarray:
    """Quiet low-passed noise, the hush of a room between lines."""
    white = rng.normal(0.0, 1.0, samples)
    # A short decaying kernel darkens white noise into a soft rumble rather than hiss.
    kernel = np.exp(-np.arange(64) / 12.0)
    tone = np.convolve(white, kernel / kernel.sum(), mode="same")
    rms = np.sqrt(np.mean(tone**2)) or 1.0
    return tone / rms * level


def synthesize_dialogue(
    duration: float, lines: Sequence[tuple[str, str]], seed: int = 0, channels: int = 2
) -> tuple[np.ndarray, list[DialogueWindow]]:
    """Float32 planar audio (channels, samples) of exactly `duration` seconds, plus the windows used."""
    samples = int(round(duration * SAMPLE_RATE))
    rng = np.random.default_rng(seed)
    mono = room_tone(samples, rng)
    windows = dialogue_windows(duration, lines)
    pans = []
    for window in windows:
        phrase = _phrase(window, rng)
        start = int(round(window.start * SAMPLE_RATE))
        end = min(samples, start + phrase.size)
        pans.append((start, end, phrase[: end - start], window.speaker))
    if channels == 1:
        for start, end, phrase, _ in pans:
            mono[start:end] += phrase
        return mono[None, :].astype(np.float32), windows
    audio = np.vstack([mono, mono])
    for start, end, phrase, speaker in pans:
        # Each speaker sits at a stable place in the stereo field.
        pan = ((_stable_int(speaker) % 7) - 3) / 10.0
        audio[0, start:end] += phrase * (1 - pan)
        audio[1, start:end] += phrase * (1 + pan)
    return np.clip(audio, -1.0, 1.0).astype(np.float32), windows
