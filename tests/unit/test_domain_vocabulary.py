"""Stages, categories, routing, shot fields, prompts and costs."""

import pytest

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable, UnknownModel, clip_credits, render_seconds
from rushes.domain.issues import CATEGORY_ROUTES, IssueCategory
from rushes.domain.prompts import assemble, split_video_prompt
from rushes.domain.shots import ShotFieldError, ShotFields, VisualState, build_fields, check_unique_codes, parse_dialogue
from rushes.domain.stages import Stage, cascade


def test_stage_names_and_cascade():
    assert [s.value for s in Stage] == [6, 7, 8, 9, 10, 11, 12]
    assert Stage(10).title == "Frames"
    assert cascade(Stage.SHOT_LIST) == (Stage.VISUAL_DEFINITION, Stage.PROMPTS, Stage.FRAMES)
    assert cascade(Stage.FRAMES) == ()


def test_category_routes_follow_the_product_mapping():
    assert CATEGORY_ROUTES == {
        IssueCategory.VISUAL_CONTINUITY: Stage.FRAMES,
        IssueCategory.TIMING: Stage.SHOT_LIST,
        IssueCategory.DIALOGUE_AUDIO: Stage.PROMPTS,
        IssueCategory.NARRATIVE_STRUCTURE: Stage.SHOT_LIST,
    }


@pytest.mark.parametrize(
    "values, field",
    [
        ({"code": "", "duration": 4}, "code"),
        ({"code": "3A", "duration": 0}, "duration"),
        ({"code": "3A", "duration": 8.5}, "duration"),
        ({"code": "3A", "duration": "soon"}, "duration"),
        ({"code": "A3", "duration": 4}, "code"),
        ({"code": "3A", "duration": 4, "action": 7}, "action"),
    ],
)
def test_bad_shot_fields_name_the_field(values, field):
    with pytest.raises(ShotFieldError) as err:
        build_fields(values)
    assert err.value.field == field


def test_duplicate_codes_are_refused():
    with pytest.raises(ShotFieldError):
        check_unique_codes(["3A", "3B", "3A"])


def test_dialogue_parsing_keeps_speakers_and_continuations():
    assert parse_dialogue('MARA: "Who is there?"\nstill shaking\nTOM: Me.') == [
        ("MARA", "Who is there? still shaking"),
        ("TOM", "Me."),
    ]


def test_prompt_assembly_follows_the_veo_format():
    fields = ShotFields("3A", 8, action="lifts the lantern", dialogue="Mara: Who's there?",
                        characters=("Mara",), setting="Lighthouse", camera="Slow dolly-in", sfx="Wind howling")
    states = (VisualState("character", "Mara", "red raincoat"),)
    prompts = assemble(fields, states, "35mm noir")
    visual, audio = split_video_prompt(prompts.video_prompt)
    assert visual == "[Slow dolly-in] Mara lifts the lantern. Style: 35mm noir."
    assert audio == 'Audio: Wind howling. Character Mara speaks: "Who\'s there?"'
    assert "red raincoat" in prompts.frame_prompt
    shouted = assemble(ShotFields("3A", 8, dialogue="MARA: Now!", characters=("Mara",)), states, "").video_prompt
    assert 'Character Mara speaks: "Now!"' in shouted
    assert assemble(fields, states, "35mm noir") == prompts


def test_costs_per_second_model_and_audio():
    prices = PriceTable({"mock": {"audio": 10, "silent": 8}, "veo-3.1-fast-generate-001": {"audio": 10, "silent": 8},
                         "veo-3.1-fast-generate-001@1080p": {"audio": 12, "silent": 10}}, 4)
    assert clip_credits(8, RenderSpec("mock"), prices) == 80
    assert clip_credits(5.5, RenderSpec("mock", generate_audio=False), prices) == 48
    assert render_seconds(5, "veo-3.1-fast-generate-001") == 6
    assert clip_credits(8, RenderSpec("veo-3.1-fast-generate-001", resolution="1080p"), prices) == 96
    with pytest.raises(UnknownModel):
        clip_credits(8, RenderSpec("sora"), prices)
