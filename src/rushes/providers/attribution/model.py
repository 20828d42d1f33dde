"""A small multinomial logistic regression over note features, trained with numpy."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from rushes.providers.attribution.features import NoteFeatures

# Character n-grams seen in a single training note are mostly noise; words and cues are kept.
MIN_DF = {"c": 2, "b": 2, "w": 1, "q": 1}


@dataclass
class NoteClassifier:
    vocabulary: dict[str, int]
    weights: np.ndarray  # (n_labels, n_features)
    bias: np.ndarray  # (n_labels,)
    temperature: float = 1.0

    def vector(self, feats: NoteFeatures) -> tuple[np.ndarray, np.ndarray]:
        """Column indices and values of the features this model knows."""
        idx, val = [], []
        for name, value in feats.values.items():
            j = self.vocabulary.get(name)
            if j is not None:
                idx.append(j)
                val.append(value)
        return np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=np.float64)

    def logits(self, feats: NoteFeatures) -> np.ndarray:
        idx, val = self.vector(feats)
        raw = self.weights[:, idx] @ val + self.bias
        return raw / self.temperature

    def contributions(self, feats: NoteFeatures, label: int) -> dict[str, float]:
        """How much each present feature pushed `label` above the average label."""
        out: dict[str, float] = {}
        centred = self.weights[label] - self.weights.mean(axis=0)
        for name, value in feats.values.items():
            j = self.vocabulary.get(name)
            if j is not None:
                out[name] = float(centred[j] * value)
        return out


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def build_vocabulary(docs: list[NoteFeatures]) -> dict[str, int]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.values.keys())
    names = sorted(n for n, c in df.items() if c >= MIN_DF[n[0]])
    return {n: i for i, n in enumerate(names)}


def design_matrix(docs: list[NoteFeatures], vocabulary: dict[str, int]) -> np.ndarray:
    x = np.zeros((len(docs), len(vocabulary)))
    for r, d in enumerate(docs):
        for name, value in d.values.items():
            j = vocabulary.get(name)
            if j is not None:
                x[r, j] = value
    return x


def fit(
    docs: list[NoteFeatures],
    labels: list[int],
    n_labels: int,
    l2: float = 1e-3,
    steps: int = 300,
    rate: float = 0.5,
) -> NoteClassifier:
    """Full-batch gradient descent with Nesterov momentum on the L2-penalised log loss."""
    vocabulary = build_vocabulary(docs)
    x = design_matrix(docs, vocabulary)
    y = np.zeros((len(docs), n_labels))
    y[np.arange(len(docs)), labels] = 1.0
    # Gradient steps from zero never leave the row space of x, so training on x's
    # coordinates in an orthonormal basis of that space (x.T = q r) gives the same weights
    # with a notes-by-notes matrix instead of notes-by-features: ~10x faster.
    q, r = np.linalg.qr(x.T)
    z = r.T
    w = np.zeros((n_labels, z.shape[1]))
    b = np.zeros(n_labels)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    n = len(docs)
    for _ in range(steps):
        lw, lb = w + 0.9 * vw, b + 0.9 * vb
        p = softmax(z @ lw.T + lb)
        g = (p - y) / n
        gw = g.T @ z + l2 * lw
        gb = g.sum(axis=0)
        vw = 0.9 * vw - rate * gw
        vb = 0.9 * vb - rate * gb
        w += vw
        b += vb
    return NoteClassifier(vocabulary=vocabulary, weights=w @ q.T, bias=b)


def fit_temperature(logits: np.ndarray, labels: list[int]) -> float:
    """The temperature that minimises held-out log loss, by a coarse-to-fine grid."""
    y = np.asarray(labels)

    def loss(t: float) -> float:
        p = softmax(logits / t)
        return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())

    grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 41))
    best = min(grid, key=loss)
    fine = best * np.exp(np.linspace(-0.1, 0.1, 21))
    return float(min(fine, key=loss))
