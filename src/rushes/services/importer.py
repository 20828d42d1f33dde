"""`rushes import`: a project as one JSON file, validated whole before anything is written.

Format (every key but `name` and `scenes` optional):

    {"name": "The Keeper's Light", "style": "35mm film, teal and amber", "logline": "...",
     "scenes": [{"title": "Storm Warning", "synopsis": "...",
                 "visual_states": [{"kind": "character", "name": "Mara", "description": "..."}],
                 "shots": [{"code": "1A", "duration": 8, "action": "...", "dialogue": "MARA: line",
                            "characters": ["Mara"], "setting": "Lamp room", "camera": "Slow push-in",
                            "sfx": "Wind", "start_frame_only": false,
                            "start_frame": "frames/1A-start.png", "end_frame": "frames/1A-end.png"}]}]}

Frame paths are relative to the JSON file and must stay inside its folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from rushes.domain.shots import ShotFieldError, build_fields, check_unique_codes
from rushes.media.probe import ImageProbe, MediaError, probe_image


class ImportError_(ValueError):
    """A refused import file; `path` names the bad field like scenes[1].shots[0].duration."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VisualStateIn(_Strict):
    kind: Literal["character", "location", "prop"]
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=4000)


class ShotIn(_Strict):
    code: str
    duration: float
    action: str = ""
    dialogue: str = ""
    characters: list[str] = Field(default_factory=list)
    setting: str = ""
    camera: str = ""
    sfx: str = ""
    start_frame_only: bool = False
    start_frame: str | None = None
    end_frame: str | None = None

    @model_validator(mode="after")
    def _fields_are_valid(self):
        try:
            fields = build_fields(self.model_dump())
        except ShotFieldError as err:
            raise ValueError(f"{err.field}: {err.message}") from None
        self.code = fields.code
        if self.start_frame_only and self.end_frame:
            raise ValueError("end_frame: a start-frame-only shot has no end frame")
        return self


class SceneIn(_Strict):
    title: str = Field(min_length=1, max_length=200)
    synopsis: str = ""
    visual_states: list[VisualStateIn] = Field(default_factory=list)
    shots: list[ShotIn] = Field(min_length=1, max_length=60)

    @field_validator("shots")
    @classmethod
    def _unique_codes(cls, shots: list[ShotIn]) -> list[ShotIn]:
        try:
            check_unique_codes([s.code for s in shots])
        except ShotFieldError as err:
            raise ValueError(err.message) from None
        return shots


class ProjectIn(_Strict):
    name: str = Field(min_length=1, max_length=200)
    style: str = Field(default="", max_length=500)
    logline: str = ""
    scenes: list[SceneIn] = Field(min_length=1, max_length=200)


def _location(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("function-after", "function-before") and not str(part).startswith(("function", "literal")):
            path += ("." if path else "") + str(part)
    return path


_SHOT_FIELDS = ("code", "duration", "action", "dialogue", "setting", "camera", "sfx", "characters", "end_frame")


def _refusal(error: ErrorDetails) -> tuple[str, list, str]:
    """(path like scenes[1].shots[0].duration, its parts, message) of one validation error."""
    message = error["msg"].removeprefix("Value error, ")
    path = _location(error["loc"])
    loc = [p for p in error["loc"] if isinstance(p, int) or not str(p).startswith(("function", "literal"))]
    if ": " in message and message.split(": ", 1)[0] in _SHOT_FIELDS:
        field, message = message.split(": ", 1)
        path = f"{path}.{field}" if path else field
        loc = [*loc, field]
    return path, loc, message


def import_refusals(data: object) -> list[tuple[str, list, str]]:
    """Every refusal of an import file's contents (empty when it is valid), for a page that shows each at its field."""
    try:
        ProjectIn.model_validate(data)
    except ValidationError as err:
        return [_refusal(e) for e in err.errors()]
    return []


def parse_project(data: object) -> ProjectIn:
    try:
        return ProjectIn.model_validate(data)
    except ValidationError as err:
        path, _, message = _refusal(err.errors()[0])
        raise ImportError_(path, message) from None


@dataclass(frozen=True)
class FrameFile:
    """A frame image read from the import folder, checked once (a feature has thousands)."""

    data: bytes
    image: ImageProbe


def load_frames(project: ProjectIn, base: Path) -> dict[tuple[int, int, str], FrameFile]:
    """Read and check every referenced frame image before anything is written."""
    root = base.resolve()
    images = {}
    for si, scene in enumerate(project.scenes):
        for hi, shot in enumerate(scene.shots):
            for kind in ("start", "end"):
                rel = getattr(shot, f"{kind}_frame")
                if not rel:
                    continue
                where = f"scenes[{si}].shots[{hi}].{kind}_frame"
                path = (root / rel).resolve()
                if not path.is_relative_to(root):
                    raise ImportError_(where, "frame paths must stay inside the import file's folder")
                if not path.is_file():
                    raise ImportError_(where, f"no such file: {rel}")
                data = path.read_bytes()
                try:
                    images[(si, hi, kind)] = FrameFile(data, probe_image(data))
                except MediaError as err:
                    raise ImportError_(where, err.reason) from None
    return images


def read_import_file(path: Path) -> tuple[ProjectIn, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ImportError_("", f"cannot read {path}: {err}") from None
    except json.JSONDecodeError as err:
        raise ImportError_("", f"not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}") from None
    project = parse_project(data)
    return project, load_frames(project, path.parent)
