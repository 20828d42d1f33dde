"""A note the agent cannot route: its suggestion has no stage, the note is still pinned where the user says."""

from __future__ import annotations

import pytest

from rushes.services.demo import create_demo
from tests.integration.conftest import api_client, make_rushes, work_until_idle


@pytest.fixture
def client(tmp_path):
    rushes = make_rushes(tmp_path)
    demo = create_demo(rushes)
    with api_client(rushes, "editor") as client:
        client.demo, client.rushes = demo, rushes
        yield client
    rushes.db.dispose()


def test_a_note_with_no_stage_is_pinned_with_the_users_route(client):
    scene = client.demo["scene_ids"][0]
    assert client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "one"}).status_code == 201
    work_until_idle(client.rushes)

    issue = client.post(f"/api/scenes/{scene}/issues", json={
        "scene_time": 3.0, "category": "timing", "description": "asdf", "stage": 7}).json()
    assert issue["stage"] == 7 and issue["category"] == "timing"
    assert issue["suggestion"]["stage"] is None and "choose the stage yourself" in issue["suggestion"]["reason"]
    assert issue["overridden"] is False  # nothing was proposed, so nothing was overridden

    edited = client.patch(f"/api/issues/{issue['id']}", json={"stage": 9, "category": "dialogue_audio"}).json()
    assert edited["stage"] == 9 and edited["overridden"] is False


def test_the_attribution_api_reads_the_stored_scene_and_the_cut(client):
    scene = client.demo["scene_ids"][0]
    shots = client.get(f"/api/scenes/{scene}").json()["shots"]
    body = {"description": "love this", "shot_id": shots[1]["id"], "shot_time": 0.1}
    out = client.post("/api/attribution", json=body).json()
    assert out["stage"] is None and out["shots"] == [] and "praise" in out["reason"]
    assert client.post("/api/attribution", json={**body, "shot_time": -1}).status_code == 422
