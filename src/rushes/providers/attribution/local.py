"""The local attributor: a trained note classifier plus readable cues, no network."""

from __future__ import annotations

import math
import threading

import numpy as np

from rushes.domain.issues import CATEGORY_LABELS, IssueCategory
from rushes.providers.attribution import fields as field_rules
from rushes.providers.attribution.base import Attribution, AttributionRequest
from rushes.providers.attribution.dataset import LABELS, LabelledIssue, load_issues
from rushes.providers.attribution.features import SHOT_TOKEN, NoteFeatures, extract
from rushes.providers.attribution.model import NoteClassifier, fit, fit_temperature, softmax

# How often a filmmaker's picked category is the right one. By design, not fitted: it keeps
# a pick strong (odds x27 for the matching labels) while a clear note can still outvote it.
PICK_RELIABILITY = 0.9
CV_FOLDS = 4

WHAT_IT_MEANS = {
    0: "a continuity break between anchor frames (stage 10 Frames)",
    1: "how {element} is defined for the whole scene (stage 8 Visual Definition)",
    2: "the shot's video prompt, {part} part (stage 9 Prompts)",
    3: "shot timing and pacing in the shot list (stage 7 Shot List)",
    4: "the story beats, action or shot order in the shot list (stage 7 Shot List)",
}


def train(items: list[LabelledIssue]) -> NoteClassifier:
    """Fit the classifier on `items`, with a temperature from cross-validated held-out logits."""
    docs = [extract(i.description, i.scene_elements) for i in items]
    labels = [i.label for i in items]
    held_logits, held_labels = [], []
    for fold in range(CV_FOLDS):
        inside = [k for k in range(len(items)) if k % CV_FOLDS != fold]
        model = fit([docs[k] for k in inside], [labels[k] for k in inside], len(LABELS))
        for k in range(fold, len(items), CV_FOLDS):
            held_logits.append(model.logits(docs[k]))
            held_labels.append(labels[k])
    model = fit(docs, labels, len(LABELS))
    model.temperature = fit_temperature(np.asarray(held_logits), held_labels)
    return model


_model: NoteClassifier | None = None
_lock = threading.Lock()


def default_model() -> NoteClassifier:
    """The classifier trained on the data set's train split, built once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = train(load_issues("train"))
        return _model


def pick_prior(category: str | None) -> np.ndarray:
    """Log-prior over labels from the category the user picked (zeros when none)."""
    prior = np.zeros(len(LABELS))
    if not category:
        return prior
    boost = math.log(PICK_RELIABILITY / ((1 - PICK_RELIABILITY) / (len(IssueCategory) - 1)))
    for k, (_, cat) in enumerate(LABELS):
        if cat == category:
            prior[k] = boost
    return prior


class LocalAttributor:
    """Classifies the note, then reads shots, fields and a quoted reason off the same words."""

    name = "local"

    def __init__(self, model: NoteClassifier | None = None) -> None:
        self._model = model

    @property
    def model(self) -> NoteClassifier:
        if self._model is None:
            self._model = default_model()
        return self._model

    def warm_up(self) -> None:
        """Train now rather than on the first note (web start-up)."""
        _ = self.model

    def attribute(self, request: AttributionRequest) -> Attribution:
        category = _valid_category(request.category)
        feats = extract(request.description, request.scene_elements)
        text_probs = softmax(self.model.logits(feats))
        probs = softmax(np.log(text_probs + 1e-12) + pick_prior(category))
        label = int(np.argmax(probs))
        stage, label_category = LABELS[label]
        if stage == 8 and category is not None and category != label_category:
            label_category = category  # keep the user's wording when stage 8 is the answer
        quoted = self._quotes(feats, label)
        reason = _reason(label, quoted, feats, request, category, label_category)
        return Attribution(
            stage=stage,
            category=label_category,
            confidence=float(min(1.0, max(0.0, probs[label]))),
            reason=reason,
            shots=field_rules.shots_for(feats, request, stage),
            fields=field_rules.fields_for(feats, request, stage, label_category),
            source="local",
            extra={"probabilities": {f"{s}:{c}": round(float(p), 3) for (s, c), p in zip(LABELS, probs)}},
        )

    def _quotes(self, feats: NoteFeatures, label: int, limit: int = 2) -> list[str]:
        """The note's own words that pushed hardest towards `label`, as phrases."""
        per_token = np.zeros(len(feats.tokens))
        for name, value in self.model.contributions(feats, label).items():
            positions = feats.sources.get(name, ())
            for i in positions:
                per_token[i] += value / len(positions)
        order = [i for i in np.argsort(-per_token) if per_token[i] > 0]
        order = [i for i in order if feats.tokens[i].norm != SHOT_TOKEN] or order
        chosen = sorted(order[: limit + 1])
        phrases: list[tuple[float, int, int]] = []
        for i in chosen:
            if phrases and phrases[-1][2] == i - 1:
                score, start, _ = phrases[-1]
                phrases[-1] = (score + per_token[i], start, i)
            else:
                phrases.append((per_token[i], i, i))
        phrases.sort(key=lambda p: -p[0])
        out = []
        for _, a, b in sorted(phrases[:limit], key=lambda p: p[1]):
            out.append(feats.text[feats.tokens[a].start : feats.tokens[b].end])
        return out


def _valid_category(category: str | None) -> str | None:
    if category is None or category == "":
        return None
    return IssueCategory(category).value  # ValueError for an unknown category


def _reason(
    label: int,
    quoted: list[str],
    feats: NoteFeatures,
    request: AttributionRequest,
    picked: str | None,
    category: str,
) -> str:
    what = WHAT_IT_MEANS[label]
    if label == 1:
        what = what.format(element=feats.elements[0] if feats.elements else "an element")
    elif label == 2:
        what = what.format(part=field_rules.prompt_part(feats))
    if quoted:
        words = " and ".join(f'"{q}"' for q in quoted)
        verb = "points" if len(quoted) == 1 else "point"
        reason = f"{words} {verb} to {what}"
    else:
        reason = f"no telling words; closest match is {what}"
    if picked is not None and picked != category:
        reason += f"; overrides the picked {CATEGORY_LABELS[IssueCategory(picked)]}"
    return " ".join(reason.split())
