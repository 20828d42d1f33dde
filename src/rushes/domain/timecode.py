"""Frames, rates and timecodes for review notes: a note is a frame number at the take's rational rate;
seconds and SMPTE-style timecodes are computed from it, never stored as the truth."""

from __future__ import annotations

import hashlib
import math
import unicodedata
from fractions import Fraction

from rushes.domain.shots import FRAME_RATE

DEFAULT_RATE = Fraction(FRAME_RATE, 1)


def frame_at(seconds: float, rate: Fraction = DEFAULT_RATE) -> int:
    """The frame on screen at `seconds` (the nearest frame start; a playhead is never between frames)."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError("a time in the cut is a finite number of seconds from its start")
    return int(Fraction(seconds).limit_denominator(1_000_000) * rate + Fraction(1, 2))


def seconds_at(frame: int, rate: Fraction = DEFAULT_RATE) -> float:
    return float(Fraction(frame) / rate)


def timecode(frame: int, rate: Fraction = DEFAULT_RATE) -> str:
    """HH:MM:SS:FF, non-drop (the app renders whole-number rates)."""
    per_second = math.ceil(rate)
    seconds, frames = divmod(frame, per_second)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def note_text_key(description: str) -> str:
    """What makes two notes the same words: case, accents' composition and spacing do not count."""
    text = " ".join(unicodedata.normalize("NFC", description).casefold().split())
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def shots_under(frame: int, out_frame: int | None, cuts: list[tuple[str, int, int]]) -> tuple[list[str], bool]:
    """The shots a note covers, and whether it sits on a cut. `cuts` is the take's shots in order as
    (code, first frame, frame after the last). A note on a shot's first frame, or on the last frame of
    the shot before it, is about the cut between them and names both shots."""
    last = frame if out_frame is None else max(frame, out_frame)
    codes = [code for code, start, end in cuts if start <= last and frame < end]
    on_cut = False
    for (before, _, end), (after, start, _) in zip(cuts, cuts[1:]):
        if frame in (end - 1, start) and out_frame is None:
            on_cut = True
            for code in (before, after):
                if code not in codes:
                    codes.append(code)
            codes.sort(key=[c for c, _, _ in cuts].index)
    return codes, on_cut
