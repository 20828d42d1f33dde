"""Accuracy, abstention, calibration, confusion and latency of the local attributor on held-out notes.

Run: .venv/bin/python bench/bench_attribution.py
The model is trained on the train and calibration splits (the corpus author's notes and 3,198 notes by
32 writers who worked like the blind set's), its threshold fitted on cross-fitted predictions; the TEST
split (its own scenes, written first), the HOLDOUT set (written last, in another style) and the BLIND
set (450 notes by nine writers who never saw the training notes, on five scenes of their own) never
feed back. bench_attribution_choices.py measures the choices on the dev half and the writers' scenes.
The blind set is scored by stage, as its writers labelled it; its final half (three scenes fixed
before any look) is the headline, its dev half is where failures were read.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from rushes.providers.attribution.dataset import (ABSTAIN, BLIND_DEV_SCENES, LABELS, LabelledNote, load_notes,
                                                  request_for)
from rushes.providers.attribution.features import read_note
from rushes.providers.attribution.local import LocalAttributor
from rushes.providers.attribution.model import STAGES, default_model, stage_probabilities

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


STAGE_NAMES = ["7 Shot List", "8 Visual Def.", "9 Prompts", "10 Frames", "no stage"]
STAGE_ORDER = [7, 8, 9, 10, None]


def blind_rows(attributor: LocalAttributor, notes: list[LabelledNote]) -> list[tuple]:
    """(note, answered stage, stage probabilities, latency ms) for each note, no category given."""
    rows = []
    for note in notes:
        request = request_for(note)
        start = time.perf_counter()
        out = attributor.attribute(request)
        ms = (time.perf_counter() - start) * 1000
        probs = stage_probabilities(attributor.model.probabilities(read_note(request)))[0]
        rows.append((note, out.stage, probs, ms))
    return rows


def stage_figures(rows: list[tuple]) -> dict:
    answered = [r for r in rows if r[1] is not None]
    staged = [r for r in rows if r[0].stage is not None]
    empty = [r for r in rows if r[0].stage is None]
    conf = np.array([r[2].max() for r in rows])
    ok = np.array([STAGES[int(r[2].argmax())] == r[0].stage for r in rows], dtype=float)
    err = sum(m.mean() * abs(conf[m].mean() - ok[m].mean())
              for lo, hi in zip(np.linspace(0, 1, 11)[:-1], np.linspace(0, 1, 11)[1:])
              if (m := (conf > lo) & (conf <= hi)).any())
    return {
        "n": len(rows),
        "overall": float(np.mean([r[1] == r[0].stage for r in rows])),
        "answered": float(np.mean([r[1] == r[0].stage for r in answered])) if answered else float("nan"),
        "abstain": 1 - len(answered) / len(rows),
        "abstain_staged": float(np.mean([r[1] is None for r in staged])) if staged else float("nan"),
        "empty_unrouted": (sum(r[1] is None for r in empty), len(empty)),
        "ece": float(err),
    }


def stage_line(label: str, f: dict) -> str:
    caught, empty = f["empty_unrouted"]
    return (f"{label:<34}{f['n']:>5}{f['overall']:>9.3f}{f['answered']:>10.3f}{f['abstain']:>9.3f}"
            f"{f['abstain_staged']:>14.3f}{f'{caught}/{empty}':>10}{f['ece']:>7.3f}")


def stage_confusion(rows: list[tuple]) -> str:
    m = np.zeros((5, 5), dtype=int)
    for note, stage, _, _ in rows:
        m[STAGE_ORDER.index(note.stage), STAGE_ORDER.index(stage)] += 1
    out = ["true \\ answered".ljust(16) + "".join(f"{n:>15}" for n in STAGE_NAMES)]
    out += [name.ljust(16) + "".join(f"{m[i, j]:>15}" for j in range(5)) for i, name in enumerate(STAGE_NAMES)]
    return "\n".join(out)


def blind_report(attributor: LocalAttributor) -> None:
    notes = load_notes("blind")
    if not notes:
        return
    rows = blind_rows(attributor, notes)
    final = [r for r in rows if r[0].scene not in BLIND_DEV_SCENES]
    dev = [r for r in rows if r[0].scene in BLIND_DEV_SCENES]
    print(f"\n===== BLIND set: {len(notes)} notes by 9 writers on 5 unseen scenes, scored by stage, "
          f"no category given =====")
    header = (f"{'':<34}{'notes':>5}{'overall':>9}{'answered':>10}{'abstain':>9}{'abst. staged':>14}"
              f"{'empty':>10}{'ECE':>7}")
    print(f"final half (the headline): {', '.join(sorted({r[0].scene for r in final}))}; "
          f"dev half (failures read here): {', '.join(BLIND_DEV_SCENES)}")
    print(header)
    print(stage_line("FINAL half, 3 scenes (headline)", stage_figures(final)))
    print(stage_line("dev half, 2 scenes", stage_figures(dev)))
    print(stage_line("all blind notes", stage_figures(rows)))
    for name, split in (("test split", "test"), ("holdout set", "holdout")):
        print(stage_line(f"{name} (by stage)", stage_figures(blind_rows(attributor, load_notes(split)))))
    print("\nper register (all blind notes)")
    print(header)
    for register in sorted({r[0].persona for r in rows}):
        print(stage_line("  " + register, stage_figures([r for r in rows if r[0].persona == register])))
    print("\nconfusion matrix, all blind notes (rows: the writer's stage, columns: the answer)")
    print(stage_confusion(rows))
    lat = [r[3] for r in rows]
    print(f"\nlatency per blind note: median {statistics.median(lat):.2f} ms, p95 {np.percentile(lat, 95):.2f} ms, "
          f"max {max(lat):.2f} ms (mean {statistics.mean(len(r[0].description.split()) for r in rows):.0f} words)")


def main() -> None:
    start = time.perf_counter()
    model = default_model()
    attributor = LocalAttributor(model)
    train, calibration = load_notes("train"), load_notes("calibration")
    print(f"data set: {len(train)} train / {len(calibration)} calibration / {len(load_notes('test'))} test / "
          f"{len(load_notes('holdout'))} holdout notes; model ready in {time.perf_counter() - start:.2f} s "
          f"(temperature {model.temperature:.2f}, abstain below {model.threshold:.2f})")
    print("overall = right stage, or abstained on a note with no stage; answered = right stage among answers;")
    print("abstain = share of notes it gave no stage; abst. staged = share of notes WITH a stage it gave none;")
    print("empty = notes with no stage left unrouted; ECE by class on the old splits, by stage on the blind set")
    report(attributor, load_notes("test"), "TEST split (own scenes, written first)", full=True)
    holdout = load_notes("holdout")
    if holdout:
        report(attributor, holdout, "HOLDOUT set (written last, other style and scenes)", full=False)
    blind_report(attributor)


if __name__ == "__main__":
    main()
