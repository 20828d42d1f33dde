"""The stage 7-11 JSON API end to end through FastAPI, on a temp SQLite database with the demo project."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from rushes.jobs.runner import Worker
from rushes.services.confirm import confirm_take
from rushes.bootstrap import Rushes, bootstrap
from rushes.services.demo import create_demo
from rushes.settings import Settings
from rushes.web.app import create_app
from tests.integration.conftest import TEST_ALLOWED_HOSTS, api_client


@dataclass
class Env:
    client: TestClient
    rushes: Rushes
    demo: dict

    def scene(self, index: int = 0) -> dict:
        return self.client.get(f"/api/scenes/{self.demo['scene_ids'][index]}").json()

    def shot(self, scene_index: int, shot_index: int) -> dict:
        return self.scene(scene_index)["shots"][shot_index]

    def work(self, limit: int = 200) -> int:
        """Run queued jobs to the end, synchronously."""
        worker, steps = Worker(self.rushes, name="test"), 0
        while worker.run_once():
            steps += 1
            assert steps < limit, "worker did not settle"
        return steps

    def balance(self) -> int:
        return self.client.get("/api/account").json()["balance"]


def _settings(root) -> Settings:
    return Settings(database_url=f"sqlite:///{root / 'rushes.db'}", media_dir=root / "media",
                    load_demo=False, mock_latency_seconds=0.0, provider_poll_seconds=0.0,
                    allowed_hosts=TEST_ALLOWED_HOSTS)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> tuple:
    """The demo project built once per module; each test starts from a copy of its database and media."""
    root = tmp_path_factory.mktemp("demo-template")
    rushes = bootstrap(_settings(root))
    with TestClient(create_app(rushes, run_worker=False)):
        demo = create_demo(rushes)
        # The demo locks its shot lists and a locked list refuses edits; these tests edit, so they start
        # unlocked (test_locked_stages_refuse_every_edit locks its own).
        from rushes.services import shotlist
        from rushes.services.locks import lock_holds

        with rushes.db.session() as session:
            for scene_id in demo["scene_ids"]:
                shotlist.set_lock(rushes, session, scene_id, 7, False)
        with rushes.db.session() as session:
            assert not any(lock_holds(session, scene_id, 7) for scene_id in demo["scene_ids"])
    rushes.db.dispose()
    return root, demo


@pytest.fixture
def env(tmp_path, demo_template) -> Iterator[Env]:
    root, demo = demo_template
    for name in ("rushes.db", "rushes.db-wal", "rushes.db-shm"):
        if (root / name).exists():
            shutil.copy(root / name, tmp_path / name)
    shutil.copytree(root / "media", tmp_path / "media")
    rushes = bootstrap(_settings(tmp_path))
    with api_client(rushes, role="editor", app=create_app(rushes, run_worker=False)) as client:
        yield Env(client, rushes, demo)
    rushes.db.dispose()


def png(width: int = 320, height: int = 180, fmt: str = "PNG", color=(200, 80, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format=fmt)
    return out.getvalue()


def loc_fields(response) -> list[str]:
    return [d["loc"][1] for d in response.json()["detail"]]


def test_patch_shot_makes_a_new_version_and_cascades_staleness(env: Env) -> None:
    shot = env.shot(0, 1)
    answer = env.client.patch(f"/api/shots/{shot['id']}", json={"action": "Mara slams the logbook shut."})
    assert answer.status_code == 200
    body = answer.json()
    assert body["version"]["version"] == shot["version"] + 1
    assert body["version"]["action"] == "Mara slams the logbook shut."
    after = body["shot"]
    assert after["prompt"]["state"] == "stale" and after["prompt"]["reasons"] == ["shot list changed: action"]
    assert after["start_frame"]["state"] == "stale" and after["end_frame"]["state"] == "stale"
    # The next shot's start frame continues from this shot's end frame, which is due to change.
    assert env.shot(0, 2)["start_frame"]["state"] == "fresh"
    history = env.client.get(f"/api/shots/{shot['id']}/history").json()
    assert [v["action"] for v in history["fields"]] == [shot["action"], "Mara slams the logbook shut."]
    # Saving the same values again writes nothing.
    again = env.client.patch(f"/api/shots/{shot['id']}", json={"action": "Mara slams the logbook shut."}).json()
    assert again["version"]["version"] == body["version"]["version"]


@pytest.mark.parametrize("changes, field", [
    ({"duration": 0}, "duration"), ({"duration": 8.5}, "duration"), ({"duration": "long"}, "duration"),
    ({"code": ""}, "code"), ({"code": "1A"}, "code"), ({"code": "shot two"}, "code"), ({"colour": "red"}, "colour"),
    ({"action": 42}, "action"),
])
def test_invalid_shot_values_are_refused_at_the_field(env: Env, changes: dict, field: str) -> None:
    shot = env.shot(0, 1)
    answer = env.client.patch(f"/api/shots/{shot['id']}", json=changes)
    assert answer.status_code == 422
    assert field in loc_fields(answer)
    assert env.shot(0, 1)["version"] == shot["version"]


def test_unknown_ids_answer_404_json(env: Env) -> None:
    for method, url, kwargs in [
        ("patch", "/api/shots/9999", {"json": {"action": "x"}}),
        ("patch", "/api/shots/9999/prompt", {"json": {"start_frame_only": True}}),
        ("post", "/api/shots/9999/frames", {"json": {"kinds": ["start"]}}),
        ("get", "/api/scenes/9999/plan", {}),
        ("get", "/api/shots/9999/history", {}),
        ("post", "/api/shots/9999/split", {}),
        ("delete", "/api/shots/9999", {}),
        ("post", "/api/scenes/9999/shots", {"json": {"code": "9A", "duration": 4}}),
        ("delete", "/api/visual-elements/9999", {}),
    ]:
        answer = getattr(env.client, method)(url, **kwargs)
        assert answer.status_code == 404, (method, url, answer.text)
        assert "detail" in answer.json()


def test_prompt_override_is_kept_flagged_and_cleared(env: Env) -> None:
    shot = env.shot(0, 1)
    custom = "[Close-up] Mara writes slowly. Style: 35mm film.\nAudio: Pencil scratching."
    body = env.client.patch(f"/api/shots/{shot['id']}/prompt", json={"video_prompt": custom}).json()
    assert body["version"]["override_video_prompt"] == custom
    assert body["shot"]["prompt"]["video_prompt"] == custom and body["shot"]["prompt"]["override"]
    assert not body["shot"]["prompt"]["override_outdated"]
    assert body["shot"]["clip"]["state"] in ("missing", "stale")

    env.client.patch(f"/api/shots/{shot['id']}", json={"camera": "Wide"})
    flagged = env.shot(0, 1)["prompt"]
    assert flagged["override"] and flagged["override_outdated"] and flagged["video_prompt"] == custom
    # Reassembling keeps the override (still flagged); clearing it goes back to the assembled prompt.
    kept = env.client.post(f"/api/shots/{shot['id']}/prompt/reassemble").json()["shot"]["prompt"]
    assert kept["state"] == "fresh" and kept["override"] and kept["override_outdated"]
    cleared = env.client.patch(f"/api/shots/{shot['id']}/prompt", json={"clear_override": True}).json()["shot"]["prompt"]
    assert not cleared["override"] and cleared["video_prompt"].startswith("[Wide]")

    assert env.client.patch(f"/api/shots/{shot['id']}/prompt", json={"video_prompt": "  "}).status_code == 422
    assert env.client.patch(f"/api/shots/{shot['id']}/prompt", json={}).status_code == 422


def test_start_frame_only_toggle_drops_the_end_frame(env: Env) -> None:
    shot = env.shot(0, 3)
    body = env.client.patch(f"/api/shots/{shot['id']}/prompt", json={"start_frame_only": True}).json()
    assert body["version"]["start_frame_only"] and body["shot"]["end_frame"] is None
    plan = env.client.get(f"/api/scenes/{env.demo['scene_ids'][0]}/plan").json()
    row = next(s for s in plan["shots"] if s["shot_id"] == shot["id"])
    assert row["start_frame_only"] and row["end_frame_url"] is None
    assert env.client.post(f"/api/shots/{shot['id']}/frames", json={"kinds": ["end"]}).status_code == 409


def test_regenerate_frames_runs_as_a_charged_job(env: Env) -> None:
    shot = env.shot(0, 1)
    env.client.patch(f"/api/shots/{shot['id']}", json={"action": "Mara slams the logbook shut."})
    env.client.post(f"/api/shots/{shot['id']}/prompt/reassemble")
    before = env.balance()
    answer = env.client.post(f"/api/shots/{shot['id']}/frames", json={"kinds": ["start", "end"]})
    assert answer.status_code == 202
    job_id = answer.json()["job_id"]
    assert env.client.post(f"/api/shots/{shot['id']}/frames", json={"kinds": ["start"]}).status_code == 409
    assert env.balance() == before - 2 * env.rushes.prices.frame_image
    assert env.work() >= 1
    assert env.client.get(f"/api/shots/{shot['id']}/frames/job").json()["job"]["state"] == "succeeded"
    after = env.shot(0, 1)
    assert after["start_frame"]["state"] == "fresh" and after["end_frame"]["state"] == "fresh"
    assert after["start_frame"]["version"] == shot["start_frame"]["version"] + 1
    # Shot 3 starts from shot 2's new end frame: continuity broken until it is redrawn.
    third = env.shot(0, 2)
    assert third["continuity_broken"] and third["start_frame"]["state"] == "stale"
    assert any("1B's end frame changed" in r for r in third["start_frame"]["reasons"])
    history = env.client.get(f"/api/shots/{shot['id']}/history").json()
    generated = [f for f in history["frames"] if f["job_id"] == job_id]
    assert len(generated) == 2 and all(f["cost_credits"] == env.rushes.prices.frame_image for f in generated)
    assert env.client.post(f"/api/shots/{shot['id']}/frames", json={"kinds": ["middle"]}).status_code == 422


def test_upload_checks_content_not_the_extension(env: Env) -> None:
    shot = env.shot(0, 0)
    url = f"/api/shots/{shot['id']}/frames/upload"
    ok = env.client.post(url, data={"kind": "end"}, files={"file": ("end.webp", png(fmt="WEBP"), "image/webp")})
    assert ok.status_code == 201, ok.text
    assert ok.json()["version"]["source"] == "uploaded" and ok.json()["version"]["mime"] == "image/webp"
    gif = io.BytesIO()
    Image.new("RGB", (320, 180)).save(gif, format="GIF")
    for name, data in [("fake.png", gif.getvalue()), ("note.png", b"not an image at all"), ("tiny.png", png(16, 16))]:
        bad = env.client.post(url, data={"kind": "start"}, files={"file": (name, data, "image/png")})
        assert bad.status_code == 422, name
    assert env.client.post(url, data={"kind": "side"}, files={"file": ("a.png", png(), "image/png")}).status_code == 422
    assert env.shot(0, 0)["start_frame"]["version"] == shot["start_frame"]["version"]


def test_approve_refuses_stale_frames(env: Env) -> None:
    shot = env.shot(0, 1)
    env.client.patch(f"/api/shots/{shot['id']}", json={"setting": "Lamp room, night"})
    assert env.client.post(f"/api/shots/{shot['id']}/frames/approve").status_code == 409
    upload = f"/api/shots/{env.shot(0, 0)['id']}/frames/upload"
    env.client.post(upload, data={"kind": "start"}, files={"file": ("s.png", png(), "image/png")})
    first = env.shot(0, 0)
    assert not first["start_frame"]["approved"]
    approved = env.client.post(f"/api/shots/{first['id']}/frames/approve").json()
    assert [f["kind"] for f in approved["approved"]] == ["start"]
    assert approved["shot"]["start_frame"]["approved"]


def test_structure_edits_split_merge_reorder_delete_add(env: Env) -> None:
    scene_id = env.demo["scene_ids"][0]
    shots = env.scene(0)["shots"]
    split = env.client.post(f"/api/shots/{shots[1]['id']}/split")
    assert split.status_code == 201
    first, second = split.json()["versions"]
    assert (first["code"], second["code"]) == ("1B", "1BA")
    assert first["duration"] + second["duration"] == shots[1]["duration"]
    assert first["dialogue"] == "MARA: Twenty-three hundred." and second["dialogue"] == "MARA: Wind force ten and rising."
    assert [o["code"] for o in split.json()["order"]] == ["1A", "1B", "1BA", "1C", "1D"]

    merged = env.client.post(f"/api/shots/{first['shot_id']}/merge", json={"next_shot_id": second["shot_id"]})
    assert merged.status_code == 200
    assert merged.json()["version"]["dialogue"] == "MARA: Twenty-three hundred.\nMARA: Wind force ten and rising."
    assert merged.json()["version"]["duration"] == shots[1]["duration"]
    too_long = env.client.post(f"/api/shots/{shots[0]['id']}/merge", json={"next_shot_id": shots[1]["id"]})
    assert too_long.status_code == 422 and loc_fields(too_long) == ["duration"]
    not_adjacent = env.client.post(f"/api/shots/{shots[0]['id']}/merge", json={"next_shot_id": shots[3]["id"]})
    assert not_adjacent.status_code == 422

    ids = [s["id"] for s in env.scene(0)["shots"]]
    reordered = env.client.post(f"/api/scenes/{scene_id}/shots/order", json={"shot_ids": [ids[1], ids[0], *ids[2:]]})
    assert [o["code"] for o in reordered.json()["order"]] == ["1B", "1A", "1C", "1D"]
    assert env.client.post(f"/api/scenes/{scene_id}/shots/order", json={"shot_ids": ids[:2]}).status_code == 422

    added = env.client.post(f"/api/scenes/{scene_id}/shots",
                            json={"code": "1E", "duration": 4, "action": "The beam sweeps the sea.", "after_shot_id": ids[0]})
    assert added.status_code == 201
    assert [o["code"] for o in added.json()["order"]] == ["1B", "1A", "1E", "1C", "1D"]
    assert env.client.post(f"/api/scenes/{scene_id}/shots", json={"code": "1E", "duration": 4}).status_code == 422

    gone = env.client.delete(f"/api/shots/{ids[0]}")
    assert gone.status_code == 200 and gone.json()["version"]["deleted"]
    assert env.client.patch(f"/api/shots/{ids[0]}", json={"action": "x"}).status_code == 404
    assert env.client.get(f"/api/shots/{ids[0]}/history").json()["deleted"]


def test_locked_stages_refuse_every_edit_and_unlocking_states_the_cost(env: Env) -> None:
    scene_id = env.demo["scene_ids"][0]
    def rail():
        return {s["stage"]: s["state"] for s in env.client.get(f"/api/scenes/{scene_id}/rail").json()["stages"]}
    assert rail()[7] == "fresh"
    assert env.client.post(f"/api/scenes/{scene_id}/locks", json={"stage": 7, "locked": True}).json()["locked"] is True
    assert env.client.post(f"/api/scenes/{scene_id}/locks", json={"stage": 8, "locked": True}).json()["locked"] is True
    assert rail()[7] == "locked" and rail()[8] == "locked"
    before = env.scene(0)
    shots, element = before["shots"], before["visual_states"][0]
    attempts = [
        ("patch", f"/api/shots/{shots[0]['id']}", {"action": "Mara slams the logbook shut."}),
        ("post", f"/api/scenes/{scene_id}/shots", {"code": "1E", "duration": 4, "action": "Hold."}),
        ("delete", f"/api/shots/{shots[1]['id']}", None),
        ("post", f"/api/scenes/{scene_id}/shots/order", {"shot_ids": [s["id"] for s in reversed(shots)]}),
        ("post", f"/api/shots/{shots[0]['id']}/split", None),
        ("post", f"/api/shots/{shots[0]['id']}/merge", {"next_shot_id": shots[1]["id"]}),
        ("patch", f"/api/visual-elements/{element['id']}", {"description": "younger, dark hair"}),
        ("post", f"/api/scenes/{scene_id}/visual-states", {"kind": "prop", "name": "kettle", "description": "tin"}),
        ("delete", f"/api/visual-elements/{element['id']}", None),
    ]
    for method, url, body in attempts:
        answer = env.client.request(method.upper(), url, json=body)
        stage = 8 if "visual" in url else 7
        assert answer.status_code == 409, (method, url, answer.text)
        assert answer.json()["detail"] == f"stage {stage} is locked; unlock it first"
        assert answer.json()["stage"] == stage
    assert env.scene(0) == before  # nothing changed

    impact = env.client.get(f"/api/scenes/{scene_id}/locks/7").json()
    assert impact["locked"] is True and "stale" in impact["stale"]
    # 1A is 8 s on the mock at 10 credits a second plus two frames at 4 credits.
    assert impact["shots"][0] == {"shot_id": shots[0]["id"], "code": "1A", "clip_credits": 80, "frame_credits": 8, "credits": 88}
    assert impact["total_credits"] == sum(s["credits"] for s in impact["shots"])
    mara = next(e for e in env.client.get(f"/api/scenes/{scene_id}/locks/8").json()["elements"] if e["name"] == "Mara")
    assert mara["shots"] == ["1A", "1B", "1C", "1D"]
    assert env.client.get(f"/api/scenes/{scene_id}/locks/9").status_code == 422

    assert env.client.post(f"/api/scenes/{scene_id}/locks", json={"stage": 8, "locked": False}).json()["locked"] is False
    changed = env.client.patch(f"/api/visual-elements/{element['id']}", json={"description": "younger, dark hair"})
    assert changed.json()["version"] == element["version"] + 1
    assert rail()[8] == "fresh" and rail()[9] == "stale"
    assert env.client.post(f"/api/scenes/{scene_id}/locks", json={"stage": 9}).status_code == 422


def test_plan_lists_only_changed_shots_to_render_with_cost(env: Env) -> None:
    scene_id = env.demo["scene_ids"][1]
    take_id, created = confirm_take(env.rushes, scene_id, "first-take")
    assert created
    env.work()
    plan = env.client.get(f"/api/scenes/{scene_id}/plan").json()
    assert plan["render_count"] == 0 and plan["total_credits"] == 0 and plan["reuse_count"] == len(plan["shots"])

    shots = env.scene(1)["shots"]
    env.client.patch(f"/api/shots/{shots[1]['id']}", json={"action": "A small boat lurches through the surf."})
    blocked = env.client.get(f"/api/scenes/{scene_id}/plan").json()
    # Shot 3 is not blocked yet: the end frame it continues from has not changed (only is due to).
    assert [b["code"] for b in blocked["blocked"]] == [shots[1]["code"]]
    assert not blocked["renderable"]
    env.client.post(f"/api/scenes/{scene_id}/prompts/reassemble")
    env.client.post(f"/api/shots/{shots[1]['id']}/frames", json={"kinds": ["start", "end"]})
    env.work()
    env.client.post(f"/api/shots/{shots[2]['id']}/frames", json={"kinds": ["start"]})
    env.work()
    plan = env.client.get(f"/api/scenes/{scene_id}/plan").json()
    decisions = {s["code"]: s["decision"] for s in plan["shots"]}
    assert decisions == {shots[0]["code"]: "reuse", shots[1]["code"]: "render", shots[2]["code"]: "render"}
    per_second = env.rushes.prices.per_second(env.rushes.render_spec)
    expected = sum(int(s["duration"]) * per_second for s in shots[1:])
    assert plan["total_credits"] == expected and plan["balance_after"] == plan["balance"] - expected
    row = next(s for s in plan["shots"] if s["code"] == shots[1]["code"])
    assert row["video_prompt"].startswith("[") and row["start_frame_url"] and "video prompt changed" in row["reason"]


def test_pages_render_and_unknown_pages_are_404(env: Env) -> None:
    scene_id, project_id = env.demo["scene_ids"][0], env.demo["project_id"]
    shot_id = env.shot(0, 0)["id"]
    for url in ["/", f"/projects/{project_id}", f"/projects/{project_id}?scene={scene_id}", f"/shots/{shot_id}/history",
                *[f"/scenes/{scene_id}/stage/{n}" for n in (7, 8, 9, 10, 11)]]:
        page = env.client.get(url)
        assert page.status_code == 200, url
        assert 'id="toasts"' in page.text and 'id="notif-bell"' in page.text
    stage7 = env.client.get(f"/scenes/{scene_id}/stage/7").text
    assert 'data-stage="7"' in stage7 and 'data-stage="12"' in stage7 and "1A" in stage7
    for url in ["/projects/999", "/scenes/999/stage/7", f"/scenes/{scene_id}/stage/13", "/shots/999/history"]:
        assert env.client.get(url).status_code == 404, url
    assert env.client.get(f"/scenes/{scene_id}/stage/6", follow_redirects=False).status_code == 303


def test_confirm_form_fallback_is_idempotent(env: Env) -> None:
    scene_id = env.demo["scene_ids"][1]
    before = env.balance()
    first = env.client.post(f"/scenes/{scene_id}/stage/11/confirm", data={"idempotency_key": "page-key"},
                            follow_redirects=False)
    second = env.client.post(f"/scenes/{scene_id}/stage/11/confirm", data={"idempotency_key": "page-key"},
                             follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert first.headers["location"].startswith(f"/scenes/{scene_id}/review?take=")
    charged = before - env.balance()
    assert charged > 0
    assert len(env.client.get(f"/api/scenes/{scene_id}/takes").json()) == 1
