"""Accuracy, abstention, calibration, confusion and latency of the local attributor on held-out notes.

Run: .venv/bin/python bench/bench_attribution.py
The model is trained on the train split and calibrated on the calibration split; the TEST split (its
own scenes, written first) and the HOLDOUT set (written last, in another style) never feed back.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from rushes.providers.attribution.dataset import ABSTAIN, LABELS, LabelledNote, load_notes, request_for
from rushes.providers.attribution.features import read_note
from rushes.providers.attribution.local import LocalAttributor
from rushes.providers.attribution.model import default_model

NAMES = ["10 continuity", "8 definition", "9 prompts", "7 timing", "7 narrative", "no stage"]


def run(attributor: LocalAttributor, notes: list[LabelledNote], picked: str) -> dict:
    """Attribute every note in its scene; `picked` is "none", "user" (the note's pick) or "true"."""
    rows, latencies = [], []
    for note in notes:
        category = {"none": None, "user": note.picked, "true": note.category}[picked]
        request = request_for(note, category)
        start = time.perf_counter()
        out = attributor.attribute(request)
        latencies.append((time.perf_counter() - start) * 1000)
        probs = attributor.model.probabilities(read_note(request), category)
        predicted = ABSTAIN if out.stage is None else LABELS.index((out.stage, "visual_continuity" if out.stage in (8, 10)
                                                                     else out.category))
        rows.append((note, out, predicted, probs))
    answered = [r for r in rows if r[1].stage is not None]
    staged = [r for r in rows if r[0].stage is not None]
    return {
        "rows": rows,
        "overall": np.mean([r[1].stage == r[0].stage for r in rows]),
        "label": np.mean([r[2] == r[0].label for r in rows]),
        "answered": np.mean([r[1].stage == r[0].stage for r in answered]) if answered else float("nan"),
        "abstain_all": 1 - len(answered) / len(rows),
        "abstain_staged": np.mean([r[1].stage is None for r in staged]),
        "null_caught": np.mean([r[1].stage is None for r in rows if r[0].stage is None] or [float("nan")]),
        "fields": np.mean([bool(r[1].fields) and _field_match(r[1].fields[0], r[0].fields) for r in answered
                           if r[0].stage == r[1].stage] or [float("nan")]),
        "latency": latencies,
    }


def _field_match(field: str, expected: tuple[str, ...]) -> bool:
    # Stage-8 labels may name the element ("character:Mara") or only its kind ("character").
    return any(field == e or field.split(":")[0] == e.split(":")[0] == e for e in expected)


def ece(rows: list, bins: int = 10) -> tuple[float, list[str]]:
    """Expected calibration error of the top class (a stage or 'no stage') over all notes."""
    conf = np.array([r[3].max() for r in rows])
    ok = np.array([int(r[3].argmax()) == r[0].label for r in rows], dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    total, lines = 0.0, []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            total += mask.mean() * abs(conf[mask].mean() - ok[mask].mean())
            lines.append(f"  ({lo:.1f}, {hi:.1f}]  n={mask.sum():4d}  mean confidence {conf[mask].mean():.2f}"
                         f"  accuracy {ok[mask].mean():.2f}")
    return total, lines


def confusion(rows: list) -> str:
    m = np.zeros((len(NAMES), len(NAMES)), dtype=int)
    for note, _, predicted, _ in rows:
        m[note.label, predicted] += 1
    width = max(map(len, NAMES)) + 2
    out = ["true \\ predicted".ljust(width) + "".join(f"{n:>15}" for n in NAMES)]
    out += [name.ljust(width) + "".join(f"{m[i, j]:>15}" for j in range(len(NAMES))) for i, name in enumerate(NAMES)]
    return "\n".join(out)


def report(attributor: LocalAttributor, notes: list[LabelledNote], title: str, full: bool) -> None:
    print(f"\n===== {title}: {len(notes)} notes ({sum(n.stage is None for n in notes)} with no stage) =====")
    print(f"{'category given':<26}{'overall':>9}{'answered':>10}{'abstain':>9}{'abst. staged':>14}"
          f"{'null caught':>13}{'stage+cat':>11}{'ECE':>7}{'field':>7}")
    for mode, label in (("none", "none"), ("user", "user's pick (some wrong)"), ("true", "correct category")):
        r = run(attributor, notes, mode)
        err, lines = ece(r["rows"])
        print(f"{label:<26}{r['overall']:>9.3f}{r['answered']:>10.3f}{r['abstain_all']:>9.3f}{r['abstain_staged']:>14.3f}"
              f"{r['null_caught']:>13.3f}{r['label']:>11.3f}{err:>7.3f}{r['fields']:>7.3f}")
        if mode == "none":
            kept = r
    if full:
        print("\nconfusion matrix, no category given (rows: true, columns: predicted)")
        print(confusion(kept["rows"]))
        err, lines = ece(kept["rows"])
        print(f"\ncalibration, no category given: expected calibration error {err:.3f}")
        print("\n".join(lines))
        lat = kept["latency"]
        print(f"\nlatency per note: median {statistics.median(lat):.2f} ms, p95 {np.percentile(lat, 95):.2f} ms, "
              f"max {max(lat):.2f} ms")


def main() -> None:
    start = time.perf_counter()
    model = default_model()
    attributor = LocalAttributor(model)
    train, calibration = load_notes("train"), load_notes("calibration")
    print(f"data set: {len(train)} train / {len(calibration)} calibration / {len(load_notes('test'))} test / "
          f"{len(load_notes('holdout'))} holdout notes; model ready in {time.perf_counter() - start:.2f} s "
          f"(temperature {model.temperature:.2f}, abstain below {model.threshold:.2f})")
    print("overall = right stage, or abstained on a note with no stage; answered = right stage among answers;")
    print("abstain = share of notes it gave no stage; abst. staged = share of notes WITH a stage it gave none")
    report(attributor, load_notes("test"), "TEST split (own scenes, written first)", full=True)
    holdout = load_notes("holdout")
    if holdout:
        report(attributor, holdout, "HOLDOUT set (written last, other style and scenes)", full=False)


if __name__ == "__main__":
    main()
