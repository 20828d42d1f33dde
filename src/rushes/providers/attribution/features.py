"""Read a review note beside its scene: shot codes, element mentions, quoted lines, cues, context.

Pure: no I/O. `read_note` gives the model its inputs (a normalised text for the n-gram features and a
dict of cue and context features) and gives the rules for shots, fields and reasons the spans that
produced them, so a reason can quote the note's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rushes.providers.attribution.base import AttributionRequest, ElementLook, ShotContext
from rushes.providers.attribution.lexicon import CUE_PHRASES, CUE_STEMS, CUE_WORDS, PRAISE_SYMBOLS
from rushes.providers.attribution.spec import shared_across_cuts

# Shot codes in this pipeline are a scene number and a letter ("3B"); letters stop at L so
# units like "4s" or "8 sec" are not read as shots.
SHOT_CODE_RE = re.compile(r"(?<![\w.])(\d{1,2})\s?([a-jlA-JL])(?![\w'])")
SHOT_WORD_RE = re.compile(r"\bshot\s+(\d{1,2})\b", re.IGNORECASE)
TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
QUOTE_RE = re.compile(r"[\"“”‘’]([^\"“”]{2,200}?)[\"“”’]|(?<!\w)'([^']{3,200}?)'(?!\w)")
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
STOPWORDS = frozenset(
    "a an the and or but of to in on at by for with from is are was be been it its it's this that these those "
    "he she they his her their him them we you i me my our your as so than then there here what who not no "
    "do does did very just all one two up out into over under shot shots".split()
)
NEAR_CUT_SECONDS = 0.5


@dataclass
class NoteReading:
    text: str
    tokens: list[tuple[str, int, int]]
    shot_codes: list[str]
    elements: list[str]  # element names the note mentions, in order
    element_kinds: dict[str, str]
    cues: dict[str, list[tuple[int, int]]]  # group -> spans in text
    quoted_lines: list[str] = field(default_factory=list)  # the shot's dialogue the note quotes
    look_words: list[str] = field(default_factory=list)  # words of a defined look the note uses
    context: dict[str, float] = field(default_factory=dict)
    normalised: str = ""
    dense: dict[str, float] = field(default_factory=dict)


def find_shot_codes(text: str) -> list[tuple[str, int, int]]:
    """Shot codes written in the note ("3B", "3 b"), normalised and in order of appearance."""
    return [(m.group(1) + m.group(2).upper(), m.start(), m.end()) for m in SHOT_CODE_RE.finditer(text)]


def find_shot_numbers(text: str) -> list[int]:
    """Numbers from "shot 3"-style mentions, which need the scene's codes to resolve."""
    return [int(m.group(1)) for m in SHOT_WORD_RE.finditer(text)]


@lru_cache(maxsize=4096)
def _element_pattern(name: str) -> re.Pattern[str]:
    bare = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
    return re.compile(r"(?<!\w)(?:the\s+)?" + re.escape(bare).replace(r"\ ", r"\s+") + r"(?!\w)", re.IGNORECASE)


def find_elements(text: str, elements: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Mentions of stage-8 element names (case-insensitive, possessive allowed), longest first."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted({e for e in elements if e.strip()}, key=len, reverse=True):
        for m in _element_pattern(name).finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((name, m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def _words(text: str) -> list[str]:
    return [t.lower().replace("’", "'") for t in TOKEN_RE.findall(text)]


def _content(text: str) -> set[str]:
    return {w for w in _words(text) if len(w) > 2 and w not in STOPWORDS}


def _dialogue_lines(shots: list[ShotContext]) -> list[str]:
    lines = []
    for shot in shots:
        for raw in shot.dialogue.splitlines():
            said = raw.partition(":")[2] if ":" in raw[:40] else raw
            if said.strip():
                lines.append(said.strip().strip('"'))
    return lines


# One alternation per cue group, compiled once: a note is read in well under a millisecond.
_STEM_RES = {g: re.compile("(?:" + "|".join(map(re.escape, sorted(stems, key=len, reverse=True))) + ")")
             for g, stems in CUE_STEMS.items()}
_PHRASE_RES = {g: re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(ps, key=len, reverse=True))) + r")(?!\w)")
               for g, ps in CUE_PHRASES.items()}


