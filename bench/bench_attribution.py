"""Accuracy, confusion matrix, calibration and latency of the local attributor on the TEST split.

Run: .venv/bin/python bench/bench_attribution.py
The model is trained on the train split only; nothing here feeds back into it.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from rushes.providers.attribution.base import AttributionRequest
from rushes.providers.attribution.dataset import LABELS, LabelledIssue, load_issues
from rushes.providers.attribution.local import LocalAttributor

SHORT = {
    (10, "visual_continuity"): "10 continuity",
    (8, "visual_continuity"): "8 definition",
    (9, "dialogue_audio"): "9 dialogue/audio",
    (7, "timing"): "7 timing",
    (7, "narrative_structure"): "7 narrative",
}


def run(attributor: LocalAttributor, items: list[LabelledIssue], picked: str) -> dict:
    """Attribute every item; `picked` is "none", "user" (the item's picked field) or "true"."""
    predicted, latencies, confidences, hits, field_hits = [], [], [], [], []
    for item in items:
        category = {"none": None, "user": item.picked, "true": item.category}[picked]
        request = AttributionRequest(item.description, category, scene_elements=item.scene_elements)
        start = time.perf_counter()
        out = attributor.attribute(request)
        latencies.append(time.perf_counter() - start)
        label = LABELS.index((out.stage, out.category)) if (out.stage, out.category) in LABELS else -1
        predicted.append(label)
        confidences.append(out.confidence)
        hits.append(label == item.label)
        field_hits.append(bool(out.fields) and _field_match(out.fields[0], item.fields))
    stages = [LABELS[p][0] if p >= 0 else -1 for p in predicted]
    cats = [LABELS[p][1] if p >= 0 else "" for p in predicted]
    return {
        "predicted": predicted,
        "stage_acc": np.mean([s == i.stage for s, i in zip(stages, items)]),
        "category_acc": np.mean([c == i.category for c, i in zip(cats, items)]),
        "label_acc": np.mean(hits),
        "field_acc": np.mean(field_hits),
        "latency_ms": [x * 1000 for x in latencies],
        "confidences": confidences,
        "hits": hits,
    }


def _field_match(field: str, expected: tuple[str, ...]) -> bool:
    # Stage-8 labels may name the element ("character:Mara") or only its kind ("character").
    return any(field == e or field.split(":")[0] == e.split(":")[0] == e for e in expected)


def confusion(items: list[LabelledIssue], predicted: list[int]) -> str:
    n = len(LABELS)
    m = np.zeros((n, n), dtype=int)
    for item, p in zip(items, predicted):
        if p >= 0:
            m[item.label, p] += 1
    names = [SHORT[lab] for lab in LABELS]
    width = max(len(x) for x in names) + 2
    lines = ["true \\ predicted".ljust(width) + "".join(f"{x:>18}" for x in names)]
    for i, name in enumerate(names):
        lines.append(name.ljust(width) + "".join(f"{m[i, j]:>18}" for j in range(n)))
    return "\n".join(lines)


def calibration(confidences: list[float], hits: list[bool], bins: int = 5) -> tuple[float, list[str]]:
    """Expected calibration error and a per-bin table."""
    conf, ok = np.asarray(confidences), np.asarray(hits, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    ece, rows = 0.0, []
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (conf > lo) & (conf <= hi)
        if mask.any():
            gap = abs(conf[mask].mean() - ok[mask].mean())
            ece += mask.mean() * gap
            rows.append(f"  ({lo:.1f}, {hi:.1f}]  n={mask.sum():3d}  mean conf {conf[mask].mean():.2f}  accuracy {ok[mask].mean():.2f}")
    return ece, rows


def main() -> None:
    train, test = load_issues("train"), load_issues("test")
    start = time.perf_counter()
    attributor = LocalAttributor()
    attributor.warm_up()
    print(f"data set: {len(train)} train / {len(test)} test notes; training took {time.perf_counter() - start:.2f} s")
    for mode, title in (
        ("none", "no category given"),
        ("user", "with the category the user picked (some picks are wrong)"),
        ("true", "with the correct category given"),
    ):
        result = run(attributor, test, mode)
        print(f"\n== TEST split, {title} ==")
        print(f"top-1 stage accuracy     {result['stage_acc']:.3f}")
        print(f"top-1 category accuracy  {result['category_acc']:.3f}")
        print(f"top-1 stage+category     {result['label_acc']:.3f}")
        print(f"first field correct      {result['field_acc']:.3f}")
        if mode == "none":
            print("\nconfusion matrix (rows: true, columns: predicted)")
            print(confusion(test, result["predicted"]))
            ece, rows = calibration(result["confidences"], result["hits"])
            print(f"\ncalibration: expected calibration error {ece:.3f}")
            print("\n".join(rows))
            lat = result["latency_ms"]
            print(f"\nlatency per call: median {statistics.median(lat):.2f} ms, "
                  f"p95 {np.percentile(lat, 95):.2f} ms, max {max(lat):.2f} ms")


if __name__ == "__main__":
    main()
