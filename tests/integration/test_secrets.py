"""Secrets out of what people see: the CLI banner, the server's logs, and a 500's body."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from rushes.bootstrap import bootstrap
from tests.integration.conftest import rushes_settings


def test_db_upgrade_banner_masks_the_password(postgres_url, monkeypatch):
    # The local server trusts loopback, so any password connects, and none may be printed.
    url = make_url(postgres_url).set(password="hunter22-secret").render_as_string(hide_password=False)
    monkeypatch.setenv("RUSHES_DATABASE_URL", url)
    from rushes.cli import app

    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "hunter22-secret" not in result.output and ":***@" in result.output


def test_an_unexpected_error_logs_masked_and_answers_without_internals(tmp_path, monkeypatch, caplog):
    from rushes.web.app import create_app

    secret_url = "postgresql+psycopg://rushes:p4ss-w0rd-9@db.internal/rushes"
    rushes = bootstrap(rushes_settings(tmp_path, vertex_token="vertex-static-token-77"))
    rushes.upgrade_schema()

    def broken(*_a, **_k):
        raise RuntimeError(f"connection to {secret_url} failed; token vertex-static-token-77 refused")

    monkeypatch.setattr("rushes.web.api.catalog.account_view", broken)
    from tests.integration.conftest import add_test_member

    member = add_test_member(rushes, "owner")
    with caplog.at_level(logging.ERROR), TestClient(create_app(rushes, load_demo=False), raise_server_exceptions=False,
                                                    headers={"Authorization": f"Bearer {member.api_token}"}) as client:
        answer = client.get("/api/account")
    assert answer.status_code == 500 and answer.json() == {"detail": "internal error"}
    assert "p4ss-w0rd-9" not in caplog.text and "vertex-static-token-77" not in caplog.text
    assert "rushes:***@db.internal" in caplog.text
    rushes.db.dispose()
