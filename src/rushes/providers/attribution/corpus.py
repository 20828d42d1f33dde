"""Build the labelled note files (notes_*.jsonl) from the hand-written sources in data/attribution/source.

The sources are terse so that a person can write and read many notes quickly:

    = scene lamp-room                       the scene (scenes_*.json) the next notes are pinned in
    ~ terse                                 the reviewer persona writing them (kept for analysis)
    C 4C e +4B @c | oil can jumps hands     label, pinned shot, fields, neighbour, cut position | note

Labels: C = stage 10 continuity, D = stage 8 definition, A = stage 9 prompts, T = stage 7 timing,
N = stage 7 narrative, X = no stage (the attributor should abstain). Writers who worked blind, from the
spec alone, gave one JSON line per note instead (notes_train_writers.jsonl; see WRITERS.md). The JSONL files are what the
model and the bench read; `python -m rushes.providers.attribution.corpus` rewrites them and a unit
test checks they are in step with the sources.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import rushes

DATA_DIR = Path(rushes.__file__).parent / "data" / "attribution"
SOURCE_DIR = DATA_DIR / "source"

LABEL_CODES = {
    "C": (10, "visual_continuity"),
    "D": (8, "visual_continuity"),
    "A": (9, "dialogue_audio"),
    "T": (7, "timing"),
    "N": (7, "narrative_structure"),
    "X": (None, None),
}
CATEGORIES = ("visual_continuity", "timing", "dialogue_audio", "narrative_structure")
FIELD_CODES = {"s": ("start_frame",), "e": ("end_frame",), "se": ("start_frame", "end_frame"),
               "v": ("video_prompt.visual",), "a": ("video_prompt.audio",), "dur": ("duration",),
               "act": ("action",), "dlg": ("dialogue",), "ord": ("order",),
               "cam": ("camera",)}
ELEMENT_KINDS = {"char": "character", "loc": "location", "prop": "prop"}
# Which source files make which split; calibration is a fixed slice of the train sources.
SOURCES = {"test": ("notes_test.txt",), "train": ("notes_train.txt", "notes_train_context.txt", "notes_train_registers.txt"),
           "holdout": ("notes_holdout.txt",)}
SCENE_FILES = ("scenes_test.json", "scenes_train.json", "scenes_holdout.json", "scenes_train_writers.json")
# Notes by writers who saw only the routing spec, a scene they made up and a register (as the blind set
# was written), one JSON line each with the writer's stage; see source/WRITERS.md.
WRITERS_SOURCE = "notes_train_writers.jsonl"

CODE_IN_TEXT = re.compile(r"(?<![\w.])(\d{1,2})\s?([a-hA-H])(?![\w'])")
END_WORDS = re.compile(r"\b(end frame|last frame|ends?\b|ending)", re.IGNORECASE)
VISUAL_WORDS = re.compile(r"\b(camera|render\w*|pan|dolly|orbit|push|zoom|focus|grade|framing|frame it|angle|"
                          r"shot size|close-up|closeup|wide|style|lens|crane|tracking|handheld|steadicam|static|"
                          r"locked|whip|look(s)? like|saturat\w*|colou?r)\b", re.IGNORECASE)
ORDER_WORDS = re.compile(r"\b(order|swap|before|after|open on|move .* to|reorder|first)\b", re.IGNORECASE)
DIALOGUE_WORDS = re.compile(r"\b(line|say|says|said|rewrite|change \"|dialogue|word)", re.IGNORECASE)


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def load_scenes() -> dict[str, dict]:
    scenes: dict[str, dict] = {}
    for name in SCENE_FILES:
        path = SOURCE_DIR / name
        if path.exists():
            for key, scene in json.loads(path.read_text(encoding="utf-8")).items():
                if key in scenes:
                    raise ValueError(f"scene {key} is defined twice")
                scenes[key] = scene
    return scenes


def _picked(note_id: str, category: str | None) -> str | None:
    """The category a filmmaker would have ticked: mostly right, sometimes none, sometimes wrong."""
    h = _hash("pick:" + note_id) % 100
    if category is None:
        return None if h < 50 else CATEGORIES[h % 4]
    if h < 70:
        return category
    if h < 84:
        return None
    others = [c for c in CATEGORIES if c != category]
    return others[h % 3]


def _default_fields(label: str, text: str, scene: dict | None) -> tuple[str, ...]:
    if label == "C":
        return ("end_frame",) if END_WORDS.search(text) else ("start_frame",)
    if label == "A":
        return ("video_prompt.visual",) if VISUAL_WORDS.search(text) else ("video_prompt.audio",)
    if label == "T":
        return ("duration",)
    if label == "N":
        if ORDER_WORDS.search(text):
            return ("order",)
        return ("dialogue",) if DIALOGUE_WORDS.search(text) else ("action",)
    if label == "D":
        lowered = text.lower()
        for element in (scene or {}).get("elements", ()):
            if element["name"].lower() in lowered:
                return (f"{element['kind']}:{element['name']}",)
        return ("character",)
    return ()


def _at(note_id: str, position: str | None, duration: float) -> float:
    """Seconds into the pinned shot where the note was pinned."""
    if position == "c":
        return 0.2
    if position == "e":
        return round(max(0.0, duration - 0.2), 2)
    frac = (_hash("at:" + note_id) % 1000) / 1000
    return round(0.6 + frac * max(0.0, duration - 1.2), 2)


def parse_source(path: Path, split: str, scenes: dict[str, dict]) -> list[dict]:
    rows: list[dict] = []
    scene_key: str | None = None
    persona = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("= scene"):
            scene_key = line.split(None, 2)[2].strip()
            if scene_key != "none" and scene_key not in scenes:
                raise ValueError(f"{path.name}:{number}: unknown scene {scene_key}")
            scene_key = None if scene_key == "none" else scene_key
            continue
        if line.startswith("~"):
            persona = line[1:].strip()
            continue
        head, sep, text = line.partition("|")
        text = text.strip()
        scene = scenes.get(scene_key) if scene_key else None
        for element in sorted((scene or {}).get("elements", ()), key=lambda e: -len(e["name"])):
            head = head.replace(":" + element["name"], ":" + element["name"].replace(" ", "\0"))
        parts = [p.replace("\0", " ") for p in head.split()]
        if not sep or not text or not parts or parts[0] not in LABEL_CODES:
            raise ValueError(f"{path.name}:{number}: cannot read {line[:60]!r}")
        label, pinned = parts[0], parts[1] if len(parts) > 1 and parts[1] != "-" else None
        shot = next((s for s in scene["shots"] if s["code"] == pinned), None) if scene and pinned else None
        if scene and pinned and shot is None:
            raise ValueError(f"{path.name}:{number}: shot {pinned} is not in scene {scene_key}")
        fields: list[str] = []
        extra_shots: list[str] = []
        position = None
        for token in parts[2:]:
            if token.startswith("+"):
                extra_shots.append(token[1:])
            elif token.startswith("@"):
                position = token[1:]
            elif token in FIELD_CODES:
                fields.extend(FIELD_CODES[token])
            elif (kind := token.partition(":")[0]) in ELEMENT_KINDS:
                fields.append(ELEMENT_KINDS[kind] + ":" + token.partition(":")[2])
            else:
                raise ValueError(f"{path.name}:{number}: unknown field {token!r}")
        stage, category = LABEL_CODES[label]
        named = list(dict.fromkeys(m.group(1) + m.group(2).upper() for m in CODE_IN_TEXT.finditer(text)))
        shots = named or ([pinned] if pinned else [])
        for code in extra_shots:
            if code not in shots:
                shots = sorted([*shots, code])
        note_id = f"{path.stem}-{len(rows) + 1:04d}"
        rows.append({
            "id": note_id,
            "split": split,
            "scene": scene_key,
            "shot": pinned,
            "at": _at(note_id, position, float(shot["duration"])) if shot else None,
            "description": text,
            "stage": stage,
            "category": category,
            "shots": shots if stage is not None else [],
            "fields": list(fields or _default_fields(label, text, scene)),
            "picked": _picked(note_id, category),
            "persona": persona,
        })
    return rows


# Writers give a stage only; a stage-7 note is about timing when its words (or the writer's reason) are.
TIMING_WORDS = re.compile(r"\b(duration|durations|timing|pac(e|ing|ed)|too (long|short|quick|fast|slow)|longer|shorter|"
                          r"trim\w*|split\w*|merge\w*|drag\w*|rushed|hold\w*|seconds?|\d+ ?s\b|length|beat)", re.IGNORECASE)


def writer_row(row: dict, number: int, scenes: dict[str, dict]) -> dict:
    """A writer's note as a training row: the stage as written, the rest filled as for the text sources."""
    stage = row["stage"]
    if stage is None:
        label = "X"
    elif stage == 7:
        label = "T" if TIMING_WORDS.search(row["description"] + " " + row.get("why", "")) else "N"
    else:
        label = {8: "D", 9: "A", 10: "C"}[stage]
    scene = scenes[row["scene"]]
    shot = next((s for s in scene["shots"] if s["code"] == row["shot"]), None)
    if shot is None:
        raise ValueError(f"{WRITERS_SOURCE}:{number}: shot {row['shot']} is not in scene {row['scene']}")
    text = row["description"].strip()
    named = list(dict.fromkeys(m.group(1) + m.group(2).upper() for m in CODE_IN_TEXT.finditer(text)))
    note_id = f"notes_train_writers-{number:04d}"
    category = LABEL_CODES[label][1]
    return {
        "id": note_id, "split": "train", "scene": row["scene"], "shot": row["shot"],
        "at": min(max(0.0, float(row["at"])), float(shot["duration"])),
        "description": text, "stage": stage, "category": category,
        "shots": (named or [row["shot"]]) if stage is not None else [],
        "fields": list(_default_fields(label, text, scene)), "picked": _picked(note_id, category),
        "persona": row["register"],
    }


