"""Bring the hand-written note sources in line with DESIGN.md's "Which stage owns a note".

The spec gives the camera (angle, framing, lens, movement, coverage) to stage 7, because camera is a
shot-list field, even when the render is what ignored it; the sources had sent such notes to the
prompts (label A, field v). This rewrites those lines to N with the field `cam` and prints how many
labels changed per file. Run once: `python -m rushes.providers.attribution.relabel`, then
`python -m rushes.providers.attribution.corpus`. A second run changes nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rushes.providers.attribution.corpus import SOURCE_DIR

CAMERA_NOTE = re.compile(
    r"\b(camera|pan|panning|dolly|push[- ]?in|push|orbit|zoom\w*|angle|framing|framed|frame is level|close-?up|"
    r"wide|lens|crane|tracking|handheld|steadicam|static|locked|tilt|whip|focus|drift\w*|swoop|shak\w*|shot size|"
    r"over[- ]the[- ]shoulder|two-shot|mid shot|medium|insert|coverage|reverse|drone|from above|following)\b",
    re.IGNORECASE)
# Faults of the picture itself (morphing, melting, flare): the render misperformed the shot, stage 9.
RENDER_FAULT = re.compile(r"\b(morph\w*|melt\w*|flares?|glitch\w*|warp\w*|artefact\w*)\b", re.IGNORECASE)
LINE = re.compile(r"^A(\s+\S+)((?:\s+[^|\s]+)*?)\s+v\b([^|]*)\|(.*)$")


def relabel_line(line: str) -> str | None:
    """The line with its label moved to the spec's stage, or None when it already agrees."""
    m = LINE.match(line)
    if not m or not CAMERA_NOTE.search(m.group(4)) or RENDER_FAULT.search(m.group(4)):
        return None
    return f"N{m.group(1)}{m.group(2)} cam{m.group(3)}|{m.group(4)}"


def relabel_file(path: Path) -> int:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = 0
    for i, raw in enumerate(lines):
        new = relabel_line(raw.rstrip("\n"))
        if new is not None:
            lines[i] = new + "\n"
            changed += 1
    if changed:
        path.write_text("".join(lines), encoding="utf-8")
    return changed


def relabel_legacy(path: Path) -> int:
    """The same rule over the legacy JSONL notes (stage 9, field video_prompt.visual)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    changed = 0
    for row in rows:
        text = row["description"]
        if (row["stage"] == 9 and "video_prompt.visual" in row["fields"] and CAMERA_NOTE.search(text)
                and not RENDER_FAULT.search(text)):
            row.update(stage=7, category="narrative_structure", fields=["camera"])
            changed += 1
    if changed:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return changed


def main() -> None:
    total = relabel_legacy(SOURCE_DIR / "legacy_notes.jsonl")
    print(f"legacy_notes.jsonl: {total} labels changed (stage 9 prompts -> 7 shot list camera)")
    for path in sorted(SOURCE_DIR.glob("notes_*.txt")):
        changed = relabel_file(path)
        total += changed
        print(f"{path.name}: {changed} labels changed (A prompts -> N shot list camera)")
    print(f"total: {total} labels changed")


if __name__ == "__main__":
    main()
