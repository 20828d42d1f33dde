"""Stage 7-11 services on a real SQLite database: deterministic split/merge, visual states, prompts, rail, history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rushes.domain.shots import ShotFieldError
from rushes.services import prompting, shotlist, visuals
from rushes.services.checkout import checkout
from rushes.bootstrap import Rushes, bootstrap
from rushes.services.demo import create_demo
from rushes.services.editing import live_shot_versions, update_shot
from rushes.services.errors import Conflict, NotFound
from rushes.services.history import shot_history
from rushes.services.rail import routed_issues, scene_rail, upstream_changes
from rushes.services.snapshot import load_scene
from rushes.settings import Settings
from rushes.store import models as m


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[tuple[Rushes, dict]]:
    root = tmp_path_factory.mktemp("services")
    rushes = bootstrap(Settings(database_url=f"sqlite:///{root / 'r.db'}", media_dir=root / "media", load_demo=False))
    rushes.upgrade_schema()
    demo = create_demo(rushes)
    yield rushes, demo
    rushes.db.dispose()


class Rollback(Exception):
    """Raised to undo a test's writes, so the module's demo stays as created."""


def in_rollback(rushes: Rushes, work) -> None:
    with pytest.raises(Rollback):
        with rushes.db.session() as session:
            work(session)
            raise Rollback


@pytest.mark.parametrize("text, first, second", [
    ("Mara turns. She runs to the door! Wind howls.", "Mara turns. She runs to the door!", "Wind howls."),
    ("The radio crackles; Mara turns sharply.", "The radio crackles;", "Mara turns sharply."),
    ("One sentence only", "One sentence only", ""),
    ("", "", ""),
])
def test_split_text_cuts_at_sentence_boundaries(text: str, first: str, second: str) -> None:
    assert shotlist.split_text(text) == (first, second)


def test_split_dialogue_keeps_speakers_and_lines() -> None:
    assert shotlist.split_dialogue("MARA: Hello.\nTOM: Help!\nMARA: Hold on.") == ("MARA: Hello.\nTOM: Help!", "MARA: Hold on.")
    assert shotlist.split_dialogue("TOM: Mayday. We're sinking.") == ("TOM: Mayday.", "TOM: We're sinking.")
    assert shotlist.split_dialogue("TOM: Mayday") == ("TOM: Mayday", "")


@pytest.mark.parametrize("code, taken, expected", [
    ("2B", {"2A", "2B"}, "2C"),
    ("2B", {"2A", "2B", "2C"}, "2BA"),
    ("2B", {"2B", "2C", "2BA"}, "2BB"),
    ("2BA", {"2A", "2B", "2BA"}, "2C"),
    ("2Z", {"2Z"}, "2ZA"),
])
def test_next_free_code_never_renames_other_shots(code: str, taken: set, expected: str) -> None:
    assert shotlist.next_free_code(code, taken) == expected


def test_split_then_merge_restores_the_text_and_duration(app) -> None:
    rushes, demo = app

    def work(session):
        scene_id = demo["scene_ids"][0]
        shotlist.set_lock(rushes, session, scene_id, 7, False)  # the demo locks it; a locked list refuses edits
        before = {v.code: v for v in live_shot_versions(session, scene_id)}
        original = before["1C"]
        first, second = shotlist.split_shot(session, original.shot_id)
        assert (first.code, second.code) == ("1C", "1CA")
        assert first.duration + second.duration == original.duration
        assert first.action == "The radio crackles to life;" and second.action == "Mara turns sharply towards it."
        assert second.note == "split from 1C" and second.position == first.position + 1
        codes = [v.code for v in live_shot_versions(session, scene_id)]
        assert codes == ["1A", "1B", "1C", "1CA", "1D"]
        merged = shotlist.merge_shots(session, first.shot_id, second.shot_id)
        assert merged.action == "The radio crackles to life; Mara turns sharply towards it."
        assert merged.duration == original.duration and merged.dialogue == original.dialogue
        assert [v.code for v in live_shot_versions(session, scene_id)] == ["1A", "1B", "1C", "1D"]
        # Nothing is lost: the split-off shot's versions remain, the last one deleted.
        history = shot_history(session, second.shot_id)
        assert [f["deleted"] for f in history["fields"]] == [False, True]

    in_rollback(rushes, work)


def test_merge_joins_distinct_metadata_without_inventing(app) -> None:
    rushes, demo = app

    def work(session):
        scene_id = demo["scene_ids"][2]
        shotlist.set_lock(rushes, session, scene_id, 7, False)
        live = live_shot_versions(session, scene_id)
        update_shot(session, live[0].shot_id, {"duration": 3, "camera": "Wide", "characters": ["Tom"]})
        update_shot(session, live[1].shot_id, {"duration": 4, "camera": "Close-up", "characters": ["Mara", "Tom"]})
        merged = shotlist.merge_shots(session, live[0].shot_id)
        assert merged.duration == 7
        assert merged.camera == "Wide, then Close-up"
        assert merged.characters == ["Tom", "Mara"]
        with pytest.raises(ShotFieldError) as err:
            shotlist.merge_shots(session, live_shot_versions(session, scene_id)[-1].shot_id)
        assert err.value.field == "shot_id"

    in_rollback(rushes, work)


def test_visual_state_edits_version_and_stale_only_shots_that_use_them(app) -> None:
    rushes, demo = app

    def work(session):
        scene_id = demo["scene_ids"][0]
        snap = load_scene(session, scene_id, rushes.render_spec)
        radio = next(e for e, _ in snap.elements if e.name == "radio")
        assert visuals.shots_using(snap, "prop", "radio") == ["1C", "1D"]
        same = visuals.save_visual_state(session, scene_id, "prop", "radio", snap.elements[2][1].description)
        assert same.version == 1  # unchanged look writes nothing
        newer = visuals.update_element(session, radio.id, "cracked grey radio, handset missing")
        assert newer.version == 2
        snap = load_scene(session, scene_id, rushes.render_spec)
        stale = {a.code for a in snap.assessment.shots if a.prompt.stale}
        assert stale == {"1C", "1D"}
        assert any("visual definition changed: radio" in r for a in snap.assessment.shots for r in a.prompt.reasons)
        rewritten = prompting.reassemble_scene(rushes, session, scene_id)
        assert sorted(p.shot_id for p in rewritten) == sorted(a.shot_id for a in snap.assessment.shots if a.code in stale)
        visuals.delete_element(session, radio.id)
        with pytest.raises(NotFound):
            visuals.delete_element(session, radio.id)
        assert [h["deleted"] for h in visuals.element_history(session, radio.id)] == [False, False, True]
        with pytest.raises(ShotFieldError):
            visuals.save_visual_state(session, scene_id, "prop", "lantern", "  ")

    in_rollback(rushes, work)


def test_rail_states_and_routed_issue_counts(app) -> None:
    rushes, demo = app

    def work(session):
        scene_id = demo["scene_ids"][0]
        snap = load_scene(session, scene_id, rushes.render_spec)
        states = {s["stage"]: s["state"] for s in scene_rail(session, snap)}
        assert states == {6: "fresh", 7: "locked", 8: "fresh", 9: "fresh", 10: "locked", 11: "not_started", 12: "not_started"}
        shot = snap.state.shots[1]
        for status, stage in (("open", 9), ("routed", 9), ("resolved", 9), ("open", 10)):
            session.add(m.ReviewIssue(scene_id=scene_id, shot_id=shot.shot_id, scene_time=9.0, shot_time=1.0,
                                      category="dialogue_audio", description="line is clipped", stage=stage, status=status))
        with pytest.raises(Conflict):  # locked means locked: nothing is written
            update_shot(session, shot.shot_id, {"dialogue": "MARA: Twenty-three hundred."})
        shotlist.set_lock(rushes, session, scene_id, 7, False)
        update_shot(session, shot.shot_id, {"dialogue": "MARA: Twenty-three hundred."})
        snap = load_scene(session, scene_id, rushes.render_spec)
        rail = {s["stage"]: s for s in scene_rail(session, snap, current=9)}
        assert rail[7]["state"] == "fresh"
        assert rail[9]["state"] == "stale" and rail[9]["issues"] == 2 and rail[9]["current"]
        # Dialogue is not in the frame prompt: the frames stay current (and approved), only the prompt is stale.
        assert rail[10]["state"] == "locked" and rail[10]["issues"] == 1
        assert [i["code"] for i in routed_issues(session, scene_id, 9)] == ["1B", "1B"]
        changes = upstream_changes(snap)
        assert changes[0]["code"] == "1B"
        assert changes[0]["changes"][0] == {"artifact": "prompt set", "reasons": ["shot list changed: dialogue"]}

    in_rollback(rushes, work)


def test_checkout_shows_blockers_credits_and_balance(app) -> None:
    rushes, demo = app

    def work(session):
        snap = load_scene(session, demo["scene_ids"][1], rushes.render_spec)
        plan = checkout(rushes, session, snap)
        shotlist.set_lock(rushes, session, snap.scene.id, 7, False)
        assert plan["render_count"] == len(snap.state.shots) and plan["blocked"] == []
        assert plan["total_credits"] == sum(s["credits"] for s in plan["shots"]) > 0
        assert plan["balance_after"] == plan["balance"] - plan["total_credits"] and plan["can_confirm"]
        assert all(s["start_frame_url"] and s["end_frame_url"] for s in plan["shots"])
        update_shot(session, snap.state.shots[0].shot_id, {"action": "Mara runs."})
        plan = checkout(rushes, session, load_scene(session, demo["scene_ids"][1], rushes.render_spec))
        assert plan["blocked"][0]["code"] == snap.state.shots[0].fields.code and not plan["can_confirm"]
        assert plan["shots"][0]["credits"] == 0

    in_rollback(rushes, work)


def test_prompt_edit_equal_to_assembled_is_no_override(app) -> None:
    rushes, demo = app

    def work(session):
        snap = load_scene(session, demo["scene_ids"][0], rushes.render_spec)
        check = snap.assessment.shots[0]
        prompt = prompting.edit_prompt(rushes, session, check.shot_id, video_prompt=check.assembled_video_prompt + "\n")
        assert prompt.override_video_prompt is None
        prompt = prompting.edit_prompt(rushes, session, check.shot_id, start_frame_only=True)
        assert prompt.start_frame_only and prompt.version == 3
        with pytest.raises(NotFound):
            prompting.edit_prompt(rushes, session, 99999, start_frame_only=True)

    in_rollback(rushes, work)


def test_lock_refuses_empty_scene_and_other_stages(app) -> None:
    rushes, demo = app

    def work(session):
        scene_id = demo["scene_ids"][2]
        shotlist.set_lock(rushes, session, scene_id, 7, False)
        for version in live_shot_versions(session, scene_id):
            shotlist.delete_shot(session, version.shot_id)
        with pytest.raises(Conflict):
            shotlist.set_lock(rushes, session, scene_id, 7, True)
        with pytest.raises(ShotFieldError):
            shotlist.set_lock(rushes, session, scene_id, 10, True)

    in_rollback(rushes, work)
