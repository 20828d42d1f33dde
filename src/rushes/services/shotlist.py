"""Stage 7 structure edits: add, delete, reorder, split, merge, lock; each writes new shot versions.

Split is deterministic and invents nothing: the action is cut at sentence (or semicolon) boundaries
and the dialogue at line boundaries (a single line at its sentence boundaries, keeping its speaker),
the first half taking the larger part; the duration is halved (to the millisecond, the second half
takes the remainder); characters, setting, camera and SFX are kept on both halves. The first half
keeps the shot's identity and code; the second half is a new shot right after it whose code is the
first free one of: the next letter (2B -> 2C), the code with a letter appended (2B -> 2BA, 2BB...),
then any free code of the scene (2A...2Z, 2AA...). Other shots are never renamed, because a code is
one of a shot's prompt inputs and renaming would make their prompts, frames and clips stale.

Merge joins a shot with the one right after it: text joined in order, durations summed (refused
above 8 s), characters united; the first keeps its identity and code, the second gets a deleted version.
"""

from __future__ import annotations

import re
import string

from sqlalchemy.orm import Session

from rushes.domain.shots import (
    FRAME_RATE, MAX_SHOT_SECONDS, ShotFieldError, ShotFields, build_fields, check_unique_codes, snap_to_frames,
)
from rushes.domain.stages import Stage
from rushes.domain.staleness import shot_list_digest
from rushes.services.editing import add_shot, latest_shot_version, live_shot_versions
from rushes.services.errors import Conflict, NotFound
from rushes.services.locks import require_unlocked
from rushes.services.snapshot import load_scene, to_fields
from rushes.store import locks, shots
from rushes.store import models as m

_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_CODE_PARTS = re.compile(r"^([0-9]{1,3})([A-Z]{1,2})$")


def scene_of(session: Session, shot_id: int) -> int:
    """The scene a shot belongs to (deleted shots too: their rows stay); NotFound for an unknown shot."""
    shot = shots.shot(session, shot_id)
    if shot is None:
        raise NotFound(f"unknown shot {shot_id}")
    return shot.scene_id


def _require_scene(session: Session, scene_id: int) -> m.Scene:
    scene = shots.scene_row(session, scene_id)
    if scene is None:
        raise NotFound(f"unknown scene {scene_id}")
    return scene


def new_version(session: Session, current: m.ShotVersion, *, fields: ShotFields | None = None,
                position: int | None = None, deleted: bool = False, note: str = "edited") -> m.ShotVersion:
    """The next version of a shot from `current`, with whatever changed."""
    values = (fields or to_fields(current)).as_dict()
    return shots.add_version(session, current.shot_id, current.version + 1,
                             current.position if position is None else position, note[:300], values, deleted=deleted)


def _renumber(session: Session, ordered: list[m.ShotVersion], note: str) -> list[m.ShotVersion]:
    """Positions 0..n-1 in the given order; only shots whose position moves get a new version."""
    result = []
    for index, version in enumerate(ordered):
        if version.position != index:
            version = new_version(session, version, position=index, note=note)
        result.append(version)
    return result


def insert_shot(session: Session, scene_id: int, values: dict, after_shot_id: int | None = None,
                note: str = "created") -> m.ShotVersion:
    """Add a shot at the end, or right after `after_shot_id` (later shots move down one place)."""
    _require_scene(session, scene_id)
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    live = live_shot_versions(session, scene_id)
    if after_shot_id is None:
        return add_shot(session, scene_id, values, position=(live[-1].position + 1) if live else 0, note=note)
    ids = [v.shot_id for v in live]
    if after_shot_id not in ids:
        raise NotFound(f"shot {after_shot_id} is not in scene {scene_id}")
    build_fields(values)  # refuse bad values before anything moves
    place = ids.index(after_shot_id) + 1
    for index, version in enumerate(live):
        wanted = index if index < place else index + 1
        if version.position != wanted:
            new_version(session, version, position=wanted, note="shot inserted before it")
    return add_shot(session, scene_id, values, position=place, note=note)


