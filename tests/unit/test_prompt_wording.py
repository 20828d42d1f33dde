"""Assembled prompts read as a filmmaker would write them: the camera as written, names as the shot list spells them."""

from __future__ import annotations

import pytest

from rushes.domain.prompts import assemble, frame_prompt, speaker_name
from rushes.domain.shots import ShotFields, VisualState

STATES = (VisualState("character", "Mara", "woman in her sixties"), VisualState("character", "Tom", "young fisherman"),
          VisualState("location", "Lamp room", "glass-walled lamp room"))


def test_frame_prompt_uses_the_camera_as_written_without_adding_shot() -> None:
    fields = ShotFields("1A", 8, action="Mara wipes the lens.", characters=("Mara",), setting="Lamp room",
                        camera="Slow push-in, medium shot")
    text = frame_prompt(fields, STATES, "35mm film")
    assert text.startswith("Slow push-in, medium shot. Setting: Lamp room.")
    assert "shot shot" not in text
    static = frame_prompt(ShotFields("1C", 8, action="The radio crackles.", camera="Static wide, handheld drift"), STATES, "")
    assert static.startswith("Static wide, handheld drift. ")
    assert " drift shot" not in static


def test_frame_prompt_without_a_camera_starts_at_the_setting() -> None:
    text = frame_prompt(ShotFields("1A", 4, action="Rain.", setting="Lamp room"), STATES, "")
    assert text.startswith("Setting: Lamp room.")


@pytest.mark.parametrize("speaker, characters, expected", [
    ("MARA", ("Mara",), "Mara"),            # the shot's own character, as spelled on the shot list
    ("TOM", ("Mara",), "Tom"),              # a voice off screen: the scene's visual definition spells it
    ("mcgregor", (), "mcgregor"),           # unknown and not shouted: left as written
    ("HARBOUR MASTER", (), "Harbour Master"),  # unknown in script capitals: written as a name
    ("", (), "Narrator"),
])
def test_speaker_names_follow_the_shot_list(speaker: str, characters: tuple, expected: str) -> None:
    assert speaker_name(speaker, ShotFields("1C", 8, characters=characters), STATES) == expected


def test_video_prompt_names_an_off_screen_speaker_as_the_shot_list_does() -> None:
    fields = ShotFields("1C", 8, action="The radio crackles to life; Mara turns sharply towards it.",
                        dialogue="TOM: Mayday, mayday!", characters=("Mara",), camera="Static wide", sfx="Radio static burst")
    video = assemble(fields, STATES, "35mm film").video_prompt
    assert video == ('[Static wide] The radio crackles to life; Mara turns sharply towards it. Style: 35mm film.\n'
                     'Audio: Radio static burst. Character Tom speaks: "Mayday, mayday!"')
    assert "TOM" not in video
