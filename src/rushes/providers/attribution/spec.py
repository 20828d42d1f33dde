"""The routing spec both attributors follow, and what differs across the pinned shot's cuts.

ROUTING_SPEC mirrors DESIGN.md, "Which stage owns a note" (README, Attribution agent, has the same
table): the Gemini attributor is instructed with it word for word and the local corpus is labelled
by it (relabel.py). `cut_differences` is the scene context both attributors read: what
changes from the shot before to the pinned shot and from it to the next (who is in frame, the
camera, the looks drawn on), so a note about something whose state differs across a cut, about
the camera the shot list sets or a look the visual definition fixes is read in that light.
"""

from __future__ import annotations

from rushes.providers.attribution.base import AttributionRequest, ShotContext

ROUTING_SPEC = """A note goes to the stage whose artifact, changed, fixes it. The category is the user's word; the stage is
where the fix is made:
- 7 Shot List: what happens and when: action, blocking, the dialogue's words and their order, who is in the
  shot, setting, shot order, duration, pacing, splitting and merging shots, and the camera (angle, framing,
  lens, movement, coverage), since camera is a shot-list field.
- 8 Visual Definition: how a character, location or prop is defined to look for the scene: costume, hair,
  make-up, wardrobe state at the scene's start, a designed set's look and dressing, a prop's design.
- 9 Prompts: how the video model is asked to perform the shot: delivery of lines (emotion, tone, pace,
  accent, pronunciation), who speaks when within the shot, sound effects, ambience, music, and the style
  wording.
- 10 Frames: the anchor images: where a shot starts and ends (poses, positions, the state of props and
  clothes at those moments), and the continuity of anything visible from one shot to the next (wardrobe,
  hair, objects, light, time of day, camera position, colour).
A note that names nothing to fix (praise, a question about the app, gibberish) or could belong to several
stages equally gets no stage, with the reason, and the user chooses."""

# Phrases of DESIGN.md's rows that decide the contested notes; tests check both attributors keep them.
SPEC_KEYS = {7: ("camera (angle, framing, lens, movement, coverage)", "splitting and merging shots"),
             8: ("costume, hair", "a prop's design"),
             9: ("delivery of lines", "the style wording"),
             10: ("where a shot starts and ends", "time of day, camera position, colour")}


def _looks(shot: ShotContext) -> dict[str, str]:
    return {look.name: look.description for look in shot.visual_states}


def _one_cut(before: ShotContext, after: ShotContext) -> list[str]:
    lines: list[str] = []
    came = [c for c in after.characters if c not in before.characters]
    went = [c for c in before.characters if c not in after.characters]
    stay = [c for c in after.characters if c in before.characters]
    if stay:
        lines.append("in both shots: " + ", ".join(stay) + " (their clothes, hair, props and positions must carry over)")
    if came:
        lines.append("enters: " + ", ".join(came))
    if went:
        lines.append("leaves: " + ", ".join(went))
    if before.camera and after.camera and before.camera != after.camera:
        lines.append(f"camera changes from '{before.camera}' to '{after.camera}'")
    shared = sorted(set(_looks(before)) & set(_looks(after)))
    if shared:
        lines.append("defined looks on both sides: " + ", ".join(shared))
    return lines


def shared_across_cuts(request: AttributionRequest) -> set[str]:
    """Lowered names of the characters and defined looks in the pinned shot and in a neighbour."""
    shot = request.shot
    if shot is None:
        return set()
    here = {c.lower() for c in shot.characters} | {name.lower() for name in _looks(shot)}
    there: set[str] = set()
    for n in request.neighbours:
        there |= {c.lower() for c in n.characters} | {name.lower() for name in _looks(n)}
    return here & there


def cut_differences(request: AttributionRequest) -> list[tuple[str, list[str]]]:
    """For each cut around the pinned shot: its name ("3A -> 3B") and what differs or must carry over."""
    shot = request.shot
    if shot is None:
        return []
    out: list[tuple[str, list[str]]] = []
    for neighbour in request.neighbours:
        before_it = _code_key(neighbour.code) < _code_key(shot.code)
        before, after = (neighbour, shot) if before_it else (shot, neighbour)
        out.append((f"{before.code} -> {after.code}", _one_cut(before, after)))
    return sorted(out)


def _code_key(code: str) -> tuple[int, str]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (int(digits) if digits else 0, code)
