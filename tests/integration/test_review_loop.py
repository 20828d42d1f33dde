"""The fix loop through the API: pin, attribute, route, fix, re-render only what changed, A/B, complete."""

from __future__ import annotations

import pytest
from rushes.services.demo import create_demo
from tests.integration.conftest import api_client, make_rushes, work_until_idle


@pytest.fixture
def client(tmp_path):
    rushes = make_rushes(tmp_path)
    demo = create_demo(rushes)
    with api_client(rushes, role="editor") as client:
        client.demo, client.rushes = demo, rushes
        yield client
    rushes.db.dispose()


def rendered_scene(client) -> int:
    scene = client.demo["scene_ids"][0]
    assert client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "first"}).status_code == 201
    work_until_idle(client.rushes)
    return scene


def test_pin_route_fix_rerender_ab_and_complete(client):
    scene = rendered_scene(client)
    cut = client.get(f"/api/scenes/{scene}/cut").json()
    assert [s["start"] for s in cut["shots"]] == [0, 8, 14, 22] and cut["duration"] == 30
    assert all(s["state"] == "ready" and s["src"] for s in cut["shots"])
    assert client.get("/api/notifications").json()["unread"] == 1

    issue = client.post(f"/api/scenes/{scene}/issues", json={
        "scene_time": 10.5, "category": "visual_continuity",
        "description": "her coat jumps from navy to black between 1A and 1B"}).json()
    assert issue["shot_code"] == "1B" and issue["shot_time"] == pytest.approx(2.5)
    assert issue["stage"] == 10 and issue["suggestion"]["stage"] in (8, 10)

    routed = client.post(f"/api/scenes/{scene}/route", json={"stage": 10}).json()
    shot_1b = cut["shots"][1]["shot_id"]
    # Every cost of the fix: 1B's two frames (4 each) as well as its 6 s clip (60); the next shot's start frame
    # continues from 1B's last frame, so what follows if that changes is stated beside it.
    assert routed["shots"] == ["1B"] and routed["estimated_credits"] == 68
    costs = routed["costs"]
    assert [(c["code"], c["frames"], c["frame_credits"], c["clip_credits"]) for c in costs["shots"]] == [("1B", 2, 8, 60)]
    assert [(f["code"], f["after"], f["frame_credits"], f["clip_credits"]) for f in costs["follows"]] == [("1C", "1B", 4, 80)]
    assert routed["statement"].startswith("Fixing 1B at Stage 10 Frames re-renders about 68 credits. 1B: 68 (frames 8 + clip 60)")
    assert "1C: 84 more — if 1B’s last frame changes, its start frame follows" in routed["statement"]
    assert routed["url"] == f"/scenes/{scene}/stage/10?shot={shot_1b}"

    assert client.post(f"/api/shots/{shot_1b}/frames", json={"kinds": ["start"]}).status_code == 202
    work_until_idle(client.rushes)
    detail = client.get(f"/api/scenes/{scene}").json()
    assert [s["clip"]["state"] for s in detail["shots"]] == ["fresh", "stale", "fresh", "fresh"]
    assert detail["status"] == "Outdated"

    before = client.get("/api/account").json()["balance"]
    take2 = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "second"}).json()
    assert [s["reused"] for s in take2["shots"]] == [True, False, True, True]
    assert take2["cost_credits"] == 60
    work_until_idle(client.rushes)
    assert client.get("/api/account").json()["balance"] == before - 60

    issues = client.get(f"/api/scenes/{scene}/issues").json()
    assert issues[0]["status"] == "addressed" and issues[0]["addressed_by_clip_id"]
    cut2 = client.get(f"/api/scenes/{scene}/cut").json()
    assert cut2["take"]["number"] == 2
    assert cut2["shots"][1]["previous"]["src"] != cut2["shots"][1]["src"]  # A/B for 1B
    assert cut2["shots"][0]["previous"] is None

    done = client.post(f"/api/scenes/{scene}/complete", json={}).json()
    assert done["status"] == "Complete"
    # What was approved, in numbers and in words (issue 13: Complete Scene confirms what was approved).
    assert done["approved"] == {"take_number": 2, "shots": 4, "duration": 30, "closed_notes": 0,
                                "carried_notes": 0}
    assert done["message"] == "Scene 1 is Complete: take 2 approved, 4 shots, 30 s; no open notes."
    summary = client.get("/api/projects/1/scenes").json()[0]
    assert summary["status"] == "Complete" and summary["unread_notifications"] == 0
    assert summary["thumbnail_url"].startswith("/media/")


def test_issue_edit_override_delete_and_bad_input(client):
    scene = rendered_scene(client)
    issue = client.post(f"/api/scenes/{scene}/issues", json={
        "scene_time": 3, "category": "dialogue_audio", "description": "mumbled line, cant hear her", "stage": 7}).json()
    assert issue["stage"] == 7 and issue["overridden"] is True
    edited = client.patch(f"/api/issues/{issue['id']}", json={"stage": 9, "description": "mumbled line"}).json()
    assert edited["stage"] == 9 and edited["description"] == "mumbled line"
    assert client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 99, "category": "timing",
                                                            "description": "x"}).status_code == 409
    bad = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1, "category": "lighting", "description": "x"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "category"]
    assert client.post(f"/api/scenes/{scene}/route", json={"stage": 8}).status_code == 409
    assert client.delete(f"/api/issues/{issue['id']}").status_code == 204
    assert client.delete(f"/api/issues/{issue['id']}").status_code == 404
    assert client.get(f"/api/scenes/{scene}/issues").json() == []


def test_attribution_api_uses_the_pinned_shot_from_the_store(client):
    scene = client.demo["scene_ids"][0]
    shot = client.get(f"/api/scenes/{scene}").json()["shots"][2]
    out = client.post("/api/attribution", json={"description": "the radio line is too quiet", "shot_id": shot["id"]}).json()
    assert out["stage"] in (7, 8, 9, 10) and 0 <= out["confidence"] <= 1 and out["reason"]
    assert client.post("/api/attribution", json={"description": "x", "shot_id": 999}).status_code == 404


def test_complete_is_refused_before_a_take_exists(client):
    assert client.post(f"/api/scenes/{client.demo['scene_ids'][0]}/complete", json={}).status_code == 409


def test_overrides_are_stored_and_exported_as_data_set_lines(client, tmp_path, monkeypatch):
    import json

    from rushes.services.review import override_pairs

    scene = rendered_scene(client)
    client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1, "category": "visual_continuity",
                                                     "description": "her coat is the wrong colour all scene", "stage": 10})
    client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 2, "category": "timing",
                                                     "description": "shot drags, cut it shorter", "stage": 9})
    with client.rushes.db.session() as s:
        pairs = override_pairs(s)
    assert any(p["stage"] == 9 and p["picked"] == "timing" for p in pairs)
    assert all(p["split"] in ("train", "test") and p["suggested"]["stage"] for p in pairs)
    assert json.dumps(pairs)
