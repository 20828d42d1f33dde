"""The staleness core: edits cascade to exactly the artifacts that depend on them."""

from dataclasses import replace

from rushes.domain.artifacts import ClipArtifact, FrameArtifact, PromptArtifact, RenderSpec, SceneState, ShotState
from rushes.domain.costs import PriceTable
from rushes.domain.digest import canonical_json, digest
from rushes.domain.planning import plan_take
from rushes.domain.shots import ShotFields, VisualState
from rushes.domain.staleness import Freshness, assess_scene
from rushes.domain.status import SceneStatus, TakeSummary, scene_status

PRICES = PriceTable(video={"mock": {"audio": 10, "silent": 8}}, frame_image=4)
STATES = (
    VisualState("character", "Mara", "red raincoat, cropped grey hair"),
    VisualState("location", "Lighthouse", "storm-lashed white tower"),
)


def fields(code: str, action: str = "walks in", dialogue: str = "") -> ShotFields:
    return ShotFields(code=code, duration=8, action=action, dialogue=dialogue, characters=("Mara",), setting="Lighthouse")


def settle(scene: SceneState) -> SceneState:
    """Make every artifact fresh, shot by shot, as a perfect pipeline run would."""
    counter = [0]

    def next_id() -> int:
        counter[0] += 1
        return counter[0]

    for index in range(len(scene.shots)):
        check = assess_scene(scene).shots[index]
        shot = scene.shots[index]
        prompt = PromptArtifact(next_id(), check.prompt.expected_inputs, check.prompt.expected_digest,
                                check.frame_prompt, check.video_prompt)
        shot = replace(shot, prompt=prompt)
        scene = replace(scene, shots=scene.shots[:index] + (shot,) + scene.shots[index + 1:])
        check = assess_scene(scene).shots[index]
        start = FrameArtifact(next_id(), "start", check.start.expected_inputs, check.start.expected_digest,
                              f"start-{scene.scene_id}-{shot.fields.code}-{check.start.expected_digest[:8]}.png")
        end = FrameArtifact(next_id(), "end", check.end.expected_inputs, check.end.expected_digest,
                            f"end-{scene.scene_id}-{shot.fields.code}-{check.end.expected_digest[:8]}.png")
        shot = replace(shot, start=start, end=end)
        scene = replace(scene, shots=scene.shots[:index] + (shot,) + scene.shots[index + 1:])
        check = assess_scene(scene).shots[index]
        clip = ClipArtifact(next_id(), check.clip.expected_inputs, check.clip.expected_digest, f"clip-{shot.fields.code}.mp4")
        shot = replace(shot, clip=clip)
        scene = replace(scene, shots=scene.shots[:index] + (shot,) + scene.shots[index + 1:])
    return scene


def make_scene(scene_id=1, incoming=None) -> SceneState:
    shots = tuple(ShotState(shot_id=scene_id * 10 + i, fields=fields(f"{scene_id}{c}")) for i, c in enumerate("ABC"))
    return settle(SceneState(scene_id=scene_id, shots=shots, style="35mm noir", visual_states=STATES,
                             incoming_anchor=incoming, render=RenderSpec("mock")))


def edit(scene: SceneState, index: int, **changes) -> SceneState:
    shot = scene.shots[index]
    shot = replace(shot, fields=replace(shot.fields, **changes))
    return replace(scene, shots=scene.shots[:index] + (shot,) + scene.shots[index + 1:])


def stale_map(scene: SceneState) -> dict[str, list[str]]:
    result = {}
    for shot in assess_scene(scene).shots:
        names = [n for n, c in (("prompt", shot.prompt), ("start", shot.start), ("end", shot.end), ("clip", shot.clip)) if c and c.stale]
        result[shot.code] = names
    return result


def test_canonical_json_is_stable_across_int_float_and_key_order():
    assert canonical_json({"b": 8.0, "a": (1, 2)}) == canonical_json({"a": [1, 2], "b": 8})
    assert digest({"x": 1}) != digest({"x": 2})


def test_settled_scene_is_all_fresh():
    assert stale_map(make_scene()) == {"1A": [], "1B": [], "1C": []}


def test_editing_action_makes_exactly_that_shots_prompt_frames_and_clip_stale():
    scene = edit(make_scene(), 1, action="runs in, soaked")
    assert stale_map(scene) == {"1A": [], "1B": ["prompt", "start", "end", "clip"], "1C": []}
    check = assess_scene(scene).shots[1]
    assert check.prompt.reasons == ("shot list changed: action",)
    assert check.blockers()


def test_editing_dialogue_reaches_prompt_and_clip_but_not_frames():
    scene = edit(make_scene(), 0, dialogue='MARA: "Who is there?"')
    assert stale_map(scene)["1A"] == ["prompt", "clip"]


