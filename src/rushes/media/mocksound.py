"""The sound bed of a mock clip: what the prompt's sound cues ask for, as steady shaped noise.

Veo lays ambience under every shot whose prompt names sound effects; the mock does the same so a
shot with cues is never silent and quality control can tell a dropped soundtrack from a quiet one.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from rushes.media.voice import SAMPLE_RATE

# Cues that ask for no sound at all: the prompt's "Audio: Room tone." when a shot has no effects.
QUIET_CUES = ("", "room tone", "silence", "silent", "no sound", "none")


def sound_cue(prompt: str) -> str:
    """The effects named after 'Audio:' in a video prompt, without any dialogue that follows."""
    index = prompt.find("Audio:")
    if index < 0:
        return ""
    audio = prompt[index + len("Audio:"):]
    audio = re.split(r"\bCharacter\b[^:]*\bspeaks:", audio, maxsplit=1)[0]
    return audio.strip().rstrip(".").strip()


def asks_for_quiet(cue: str) -> bool:
    return cue.strip().lower().rstrip(".") in QUIET_CUES


def sound_bed(duration: float, cue: str, seed: int = 0, channels: int = 2) -> np.ndarray:
    """Band-limited noise (150 Hz - 4 kHz) at about -30 dBFS with a slow swell; zeros for a quiet cue."""
    samples = int(round(duration * SAMPLE_RATE))
    if asks_for_quiet(cue) or samples == 0:
        return np.zeros((channels, samples), dtype=np.float32)
    digest = hashlib.sha256(cue.lower().encode("utf-8")).digest()
    rng = np.random.default_rng([seed, int.from_bytes(digest[:4], "big")])
    spectrum = np.fft.rfft(rng.normal(0.0, 1.0, samples))
    freqs = np.fft.rfftfreq(samples, 1 / SAMPLE_RATE)
    # Each cue gets its own colour: a tilt between dark rumble-like and bright hiss-like beds.
    tilt = 0.5 + digest[4] / 255
    shape = ((freqs > 150) & (freqs < 4000)) / np.maximum(1.0, freqs / 300) ** tilt
    bed = np.fft.irfft(spectrum * shape, n=samples)
    bed /= np.sqrt(np.mean(bed**2)) or 1.0
    level = 10 ** ((-31.0 + digest[5] / 255 * 2.0) / 20)  # -31..-29 dBFS
    t = np.arange(samples) / SAMPLE_RATE
    swell = 10 ** (1.5 * np.sin(2 * np.pi * 0.15 * t + digest[6] / 40) / 20)
    mono = bed * level * swell
    return np.vstack([mono] * channels).astype(np.float32)
