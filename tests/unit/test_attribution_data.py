"""The labelled data set: size, balance, labels that route correctly, and a fixed, disjoint split."""

from __future__ import annotations

import json
import re
from collections import Counter

from rushes.domain.issues import CATEGORY_ROUTES, IssueCategory
from rushes.providers.attribution.dataset import DATASET_PATH, LABELS, load_issues, split_for


def test_the_data_set_is_big_enough_and_balanced() -> None:
    items = load_issues()
    assert len(items) >= 300
    per_label = Counter((i.stage, i.category) for i in items)
    assert set(per_label) == set(LABELS)
    assert min(per_label.values()) >= 40, per_label
    assert per_label[(8, "visual_continuity")] >= 50
    with_codes = sum(1 for i in items if re.search(r"\b\d{1,2}[a-lA-L]\b", i.description))
    assert 0.2 * len(items) <= with_codes <= 0.8 * len(items)  # with and without shot codes


def test_labels_are_consistent_with_the_routing_table() -> None:
    for item in load_issues():
        category = IssueCategory(item.category)
        assert item.stage == 8 or CATEGORY_ROUTES[category] == item.stage, item.id
        assert item.fields, item.id
        assert item.picked is None or IssueCategory(item.picked)
        assert item.description.strip() == item.description and len(item.description) <= 2000


def test_the_split_is_fixed_disjoint_and_stored_in_the_file() -> None:
    rows = [json.loads(line) for line in DATASET_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(r["split"] in ("train", "test") for r in rows)
    assert all(r["split"] == split_for(r["id"]) for r in rows)  # the stored split follows the hash rule
    train, test = load_issues("train"), load_issues("test")
    assert {i.id for i in train}.isdisjoint({i.id for i in test})
    assert {i.description.lower() for i in train}.isdisjoint({i.description.lower() for i in test})
    assert len(train) + len(test) == len(rows) == len({r["id"] for r in rows})
    assert 0.15 <= len(test) / len(rows) <= 0.35
    assert set(Counter((i.stage, i.category) for i in test)) == set(LABELS)


def test_some_picks_disagree_with_the_label() -> None:
    # Real users mis-file notes; the data set keeps a few such picks to measure the prior.
    items = load_issues()
    wrong = [i for i in items if i.picked and i.picked != i.category]
    assert 5 <= len(wrong) <= 0.2 * len(items)
