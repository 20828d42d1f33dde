"""Turn an issue note into sparse features that remember which words produced them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Shot codes in this pipeline are a scene number and a letter ("3B"); letters stop at L so
# units like "4s" or "8 sec" are not read as shots.
SHOT_CODE_RE = re.compile(r"(?<![\w.])(\d{1,2})\s?([a-jlA-JL])(?![\w'])")
SHOT_WORD_RE = re.compile(r"\bshot\s+(\d{1,2})\b", re.IGNORECASE)
TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")

SHOT_TOKEN = "<shot>"
ELEMENT_TOKEN = "<element>"

# Cue groups: stems matched at the start of a token, and multi-word phrases matched in the
# lowered text. The classifier learns how much each group counts; the groups make rare
# spellings of the same idea share evidence.
CUE_STEMS: dict[str, tuple[str, ...]] = {
    "scenewide": ("always", "whole", "entire", "everywhere", "throughout", "every", "consist",
                  "overall", "all"),
    "design": ("design", "costume", "wardrobe", "outfit", "defin", "reference", "ref", "breed",
               "era", "decor", "dressing", "redesign", "looks", "look", "age", "young", "old"),
    "jump": ("jump", "between", "pop", "cut", "match", "mismatch", "continu", "vanish",
             "disappear", "dissapear", "appear", "teleport", "switch", "changes", "suddenly",
             "then", "next", "previous", "gone", "flip"),
    "frame": ("frame", "anchor", "pose", "start", "end", "first", "last", "opens"),
    "audio": ("line", "says", "said", "say", "lip", "sync", "mumbl", "audio", "sfx", "sound",
              "voice", "hear", "music", "loud", "quiet", "accent", "whisper", "mouth", "noise",
              "volume", "reverb", "speak", "pronounc", "bark", "silent"),
    "camera": ("camera", "pan", "push", "dolly", "handheld", "orbit", "focus", "style", "prompt",
               "render", "motion", "static", "locked", "veo", "saturat"),
    "pace": ("long", "drag", "rush", "pacing", "pace", "hold", "linger", "short", "quick", "fast",
             "slow", "trim", "tighten", "forever", "sec", "seconds", "pause", "timing", "abrupt",
             "extend", "split", "merge", "rhythm", "faster", "longer", "shorter", "speed"),
    "story": ("order", "motivat", "sense", "missing", "story", "why", "unclear", "establish",
              "reveal", "beat", "reorder", "swap", "before", "after", "logic", "rewrite",
              "confus", "point", "unearned", "goal", "exposition", "character", "track"),
}
CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "scenewide": ("whole scene", "every shot", "all shots", "all scene", "scene-wide",
                  "in all of", "for the scene", "the entire"),
    "jump": ("on the cut", "between shots", "in the next", "one shot", "shot to shot",
             "across the cut", "when we cut"),
    "audio": ("lip sync", "lipsync", "can't hear", "cant hear"),
    "pace": ("too long", "too short", "too quick", "too fast", "too slow", "cut earlier",
             "goes on", "a beat to"),
    "story": ("doesn't make sense", "doesnt make sense", "makes no sense", "missing beat",
              "wrong order", "no motivation", "out of character"),
}


@dataclass(frozen=True)
class Token:
    norm: str  # lowered word, or a placeholder for a shot code / scene element
    start: int
    end: int
    placeholder: bool = False


@dataclass
class NoteFeatures:
    """Feature values plus, for each feature, the token positions that produced it."""

    text: str
    tokens: list[Token]
    values: dict[str, float] = field(default_factory=dict)
    sources: dict[str, set[int]] = field(default_factory=dict)
    shot_codes: list[str] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    cues: dict[str, list[int]] = field(default_factory=dict)


def find_shot_codes(text: str) -> list[tuple[str, int, int]]:
    """Shot codes written in the note ("3B", "3 b"), normalised and in order of appearance."""
    return [(m.group(1) + m.group(2).upper(), m.start(), m.end()) for m in SHOT_CODE_RE.finditer(text)]


def find_shot_numbers(text: str) -> list[int]:
    """Numbers from "shot 3"-style mentions, which need the scene's codes to resolve."""
    return [int(m.group(1)) for m in SHOT_WORD_RE.finditer(text)]


