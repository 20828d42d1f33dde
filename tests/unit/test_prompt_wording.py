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


def test_rewording_the_assembler_leaves_existing_frames_and_clips_fresh() -> None:
    """A prompt set written with older wording stays in effect while its inputs match: nothing is re-billed."""
    from dataclasses import replace

    from rushes.domain.artifacts import FrameArtifact, PromptArtifact, RenderSpec, SceneState, ShotState
    from rushes.domain.digest import digest
    from rushes.domain.staleness import assess_scene

    fields = ShotFields("1A", 8, action="Mara wipes the lens.", characters=("Mara",), camera="Slow push-in, medium shot")
    scene = SceneState(1, (ShotState(11, fields),), "35mm film", STATES, None, RenderSpec("mock"))
    check = assess_scene(scene).shots[0]
    old_frame_prompt = check.frame_prompt.replace("medium shot.", "medium shot shot.")  # as an older assembler wrote it
    prompt = PromptArtifact(1, check.prompt.expected_inputs, check.prompt.expected_digest, old_frame_prompt, check.video_prompt)
    start_inputs = {"kind": "start", "frame_prompt": old_frame_prompt, "previous": None}
    end_inputs = {"kind": "end", "frame_prompt": old_frame_prompt}
    shot = replace(scene.shots[0], prompt=prompt,
                   start=FrameArtifact(2, "start", start_inputs, digest(start_inputs), "s.png"),
                   end=FrameArtifact(3, "end", end_inputs, digest(end_inputs), "e.png"))
    after = assess_scene(replace(scene, shots=(shot,))).shots[0]
    assert after.prompt.fresh and after.start.fresh and after.end.fresh
    assert after.frame_prompt == old_frame_prompt  # what stage 10 and the renders use is what was stored
    # Once the shot really changes, the prompt set is stale and the new wording takes over.
    edited = replace(shot, fields=replace(fields, action="Mara polishes the lens."))
    changed = assess_scene(replace(scene, shots=(edited,))).shots[0]
    assert changed.prompt.stale and "shot shot" not in changed.frame_prompt and changed.start.stale