def delete_shot(session: Session, shot_id: int) -> m.ShotVersion:
    """A deleted version: the shot leaves the list, every earlier version stays."""
    scene_id = scene_of(session, shot_id)
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    current = latest_shot_version(session, shot_id)
    gone = new_version(session, current, deleted=True, note="deleted")
    _renumber(session, live_shot_versions(session, scene_id), "shot before it deleted")
    return gone


def reorder_shots(session: Session, scene_id: int, shot_ids: list[int]) -> list[m.ShotVersion]:
    """Put the scene's live shots in the given order; the list must name each exactly once."""
    _require_scene(session, scene_id)
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    live = {v.shot_id: v for v in live_shot_versions(session, scene_id)}
    if len(shot_ids) != len(set(shot_ids)) or set(shot_ids) != set(live):
        raise ShotFieldError("shot_ids", "must list every shot of the scene exactly once")
    return _renumber(session, [live[i] for i in shot_ids], "reordered")


def _halves(units: list[str], joiner: str) -> tuple[str, str]:
    cut = (len(units) + 1) // 2
    return joiner.join(units[:cut]).strip(), joiner.join(units[cut:]).strip()


def split_text(text: str) -> tuple[str, str]:
    """Action text cut at sentence or semicolon boundaries; one sentence stays whole in the first half."""
    units = [u for u in _SENTENCE.split(" ".join(text.split())) if u]
    return _halves(units, " ")


def split_dialogue(text: str) -> tuple[str, str]:
    """Dialogue cut between lines; a single line is cut between its sentences, keeping its speaker."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        return _halves(lines, "\n")
    if not lines:
        return "", ""
    speaker, sep, said = lines[0].partition(":")
    if not sep or len(speaker) > 40:
        speaker, said = "", lines[0]
    first, second = split_text(said)
    if not second:
        return lines[0].strip(), ""
    prefix = f"{speaker.strip()}: " if speaker.strip() else ""
    return prefix + first, prefix + second


def _letters(n: int) -> str:
    return string.ascii_uppercase[n]


def next_free_code(code: str, taken: set[str]) -> str:
    """The code for the second half of a split (see the module docstring for the order)."""
    match = _CODE_PARTS.match(code)
    if match is None:
        raise ShotFieldError("code", f"cannot derive a code from {code!r}")
    number, letters = match.groups()
    candidates = []
    if len(letters) == 1 and letters != "Z":
        candidates.append(number + chr(ord(letters) + 1))
    if len(letters) == 1:
        candidates += [number + letters + _letters(i) for i in range(26)]
    candidates += [number + _letters(i) for i in range(26)]
    candidates += [number + _letters(i) + _letters(j) for i in range(26) for j in range(26)]
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    raise Conflict(f"scene {number} has no free shot code left")


def split_shot(session: Session, shot_id: int) -> tuple[m.ShotVersion, m.ShotVersion]:
    """Split a shot into two adjacent shots; returns (first, second) new versions."""
    scene_id = scene_of(session, shot_id)
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    current = latest_shot_version(session, shot_id)
    fields = to_fields(current)
    # Split in whole frames, so the halves add up to the shot exactly and each is a valid duration.
    frames = snap_to_frames(fields.duration)
    first_seconds = round((frames - frames // 2) / FRAME_RATE, 6)
    second_seconds = round((frames // 2) / FRAME_RATE, 6)
    if frames < 2:
        raise ShotFieldError("duration", "this shot is too short to split")
    action_a, action_b = split_text(fields.action)
    dialogue_a, dialogue_b = split_dialogue(fields.dialogue)
    taken = {v.code for v in live_shot_versions(session, scene_id)}
    code_b = next_free_code(fields.code, taken)
    base = fields.as_dict()
    first = build_fields({**base, "duration": first_seconds, "action": action_a, "dialogue": dialogue_a})
    second = {**base, "code": code_b, "duration": second_seconds, "action": action_b, "dialogue": dialogue_b}
    first_row = new_version(session, current, fields=first, note=f"split: first half (second is {code_b})")
    second_row = insert_shot(session, scene_id, second, after_shot_id=shot_id, note=f"split from {fields.code}")
    return first_row, second_row


def _join(a: str, b: str, sep: str) -> str:
    a, b = a.strip(), b.strip()
    if not a or not b or a.lower() == b.lower():
        return a or b
    return f"{a}{sep}{b}"


def merge_shots(session: Session, shot_id: int, next_shot_id: int | None = None) -> m.ShotVersion:
    """Merge a shot with the shot right after it; returns the merged shot's new version."""
    scene_id = scene_of(session, shot_id)
    require_unlocked(session, scene_id, Stage.SHOT_LIST)
    live = live_shot_versions(session, scene_id)
    ids = [v.shot_id for v in live]
    if shot_id not in ids:
        raise NotFound(f"unknown shot {shot_id}")
    index = ids.index(shot_id)
    if index + 1 >= len(ids):
        raise ShotFieldError("shot_id", "the last shot has no next shot to merge with")
    if next_shot_id is not None and ids[index + 1] != next_shot_id:
        raise ShotFieldError("next_shot_id", "only adjacent shots can be merged (the second must follow the first)")
    a, b = to_fields(live[index]), to_fields(live[index + 1])
    total = round(a.duration + b.duration, 3)
    if total > MAX_SHOT_SECONDS:
        raise ShotFieldError("duration", f"{a.code} + {b.code} would last {total:g} s; a shot is at most {MAX_SHOT_SECONDS:g} s")
    merged = build_fields({
        "code": a.code, "duration": total,
        "action": _join(a.action, b.action, " "),
        "dialogue": _join(a.dialogue, b.dialogue, "\n"),
        "characters": list(dict.fromkeys(a.characters + b.characters)),
        "setting": _join(a.setting, b.setting, " / "),
        "camera": _join(a.camera, b.camera, ", then "),
        "sfx": _join(a.sfx, b.sfx, ", "),
    })
    new_version(session, live[index + 1], deleted=True, note=f"merged into {a.code}")
    row = new_version(session, live[index], fields=merged, note=f"merged with {b.code}")
    _renumber(session, live_shot_versions(session, scene_id), "shots before it merged")
    return latest_shot_version(session, row.shot_id)


