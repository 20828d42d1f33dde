"""The note classifier: scikit-learn n-gram and scene-context features into a logistic regression, calibrated.

Trained on the train and calibration splits; a temperature and an abstention threshold are fitted on
cross-fitted predictions, each scene predicted by a model that never read it (never the test split).
Built deterministically on first use and cached on disk under a key made of the data, the feature
code and the scikit-learn version, so nothing is downloaded and a changed data set always retrains.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import Counter
import os
import pickle
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import sklearn
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.pipeline import Pipeline

from rushes.providers.attribution import corpus, features, lexicon, spec
from rushes.providers.attribution.dataset import LABELS, LabelledNote, load_notes, request_for
from rushes.providers.attribution.features import NoteReading, read_note

N_CLASSES = len(LABELS) + 1
# A picked category is right most of the time; this is the odds boost it gives the labels it names.
PICK_RELIABILITY = 0.85
# The most staged notes the threshold may send back to the user, on the calibration split.
MAX_FALSE_ABSTENTION = 0.08
# A wrong route costs a re-render and the user's trust; a question costs a click.
WRONG_ROUTE_COST = 3.0
# Notes written in the registers other reviewers use (rambling, angry, terse, non-native, a client's...)
# are few beside the single-author bulk; each counts this many times. Chosen by leave-one-scene-out
# cross-validation on the training scenes (stage top-1 on those notes 0.881 at 1, 0.899 at 3; on
# all notes 0.921 and 0.925), never on the test, holdout or blind notes.
REGISTER_SOURCE, REGISTER_WEIGHT = "notes_train_registers-", 3.0


def note_weight(note: LabelledNote) -> float:
    return REGISTER_WEIGHT if note.id.startswith(REGISTER_SOURCE) else 1.0


class NoteVectoriser(BaseEstimator, TransformerMixin):
    """Word 1-2-grams, character 2-5-grams (typos) and scene-context features, each block weighted."""

    def __init__(self, word_weight: float = 1.0, char_weight: float = 0.8, cue_weight: float = 0.1) -> None:
        self.word_weight = word_weight
        self.char_weight = char_weight
        self.cue_weight = cue_weight

    def fit(self, readings: list[NoteReading], y=None) -> NoteVectoriser:
        texts = [r.normalised for r in readings]
        self.words_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b",
                                      min_df=1).fit(texts)
        self.chars_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2).fit(texts)
        self.cues_ = DictVectorizer().fit([r.dense for r in readings])
        return self

    def transform(self, readings: list[NoteReading]) -> sp.csr_matrix:
        texts = [r.normalised for r in readings]
        return sp.hstack([
            self.word_weight * self.words_.transform(texts),
            self.char_weight * self.chars_.transform(texts),
            self.cue_weight * self.cues_.transform([r.dense for r in readings]),
        ]).tocsr()

    def row(self, reading: NoteReading) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of one note, the same numbers as transform() gives.

        scikit-learn's per-call input checks cost ~10 ms for a single note; the review page asks
        on every pause in typing, so one note goes through the fitted vocabularies directly.
        """
        if getattr(self, "fast_", None) is None:
            offset, parts = 0, []
            for weight, vec in ((self.word_weight, self.words_), (self.char_weight, self.chars_)):
                parts.append((weight, vec.build_analyzer(), vec.vocabulary_, vec.idf_, offset))
                offset += len(vec.vocabulary_)
            self.fast_ = (parts, offset, self.cues_.vocabulary_)
        parts, cue_offset, cue_vocabulary = self.fast_
        idx: list[np.ndarray] = []
        val: list[np.ndarray] = []
        for weight, analyse, vocabulary, idf, offset in parts:
            counts = Counter(j for j in map(vocabulary.get, analyse(reading.normalised)) if j is not None)
            if counts:
                cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
                tfidf = (1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))) * idf[cols]
                idx.append(cols + offset)
                val.append(tfidf * (weight / np.linalg.norm(tfidf)))
        cues = [(cue_vocabulary[k], v) for k, v in reading.dense.items() if k in cue_vocabulary]
        if cues:
            idx.append(np.array([cue_offset + j for j, _ in cues], dtype=np.int64))
            val.append(np.array([self.cue_weight * v for _, v in cues], dtype=float))
        if not idx:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        return np.concatenate(idx), np.concatenate(val)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "fast_"}

    def blocks(self) -> list[tuple[str, list[str]]]:
        return [("w", list(self.words_.get_feature_names_out())), ("c", list(self.chars_.get_feature_names_out())),
                ("q", list(self.cues_.get_feature_names_out()))]


