"""The local attributor: the calibrated note classifier, readable reasons, and abstention. No network."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from rushes.domain.issues import CATEGORY_LABELS, IssueCategory
from rushes.providers.attribution import fields as field_rules
from rushes.providers.attribution.base import Attribution, AttributionRequest
from rushes.providers.attribution.dataset import ABSTAIN, LABELS
from rushes.providers.attribution.features import STOPWORDS, NoteReading, praise_only, read_note
from rushes.providers.attribution.model import STAGES, AttributionModel, default_model, stage_probabilities

WHAT_IT_MEANS = {
    0: "a continuity break between anchor frames (stage 10 Frames)",
    1: "how {element} is defined for the whole scene (stage 8 Visual Definition)",
    2: "the shot's video prompt, {part} part (stage 9 Prompts)",
    3: "shot timing and pacing in the shot list (stage 7 Shot List)",
    4: "the action, the words, the camera or the shot order in the shot list (stage 7 Shot List)",
}
SHORT = {0: "Frames (10)", 1: "Visual Definition (8)", 2: "Prompts (9)", 3: "Shot List timing (7)",
         4: "Shot List story (7)"}


class LocalAttributor:
    """Classifies the note in its scene, then reads shots, fields and a quoted reason off the same words."""

    name = "local"

    def __init__(self, model: AttributionModel | None = None) -> None:
        self._model = model

    @property
    def model(self) -> AttributionModel:
        if self._model is None:
            self._model = default_model()
        return self._model

    def warm_up(self) -> None:
        """Load or train now rather than on the first note (web start-up)."""
        _ = self.model

    def attribute(self, request: AttributionRequest) -> Attribution:
        category = _valid_category(request.category)
        reading = read_note(request)
        row = self.model.vector(reading)
        probs = self.model.probabilities(reading, category, row)
        by_stage = stage_probabilities(probs)[0]
        route = STAGES[int(np.argmax(by_stage))]
        staged = np.delete(probs, ABSTAIN)
        extra = {"probabilities": {f"{s}:{c}": round(float(p), 3) for (s, c), p in zip(LABELS, probs)},
                 "no_stage": round(float(probs[ABSTAIN]), 3), "threshold": self.model.threshold}
        # A pick is a hint about the note's words, never a route by itself: when the words alone
        # say "no stage", the pick cannot settle it.
        words_say_none = category is not None and STAGES[int(np.argmax(stage_probabilities(
            self.model.probabilities(reading, None, row))[0]))] is None
        if route is None or words_say_none or by_stage[STAGES.index(route)] < self.model.threshold:
            return Attribution(stage=None, category=category,
                               confidence=float(1.0 - max(p for s, p in zip(STAGES, by_stage) if s is not None)),
                               reason=_abstain_reason(reading, staged, route is None, category), shots=(),
                               fields=(), source="local", extra=extra)
        # Within the stage, the class that explains the note best names the category and the reason.
        label = max((k for k, (s, _) in enumerate(LABELS) if s == route), key=lambda k: probs[k])
        stage, label_category = LABELS[label]
        if stage == 8 and category is not None and category != label_category:
            label_category = category  # keep the user's wording when stage 8 is the answer
        return Attribution(
            stage=stage,
            category=label_category,
            confidence=float(min(1.0, max(0.0, by_stage[STAGES.index(route)]))),
            reason=_reason(label, self._quotes(reading, row, label), reading, category, label_category),
            shots=field_rules.shots_for(reading, request, stage),
            fields=field_rules.fields_for(reading, request, stage, label_category),
            source="local",
            extra=extra,
        )

    def _quotes(self, reading: NoteReading, row, label: int, limit: int = 2) -> list[str]:
        """The note's own words that pushed hardest towards `label`, as they were written."""
        scores: dict[tuple[int, int], float] = {}
        lowered = reading.text.lower().replace("’", "'")
        pushes = [c for c in self.model.contributions(row, label) if c[2] > 0 and c[0] in "qw"]
        for block, name, push in sorted(pushes, key=lambda c: -c[2])[:12]:
            if block == "q" and name.startswith("q:"):
                spans = reading.cues.get(name[2:], [])
            elif block == "w" and not re.search(r"shotcode|^el|qline|\b0\b", name):
                spans = [m.span() for m in _ngram_pattern(name).finditer(lowered)]
            else:
                continue
            for span in spans:
                scores[span] = scores.get(span, 0.0) + push / max(1, len(spans))
        picked: list[tuple[int, int]] = []
        for span, _ in sorted(scores.items(), key=lambda kv: -kv[1]):
            if any(span[0] < e and s < span[1] for s, e in picked):
                continue
            if all(w in STOPWORDS for w in lowered[span[0]:span[1]].split()):
                continue  # "is", "on": true evidence, but no help to a reader
            picked.append(span)
            if len(picked) == limit:
                break
        return [reading.text[s:e] for s, e in sorted(picked)]


@lru_cache(maxsize=8192)
def _ngram_pattern(ngram: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in ngram.split()) + r"(?!\w)")


def _valid_category(category: str | None) -> str | None:
    if category is None or category == "":
        return None
    return IssueCategory(category).value  # ValueError for an unknown category


def _context_clause(label: int, reading: NoteReading) -> str:
    if reading.quoted_lines and label in (2, 3, 4):
        line = reading.quoted_lines[0]
        return f'; it quotes the shot\'s line "{line[:60]}"'
    if reading.look_words and label in (0, 1):
        return f"; it names the defined look ({', '.join(reading.look_words[:2])})"
    if "x:near_cut" in reading.context and label == 0:
        return "; pinned on the cut"
    return ""


def _reason(label: int, quoted: list[str], reading: NoteReading, picked: str | None, category: str) -> str:
    what = WHAT_IT_MEANS[label]
    if label == 1:
        what = what.format(element=reading.elements[0] if reading.elements else "an element")
    elif label == 2:
        what = what.format(part=field_rules.prompt_part(reading))
    if quoted:
        words = " and ".join(f'"{q}"' for q in quoted)
        reason = f"{words} {'points' if len(quoted) == 1 else 'point'} to {what}"
    else:
        reason = f"no telling words; closest match is {what}"
    reason += _context_clause(label, reading)
    if picked is not None and picked != category:
        reason += f"; overrides the picked {CATEGORY_LABELS[IssueCategory(picked)]}"
    return " ".join(reason.split())


def _abstain_reason(reading: NoteReading, staged: np.ndarray, says_none: bool, picked: str | None) -> str:
    dense, cues = reading.dense, reading.cues
    if "g:no_words" in dense or "g:no_letters" in dense or dense.get("g:nonword", 0) >= 0.5:
        why = "this does not read as a note (no words it recognises)"
    elif says_none and cues.get("offpipe") and not cues.get("audio") and not cues.get("pace"):
        why = "this reads as a question about the app or the project, not about the scene's shots"
    elif says_none and praise_only(reading):
        why = "this reads as praise: nothing to fix"
    else:
        top = np.argsort(-staged)[:2]
        why = (f"too vague to route: it could be {SHORT[int(top[0])]} ({staged[top[0]]:.0%}) "
               f"or {SHORT[int(top[1])]} ({staged[top[1]]:.0%})")
    if picked is not None:
        why += f"; the picked {CATEGORY_LABELS[IssueCategory(picked)]} alone does not settle the stage"
    return why + "; choose the stage yourself"
