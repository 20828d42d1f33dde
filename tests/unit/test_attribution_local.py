"""The local attributor: stage 8 vs 10, shots, fields, the picked-category prior, reasons, confidence."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rushes.providers.attribution.base import AttributionRequest, ShotContext
from rushes.providers.attribution.dataset import load_issues
from rushes.providers.attribution.features import find_elements, find_shot_codes
from rushes.providers.attribution.local import LocalAttributor, default_model, train

ELEMENTS = ("Mara", "Theo", "Jack", "The Anchor", "red scarf", "jukebox", "rooftop")
PINNED = ShotContext(code="3B", action="Mara wipes the bar", characters=("Mara",), setting="The Anchor, night")
NEIGHBOURS = (ShotContext(code="3A"), ShotContext(code="3C"))


@pytest.fixture(scope="module")
def attributor() -> LocalAttributor:
    return LocalAttributor()


def ask(attributor: LocalAttributor, text: str, category: str | None = None, pinned: bool = True):
    request = AttributionRequest(
        description=text,
        category=category,
        shot=PINNED if pinned else None,
        neighbours=NEIGHBOURS if pinned else (),
        scene_elements=ELEMENTS,
    )
    return attributor.attribute(request)


@pytest.mark.parametrize(
    "text",
    [
        "Mara's coat should be navy in the entire scene, it's brown every single time",
        "the jukebox always looks brand new, whole scene, it needs to be knackered",
        "theo looks about 19 in all the shots, the character is meant to be 60",
        "the anchor is styled like a nightclub throughout, wrong location design",
    ],
)
def test_scene_wide_definition_problems_go_to_stage_8(attributor: LocalAttributor, text: str) -> None:
    out = ask(attributor, text, category="visual_continuity")
    assert out.stage == 8, out.reason
    assert out.category == "visual_continuity"
    assert "stage 8" in out.reason


@pytest.mark.parametrize(
    "text",
    [
        "Mara's coat jumps from navy to brown between 3A and 3B",
        "the jukebox pops to the other wall on the cut",
        "theo's cap vanishes when we cut to the next shot",
        "her scarf is on in one shot and off in the next",
    ],
)
def test_jumps_between_shots_go_to_stage_10(attributor: LocalAttributor, text: str) -> None:
    out = ask(attributor, text, category="visual_continuity")
    assert out.stage == 10, out.reason
    assert out.fields and out.fields[0] in ("start_frame", "end_frame")


def test_other_stages_from_typical_notes(attributor: LocalAttributor) -> None:
    assert (ask(attributor, "cant understand a word jack says, mumbled").stage, "dialogue_audio") == (
        9, ask(attributor, "cant understand a word jack says, mumbled").category)
    timing = ask(attributor, "this shot drags, trim it to 4 secs")
    assert (timing.stage, timing.category, timing.fields) == (7, "timing", ("duration",))
    story = ask(attributor, "why does she walk out here? no motivation, doesnt make sense")
    assert (story.stage, story.category) == (7, "narrative_structure")


def test_shot_codes_are_read_from_the_note() -> None:
    codes = [c for c, _, _ in find_shot_codes("fix 3b then 12A; it's 4s long, 8 sec max, 3D glasses no")]
    assert codes == ["3B", "12A", "3D"]
    assert find_shot_codes("no codes here, 8s, 1080p, 4k") == []


def test_shots_named_in_the_note_win_over_the_pinned_shot(attributor: LocalAttributor) -> None:
    assert ask(attributor, "jack's line in 4c is mumbled").shots == ("4C",)
    assert ask(attributor, "the scarf changes between 2A and 2B").shots == ("2A", "2B")
    assert ask(attributor, "shot 4 drags on").shots == ("3D",)  # "shot 4" in scene 3
    assert ask(attributor, "jack's line is mumbled").shots == ("3B",)
    assert ask(attributor, "jack's line is mumbled", pinned=False).shots == ()


def test_a_jump_on_the_cut_names_the_pinned_shot_and_its_neighbour(attributor: LocalAttributor) -> None:
    out = ask(attributor, "her scarf pops on the cut, continuity")
    assert out.stage == 10 and out.shots == ("3A", "3B")
    out = ask(attributor, "her scarf vanishes in the next shot, continuity jump")
    assert out.stage == 10 and out.shots == ("3B", "3C")


def test_fields_follow_the_words(attributor: LocalAttributor) -> None:
    assert ask(attributor, "the end frame has her standing, continuity with 3C is off").fields == ("end_frame",)
    assert ask(attributor, "camera should dolly in slowly, the render is static").fields == ("video_prompt.visual",)
    assert ask(attributor, "swap the order, 3C should come before 3B").fields == ("order",)
    eight = ask(attributor, "mara's costume is wrong in the whole scene, she'd wear her apron always")
    assert eight.stage == 8 and eight.fields[0] == "character:Mara"


def test_elements_are_matched_whole_word_and_longest_first() -> None:
    found = [name for name, _, _ in find_elements("the red scarf and Mara's jukebox, not a jukeboxes", ELEMENTS)]
    assert found == ["red scarf", "Mara", "jukebox"]


def test_picked_category_is_a_strong_prior(attributor: LocalAttributor) -> None:
    for vague in ("this is wrong", "fix this", "hmm", "not right"):
        for category, stages in (("timing", {7}), ("dialogue_audio", {9}), ("narrative_structure", {7}),
                                 ("visual_continuity", {8, 10})):
            out = ask(attributor, vague, category=category)
            assert out.category == category and out.stage in stages
    # but a clear note can still outvote a wrong pick, and the reason says so
    out = ask(attributor, "why would she laugh here? makes no sense, missing the beat where she finds out",
              category="timing")
    assert out.category == "narrative_structure"
    assert "overrides the picked Timing" in out.reason


def test_pick_moves_the_confidence(attributor: LocalAttributor) -> None:
    text = "the shot feels off after she sits down"
    without = ask(attributor, text)
    agreeing = ask(attributor, text, category=without.category)
    assert agreeing.confidence > without.confidence


def test_unknown_category_is_rejected(attributor: LocalAttributor) -> None:
    with pytest.raises(ValueError):
        ask(attributor, "too long", category="lighting")


def test_confidence_in_range_and_reason_quotes_the_note(attributor: LocalAttributor) -> None:
    for item in load_issues("test"):
        out = attributor.attribute(AttributionRequest(item.description, scene_elements=item.scene_elements))
        assert 0.0 <= out.confidence <= 1.0
        assert "\n" not in out.reason and f"stage {out.stage}" in out.reason
        quoted = re.findall(r'"([^"]+)"', out.reason)
        assert quoted, out.reason
        for phrase in quoted:
            assert phrase in item.description


def test_confidence_tracks_correctness_on_the_test_split(attributor: LocalAttributor) -> None:
    right, wrong = [], []
    for item in load_issues("test"):
        out = attributor.attribute(AttributionRequest(item.description, scene_elements=item.scene_elements))
        (right if (out.stage, out.category) == (item.stage, item.category) else wrong).append(out.confidence)
    accuracy = len(right) / (len(right) + len(wrong))
    assert accuracy >= 0.75
    if wrong:
        assert np.mean(right) > np.mean(wrong)


def test_default_model_is_trained_on_the_train_split_only() -> None:
    model = default_model()
    again = train(load_issues("train"))
    assert model.vocabulary == again.vocabulary
    assert np.allclose(model.weights, again.weights) and model.temperature == pytest.approx(again.temperature)
    with_test = train(load_issues())
    assert with_test.vocabulary != model.vocabulary
