"""Issue 22: notes the agent cannot place wait under "no route"; an accepted suggestion is no override; routing
works per note; the route's cost statement prices what the fix re-renders and is kept with the route; a
duration over 8 s proposes a split; Complete Scene decides the open notes instead of closing them."""

from __future__ import annotations

import pytest

from rushes.services.demo import create_demo
from rushes.services.rail import issues_by_stage
from tests.integration.conftest import api_client, work_until_idle
from tests.integration.snapshots import restore


def _an_editor_renders_the_first_scene(rushes):
    demo = create_demo(rushes)
    with api_client(rushes, role="editor") as client:
        scene = demo["scene_ids"][0]
        assert client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "one"}).status_code == 201
        work_until_idle(rushes)
        return scene, client.member


@pytest.fixture
def client(tmp_path, db_url):
    """The editor who rendered the demo's first scene (rendered once per test process; each test gets a copy)."""
    rushes, (scene, editor) = restore("first-scene-rendered", _an_editor_renders_the_first_scene, tmp_path, db_url)
    with api_client(rushes, member=editor) as client:
        client.rushes = rushes
        client.scene = scene
        client.shots = {s["code"]: s for s in client.get(f"/api/scenes/{client.scene}").json()["shots"]}
        yield client
    rushes.db.dispose()


def pin(client, time: float, text: str, **extra):
    return client.post(f"/api/scenes/{client.scene}/issues", json={"scene_time": time, "description": text, **extra})


def test_a_note_the_agent_cannot_place_waits_under_no_route_and_is_never_counted_at_stage_10(client):
    praise = pin(client, 1, "love this shot")
    assert praise.status_code == 201, praise.text
    note = praise.json()
    assert note["stage"] is None and note["category"] is None and note["overridden"] is False
    assert note["suggestion"]["stage"] is None and note["stage_title"] == "No route yet"
    placed = pin(client, 10, "her coat jumps from navy to black").json()
    assert placed["stage"] == 10 and placed["category"] == "visual_continuity" and placed["overridden"] is False
    with client.rushes.db.session() as s:
        assert issues_by_stage(s, client.scene) == {10: 1}
    routed = client.post(f"/api/scenes/{client.scene}/route", json={"stage": 10}).json()
    assert routed["issue_ids"] == [placed["id"]]  # the waiting note went nowhere
    waiting = {i["id"]: i for i in client.get(f"/api/scenes/{client.scene}/issues").json()}[note["id"]]
    assert waiting["status"] == "open" and waiting["stage"] is None

    # The user chooses: the category follows the stage, and choosing where the agent abstained overrides nothing.
    chosen = client.patch(f"/api/issues/{note['id']}", json={"stage": 9}).json()
    assert chosen["stage"] == 9 and chosen["category"] == "dialogue_audio" and chosen["overridden"] is False


def test_the_category_follows_the_stage_unless_picked_and_accepting_is_no_override(client):
    accepted = pin(client, 10, "her coat jumps from navy to black", stage=10).json()
    assert accepted["overridden"] is False and accepted["category"] == "visual_continuity"
    moved = pin(client, 11, "the lamp moves between shots", stage=7).json()
    assert moved["stage"] == 7 and moved["category"] == "narrative_structure" and moved["overridden"] is True
    picked = pin(client, 12, "the radio is too quiet", category="timing", stage=9).json()
    assert picked["stage"] == 9 and picked["category"] == "timing" and picked["category_picked"] is True
    # Picking a category alone, where the agent abstains, routes by the category.
    only_cat = pin(client, 2, "hmm", category="dialogue_audio").json()
    assert only_cat["stage"] == 9 and only_cat["category"] == "dialogue_audio"


def test_holding_one_shot_longer_prices_only_that_clip_and_the_price_is_what_stage_11_charges(client):
    note = pin(client, 9, "hold 1B two seconds longer").json()
    assert note["stage"] == 7
    routed = client.post(f"/api/scenes/{client.scene}/route", json={"issue_ids": [note["id"]]}).json()
    costs = routed["costs"]
    # Not all four shots: the duration is an input of 1B's clip alone (no frames redrawn, nothing follows).
    assert [(c["code"], c["frames"], c["clip_seconds"]) for c in costs["shots"]] == [("1B", 0, 8.0)]
    assert costs["follows"] == [] and "duration is an input of its clip alone" in costs["shots"][0]["why"]
    assert routed["statement"].startswith(f"Fixing 1B at Stage 7 Shot List re-renders about {costs['total_credits']} credits.")
    # Make the fix the note asks for: Stage 11 charges exactly what the statement said.
    shot = client.shots["1B"]
    client.post(f"/api/scenes/{client.scene}/locks", json={"stage": 7, "locked": False})
    fixed = client.patch(f"/api/shots/{shot['id']}", json={"duration": 8})
    assert fixed.status_code == 200, fixed.text
    client.post(f"/api/scenes/{client.scene}/locks", json={"stage": 7, "locked": True})
    client.post(f"/api/scenes/{client.scene}/prompts/reassemble")
    take = client.post(f"/api/scenes/{client.scene}/takes", headers={"Idempotency-Key": "two"})
    assert take.status_code == 201, take.text
    assert [s["reused"] for s in take.json()["shots"]] == [True, False, True, True]
    assert take.json()["cost_credits"] == costs["total_credits"]


