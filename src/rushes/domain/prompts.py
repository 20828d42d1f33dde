"""Deterministic stage-9 prompt assembly in Veo 3's visual + audio format."""

from __future__ import annotations

from dataclasses import dataclass

from rushes.domain.shots import ShotFields, VisualState, referenced_states


@dataclass(frozen=True)
class AssembledPrompts:
    frame_prompt: str
    video_prompt: str


def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip()
    if not text:
        return ""
    return text if text[-1] in ".!?" else text + "."


def _subject(fields: ShotFields) -> str:
    names = list(fields.characters)
    action = fields.action.lower()
    # Skip the names when the action already names its subject, so we never write "Mara Mara turns".
    if not names or any(n.lower() in action for n in names):
        return ""
    return " and ".join(names)


def visual_part(fields: ShotFields, style: str) -> str:
    camera = f"[{fields.camera.strip()}] " if fields.camera.strip() else ""
    subject = _subject(fields)
    action = _sentence(fields.action) or "Hold on the scene."
    body = f"{subject} {action}" if subject else action
    style_tag = f" Style: {_sentence(style)}" if style.strip() else ""
    return f"{camera}{body}{style_tag}".strip()


def speaker_name(speaker: str, fields: ShotFields, states: list[VisualState] | tuple[VisualState, ...] = ()) -> str:
    """A script speaker ("TOM") as the shot list spells the character ("Tom").

    The shot's characters first, then the scene's visual definition (a voice on the radio is
    not in frame but is still a character); an unknown name in capitals is written as a name.
    """
    speaker = " ".join(speaker.split())
    if not speaker:
        return "Narrator"
    known = {name.lower(): name for name in fields.characters}
    for state in states:
        if state.kind == "character":
            known.setdefault(state.name.lower(), state.name)
    if speaker.lower() in known:
        return known[speaker.lower()]
    return speaker.title() if speaker.isupper() else speaker


def audio_part(fields: ShotFields, states: list[VisualState] | tuple[VisualState, ...] = ()) -> str:
    sfx = fields.sfx.strip().rstrip(".") or "Room tone"
    lines = [f'Character {speaker_name(speaker, fields, states)} speaks: "{said}"' for speaker, said in fields.dialogue_lines()]
    return " ".join([f"Audio: {sfx}."] + lines).strip()


def _camera_sentence(camera: str) -> str:
    """The camera as written ("Slow push-in, medium shot."), never "medium shot shot"."""
    return _sentence(camera.strip())


def frame_prompt(fields: ShotFields, states: list[VisualState] | tuple[VisualState, ...], style: str) -> str:
    """A still-image prompt: the look of everything in frame, the moment, the camera and style."""
    parts = []
    if fields.camera.strip():
        parts.append(_camera_sentence(fields.camera))
    if fields.setting:
        parts.append(_sentence(f"Setting: {fields.setting}"))
    for state in referenced_states(fields, states):
        parts.append(_sentence(f"{state.name} ({state.kind}): {state.description}"))
    if fields.action:
        parts.append(_sentence(fields.action))
    if style.strip():
        parts.append(_sentence(f"Style: {style}"))
    return " ".join(parts)


def assemble(fields: ShotFields, states: list[VisualState] | tuple[VisualState, ...], style: str) -> AssembledPrompts:
    return AssembledPrompts(
        frame_prompt=frame_prompt(fields, states, style),
        video_prompt=f"{visual_part(fields, style)}\n{audio_part(fields, states)}",
    )


def split_video_prompt(video_prompt: str) -> tuple[str, str]:
    """(visual, audio) halves of a video prompt; audio starts at 'Audio:'."""
    index = video_prompt.find("Audio:")
    if index < 0:
        return video_prompt.strip(), ""
    return video_prompt[:index].strip(), video_prompt[index:].strip()
