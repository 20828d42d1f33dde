"""The labelled review-note data set that trains and evaluates the local attributor."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import rushes

DATASET_PATH = Path(rushes.__file__).parent / "data" / "attribution" / "issues.jsonl"

# The five outcomes the classifier tells apart: a stage, and the category that names it.
LABELS: tuple[tuple[int, str], ...] = (
    (10, "visual_continuity"),
    (8, "visual_continuity"),
    (9, "dialogue_audio"),
    (7, "timing"),
    (7, "narrative_structure"),
)


@dataclass(frozen=True)
class LabelledIssue:
    id: str
    description: str
    stage: int
    category: str
    fields: tuple[str, ...]
    picked: str | None
    split: str
    scene_elements: tuple[str, ...] = ()

    @property
    def label(self) -> int:
        return LABELS.index((self.stage, self.category))


def split_for(issue_id: str) -> str:
    """The fixed split rule the file was written with: a quarter of ids, by hash, are test."""
    return "test" if int(hashlib.sha256(issue_id.encode()).hexdigest()[:8], 16) % 4 == 0 else "train"


def load_issues(split: str | None = None, path: Path = DATASET_PATH) -> list[LabelledIssue]:
    """Items of the data set, optionally only one split ("train" or "test")."""
    items: list[LabelledIssue] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            item = LabelledIssue(
                id=row["id"],
                description=row["description"],
                stage=int(row["stage"]),
                category=row["category"],
                fields=tuple(row.get("fields", ())),
                picked=row.get("picked"),
                split=row["split"],
                scene_elements=tuple(row.get("scene_elements", ())),
            )
            if split is None or item.split == split:
                items.append(item)
    return items
