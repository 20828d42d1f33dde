"""Shot-list fields (stage 7), visual states (stage 8) and their validation."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field

MAX_SHOT_SECONDS = 8.0
FRAME_RATE = 24  # Veo 3 and the mock render 24 fps; durations are whole frames of it
SHOT_FIELD_NAMES = ("code", "duration", "dialogue", "action", "characters", "setting", "camera", "sfx")
_CODE = re.compile(r"^[0-9]{1,3}[A-Z]{1,2}$")
_DIALOGUE_LINE = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*(.+?)\s*$")


class ShotFieldError(ValueError):
    """A shot field value that is refused; `field` names it for the form or API."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class ShotFields:
    code: str
    duration: float
    action: str = ""
    dialogue: str = ""
    characters: tuple[str, ...] = ()
    setting: str = ""
    camera: str = ""
    sfx: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["characters"] = list(self.characters)
        return data

    def dialogue_lines(self) -> list[tuple[str, str]]:
        return parse_dialogue(self.dialogue)


@dataclass(frozen=True)
class VisualState:
    kind: str  # character | location | prop
    name: str
    description: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "description": self.description}


@dataclass(frozen=True)
class ShotDraft:
    """Unvalidated shot-list values as a form or JSON body gives them."""

    values: dict = field(default_factory=dict)


def parse_dialogue(text: str) -> list[tuple[str, str]]:
    """'NAME: line' per line; a line without a speaker belongs to the previous speaker."""
    lines: list[tuple[str, str]] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        match = _DIALOGUE_LINE.match(raw)
        if match:
            lines.append((match.group(1).strip(), match.group(2).strip().strip('"')))
        elif lines:
            speaker, said = lines[-1]
            lines[-1] = (speaker, f"{said} {raw.strip()}")
        else:
            lines.append(("", raw.strip().strip('"')))
    return lines


def validate_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise ShotFieldError("code", "a shot needs a code like 3A")
    if not _CODE.match(code):
        raise ShotFieldError("code", f"'{code[:12]}' is not a shot code (scene number then letters, like 3A)")
    return code


def snap_to_frames(seconds: float, fps: int = FRAME_RATE) -> int:
    """Whole frames at the take's rate: a shot cannot last a fraction of a frame."""
    return int(round(seconds * fps))


def validate_duration(value: object, fps: int = FRAME_RATE) -> float:
    """Seconds snapped to whole frames first, then checked: 0.0004 s is 0 frames and is refused."""
    if isinstance(value, bool):
        raise ShotFieldError("duration", "duration must be a number of seconds, not true/false")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ShotFieldError("duration", "duration must be a number of seconds") from None
    if not math.isfinite(seconds):
        raise ShotFieldError("duration", "duration must be a finite number of seconds")
    frames = snap_to_frames(seconds, fps) if abs(seconds) < 1e6 else int(math.copysign(1e7, seconds))
    if frames <= 0:
        raise ShotFieldError("duration", f"duration must be more than 0 s: at least one frame (1/{fps} s)")
    if frames > MAX_SHOT_SECONDS * fps:
        raise ShotFieldError("duration", f"a shot is at most {MAX_SHOT_SECONDS:g} s (Veo renders up to 8 s)")
    return round(frames / fps, 6)


def normalise_characters(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    else:
        raise ShotFieldError("characters", "characters must be a list of names")
    names = [name.strip() for name in items if name.strip()]
    return tuple(dict.fromkeys(names))


def build_fields(values: dict) -> ShotFields:
    """Validate raw values into ShotFields; raises ShotFieldError naming the bad field."""
    text = {}
    for name in ("action", "dialogue", "setting", "camera", "sfx"):
        raw = values.get(name) or ""
        if not isinstance(raw, str):
            raise ShotFieldError(name, "must be text")
        if len(raw) > 4000:
            raise ShotFieldError(name, "is longer than 4000 characters")
        text[name] = raw.strip()
    return ShotFields(
        code=validate_code(values.get("code", "")),
        duration=validate_duration(values.get("duration")),
        characters=normalise_characters(values.get("characters")),
        **text,
    )


def check_unique_codes(codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ShotFieldError("code", f"code {code} is used by another shot in this scene")
        seen.add(code)


def referenced_states(fields: ShotFields, states: list[VisualState] | tuple[VisualState, ...]) -> list[VisualState]:
    """The visual states a shot draws on: its characters, its setting, props its action names."""
    chars = {c.lower() for c in fields.characters}
    setting = fields.setting.lower()
    action = fields.action.lower()
    picked = []
    for state in states:
        name = state.name.lower()
        if (
            (state.kind == "character" and name in chars)
            or (state.kind == "location" and name and (name == setting or name in setting))
            or (state.kind == "prop" and name and name in action)
        ):
            picked.append(state)
    return sorted(picked, key=lambda s: (s.kind, s.name.lower()))
