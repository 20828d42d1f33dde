"""The JSON API skeleton: projects, scenes with status, shots with staleness, account; clear errors."""

from __future__ import annotations

import pytest
from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.integration.conftest import api_client, make_rushes


@pytest.fixture
def client(tmp_path):
    rushes = make_rushes(tmp_path)
    demo = create_demo(rushes)
    with api_client(rushes, role="owner") as client:
        client.demo = demo
        yield client
    rushes.db.dispose()


def test_projects_scenes_and_scene_detail(client):
    projects = client.get("/api/projects").json()
    assert [p["name"] for p in projects] == ["The Keeper's Light"]
    scenes = client.get(f"/api/projects/{projects[0]['id']}/scenes").json()
    assert [s["status"] for s in scenes] == ["Frames Locked"] * 3
    assert [s["shot_count"] for s in scenes] == [4, 3, 4]
    scene = client.get(f"/api/scenes/{scenes[0]['id']}").json()
    shot = scene["shots"][0]
    assert shot["code"] == "1A"
    assert shot["prompt"]["state"] == "fresh" and shot["start_frame"]["state"] == "fresh"
    assert shot["clip"]["state"] == "missing"
    assert shot["prompt"]["video_prompt"].startswith("[Slow push-in, medium shot] Mara wipes")
    assert client.get(shot["start_frame"]["url"]).headers["content-type"] == "image/png"


def test_account_balance_and_ledger(client):
    account = client.get("/api/account").json()
    assert account["balance"] == 2000
    assert account["ledger"][0]["kind"] == "grant"


@pytest.mark.parametrize("path", ["/api/projects/999/scenes", "/api/scenes/999", "/api/takes/999", "/api/jobs/999"])
def test_unknown_ids_are_404_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "999" in response.json()["detail"]


def test_bad_ids_and_missing_headers_are_422_with_the_field(client):
    response = client.get("/api/scenes/abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "scene_id"]
    response = client.post(f"/api/scenes/{client.demo['scene_ids'][0]}/takes")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_media_paths_refuse_tricks_and_serve_ranges(client):
    assert client.get("/media/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get("/media/" + "0" * 64 + ".mp4").status_code == 404
    url = client.get(f"/api/scenes/{client.demo['scene_ids'][0]}").json()["shots"][0]["start_frame"]["url"]
    part = client.get(url, headers={"Range": "bytes=0-9"})
    assert part.status_code == 206 and len(part.content) == 10


def test_confirm_over_http_is_idempotent_and_402_names_the_shortfall(client):
    scene = client.demo["scene_ids"][0]
    first = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "abc"})
    assert first.status_code == 201
    again = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "abc"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert client.get("/api/account").json()["balance"] == 2000 - 300
    rushes = client.app.state.rushes
    with rushes.db.session() as session:
        session.add(m.LedgerEntry(account_id=1, amount=-1600, kind="charge", memo="spent elsewhere"))
    response = client.post(f"/api/scenes/{client.demo['scene_ids'][2]}/takes", headers={"Idempotency-Key": "s3"})
    assert response.status_code == 402
    assert response.json()["shortfall"] == 300 - 100 and response.json()["balance"] == 100
    assert client.get(f"/api/scenes/{client.demo['scene_ids'][2]}/takes").json() == []


def test_openapi_schema_is_served_and_the_reference_is_for_members(client):
    # /docs is web/api_docs.py's page (local assets, no inline script); tests/integration/test_api_reference.py
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/projects", "/api/projects/{project_id}/scenes", "/api/scenes/{scene_id}", "/api/account",
                 "/api/scenes/{scene_id}/takes", "/api/takes/{take_id}", "/api/takes/{take_id}/cancel"):
        assert path in paths
