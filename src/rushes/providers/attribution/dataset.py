"""The labelled review notes that train, calibrate and evaluate the local attributor, with their scenes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from rushes.providers.attribution.base import AttributionRequest, ElementLook, ShotContext
from rushes.providers.attribution.corpus import DATA_DIR, load_scenes

# The outcomes the classifier tells apart: a stage and the category that names it, or no stage.
LABELS: tuple[tuple[int, str], ...] = (
    (10, "visual_continuity"),
    (8, "visual_continuity"),
    (9, "dialogue_audio"),
    (7, "timing"),
    (7, "narrative_structure"),
)
ABSTAIN = len(LABELS)  # class index of "the note names no stage"
SPLITS = ("train", "calibration", "test", "holdout", "blind")
NOTE_FILES = {"train": "notes_train.jsonl", "calibration": "notes_train.jsonl", "test": "notes_test.jsonl",
              "holdout": "notes_holdout.jsonl", "blind": "blind/notes_blind.jsonl"}
# The blind set's scenes, in the order its writers were given them; the first two are its dev half
# (read to understand failures), the other three its final half (the headline), fixed before any look.
BLIND_DEV_SCENES = ("night-laundromat", "ice-rink")


@dataclass(frozen=True)
class LabelledNote:
    id: str
    description: str
    stage: int | None
    category: str | None
    shots: tuple[str, ...]
    fields: tuple[str, ...]
    picked: str | None
    split: str
    scene: str | None = None
    shot: str | None = None
    at: float | None = None
    persona: str = ""
    scene_elements: tuple[str, ...] = ()

    @property
    def label(self) -> int:
        return ABSTAIN if self.stage is None else LABELS.index((self.stage, self.category))


# The category a blind note is scored under: its writer gave a stage only; for stage 7 the
# classifier's two stage-7 labels both count as right (scoring is by stage).
BLIND_CATEGORY = {10: "visual_continuity", 8: "visual_continuity", 9: "dialogue_audio", 7: "narrative_structure",
                  None: None}


def split_for(issue_id: str) -> str:
    """The split an exported override line goes to: a quarter of ids, by hash, are test."""
    return "test" if int(hashlib.sha256(issue_id.encode()).hexdigest()[:8], 16) % 4 == 0 else "train"


def _note(row: dict) -> LabelledNote:
    # Blind notes carry only the writer's stage (and their "why", which no model reads).
    category = row["category"] if "category" in row else BLIND_CATEGORY.get(row["stage"])
    return LabelledNote(
        id=row["id"], description=row["description"], stage=row["stage"], category=category,
        shots=tuple(row.get("shots", ())), fields=tuple(row.get("fields", ())), picked=row.get("picked"),
        split=row.get("split", "blind"), scene=row.get("scene"), shot=row.get("shot"), at=row.get("at"),
        persona=row.get("persona") or row.get("register", ""), scene_elements=tuple(row.get("scene_elements", ())),
    )


@lru_cache(maxsize=8)
def _file(name: str) -> tuple[LabelledNote, ...]:
    path = DATA_DIR / name
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(_note(json.loads(line)) for line in lines if line.strip())


def load_notes(split: str | None = None) -> list[LabelledNote]:
    """Notes of one split ("train", "calibration", "test", "holdout"), or train+calibration+test."""
    if split is None:
        return [n for name in ("notes_train.jsonl", "notes_test.jsonl") for n in _file(name)]
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    return [n for n in _file(NOTE_FILES[split]) if n.split == split]


@lru_cache(maxsize=1)
def _scenes() -> dict[str, dict]:
    scenes = load_scenes()
    blind = DATA_DIR / "blind" / "scenes_blind.json"
    if blind.exists():
        scenes.update(json.loads(blind.read_text(encoding="utf-8")))
    return scenes


def _shot_context(scene: dict, shot: dict) -> ShotContext:
    looks = []
    for element in scene["elements"]:
        kind, name = element["kind"], element["name"]
        if (kind == "character" and name in shot["characters"]) or kind == "location" or (
                kind == "prop" and name.lower() in shot["action"].lower()):
            looks.append(ElementLook(kind, name, element["look"]))
    return ShotContext(code=shot["code"], action=shot["action"], dialogue=shot["dialogue"],
                       characters=tuple(shot["characters"]), setting=scene["setting"], camera=shot["camera"],
                       duration=float(shot["duration"]), visual_states=tuple(looks))


def request_for(note: LabelledNote, category: str | None = None) -> AttributionRequest:
    """The request the review page would have sent for this note: its words, pinned shot and scene."""
    if note.scene is None:
        return AttributionRequest(note.description, category, scene_elements=note.scene_elements)
    scene = _scenes()[note.scene]
    shots = scene["shots"]
    index = next(i for i, s in enumerate(shots) if s["code"] == note.shot)
    neighbours = tuple(_shot_context(scene, shots[i]) for i in (index - 1, index + 1) if 0 <= i < len(shots))
    return AttributionRequest(
        description=note.description, category=category, shot=_shot_context(scene, shots[index]),
        neighbours=neighbours, scene_elements=tuple(e["name"] for e in scene["elements"]), shot_time=note.at,
    )
