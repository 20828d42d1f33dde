"""Start a film in the browser (issue 22, item 5): a project from a title, scenes added, renamed and put in order,
and a project file uploaded in the `rushes import` format with every refusal named at its field."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.integration.conftest import api_client, cookie_client, make_rushes

GOOD = {"name": "Night Ferry", "style": "16mm, sodium light",
        "scenes": [{"title": "Dock", "visual_states": [{"kind": "character", "name": "Ines", "description": "wet coat"}],
                    "shots": [{"code": "1A", "duration": 6, "action": "Ines waits.", "characters": ["Ines"]},
                              {"code": "1B", "duration": 4, "action": "The ferry horn.", "sfx": "Horn"}]}]}


@pytest.fixture
def app(tmp_path, db_url):
    rushes = make_rushes(tmp_path, url=db_url)
    create_demo(rushes)
    yield rushes
    rushes.db.dispose()


def counts(app) -> tuple[int, int, int]:
    with app.db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (m.Project, m.Scene, m.ShotVersion))


def test_a_project_from_a_title_then_scenes_added_renamed_and_reordered(app):
    with api_client(app, "editor") as client:
        made = client.post("/api/projects", json={"title": "  The Lighthouse  "})
        assert made.status_code == 201, made.text
        project = made.json()
        assert project["title"] == "The Lighthouse"
        ids = []
        for title in ("Storm", "Lamp", "Dawn"):
            scene = client.post(f"/api/projects/{project['id']}/scenes", json={"title": title})
            assert scene.status_code == 201, scene.text
            ids.append(scene.json()["id"])
        listed = client.get(f"/api/projects/{project['id']}/scenes").json()
        assert [(s["number"], s["title"], s["status"]) for s in listed] == [(1, "Storm", "Draft"), (2, "Lamp", "Draft"),
                                                                            (3, "Dawn", "Draft")]
        renamed = client.patch(f"/api/scenes/{ids[1]}", json={"title": "The Lamp Room"})
        assert renamed.status_code == 200 and renamed.json()["title"] == "The Lamp Room"
        order = client.put(f"/api/projects/{project['id']}/scenes/order", json={"scene_ids": [ids[2], ids[0], ids[1]]})
        assert order.status_code == 200, order.text
        assert [(s["id"], s["number"]) for s in order.json()] == [(ids[2], 1), (ids[0], 2), (ids[1], 3)]
        # Not every scene, or one twice: refused, nothing moved.
        assert client.put(f"/api/projects/{project['id']}/scenes/order", json={"scene_ids": [ids[0], ids[1]]}).status_code == 409
        assert client.put(f"/api/projects/{project['id']}/scenes/order",
                          json={"scene_ids": [ids[0], ids[0], ids[1]]}).status_code == 409
        assert [s["title"] for s in client.get(f"/api/projects/{project['id']}/scenes").json()] == ["Dawn", "Storm", "The Lamp Room"]
        # A new scene's shot list is empty and Stage 7 adds to it.
        shot = client.post(f"/api/scenes/{ids[0]}/shots", json={"code": "1A", "duration": 5})
        assert shot.status_code in (200, 201), shot.text
        assert client.get(f"/scenes/{ids[0]}/stage/7").status_code == 200
        assert client.post("/api/projects", json={"title": "   "}).status_code == 409
        assert client.post("/api/projects", json={}).status_code == 422
        assert client.post(f"/api/projects/{project['id']}/scenes", json={"title": ""}).status_code == 422


def test_a_reviewer_cannot_start_a_project_and_another_studios_project_is_404(app):
    from rushes.services.users import studio_named

    with app.db.session() as s:
        rival = studio_named(s, "Rival").id
    with api_client(app, "reviewer") as reviewer, api_client(app, "owner", studio_id=rival) as stranger:
        assert reviewer.post("/api/projects", json={"title": "Mine"}).status_code == 403
        assert stranger.post("/api/projects/1/scenes", json={"title": "x"}).status_code == 404
        assert stranger.post("/api/projects", json={"title": "x", "studio_id": 1}).status_code == 404
        mine = stranger.post("/api/projects", json={"title": "Rival film"}).json()
        assert mine["studio_id"] == rival


def test_an_uploaded_project_file_is_created_whole(app):
    before = counts(app)
    with cookie_client(app, "editor") as client:
        response = client.post("/api/projects/import",
                               files={"file": ("ferry.json", json.dumps(GOOD).encode(), "application/json")})
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["title"] == "Night Ferry" and [s["title"] for s in body["scenes"]] == ["Dock"]
        shots = client.get(f"/api/scenes/{body['scenes'][0]['id']}").json()["shots"]
        assert [s["code"] for s in shots] == ["1A", "1B"]
    assert counts(app) == (before[0] + 1, before[1] + 1, before[2] + 2)


def test_every_refusal_of_an_uploaded_file_names_its_field_and_nothing_is_written(app):
    bad = json.loads(json.dumps(GOOD))
    bad["scenes"][0]["shots"][0]["duration"] = 12
    bad["scenes"][0]["visual_states"][0]["kind"] = "creature"
    bad["scenes"].append({"title": "", "shots": [{"code": "2A", "duration": 4, "start_frame": "frames/2A.png"}]})
    before = counts(app)
    with cookie_client(app, "editor") as client:
        response = client.post("/api/projects/import", files={"file": ("bad.json", json.dumps(bad).encode(), "application/json")})
        assert response.status_code == 422, response.text
        paths = {r["path"]: r["message"] for r in response.json()["refusals"]}
        assert "scenes[0].shots[0].duration" in paths and "8 s" in paths["scenes[0].shots[0].duration"]
        assert "scenes[0].visual_states[0].kind" in paths
        assert "scenes[1].title" in paths
        garbled = client.post("/api/projects/import", files={"file": ("x.json", b"{not json", "application/json")})
        assert garbled.status_code == 422 and "not valid JSON" in garbled.json()["detail"]
        framed = json.loads(json.dumps(GOOD))
        framed["scenes"][0]["shots"][0]["start_frame"] = "frames/1A.png"
        refused = client.post("/api/projects/import", files={"file": ("f.json", json.dumps(framed).encode(), "application/json")})
        assert refused.status_code == 422
        assert refused.json()["refusals"][0]["path"] == "scenes[0].shots[0].start_frame"
    assert counts(app) == before


def test_the_new_project_page_is_a_page_not_json(app):
    with cookie_client(app, "editor") as client:
        page = client.get("/projects/new")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'id="new-project-form"' in page.text and 'id="import-form"' in page.text
        assert 'id="new-project-link"' in client.get("/").text
        assert 'id="scene-manager"' in client.get("/projects/1/scenes").text
        empty = client.post("/api/projects", json={"title": "Blank"}).json()
        hub = client.get(f"/projects/{empty['id']}")  # a film with no scene yet still has a Hub
        assert hub.status_code == 200 and 'id="manage-scenes"' in hub.text