def _cue_spans(lowered: str, tokens: list[tuple[str, int, int]]) -> dict[str, list[tuple[int, int]]]:
    hits: dict[str, list[tuple[int, int]]] = {}
    for norm, start, end in tokens:
        for group, stem_re in _STEM_RES.items():
            if stem_re.match(norm):
                hits.setdefault(group, []).append((start, end))
        for group, words in CUE_WORDS.items():
            if norm in words:
                hits.setdefault(group, []).append((start, end))
    for group, phrase_re in _PHRASE_RES.items():
        for m in phrase_re.finditer(lowered):
            hits.setdefault(group, []).append((m.start(), m.end()))
    return hits


def _quoted(text: str, lines: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Dialogue lines the note quotes: a quoted span that overlaps a line, or 3+ words in a row from it."""
    quoted, spans = [], []
    norm_lines = [(line, _words(line)) for line in lines]
    for m in QUOTE_RE.finditer(text):
        words = _words(m.group(1) or m.group(2) or "")
        for line, lw in norm_lines:
            if words and sum(w in lw for w in words) >= max(1, 0.6 * len(words)):
                quoted.append(line)
                spans.append((m.start(), m.end()))
                break
    note_words = _words(text)
    for line, lw in norm_lines:
        if line in quoted or len(lw) < 3:
            continue
        grams = {tuple(lw[i:i + 3]) for i in range(len(lw) - 2)}
        if any(tuple(note_words[i:i + 3]) in grams for i in range(len(note_words) - 2)):
            quoted.append(line)
    return quoted, spans


def _gibberish(tokens: list[tuple[str, int, int]], text: str) -> dict[str, float]:
    words = [t for t, _, _ in tokens if t.isalpha()]
    out: dict[str, float] = {}
    if not words:
        out["g:no_words"] = 1.0
        return out
    vowelless = sum(1 for w in words if len(w) > 2 and not re.search(r"[aeiouy]", w))
    mashed = sum(1 for w in words if len(w) >= 4 and any(set(w) <= set(row) for row in KEYBOARD_ROWS))
    repeats = sum(1 for w in words if re.search(r"(.)\1\1", w))
    if vowelless or mashed or repeats:
        out["g:nonword"] = (vowelless + mashed + repeats) / len(words)
    n = len(words)
    out["g:len_" + ("1" if n == 1 else "2-3" if n <= 3 else "4-8" if n <= 8 else "9+")] = 1.0
    if any(s in text for s in PRAISE_SYMBOLS):
        out["g:praise_symbol"] = 1.0
    if not re.search(r"[A-Za-z]", text):
        out["g:no_letters"] = 1.0
    return out


def _looks(request: AttributionRequest) -> list[ElementLook]:
    shots = [s for s in (request.shot, *request.neighbours) if s is not None]
    seen: dict[str, ElementLook] = {}
    for shot in shots:
        for look in shot.visual_states:
            seen.setdefault(look.name, look)
    return list(seen.values())


def _context(reading: NoteReading, request: AttributionRequest, looks: list[ElementLook]) -> dict[str, float]:
    shot = request.shot
    ctx: dict[str, float] = {}
    if shot is None:
        return ctx
    ctx["x:has_scene"] = 1.0
    note = _content(reading.text)
    if reading.quoted_lines:
        ctx["x:quotes_dialogue"] = 1.0
    elif QUOTE_RE.search(reading.text):
        ctx["x:quotes_other"] = 1.0
    dialogue_words = set().union(*(_content(line) for line in _dialogue_lines([shot, *request.neighbours])))
    if note and len(note & dialogue_words) >= 2:
        ctx["x:dialogue_words"] = 1.0
    if reading.look_words:
        ctx["x:look_words"] = 1.0
    camera = _content(shot.camera) - {"close", "wide", "medium"}
    if note & camera:
        ctx["x:camera_words"] = 1.0
    if reading.cues.get("camera") and note & _content(shot.camera):
        ctx["x:names_shot_camera"] = 1.0  # the note talks camera in the shot list's own words
    if note & set().union(*(_content(n.camera) for n in request.neighbours)) - _content(shot.camera):
        ctx["x:names_neighbour_camera"] = 1.0  # "in the wide": pointing at the shot across the cut
    # What the pinned shot shares with its neighbours: a note about a character or prop in both sides
    # of the cut can be about continuity; one only in this shot cannot.
    shared = shared_across_cuts(request)
    named = {e.lower() for e in reading.elements}
    if named & shared:
        ctx["x:names_across_cut"] = 1.0
    elif named:
        ctx["x:names_this_shot_only"] = 1.0
    if len(note & _content(shot.action)) >= 2:
        ctx["x:action_words"] = 1.0
    if request.shot_time is not None:
        if request.shot_time <= NEAR_CUT_SECONDS or request.shot_time >= shot.duration - NEAR_CUT_SECONDS:
            ctx["x:near_cut"] = 1.0
        ctx["x:at_head" if request.shot_time <= NEAR_CUT_SECONDS else
            "x:at_tail" if request.shot_time >= shot.duration - NEAR_CUT_SECONDS else "x:mid_shot"] = 1.0
    neighbours = {n.code.upper() for n in request.neighbours}
    if neighbours & set(reading.shot_codes):
        ctx["x:names_neighbour"] = 1.0
    for name in reading.elements:
        ctx["x:names_" + reading.element_kinds.get(name, "element")] = 1.0
    seconds = [float(n) for n in re.findall(r"\b(\d(?:\.\d)?)\s*(?:s|sec|secs|seconds)\b", reading.text.lower())]
    if any(abs(s - shot.duration) < 0.6 for s in seconds):
        ctx["x:says_duration"] = 1.0
    return ctx


def _normalise(text: str, replace: list[tuple[int, int, str]]) -> str:
    out, last = [], 0
    for start, end, token in sorted(replace):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(f" {token} ")
        last = end
    out.append(text[last:])
    lowered = "".join(out).lower().replace("’", "'")
    return re.sub(r"\d+", "0", lowered)


def read_note(request: AttributionRequest) -> NoteReading:
    """Everything the attributor reads off one note and its scene."""
    text = request.description
    looks = _looks(request)
    kinds = {look.name: look.kind for look in looks}
    shots = [s for s in (request.shot, *request.neighbours) if s is not None]
    for shot in shots:
        for name in shot.characters:
            kinds.setdefault(name, "character")
    names = tuple(dict.fromkeys((*request.scene_elements, *kinds)))
    mentions = find_elements(text, names)
    codes = find_shot_codes(text)
    tokens = [(m.group(0).lower().replace("’", "'"), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]
    lowered = text.lower()
    reading = NoteReading(text=text, tokens=tokens, shot_codes=list(dict.fromkeys(c for c, _, _ in codes)),
                          elements=list(dict.fromkeys(n for n, _, _ in mentions)), element_kinds=kinds,
                          cues=_cue_spans(lowered, tokens))
    quoted, quote_spans = _quoted(text, _dialogue_lines(shots))
    reading.quoted_lines = quoted
    note_words = _content(text)
    for look in looks:
        words = _content(look.description) - _content(look.name)
        reading.look_words.extend(sorted(note_words & words))
    reading.context = _context(reading, request, looks)
    replace = [(s, e, "shotcode") for _, s, e in codes]
    replace += [(s, e, "el" + kinds.get(n, "element")) for n, s, e in mentions]
    replace += [(s, e, "qline") for s, e in quote_spans]
    reading.normalised = _normalise(text, replace)
    reading.dense = _dense(reading)
    return reading


def praise_only(reading: NoteReading) -> bool:
    """Praise and nothing a stage could fix: the one kind of empty note the reason can name."""
    cues = {g for g, spans in reading.cues.items() if spans}
    return "praise" in cues and not cues & {"jump", "audio", "pace", "story", "camera", "design", "style", "light"}


def _dense(reading: NoteReading) -> dict[str, float]:
    """What the n-grams cannot see: the note read against its scene and cut, and the marks of gibberish.

    The hand-made cue groups (lexicon.py) are not model inputs any more: with notes by 32 more
    writers to learn from, they cost accuracy on writers the corpus never met (README, "Attribution");
    they still find the words that fields and reasons quote.
    """
    out = dict(reading.context)
    out.update(_gibberish(reading.tokens, reading.text))
    return out