def find_elements(text: str, elements: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Mentions of stage-8 element names (case-insensitive, possessive allowed), longest first."""
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    for name in sorted({e for e in elements if e.strip()}, key=len, reverse=True):
        bare = re.sub(r"^(the|a|an)\s+", "", name.strip(), flags=re.IGNORECASE)
        pattern = re.compile(r"(?<!\w)(?:the\s+)?" + re.escape(bare).replace(r"\ ", r"\s+") + r"(?!\w)",
                             re.IGNORECASE)
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((name, m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def tokenize(text: str, elements: tuple[str, ...] = ()) -> tuple[list[Token], list[str], list[str]]:
    """Words with positions; shot codes and element mentions collapse into placeholders."""
    spans: list[tuple[int, int, str]] = []
    codes = find_shot_codes(text)
    for _, s, e in codes:
        spans.append((s, e, SHOT_TOKEN))
    mentioned = []
    for name, s, e in find_elements(text, elements):
        if not any(s < ce and cs < e for cs, ce, _ in spans):
            spans.append((s, e, ELEMENT_TOKEN))
            mentioned.append(name)
    tokens: list[Token] = [Token(tag, s, e, True) for s, e, tag in spans]
    for m in TOKEN_RE.finditer(text):
        if any(m.start() < e and s < m.end() for s, e, _ in spans):
            continue
        tokens.append(Token(m.group(0).lower(), m.start(), m.end()))
    tokens.sort(key=lambda t: t.start)
    return tokens, [c for c, _, _ in codes], list(dict.fromkeys(mentioned))


def _cue_hits(text: str, tokens: list[Token]) -> dict[str, list[int]]:
    hits: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        if tok.placeholder:
            continue
        for group, stems in CUE_STEMS.items():
            if any(tok.norm.startswith(stem) for stem in stems):
                hits.setdefault(group, []).append(i)
    lowered = text.lower()
    for group, phrases in CUE_PHRASES.items():
        for phrase in phrases:
            for m in re.finditer(re.escape(phrase), lowered):
                idx = [i for i, t in enumerate(tokens) if t.start < m.end() and m.start() < t.end]
                hits.setdefault(group, []).extend(idx)
    return {g: sorted(set(v)) for g, v in hits.items()}


def _add(feats: NoteFeatures, name: str, positions: set[int] | list[int], value: float = 1.0) -> None:
    feats.values[name] = feats.values.get(name, 0.0) + value
    feats.sources.setdefault(name, set()).update(positions)


# Relative weight of each feature family after per-family normalisation.
FAMILY_WEIGHTS = {"w": 1.0, "b": 0.6, "c": 1.0, "q": 0.8}


def extract(text: str, elements: tuple[str, ...] = ()) -> NoteFeatures:
    """Word, word-pair, character n-gram and cue features of one note."""
    tokens, codes, mentioned = tokenize(text, elements)
    feats = NoteFeatures(text=text, tokens=tokens, shot_codes=codes, elements=mentioned)
    for i, tok in enumerate(tokens):
        _add(feats, "w:" + tok.norm, {i})
        if i + 1 < len(tokens):
            _add(feats, f"b:{tok.norm}_{tokens[i + 1].norm}", {i, i + 1})
        if not tok.placeholder:
            padded = f"^{tok.norm}$"
            for n in (3, 4, 5):
                for k in range(len(padded) - n + 1):
                    _add(feats, "c:" + padded[k : k + n], {i})
    cues = _cue_hits(text, tokens)
    feats.cues = cues
    for group, idx in cues.items():
        _add(feats, "q:" + group, idx)
    element_idx = [i for i, t in enumerate(tokens) if t.norm == ELEMENT_TOKEN]
    # The stage-8 signal is an element together with scene-wide or design words; the jump
    # signal is two shot codes or a jump word. Pairs make these explicit for a linear model.
    if element_idx and "scenewide" in cues:
        _add(feats, "q:element+scenewide", element_idx + cues["scenewide"])
    if element_idx and "design" in cues:
        _add(feats, "q:element+design", element_idx + cues["design"])
    if "scenewide" in cues and "design" in cues:
        _add(feats, "q:scenewide+design", cues["scenewide"] + cues["design"])
    if len(set(codes)) >= 2:
        _add(feats, "q:two_shots", [i for i, t in enumerate(tokens) if t.norm == SHOT_TOKEN])
    _normalise(feats)
    return feats


def _normalise(feats: NoteFeatures) -> None:
    # Binary presence, then unit length per family so long notes and the many character
    # n-grams do not drown out the few word and cue features.
    norms: dict[str, float] = {}
    for name in feats.values:
        feats.values[name] = 1.0
        fam = name[0]
        norms[fam] = norms.get(fam, 0.0) + 1.0
    for name in feats.values:
        fam = name[0]
        feats.values[name] = FAMILY_WEIGHTS[fam] / norms[fam] ** 0.5
