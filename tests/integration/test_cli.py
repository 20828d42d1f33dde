"""The `rushes` CLI: demo, import (valid and refused files), render --wait."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rushes.cli import app
from rushes.settings import get_settings
from rushes.store import models as m
from rushes.bootstrap import bootstrap
from tests.fakes.media import tiny_png


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUSHES_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("RUSHES_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("RUSHES_MOCK_LATENCY_SECONDS", "0")
    monkeypatch.setenv("RUSHES_PROVIDER_POLL_SECONDS", "0.05")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args):
    return CliRunner().invoke(app, list(args))


def counts():
    rushes = bootstrap()
    with rushes.db.session() as s:
        return {t: s.scalar(select(func.count()).select_from(getattr(m, t))) for t in ("Project", "Shot", "Frame")}


def test_demo_json_prints_one_object(env):
    result = run("demo", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["project_id"] == 1 and len(data["scene_ids"]) == 3


def test_db_upgrade(env):
    assert run("db", "upgrade").exit_code == 0


def _project(frames_dir):
    frames_dir.mkdir(exist_ok=True)
    (frames_dir / "a.png").write_bytes(tiny_png((320, 180), (200, 40, 40)))
    return {
        "name": "Imported", "style": "noir",
        "scenes": [{"title": "One", "visual_states": [{"kind": "character", "name": "Ann", "description": "red coat"}],
                    "shots": [{"code": "1A", "duration": 4, "action": "Ann waits.", "characters": ["Ann"],
                               "start_frame": "frames/a.png", "start_frame_only": True},
                              {"code": "1B", "duration": 6, "action": "Ann leaves.", "dialogue": "ANN: Enough."}]}],
    }


def test_import_valid_file_with_frames(env):
    path = env / "project.json"
    path.write_text(json.dumps(_project(env / "frames")))
    result = run("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert counts() == {"Project": 1, "Shot": 2, "Frame": 1}


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda p: p["scenes"][0]["shots"][1].update(duration=9), "scenes[0].shots[1].duration"),
        (lambda p: p["scenes"][0]["shots"][1].update(code="1A"), "scenes[0].shots"),
        (lambda p: p["scenes"][0]["shots"][0].update(start_frame="../secret.png"), "scenes[0].shots[0].start_frame"),
        (lambda p: p["scenes"][0]["shots"][0].update(start_frame="frames/fake.png"), "scenes[0].shots[0].start_frame"),
        (lambda p: p["scenes"][0]["visual_states"][0].update(kind="mood"), "scenes[0].visual_states[0].kind"),
        (lambda p: p.pop("name"), "name"),
        (lambda p: p["scenes"][0].update(colour="blue"), "scenes[0].colour"),
    ],
)
def test_invalid_import_is_refused_with_the_field_path_and_writes_nothing(env, mutate, where):
    project = _project(env / "frames")
    (env / "frames" / "fake.png").write_text("not an image at all")
    mutate(project)
    path = env / "project.json"
    path.write_text(json.dumps(project))
    result = run("import", str(path))
    assert result.exit_code == 2
    assert where in result.output
    run("db", "upgrade")
    assert counts() == {"Project": 0, "Shot": 0, "Frame": 0}


def test_import_refuses_broken_json(env):
    path = env / "broken.json"
    path.write_text('{"name": ')
    result = run("import", str(path))
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_render_wait_json_prints_the_take_and_exits_zero(env):
    demo = json.loads(run("demo", "--json").output)
    result = run("render", str(demo["scene_ids"][1]), "--wait", "--json")
    assert result.exit_code == 0, result.output
    take = json.loads(result.output.strip().splitlines()[-1])
    assert take["finished"] and [s["state"] for s in take["shots"]] == ["succeeded"] * 3


def test_render_wait_exits_non_zero_when_a_shot_fails(env, monkeypatch):
    demo = json.loads(run("demo", "--json").output)
    monkeypatch.setenv("RUSHES_MOCK_FAIL_SAFETY", "1")
    get_settings.cache_clear()
    result = run("render", str(demo["scene_ids"][1]), "--wait")
    assert result.exit_code == 1
    assert "failed" in result.output


def test_render_refuses_unknown_scene(env):
    run("db", "upgrade")
    result = run("render", "99")
    assert result.exit_code == 2 and "unknown scene 99" in result.output