def test_a_duration_over_8_seconds_proposes_a_split_and_the_statement_says_so(client):
    note = pin(client, 9, "this shot should run 10 s").json()
    assert note["stage"] == 7 and note["suggestion"]["split"] == {"asked": 10.0, "parts": [5.0, 5.0]}
    assert "split it into 2 shots" in note["suggestion"]["reason"]
    routed = client.post(f"/api/scenes/{client.scene}/route", json={"stage": 7}).json()
    assert routed["costs"]["splits"] == [{"code": "1B", "asked": 10.0, "parts": [5.0, 5.0]}]
    assert "proposes splitting it into 2 shots (5 s + 5 s)" in routed["statement"]
    assert [c["kind"] for c in routed["costs"]["shots"]] == ["split", "split"]


def test_per_note_routing_keeps_its_statement_for_a_reload(client):
    first = pin(client, 1, "love this shot").json()
    second = pin(client, 10, "her coat jumps from navy to black").json()
    # A waiting note cannot be routed until someone chooses; choosing and routing can be one step.
    assert client.post(f"/api/scenes/{client.scene}/route", json={"issue_ids": [first["id"]]}).status_code == 409
    routed = client.post(f"/api/scenes/{client.scene}/route", json={"issue_ids": [first["id"]], "stage": 10}).json()
    assert routed["issue_ids"] == [first["id"]] and routed["shots"] == ["1A"]
    listed = {i["id"]: i for i in client.get(f"/api/scenes/{client.scene}/issues").json()}
    assert listed[first["id"]]["status"] == "routed" and listed[first["id"]]["route_id"] == routed["id"]
    assert listed[second["id"]]["status"] == "open"
    again = client.get(f"/api/scenes/{client.scene}/routes").json()
    assert [(r["id"], r["statement"]) for r in again] == [(routed["id"], routed["statement"])]
    assert client.post(f"/api/scenes/{client.scene}/route", json={"issue_ids": [999999]}).status_code == 404  # not a note of this studio
    assert client.post(f"/api/scenes/{client.scene}/route", json={}).status_code == 409


def test_complete_scene_asks_about_open_notes_and_never_closes_them_silently(client):
    a = pin(client, 1, "love this shot").json()
    b = pin(client, 10, "her coat jumps from navy to black").json()
    refused = client.post(f"/api/scenes/{client.scene}/complete", json={})
    assert refused.status_code == 409
    body = refused.json()
    assert [n["id"] for n in body["open_notes"]] == [a["id"], b["id"]] and body["choices"] == ["wont_fix", "carry"]
    assert "2 notes still open" in body["detail"] and "love this shot" in body["detail"]
    assert client.post(f"/api/scenes/{client.scene}/complete", json={"open_notes": "resolve"}).status_code == 422
    statuses = {i["id"]: i["status"] for i in client.get(f"/api/scenes/{client.scene}/issues").json()}
    assert statuses == {a["id"]: "open", b["id"]: "open"}  # the refusal changed nothing

    done = client.post(f"/api/scenes/{client.scene}/complete", json={"open_notes": "carry"}).json()
    assert done["status"] == "Complete" and done["approved"]["carried_notes"] == 2
    assert "2 notes carried, still open" in done["message"]
    statuses = {i["id"]: i["status"] for i in client.get(f"/api/scenes/{client.scene}/issues").json()}
    assert statuses == {a["id"]: "open", b["id"]: "open"}


def test_complete_scene_can_mark_the_open_notes_wont_fix(client):
    a = pin(client, 1, "love this shot").json()
    done = client.post(f"/api/scenes/{client.scene}/complete", json={"open_notes": "wont_fix"}).json()
    assert done["approved"]["closed_notes"] == 1 and "1 open note marked won't fix" in done["message"]
    assert client.get(f"/api/scenes/{client.scene}/issues").json()[0]["status"] == "wont_fix" == a["status"].replace("open", "wont_fix")