def set_lock(rushes, session: Session, scene_id: int, stage: int, locked: bool) -> m.StageLock:
    """Lock stage 7 or 8 at today's digest (or release it); an edit later lifts the lock by itself."""
    from rushes.domain.staleness import visual_definition_digest

    if stage not in (Stage.SHOT_LIST, Stage.VISUAL_DEFINITION):
        raise ShotFieldError("stage", "only stages 7 and 8 are locked by hand")
    snap = load_scene(session, scene_id, rushes.render_spec)
    if locked and stage == Stage.SHOT_LIST:
        if not snap.state.shots:
            raise Conflict("a scene without shots cannot be locked")
        check_unique_codes([s.fields.code for s in snap.state.shots])
    digest = locks.UNLOCKED
    if locked:
        digest = shot_list_digest(snap.state) if stage == Stage.SHOT_LIST else visual_definition_digest(snap.state)
    return locks.add_lock(session, scene_id, stage, digest)


def lock_stage(rushes, session: Session, scene_id: int, stage: int, locked: bool) -> dict:
    """POST /api/scenes/{id}/locks: lock or release the stage, answered as the lock row now stands."""
    _require_scene(session, scene_id)
    row = set_lock(rushes, session, scene_id, stage, locked)
    return {"stage": row.stage, "locked": row.digest != locks.UNLOCKED, "digest": row.digest,
            "created_at": row.created_at.isoformat() if row.created_at else None}


def version_view(v: m.ShotVersion) -> dict:
    """One shot version as the API returns it."""
    return {
        "shot_id": v.shot_id, "version": v.version, "position": v.position, "deleted": v.deleted, "note": v.note,
        "created_at": v.created_at.isoformat() if v.created_at else None,
        **to_fields(v).as_dict(),
    }
