"""A feature-length import file on disk: N scenes of 12 shots, each shot with its own real PNG frames."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image, ImageDraw

CHARACTERS = ("Mara", "Tom", "Ines")


def frame_png(scene: int, shot: int, kind: str, size: tuple[int, int] = (160, 90)) -> bytes:
    """A distinct small picture per scene, shot and kind (content-addressed media would fold repeats)."""
    image = Image.new("RGB", size, ((scene * 37) % 256, (shot * 53) % 256, 90 if kind == "start" else 170))
    ImageDraw.Draw(image).text((6, 6), f"{scene}-{shot} {kind}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def feature_spec(scenes: int, shots: int = 12, frames_dir: str | None = "frames") -> dict:
    """The import JSON of a feature; frame paths point into `frames_dir` when given."""
    spec = {"name": f"Feature of {scenes} scenes", "style": "35mm film, teal and amber", "logline": "A long night.",
            "scenes": []}
    for n in range(1, scenes + 1):
        scene = {"title": f"Scene {n}", "synopsis": f"Things happen, part {n}.",
                 "visual_states": [{"kind": "character", "name": c, "description": f"{c} in a wet coat, scene {n}"}
                                   for c in CHARACTERS]
                 + [{"kind": "location", "name": "Lamp room", "description": "Brass lamp, rain on glass"}],
                 "shots": []}
        for k in range(shots):
            code = f"{n}{chr(ord('A') + k // 26) if k >= 26 else ''}{chr(ord('A') + k % 26)}"
            shot = {"code": code, "duration": 4 + (k % 3) * 2, "action": f"{CHARACTERS[k % 3]} crosses the room ({k}).",
                    "dialogue": f"{CHARACTERS[k % 3].upper()}: Line {k} of scene {n}.", "characters": [CHARACTERS[k % 3]],
                    "setting": "Lamp room", "camera": "Slow push-in"}
            if frames_dir:
                shot["start_frame"] = f"{frames_dir}/{n}-{k}-start.png"
                shot["end_frame"] = f"{frames_dir}/{n}-{k}-end.png"
            scene["shots"].append(shot)
        spec["scenes"].append(scene)
    return spec


def write_feature(folder: Path, scenes: int, shots: int = 12) -> Path:
    """Write project.json and its frames under `folder`; returns the JSON file's path."""
    frames = folder / "frames"
    frames.mkdir(parents=True, exist_ok=True)
    for n in range(1, scenes + 1):
        for k in range(shots):
            for kind in ("start", "end"):
                (frames / f"{n}-{k}-{kind}.png").write_bytes(frame_png(n, k, kind))
    path = folder / "project.json"
    path.write_text(json.dumps(feature_spec(scenes, shots)), encoding="utf-8")
    return path
