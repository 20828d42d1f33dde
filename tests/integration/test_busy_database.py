"""SQLite: reading takes no write lock, and a busy database answers 503 with Retry-After soon, never
a 500 after 30 s. Another connection holds the write lock (as a long render commit or a backup would)."""

from __future__ import annotations

import sqlite3
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rushes.services.demo import create_demo
from rushes.store import models as m
from rushes.web.app import create_app
from tests.integration.conftest import add_test_member, make_rushes


@pytest.fixture
def world(tmp_path):
    rushes = make_rushes(tmp_path, db_busy_seconds=1.0)
    demo = create_demo(rushes)
    member = add_test_member(rushes, "owner")
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, demo, member, tmp_path / "rushes.db"
    rushes.db.dispose()


class WriteLock:
    """BEGIN IMMEDIATE on a connection of its own: nobody else may write until it ends."""

    def __init__(self, path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=0)

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_reads_answer_while_another_connection_holds_the_write_lock(world):
    rushes, app, demo, member, path = world
    scene_id = demo["scene_ids"][0]
    with TestClient(app, headers={"Authorization": f"Bearer {member.api_token}"}) as api, \
            TestClient(app) as browser, WriteLock(path):
        assert api.get(f"/api/scenes/{scene_id}").status_code == 200
        assert api.get(f"/api/scenes/{scene_id}/cut").status_code == 200
        assert api.get("/api/projects").status_code == 200
        assert browser.get("/signin").status_code == 200


def test_a_write_on_a_busy_database_answers_503_with_retry_after_and_changes_nothing(world):
    rushes, app, demo, member, path = world
    scene_id = demo["scene_ids"][0]
    with TestClient(app, headers={"Authorization": f"Bearer {member.api_token}"},
                    raise_server_exceptions=False) as api:
        with WriteLock(path):
            started = time.monotonic()
            response = api.post(f"/api/scenes/{scene_id}/share", json={})
            waited = time.monotonic() - started
        print(f"\nwrite on a held SQLite database (RUSHES_DB_BUSY_SECONDS=1): {response.status_code} after {waited:.2f} s")
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"].isdigit()
        assert waited < 25, waited  # bounds the work only: the old answer took the 30 s busy timeout
        with rushes.db.session() as session:
            assert session.scalar(select(func.count()).select_from(m.ShareLink)) == 0
        # Once the lock is gone the same call succeeds.
        assert api.post(f"/api/scenes/{scene_id}/share", json={}).status_code == 201


def test_workers_still_begin_immediate_and_wait(world):
    """Outside a request nothing changed: a service transaction takes the write lock up front."""
    rushes, *_, path = world
    with rushes.db.session() as session:
        session.execute(select(1))
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
