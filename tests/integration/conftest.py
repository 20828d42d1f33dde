"""Fixtures for tests that run the app's services on a real database: SQLite always, PostgreSQL when set."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rushes.bootstrap import Rushes, bootstrap
from rushes.clock import Clock
from rushes.settings import Settings

PG_ENV = "RUSHES_TEST_POSTGRES_URL"

# Starlette's TestClient sends "Host: testserver"; tests allow it here rather than in the default.
TEST_ALLOWED_HOSTS = "127.0.0.1,localhost,testserver"
# Fast defaults for tests: tiny latency, quick polls, short leases.
FAST = dict(mock_latency_seconds=0.0, provider_poll_seconds=0.05, retry_base_seconds=0.05, retry_max_seconds=0.2,
            job_lease_seconds=5.0, worker_idle_poll_seconds=0.05, load_demo=False, allowed_hosts=TEST_ALLOWED_HOSTS,
            # Unpaced unless a test is about the quota (tests/integration/test_veo_quota.py).
            veo_requests_per_minute=0)


def rushes_settings(tmp: Path, url: str | None = None, **overrides) -> Settings:
    values = dict(FAST, database_url=url or f"sqlite:///{tmp / 'rushes.db'}", media_dir=tmp / "media")
    values.update(overrides)
    return Settings(_env_file=None, **values)


def make_rushes(tmp: Path, url: str | None = None, *, clock: Clock | None = None, **overrides) -> Rushes:
    """A root on a fresh database; `clock` (a FakeClock) lets a test move the providers' time."""
    rushes = bootstrap(rushes_settings(tmp, url, **overrides), clock=clock)
    rushes.upgrade_schema()
    return rushes


@pytest.fixture(scope="session")
def postgres_server_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture
def postgres_url(postgres_server_url) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not postgres_server_url:
        pytest.skip(f"{PG_ENV} is not set")
    admin_url = make_url(postgres_server_url)
    name = f"rushes_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path) -> str:
    """Each test using this runs on SQLite, and on PostgreSQL when RUSHES_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rushes.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def rushes(tmp_path) -> Iterator[Rushes]:
    app = make_rushes(tmp_path)
    yield app
    app.db.dispose()


@pytest.fixture
def demo(rushes) -> dict:
    from rushes.services.demo import create_demo

    return create_demo(rushes)


def work_until_idle(rushes: Rushes, limit: int = 500, take_id: int | None = None) -> int:
    """Run worker steps in this thread until nothing is due; returns the steps worked."""
    import time

    from rushes.jobs.runner import Worker

    worker = Worker(rushes, take_id=take_id)
    steps = idle = 0
    while steps < limit:
        if worker.run_once():
            steps += 1
            idle = 0
            continue
        if not _open_jobs(rushes, take_id):
            return steps
        idle += 1
        time.sleep(0.02)
    raise AssertionError(f"jobs still open after {limit} steps")


def _open_jobs(rushes: Rushes, take_id: int | None) -> bool:
    from sqlalchemy import select

    from rushes.store import models as m

    with rushes.db.session() as session:
        q = select(m.RenderJob.id).where(m.RenderJob.finished_at.is_(None), m.RenderJob.state != "attention")
        if take_id is not None:
            q = q.where(m.RenderJob.take_id == take_id)
        return session.scalar(q.limit(1)) is not None


# ---- signed-in clients ------------------------------------------------------------------------
# Every route checks access (rushes.web.access), so API tests talk to the app as a member:
#
#     with api_client(rushes, role="editor") as client:      # Authorization: Bearer <token>
#         client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "k"})
#     with cookie_client(rushes, role="reviewer") as client: # session cookie + Origin + X-CSRF-Token
#         ...
#
# The member is new, belongs to `studio_id` (default: the first studio, the demo's) with `role`, and
# is at `client.member`. Pass `app=` to reuse an app; otherwise create_app(rushes) without worker/demo.

@dataclass
class Member:
    user_id: int
    email: str
    role: str
    studio_id: int
    api_token: str
    session_token: str

    @property
    def csrf(self) -> str:
        from rushes.services.users import csrf_for

        return csrf_for(self.session_token)


_member_count = itertools.count(1)


def add_test_member(rushes: Rushes, role: str = "owner", studio_id: int | None = None,
                    email: str | None = None) -> Member:
    """A member of the studio (default the first one) with an API token and a browser session."""
    from rushes.services.accounts import default_account
    from rushes.services.users import add_member, new_api_token, new_session

    with rushes.db.session() as session:
        studio_id = studio_id if studio_id is not None else default_account(session).id
        email = email or f"{role}{next(_member_count)}@test.rushes"
        user = add_member(session, email, studio_id, role)
        return Member(user.id, user.email, role, studio_id, new_api_token(session, user.id), new_session(session, user.id))


def _client(rushes: Rushes, app, headers: dict, cookies: dict | None, member: Member | None):
    from fastapi.testclient import TestClient

    from rushes.web.app import create_app

    client = TestClient(app if app is not None else create_app(rushes, run_worker=False, load_demo=False),
                        headers=headers, cookies=cookies)
    client.member = member
    client.rushes = rushes
    return client


def api_client(rushes: Rushes, role: str = "owner", *, studio_id: int | None = None, email: str | None = None,
               app=None, member: Member | None = None):
    """A TestClient authenticated by an API token (bearer: no CSRF needed). Use it as a context manager."""
    member = member or add_test_member(rushes, role, studio_id, email)
    return _client(rushes, app, {"Authorization": f"Bearer {member.api_token}"}, None, member)


def cookie_client(rushes: Rushes, role: str = "owner", *, studio_id: int | None = None, email: str | None = None,
                  app=None, member: Member | None = None):
    """A TestClient signed in like a browser: session cookie, same-origin Origin and the CSRF header."""
    from rushes.web.access import SESSION_COOKIE

    member = member or add_test_member(rushes, role, studio_id, email)
    headers = {"Origin": "http://testserver", "X-CSRF-Token": member.csrf}
    return _client(rushes, app, headers, {SESSION_COOKIE: member.session_token}, member)


def anonymous_client(rushes: Rushes, app=None):
    """A TestClient with no credentials at all."""
    return _client(rushes, app, {}, None, None)


@pytest.fixture(scope="session")
def two_studios():
    """A factory: `rushes, ours, theirs = two_studios(folder)` gives a private copy of two studios
    (tests/integration/studios.py) built once per test process: "ours" is the demo studio, "theirs"
    a rival with its own project, take, note, notification, media and guest link."""
    from tests.integration.snapshots import restore
    from tests.integration.studios import build_studio

    def build(rushes):
        return build_studio(rushes), build_studio(rushes, "Rival Pictures", style="Bleached noir, 16mm grain")

    def copy(folder: Path):
        rushes, (ours, theirs) = restore("two-studios", build, folder)
        return rushes, ours, theirs

    return copy