def test_changing_shot_2_end_frame_breaks_shot_3_start_frame():
    scene = make_scene()
    shot = scene.shots[1]
    new_end = replace(shot.end, id=99, media_key="end-regenerated.png")
    scene = replace(scene, shots=(scene.shots[0], replace(shot, end=new_end), scene.shots[2]))
    stale = stale_map(scene)
    assert stale["1B"] == ["clip"]
    assert stale["1C"] == ["start", "clip"]
    assert "shot 1B's end frame changed (continuity)" in assess_scene(scene).shots[2].start.reasons


def test_changing_last_shot_of_scene_1_marks_scene_2_continuity_broken():
    scene1 = make_scene(1)
    scene2 = make_scene(2, incoming=scene1.shots[-1].anchor_out)
    summary = TakeSummary(1, finished=True, approved=True,
                          planned_digests={s.shot_id: s.clip.expected_digest for s in assess_scene(scene2).shots})
    assert scene_status(assess_scene(scene2), summary, True, {}) == SceneStatus.COMPLETE
    last = scene1.shots[-1]
    scene1 = replace(scene1, shots=scene1.shots[:-1] + (replace(last, end=replace(last.end, media_key="new-end.png")),))
    scene2 = replace(scene2, incoming_anchor=scene1.shots[-1].anchor_out)
    assessment = assess_scene(scene2)
    assert assessment.continuity_broken
    assert scene_status(assessment, summary, True, {}) == SceneStatus.CONTINUITY_BROKEN


def test_visual_state_edit_reaches_only_shots_that_reference_it():
    scene = make_scene()
    shots = list(scene.shots)
    shots[2] = replace(shots[2], fields=replace(shots[2].fields, characters=()))
    scene = settle(replace(scene, shots=tuple(shots)))
    new_states = (VisualState("character", "Mara", "yellow raincoat"), STATES[1])
    stale = stale_map(replace(scene, visual_states=new_states))
    assert stale["1A"] == ["prompt", "start", "end", "clip"]
    assert stale["1C"] == []


def test_unchanged_shots_are_reused_at_no_cost_and_only_the_edit_is_charged():
    scene = edit(make_scene(), 1, dialogue="MARA: Hello?")
    # Reassemble shot 1B's prompt so it is no longer blocked.
    check = assess_scene(scene).shots[1]
    shot = scene.shots[1]
    shot = replace(shot, prompt=PromptArtifact(50, check.prompt.expected_inputs, check.prompt.expected_digest,
                                               check.frame_prompt, check.video_prompt))
    scene = replace(scene, shots=(scene.shots[0], shot, scene.shots[2]))
    reusable = {s.shot_id: {s.clip.inputs_digest: s.clip.id} for s in scene.shots}
    plan = plan_take(assess_scene(scene), reusable, RenderSpec("mock"), PRICES)
    assert [p.decision for p in plan.shots] == ["reuse", "render", "reuse"]
    assert [p.credits for p in plan.shots] == [0, 80, 0]
    assert plan.total_credits == 80
    assert plan.shots[1].reason == "video prompt changed"


def test_blocked_shots_name_their_blockers():
    scene = edit(make_scene(), 2, action="falls")
    plan = plan_take(assess_scene(scene), {}, RenderSpec("mock"), PRICES)
    assert plan.shots[2].decision == "blocked"
    assert not plan.renderable
    assert any("stage 9" in b for b in plan.shots[2].blockers)


def test_status_progression():
    scene = make_scene()
    assessment = assess_scene(scene)
    ids = [s.shot_id for s in scene.shots]
    assert scene_status(assessment, None, False, {}) == SceneStatus.DRAFT
    assert scene_status(assessment, None, True, {}) == SceneStatus.SHOT_LIST_LOCKED
    assert scene_status(assessment, None, True, dict.fromkeys(ids, True)) == SceneStatus.FRAMES_LOCKED
    planned = {s.shot_id: s.clip.expected_digest for s in assessment.shots}
    assert scene_status(assessment, TakeSummary(1, False, False, planned), True, {}) == SceneStatus.RENDERING
    assert scene_status(assessment, TakeSummary(1, True, False, planned), True, {}) == SceneStatus.READY_FOR_REVIEW
    assert scene_status(assessment, TakeSummary(1, True, True, planned), True, {}) == SceneStatus.COMPLETE
    edited = assess_scene(edit(scene, 0, dialogue="MARA: Now."))
    assert scene_status(edited, TakeSummary(1, True, True, planned), True, {}) == SceneStatus.OUTDATED


def test_missing_artifacts_are_missing_not_stale():
    scene = SceneState(1, (ShotState(1, fields("1A")),), visual_states=STATES)
    shot = assess_scene(scene).shots[0]
    assert shot.prompt.freshness == Freshness.MISSING
    assert shot.clip.freshness == Freshness.MISSING
    assert "no prompt set yet (stage 9)" in shot.blockers()
