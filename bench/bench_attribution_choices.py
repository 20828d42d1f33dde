"""The attributor's choices, measured where they were made: the blind set's dev half and writers' scenes.

Run: .venv/bin/python bench/bench_attribution_choices.py        (about 15 minutes on 2 cores)
Each variant is trained from scratch and scored on (a) the blind set's dev half (night-laundromat,
ice-rink) and (b) four-fold cross-validation over the writers' scenes: each fold's scenes are left out
of training and calibration, then scored. The blind set's final half is never read here; that is
bench_attribution.py's headline, scored once the choices stand.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from rushes.providers.attribution import corpus
from rushes.providers.attribution import model as M
from rushes.providers.attribution.dataset import BLIND_DEV_SCENES, LabelledNote, load_notes, request_for
from rushes.providers.attribution.features import read_note
from rushes.providers.attribution.local import LocalAttributor

Trainer = Callable[[list[LabelledNote], list[LabelledNote]], M.AttributionModel]


def score(model: M.AttributionModel, notes: list[LabelledNote]) -> tuple[float, float, float]:
    """(top-1 overall, top-1 on answered notes, share of staged notes it asked about)."""
    attributor = LocalAttributor(model)
    stages = [attributor.attribute(request_for(n)).stage for n in notes]
    overall = np.mean([s == n.stage for s, n in zip(stages, notes)])
    answered = np.mean([s == n.stage for s, n in zip(stages, notes) if s is not None])
    asked = np.mean([s is None for s, n in zip(stages, notes) if n.stage is not None])
    return float(overall), float(answered), float(asked)


def calibrated_on_held_scenes(notes: list[LabelledNote], calibration: list[LabelledNote]) -> M.AttributionModel:
    """The earlier fit: train, fit temperature and threshold on the calibration scenes alone, refit on both."""
    readings = [read_note(request_for(n)) for n in notes]
    held = [read_note(request_for(n)) for n in calibration]
    labels, held_labels = [n.label for n in notes], [n.label for n in calibration]
    weights = [M.note_weight(n) for n in notes]
    first = M.make_pipeline().fit(readings, labels, classifier__sample_weight=weights)
    logits = first.decision_function(held)
    temperature = M.fit_temperature(logits, held_labels)
    threshold = M.fit_threshold(M.softmax(logits / temperature), held_labels)
    final = M.make_pipeline().fit(readings + held, labels + held_labels,
                                  classifier__sample_weight=weights + [M.note_weight(n) for n in calibration])
    return M.AttributionModel(final, temperature, threshold, "")


def without_scene_context(notes: list[LabelledNote], calibration: list[LabelledNote]) -> M.AttributionModel:
    """The shipped fit with the scene-context block weighted 0: the note's words alone."""
    shipped = M.make_pipeline
    M.make_pipeline = lambda: Pipeline([("features", M.NoteVectoriser(cue_weight=0.0)),  # type: ignore[assignment]
                                        ("classifier", LogisticRegression(C=8.0, max_iter=5000))])
    try:
        return M.train(notes, calibration)
    finally:
        M.make_pipeline = shipped  # type: ignore[assignment]


def is_writers(note: LabelledNote) -> bool:
    return note.id.startswith(corpus.WRITERS_SOURCE.removesuffix(".jsonl") + "-")


def main() -> None:
    train, calibration = load_notes("train"), load_notes("calibration")
    dev = [n for n in load_notes("blind") if n.scene in BLIND_DEV_SCENES]
    every = train + calibration
    writer_scenes = sorted({n.scene for n in every if is_writers(n) and n.scene})
    variants: list[tuple[str, Trainer, Callable[[LabelledNote], bool]]] = [
        ("shipped (cross-fitted threshold)", M.train, lambda n: True),
        ("threshold on calibration scenes only", calibrated_on_held_scenes, lambda n: True),
        ("without the scene-context features", without_scene_context, lambda n: True),
        ("without the writers' notes", M.train, lambda n: not is_writers(n)),
    ]
    print(f"dev half: {len(dev)} blind notes; cross-validation: {len(writer_scenes)} writers' scenes in 4 folds")
    print(f"{'variant':40s} {'dev overall':>12s} {'answered':>9s} {'asked':>6s} {'CV overall':>11s} "
          f"{'answered':>9s} {'asked':>6s}  time")
    for name, fit, keep in variants:
        start = time.perf_counter()
        tr, ca = [n for n in train if keep(n)], [n for n in calibration if keep(n)]
        on_dev = score(fit(tr, ca), dev)
        folds = []
        for k in range(4):
            held = set(writer_scenes[k::4])
            model = fit([n for n in tr if n.scene not in held], [n for n in ca if n.scene not in held])
            folds.append(score(model, [n for n in every if n.scene in held]))
        cv = np.mean(folds, axis=0)
        print(f"{name:40s} {on_dev[0]:12.3f} {on_dev[1]:9.3f} {on_dev[2]:6.3f} {cv[0]:11.3f} {cv[1]:9.3f} "
              f"{cv[2]:6.3f}  {time.perf_counter() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
