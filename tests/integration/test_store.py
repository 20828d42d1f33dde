"""The store on SQLite and PostgreSQL: migrations, SQLite pragmas, append-only versions, uniqueness guards."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from rushes.jobs.queue import refund_once
from rushes.services.editing import add_shot, update_shot
from rushes.store import models as m
from rushes.store.migrate import alembic_config
from tests.integration.conftest import make_rushes


@pytest.fixture
def app(tmp_path, db_url):
    rushes = make_rushes(tmp_path, db_url)
    yield rushes
    rushes.db.dispose()


def scene_with_job(app) -> tuple[int, int, int]:
    """An account, project, scene, shot and one render job; returns (scene id, shot id, job id)."""
    with app.db.session() as s:
        account = m.Account(name="studio")
        s.add(account)
        s.flush()
        project = m.Project(account_id=account.id, name="Keeper's Light")
        s.add(project)
        s.flush()
        scene = m.Scene(project_id=project.id, number=1, title="Lamp room")
        s.add(scene)
        s.flush()
        shot = m.Shot(scene_id=scene.id)
        s.add(shot)
        s.flush()
        job = m.RenderJob(kind="clip", account_id=account.id, scene_id=scene.id, shot_id=shot.id, cost_credits=80,
                          payload={})
        s.add(job)
        s.flush()
        s.add(m.LedgerEntry(account_id=account.id, amount=-80, kind="charge", job_id=job.id, memo="render 1A"))
        return scene.id, shot.id, job.id


def test_migrations_build_the_whole_schema_from_empty_and_match_the_models(app):
    head = ScriptDirectory.from_config(alembic_config(app.settings.database_url)).get_current_head()
    with app.db.engine.connect() as conn:
        context = MigrationContext.configure(conn)
        assert context.get_current_revision() == head
        tables = set(inspect(conn).get_table_names())
        assert tables == set(m.Base.metadata.tables) | {"alembic_version"}
        # Autogenerate finds nothing to add, drop or alter: the migrations are the models.
        assert compare_metadata(context, m.Base.metadata) == []
    app.upgrade_schema()  # a second upgrade at head is a no-op
    with app.db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head


def test_sqlite_runs_in_wal_with_foreign_keys_and_one_writer_at_a_time(tmp_path):
    app = make_rushes(tmp_path)
    with app.db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    # Every transaction takes the write lock when it begins (BEGIN IMMEDIATE), even before it writes:
    # that is what makes a job claim atomic across worker processes.
    path = make_url(app.settings.database_url).database
    with app.db.session() as s:
        s.execute(select(m.RenderJob.id).limit(1))
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            assert other.execute("SELECT count(*) FROM render_jobs").fetchone() == (0,)  # readers still read
        finally:
            other.close()
    app.db.dispose()


def test_foreign_keys_are_enforced(app):
    with pytest.raises(IntegrityError):
        with app.db.session() as s:
            s.add(m.Shot(scene_id=12345))


def test_editing_a_shot_appends_version_2_and_leaves_version_1_untouched(app):
    scene_id, _, _ = scene_with_job(app)
    with app.db.session() as s:
        first = add_shot(s, scene_id, {"code": "1B", "duration": 6, "action": "Mara writes in the logbook."})
        shot_id = first.shot_id
    with app.db.session() as s:
        before = s.execute(text("SELECT * FROM shot_versions WHERE shot_id = :id AND version = 1"),
                           {"id": shot_id}).mappings().one()
    with app.db.session() as s:
        second = update_shot(s, shot_id, {"duration": 8, "dialogue": "MARA: Wind force ten."})
        assert second.version == 2
    with app.db.session() as s:
        rows = s.execute(text("SELECT * FROM shot_versions WHERE shot_id = :id ORDER BY version"),
                         {"id": shot_id}).mappings().all()
    assert [r["version"] for r in rows] == [1, 2]
    assert dict(rows[0]) == dict(before)
    assert (rows[0]["duration"], rows[0]["dialogue"]) == (6, "")
    assert (rows[1]["duration"], rows[1]["dialogue"]) == (8, "MARA: Wind force ten.")
    # Saving the same values again writes nothing new.
    with app.db.session() as s:
        assert update_shot(s, shot_id, {"duration": 8}).version == 2


def test_the_ledger_holds_one_refund_per_job(app):
    _, _, job_id = scene_with_job(app)
    with app.db.session() as s:
        job = s.get(m.RenderJob, job_id)
        assert refund_once(s, job, "refund: failed") is True
        assert refund_once(s, job, "refund: again") is False
    with pytest.raises(IntegrityError):
        with app.db.session() as s:
            # Even a writer that skips refund_once's check cannot add a second refund.
            s.add(m.LedgerEntry(account_id=1, amount=80, kind="refund", job_id=job_id, memo="twice"))
    with app.db.session() as s:
        rows = [(e.kind, e.amount) for e in s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.job_id == job_id)
                                                       .order_by(m.LedgerEntry.id))]
    assert rows == [("charge", -80), ("refund", 80)]


def test_a_take_idempotency_key_is_unique_per_scene(app):
    scene_id, _, _ = scene_with_job(app)
    with app.db.session() as s:
        s.add(m.Take(scene_id=scene_id, number=1, idempotency_key="click-1", render={}))
        project_id = s.get(m.Scene, scene_id).project_id
        other = m.Scene(project_id=project_id, number=2, title="Landing")
        s.add(other)
        s.flush()
        s.add(m.Take(scene_id=other.id, number=1, idempotency_key="click-1", render={}))  # another scene: fine
    with pytest.raises(IntegrityError):
        with app.db.session() as s:
            s.add(m.Take(scene_id=scene_id, number=2, idempotency_key="click-1", render={}))
    with app.db.session() as s:
        assert len(list(s.scalars(select(m.Take)))) == 2