def make_pipeline() -> Pipeline:
    return Pipeline([("features", NoteVectoriser()), ("classifier", LogisticRegression(C=8.0, max_iter=5000))])


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def pick_prior(category: str | None) -> np.ndarray:
    """Log-prior over classes from the category the user picked (zeros when none; never on 'no stage')."""
    prior = np.zeros(N_CLASSES)
    if category:
        boost = np.log(PICK_RELIABILITY / ((1 - PICK_RELIABILITY) / 3))
        for k, (_, cat) in enumerate(LABELS):
            if cat == category:
                prior[k] = boost
    return prior


@dataclass
class AttributionModel:
    pipeline: Pipeline
    temperature: float
    threshold: float
    digest: str

    def logits(self, readings: list[NoteReading]) -> np.ndarray:
        return self.pipeline.decision_function(readings) / self.temperature

    def vector(self, reading: NoteReading) -> tuple[np.ndarray, np.ndarray]:
        return self.pipeline.steps[0][1].row(reading)

    def probabilities(self, reading: NoteReading, category: str | None = None,
                      row: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        idx, val = self.vector(reading) if row is None else row
        classifier = self.pipeline.steps[-1][1]
        logits = (classifier.coef_[:, idx] @ val + classifier.intercept_) / self.temperature
        return softmax(logits + pick_prior(category))

    def contributions(self, row: tuple[np.ndarray, np.ndarray], label: int) -> list[tuple[str, str, float]]:
        """(block, feature name, push towards `label` over the other classes) for a note's features."""
        if getattr(self, "_names", None) is None:
            vec: NoteVectoriser = self.pipeline.steps[0][1]
            coef = self.pipeline.steps[-1][1].coef_
            self._names = [(block, name) for block, names in vec.blocks() for name in names]
            self._centred = coef - coef.mean(axis=0)
        centred = self._centred[label]
        return [(*self._names[j], float(centred[j] * v)) for j, v in zip(*row)]

    def __getstate__(self) -> dict:
        # The name table is rebuilt on first use; keeping it out of the cache file halves its size.
        return {k: v for k, v in self.__dict__.items() if k not in ("_names", "_centred")}


def fit_temperature(logits: np.ndarray, labels: list[int]) -> float:
    """The temperature minimising log loss on held-out logits (temperature scaling)."""
    def loss(t: float) -> float:
        return log_loss(labels, softmax(logits / t), labels=list(range(N_CLASSES)))

    return float(minimize_scalar(loss, bounds=(0.05, 20.0), method="bounded").x)


# The stage each class routes to; the abstention class routes nowhere.
STAGE_OF: tuple[int | None, ...] = tuple(stage for stage, _ in LABELS) + (None,)
STAGES: tuple[int | None, ...] = tuple(dict.fromkeys(STAGE_OF))


def stage_probabilities(probs: np.ndarray) -> np.ndarray:
    """Class probabilities summed per stage (columns in STAGES order): the route is what the user pays for.

    Stage 7 has two classes (timing; story, action, dialogue words and camera); a note split between
    them is still sure of its stage, so the decision and the abstention threshold read the sum.
    """
    probs = np.atleast_2d(probs)
    out = np.zeros((probs.shape[0], len(STAGES)))
    for k, stage in enumerate(STAGE_OF):
        out[:, STAGES.index(stage)] += probs[:, k]
    return out


def fit_threshold(probs: np.ndarray, labels: list[int]) -> float:
    """The confidence below which it abstains, fitted on held-out notes.

    A wrong route costs the user a re-render; a question costs a click. So a wrong answer counts
    WRONG_ROUTE_COST times a needless question, and at most MAX_FALSE_ABSTENTION of staged notes go back.
    """
    y = np.asarray([STAGES.index(STAGE_OF[label]) for label in labels])
    probs = stage_probabilities(probs)
    pred, conf = probs.argmax(axis=1), probs.max(axis=1)
    none = STAGES.index(None)
    staged = y != none
    best = (np.inf, 0.0)
    for t in np.round(np.arange(0.20, 0.91, 0.01), 2):
        answered = (pred != none) & (conf >= t)
        if np.mean(~answered[staged]) > MAX_FALSE_ABSTENTION:
            break
        wrong = np.sum(answered & (pred != y))
        needless = np.sum(~answered & staged)
        cost = WRONG_ROUTE_COST * wrong + needless  # abstaining on a no-stage note is the right answer: no cost
        if cost < best[0]:
            best = (cost, float(t))
    return best[1]


# Cross-fitting: every training scene is held out once. The calibration scenes are one fold; the rest
# of the scenes fall into the others by a hash of their name, so the folds never change between runs.
FOLDS = 5


def _fold(note: LabelledNote) -> int:
    if note.split == "calibration":
        return 0
    key = "fold:" + (note.scene or note.id)
    return 1 + int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % (FOLDS - 1)


def train(notes: list[LabelledNote], calibration: list[LabelledNote], digest: str = "") -> AttributionModel:
    """Fit on every note; fit the temperature and threshold on predictions for scenes a fit never read.

    Each fold of scenes is predicted by a model trained on the other folds, so the temperature and
    the threshold are fitted on all ~5,000 notes as unseen scenes, not on the few hundred of the
    calibration scenes alone, where nine added notes once moved the threshold from 0.56 to 0.47.
    The final model reads every note; it is a little sharper than the fold models, never
    less calibrated in kind.
    """
    everything = [*notes, *calibration]
    readings = [read_note(request_for(n)) for n in everything]
    labels = [n.label for n in everything]
    weights = [note_weight(n) for n in everything]
    folds = np.array([_fold(n) for n in everything])
    held = np.zeros((len(everything), N_CLASSES))
    for fold in range(FOLDS):
        inside, outside = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        if not len(outside):
            continue
        model = make_pipeline().fit([readings[i] for i in inside], [labels[i] for i in inside],
                                    classifier__sample_weight=[weights[i] for i in inside])
        held[outside] = model.decision_function([readings[i] for i in outside])
    temperature = fit_temperature(held, labels)
    threshold = fit_threshold(softmax(held / temperature), labels)
    final = make_pipeline().fit(readings, labels, classifier__sample_weight=weights)
    return AttributionModel(final, temperature, threshold, digest)


def data_digest() -> str:
    """What the model depends on: the notes, the scenes, the feature code and scikit-learn."""
    h = hashlib.sha256(sklearn.__version__.encode())
    paths = [corpus.DATA_DIR / "notes_train.jsonl", *(corpus.SOURCE_DIR / n for n in corpus.SCENE_FILES)]
    paths += [Path(inspect.getfile(m)) for m in (features, lexicon, spec)] + [Path(__file__)]
    for path in paths:
        if path.exists():
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cache_dir() -> Path:
    root = os.environ.get("RUSHES_ATTRIBUTION_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rushes", "attribution")
    return Path(root)


def _load_cached(path: Path, digest: str) -> AttributionModel | None:
    try:
        with path.open("rb") as fh:
            model = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return model if isinstance(model, AttributionModel) and model.digest == digest else None


def _store(path: Path, model: AttributionModel) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(model, fh)
        os.replace(tmp, path)  # atomic, so parallel first uses never read half a file
    except OSError:
        pass  # an unwritable cache only costs a retrain next time


_model: AttributionModel | None = None
_lock = threading.Lock()


def default_model() -> AttributionModel:
    """The model for the current data, from the disk cache or trained now (once per process)."""
    global _model
    with _lock:
        digest = data_digest()
        if _model is None or _model.digest != digest:
            path = cache_dir() / f"model-{digest[:20]}.pkl"
            _model = _load_cached(path, digest)
            if _model is None:
                _model = train(load_notes("train"), load_notes("calibration"), digest)
                _store(path, _model)
        return _model