def parse_writers(path: Path, scenes: dict[str, dict]) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [writer_row(json.loads(line), number, scenes) for number, line in enumerate(lines, 1)]


# Whole scenes are held back together: the calibration scenes are the first fold of the cross-fit that
# fits the temperature and the abstention threshold (model.train); two of them are writers' scenes, so
# that fold also holds voices other than the corpus author's.
CALIBRATION_SCENES = ("courtroom", "wedding-tent", "greenhouse", "tailor-shop")


def calibration_slice(note_id: str, scene: str | None) -> bool:
    """Is a train-source note held back to fit the confidence calibration? Fixed by scene (or id)."""
    if scene is not None:
        return scene in CALIBRATION_SCENES
    return _hash("calibration:" + note_id) % 5 == 0


def build(split: str) -> list[dict]:
    scenes = load_scenes()
    rows: list[dict] = []
    for name in SOURCES[split]:
        path = SOURCE_DIR / name
        if path.exists():
            rows.extend(parse_source(path, split, scenes))
    if split == "train":
        writers = SOURCE_DIR / WRITERS_SOURCE
        if writers.exists():
            rows.extend(parse_writers(writers, scenes))
        legacy = SOURCE_DIR / "legacy_notes.jsonl"
        if legacy.exists():
            rows.extend(json.loads(line) for line in legacy.read_text(encoding="utf-8").splitlines() if line.strip())
        for row in rows:
            row["split"] = "calibration" if calibration_slice(row["id"], row["scene"]) else "train"
    return rows


def output_path(split: str) -> Path:
    return DATA_DIR / f"notes_{split}.jsonl"


def render(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    for split in SOURCES:
        rows = build(split)
        output_path(split).write_text(render(rows), encoding="utf-8")
        print(f"{output_path(split).name}: {len(rows)} notes")


if __name__ == "__main__":
    main()
