"""Which shots and which fields a note points at, once its stage is known."""

from __future__ import annotations

import re

from rushes.providers.attribution.base import AttributionRequest, ShotContext
from rushes.providers.attribution.features import NoteReading, find_shot_numbers

CODE_RE = re.compile(r"^(\d{1,2})([A-Z])$")
END_RE = re.compile(r"\b(end(s|ing)?\s*(frame|of|pose)?|last frame|finish(es)?|by the end)\b")
START_RE = re.compile(r"\b(start(s|ing)?\s*(frame|of)?|first frame|opens?|begin(s|ning)?)\b")
ORDER_RE = re.compile(r"\b(order|swap|reorder|belongs?|move|first shot|before|after|the end)\b")
DIALOGUE_RE = re.compile(r"\b(line|lines|dialogue|say|says|said|rewrite|question|apologi\w*)\b")
CHARACTER_WORDS = re.compile(
    r"\b(costume|wardrobe|outfit|hair|face|beard|eyes|tattoo|wear\w*|dress|coat|glasses|young|"
    r"old|age|look|looks|tall|scar|jacket|hat|cap|skin|breed|dog|kid)\b"
)
LOCATION_WORDS = re.compile(
    r"\b(bar|pub|room|location|set|kitchen|skyline|decor|lighting|daytime|night|place|walls?|"
    r"streetlights?|boards|tiles|city|street|sky)\b"
)
PLACE_NOUNS = {"roof", "rooftop", "pier", "kitchen", "bar", "pub", "street", "room", "house", "beach",
               "park", "office", "station", "harbour", "alley", "shop", "cafe", "diner"}


def _code_key(code: str) -> tuple[int, int, str]:
    m = CODE_RE.match(code.upper())
    return (int(m.group(1)), ord(m.group(2)), code) if m else (0, 0, code)


def _resolve_numbers(feats: NoteReading, shot: ShotContext | None) -> list[str]:
    """Turn "shot 2" into "3B" using the pinned shot's scene number."""
    if shot is None or not (m := CODE_RE.match(shot.code.upper())):
        return []
    return [f"{m.group(1)}{chr(64 + n)}" for n in find_shot_numbers(feats.text) if 1 <= n <= 26]


def shots_for(feats: NoteReading, request: AttributionRequest, stage: int) -> tuple[str, ...]:
    """Codes named in the note, else the pinned shot (and its neighbour for a jump on a cut)."""
    named = list(dict.fromkeys(feats.shot_codes + _resolve_numbers(feats, request.shot)))
    if named:
        return tuple(named)
    if request.shot is None:
        return ()
    pinned = request.shot.code
    if stage != 10 or "jump" not in feats.cues or not request.neighbours:
        return (pinned,)
    key = _code_key(pinned)
    before = [n.code for n in request.neighbours if _code_key(n.code) < key]
    after = [n.code for n in request.neighbours if _code_key(n.code) > key]
    wants_next = re.search(r"\bnext\b", feats.text.lower()) is not None
    if wants_next and after:
        return (pinned, min(after, key=_code_key))
    if before:
        return (max(before, key=_code_key), pinned)
    if after:
        return (pinned, min(after, key=_code_key))
    return (pinned,)


def prompt_part(feats: NoteReading) -> str:
    """'visual' when the note is about the style or look of the render, else 'audio'."""
    visual = len(feats.cues.get("style", ())) + len(feats.cues.get("light", ()))
    audio = len(feats.cues.get("audio", ()))
    return "visual" if visual > audio else "audio"


def _element_kind(name: str, note: str, shot: ShotContext | None, known: dict[str, str]) -> str:
    if name in known:
        return known[name]
    lowered = name.lower()
    if shot is not None:
        if any(c.lower() == lowered for c in shot.characters):
            return "character"
        if lowered in shot.setting.lower():
            return "location"
    if set(re.findall(r"[a-z]+", lowered)) & PLACE_NOUNS:
        return "location"
    if name[:1].isupper() and " " not in name:
        return "character"  # a bare proper name among the scene's elements is almost always a person
    return "location" if LOCATION_WORDS.search(note) else "prop"


def fields_for(
    feats: NoteReading, request: AttributionRequest, stage: int, category: str
) -> tuple[str, ...]:
    """The fields at `stage` that most likely need the edit."""
    note = feats.text.lower()
    if stage == 10:
        start, end = START_RE.search(note), END_RE.search(note)
        if start and end:
            return ("start_frame", "end_frame")
        return ("end_frame",) if end else ("start_frame",)
    if stage == 9:
        return (f"video_prompt.{prompt_part(feats)}",)
    if stage == 7 and category == "timing":
        return ("duration",)
    if stage == 7:
        camera = len(feats.cues.get("camera", ()))
        if camera and camera >= len(feats.cues.get("story", ())) + len(feats.cues.get("pace", ())):
            return ("camera",)  # the shot list's camera field (DESIGN.md: camera is a shot-list field)
        if ORDER_RE.search(note):
            return ("order",)
        return ("dialogue",) if DIALOGUE_RE.search(note) else ("action",)
    if feats.elements:
        return tuple(f"{_element_kind(n, note, request.shot, feats.element_kinds)}:{n}" for n in feats.elements[:2])
    if LOCATION_WORDS.search(note):
        return ("location",)
    return ("character",) if CHARACTER_WORDS.search(note) else ("prop",)
