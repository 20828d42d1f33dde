"""`rushes user create|token|link` and `rushes demo --json`'s owner, and the start-up sign-in link."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from rushes.cli import app
from rushes.bootstrap import bootstrap
from rushes.settings import get_settings
from rushes.web.app import create_app


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUSHES_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("RUSHES_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("RUSHES_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args, stdin: str | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def test_user_create_token_and_link(env):
    made = run("user", "create", "Ana@Studio.example", "--studio", "Northlight", "--role", "editor",
               "--password-stdin", stdin="a good password\n")
    assert made.exit_code == 0, made.output
    assert "ana@studio.example is editor of studio Northlight" in made.output
    token = run("user", "token", "ana@studio.example")
    assert token.exit_code == 0 and len(token.output.strip().splitlines()) == 1
    link = run("user", "link", "ana@studio.example").output.strip()
    assert link.startswith("http://127.0.0.1:8000/signin/link?token=")
    assert run("user", "create", "bad", "--studio", "Northlight").exit_code == 2
    assert run("user", "create", "x@y.example", "--studio", "Northlight", "--role", "boss").exit_code == 2
    assert run("user", "token", "nobody@y.example").exit_code == 2

    with TestClient(create_app(bootstrap(), load_demo=False)) as client:
        me = client.get("/api/account", headers={"Authorization": f"Bearer {token.output.strip()}"})
        assert me.status_code == 200 and me.json()["name"] == "Northlight" and me.json()["role"] == "editor"
        shown = client.get(link.removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
        assert shown.status_code == 200 and "set-cookie" not in shown.headers  # the link's page only asks
        signed = client.post("/signin/link", data={"token": link.split("token=", 1)[1]},
                             headers={"Origin": "http://testserver"}, follow_redirects=False)
        assert signed.status_code == 303 and "rushes_session=" in signed.headers["set-cookie"]
        password = client.post("/signin", data={"email": "ana@studio.example", "password": "a good password"},
                               follow_redirects=False)
        assert password.status_code == 303


def test_demo_json_names_its_owner_and_the_server_prints_a_sign_in_link(env, capsys):
    out = run("demo", "--json")
    assert out.exit_code == 0, out.output
    demo = json.loads(out.output)
    assert demo["owner_email"] == "owner@rushes.local"
    with TestClient(create_app(bootstrap(), load_demo=False, announce="http://testserver")) as client:
        printed = capsys.readouterr().out
        url = next(line.strip() for line in printed.splitlines() if "/signin/link?token=" in line)
        shown = client.get(url.removeprefix("http://testserver"))
        assert shown.status_code == 200 and "owner@rushes.local" in shown.text
        token = url.split("token=", 1)[1]
        landed = client.post("/signin/link", data={"token": token}, headers={"Origin": "http://testserver"})
        assert landed.status_code == 200 and landed.url.path == f"/projects/{demo['project_id']}"
        assert 'id="scene-list"' in landed.text  # the Script Hub


def test_user_token_is_named_and_expires(env):
    from datetime import timedelta

    from sqlalchemy import select

    from rushes.services.users import now
    from rushes.store import models as m

    assert run("user", "create", "ops@studio.example", "--studio", "Northlight").exit_code == 0
    named = run("user", "token", "ops@studio.example", "--name", "nightly export", "--days", "2")
    default = run("user", "token", "ops@studio.example")
    assert named.exit_code == 0 and default.exit_code == 0, named.output + default.output
    rushes = bootstrap()
    with rushes.db.session() as session:
        rows = {r.name: r for r in session.scalars(select(m.AuthToken).where(m.AuthToken.kind == "api"))}
        left = {name: (row.expires_at.replace(tzinfo=now().tzinfo) - now()) for name, row in rows.items()}
    assert set(left) == {"nightly export", "cli"}
    assert timedelta(days=1.9) < left["nightly export"] <= timedelta(days=2)
    assert timedelta(days=rushes.settings.api_token_days - 1) < left["cli"] <= timedelta(days=rushes.settings.api_token_days)
    rushes.db.dispose()
