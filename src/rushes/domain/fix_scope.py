"""What fixing a note at its stage re-renders, shot by shot, and why each shot is in it.

Pure: it reads the notes and the scene's shot states and says which artifacts the fix remakes. The rules
follow the staleness digests (domain/staleness.py): a shot's duration is an input of its clip alone (the frame
prompt does not carry it), so asking a shot to hold longer re-renders that clip and nothing else; anything
that changes the frame prompt redraws the shot's anchor frames, and a redrawn last frame is the next shot's
start (the continuity chain), so that shot may follow.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from rushes.domain.shots import FRAME_RATE, MAX_SHOT_SECONDS

_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "half a": 0.5}
_AMOUNT = r"(\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_SECONDS = re.compile(_AMOUNT + r"\s*-?\s*(?:s|sec|secs|second|seconds)\b(?P<after>[^.;!?]{0,24})", re.IGNORECASE)
_LONGER = re.compile(r"\b(longer|more|extra|added)\b", re.IGNORECASE)
_SHORTER = re.compile(r"\b(shorter|less|fewer|trim|cut)\b", re.IGNORECASE)


def _amount(word: str) -> float:
    word = word.lower().replace(",", ".")
    return float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(word)


def asked_duration(text: str, current: float) -> float | None:
    """The running time a note asks of its shot: '10 s' is absolute, '2 seconds longer' is relative."""
    match = _SECONDS.search(text or "")
    if match is None:
        return None
    amount = _amount(match.group(1))
    after = match.group("after")
    if _LONGER.search(after):
        wanted = current + amount
    elif _SHORTER.search(after):
        wanted = current - amount
    else:
        wanted = amount
    return round(wanted, 3) if wanted > 0 else None


def split_parts(seconds: float, limit: float = MAX_SHOT_SECONDS, fps: int = FRAME_RATE) -> tuple[float, ...]:
    """Equal parts, whole frames each, none over `limit`: 10 s becomes 5 s + 5 s."""
    count = max(1, math.ceil(seconds / limit - 1e-9))
    frames = round(seconds * fps)
    base, extra = divmod(frames, count)
    return tuple((base + (1 if i < extra else 0)) / fps for i in range(count))


@dataclass(frozen=True)
class NoteAsk:
    """One open note as the scope needs it."""

    shot_id: int
    stage: int
    text: str


@dataclass(frozen=True)
class ShotInScope:
    """The shot's current facts the scope reads."""

    shot_id: int
    code: str
    duration: float
    start_frame_only: bool


@dataclass
class FixLine:
    shot_id: int
    code: str
    frames: int  # anchor frames redrawn (Stage 10)
    clip_seconds: float  # the clip re-rendered at this running time (Stage 11); 0 for none
    why: str
    kind: str = "fix"  # fix | follows (continuity) | split (a new shot the split adds)
    after: str | None = None  # for follows: the shot whose last frame it continues from
    clips: int = 1


@dataclass
class FixScope:
    lines: list[FixLine] = field(default_factory=list)
    follows: list[FixLine] = field(default_factory=list)
    splits: list[dict] = field(default_factory=list)  # {"code", "asked", "parts"} per shot proposed for a split


def _frames(shot: ShotInScope) -> int:
    return 1 if shot.start_frame_only else 2


def _s(seconds: float) -> str:
    return f"{seconds:g} s"


def _line_for(stage: int, shot: ShotInScope, texts: list[str]) -> tuple[list[FixLine], dict | None]:
    if stage == 9:
        return [FixLine(shot.shot_id, shot.code, 0, shot.duration,
                        "its video prompt changes; the frames keep their own prompt, so only the clip re-renders")], None
    if stage == 7:
        asked = next((d for d in (asked_duration(t, shot.duration) for t in texts) if d is not None), None)
        if asked is not None and abs(asked - shot.duration) > 1e-6:
            if asked <= MAX_SHOT_SECONDS + 1e-9:
                return [FixLine(shot.shot_id, shot.code, 0, asked,
                                f"asked to run {_s(asked)} (now {_s(shot.duration)}): the duration is an input of "
                                "its clip alone, so its frames and the other shots are reused")], None
            parts = split_parts(asked)
            split = {"code": shot.code, "asked": asked, "parts": list(parts)}
            joined = " + ".join(_s(p) for p in parts)
            lines = [FixLine(shot.shot_id, shot.code, 0 if shot.start_frame_only else 1, parts[0],
                             f"asked to run {_s(asked)}, over the {_s(MAX_SHOT_SECONDS)} a shot may run: the fix splits "
                             f"it into {len(parts)} shots ({joined}); it keeps its start frame and gets a new last "
                             "frame", kind="split")]
            for n, part in enumerate(parts[1:], start=2):
                lines.append(FixLine(shot.shot_id, f"{shot.code} part {n}", _frames(shot), part,
                                     f"a new shot the split adds after {shot.code}: its own anchor frames and clip",
                                     kind="split"))
            return lines, split
        return [FixLine(shot.shot_id, shot.code, _frames(shot), shot.duration,
                        "its shot-list fields change, so its prompts, anchor frames and clip are remade")], None
    if stage == 8:
        return [FixLine(shot.shot_id, shot.code, _frames(shot), shot.duration,
                        "the look it shows is redefined, so its anchor frames and clip are remade")], None
    return [FixLine(shot.shot_id, shot.code, _frames(shot), shot.duration,
                    "its anchor frames are redrawn, so its clip re-renders from them")], None


def fix_scope(stage: int, notes: list[NoteAsk], shots: list[ShotInScope]) -> FixScope:
    """The shots the fix re-renders, in scene order, each with the reason it is there."""
    texts: dict[int, list[str]] = {}
    for note in notes:
        texts.setdefault(note.shot_id, []).append(note.text)
    scope = FixScope()
    chosen = set(texts)
    for index, shot in enumerate(shots):
        if shot.shot_id not in texts:
            continue
        lines, split = _line_for(stage, shot, texts[shot.shot_id])
        scope.lines.extend(lines)
        if split:
            scope.splits.append(split)
        redraws_last = any(line.frames and line.kind == "fix" for line in lines)
        after = shots[index + 1] if index + 1 < len(shots) else None
        if redraws_last and after is not None and after.shot_id not in chosen:
            chosen.add(after.shot_id)
            scope.follows.append(FixLine(after.shot_id, after.code, 1, after.duration,
                                         f"if {shot.code}’s last frame changes, its start frame follows (continuity)",
                                         kind="follows", after=shot.code))
    return scope
