"""`rushes attribute` (Typer) and POST /api/attribution (FastAPI) over the local attributor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rushes.cli_attribute import register
from rushes.providers.attribution.base import ShotContext
from rushes.settings import get_settings
from rushes.web.api import attribution as api


@pytest.fixture(autouse=True)
def local_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("RUSHES_ATTRIBUTION", "local")
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Rushes."""

    register(app)
    return app


def test_cli_prints_one_json_object(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["attribute", "mara mumbles her line in 2B", "--category", "dialogue_audio"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["stage"] == 9 and out["category"] == "dialogue_audio" and out["shots"] == ["2B"]
    assert 0 <= out["confidence"] <= 1 and '"mumbles' in out["reason"]


def test_cli_accepts_the_category_label_too(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["attribute", "drags on", "--category", "Timing"])
    assert result.exit_code == 0 and json.loads(result.stdout)["category"] == "timing"


def test_cli_rejects_an_unknown_category(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["attribute", "too long", "--category", "lighting"])
    assert result.exit_code == 2
    assert "unknown category 'lighting'" in result.output


def test_cli_needs_text_or_jsonl(cli: typer.Typer) -> None:
    assert CliRunner().invoke(cli, ["attribute"]).exit_code == 2


def test_cli_jsonl_answers_line_by_line(cli: typer.Typer, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        "\n".join(
            json.dumps(row)
            for row in (
                {"description": "the scarf jumps between 1A and 1B"},
                {"description": "this shot drags", "category": "timing"},
                {"description": "theo's costume is wrong in the whole scene", "category": "visual_continuity"},
            )
        )
        + "\n\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["attribute", "--jsonl", str(notes)])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["stage"] for a in answers] == [10, 7, 8]
    for a in answers:
        assert {"stage", "category", "confidence", "reason"} <= a.keys()


def test_cli_jsonl_reports_a_bad_line(cli: typer.Typer, tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"description": "fine"}\n{"category": "timing"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["attribute", "--jsonl", str(notes)])
    assert result.exit_code == 2
    assert ":2:" in result.output


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(api.router)
    return TestClient(app)


def test_api_returns_the_attribution(client: TestClient) -> None:
    response = client.post(
        "/api/attribution",
        json={"description": "the mug teleports on the cut", "category": "visual_continuity",
              "shot": {"code": "2B", "action": "Mara pours coffee"}, "neighbours": [{"code": "2A"}]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == 10 and body["shots"] == ["2A", "2B"] and body["source"] == "local"


@pytest.mark.parametrize(
    "payload",
    [{}, {"description": ""}, {"description": "x" * 2001}, {"description": "too long", "category": "lighting"}],
)
def test_api_rejects_invalid_bodies(client: TestClient, payload: dict) -> None:
    assert client.post("/api/attribution", json=payload).status_code == 422


def test_api_unknown_shot_is_404(client: TestClient) -> None:
    response = client.post("/api/attribution", json={"description": "too long", "shot_id": 999})
    assert response.status_code == 404 and response.json()["detail"] == "unknown shot"


def test_api_shot_id_uses_the_overridden_lookup(client: TestClient) -> None:
    seen = []

    def lookup(shot_id, within=(None, None)):
        seen.append(shot_id)
        return ShotContext(code="5C", characters=("Jack",)), (ShotContext(code="5B"),), ("Jack", "jukebox")

    client.app.dependency_overrides[api.resolve_shot_context] = lookup
    response = client.post("/api/attribution",
                           json={"description": "jack looks too young in the whole scene", "shot_id": 7})
    assert response.status_code == 200, response.text
    body = response.json()
    assert seen == [7]
    assert body["stage"] == 8 and body["shots"] == ["5C"] and body["fields"] == ["character:Jack"]


def test_warm_up_loads_the_local_model_behind_any_attributor() -> None:
    from rushes.providers.attribution.factory import UnconfiguredGemini, warm_up
    from rushes.providers.attribution.local import LocalAttributor

    local = LocalAttributor()
    warm_up(UnconfiguredGemini("no project", local))
    assert local._model is not None and local._model.threshold > 0
