"""Open pages cost nothing while nothing happens: many event streams, one broadcaster, no held connections.

A real uvicorn on 127.0.0.1 serves the app; streams are httpx clients. Checked by counts, never times:
pool checkouts while streams idle, a writer that needs the write lock with no wait at all, events reaching
every stream on SQLite and PostgreSQL, and Last-Event-ID resume.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

import httpx
import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from rushes.services.accounts import default_account
from rushes.services.importer import parse_project
from rushes.services.projects import create_project
from rushes.store import models as m
from rushes.web.app import create_app
from tests.browser.serving import serve_in_thread
from tests.fakes.feature import feature_spec
from tests.integration.conftest import make_rushes

STREAMS = 50


@pytest.fixture
def served(tmp_path, db_url):
    rushes = make_rushes(tmp_path, db_url)
    with rushes.db.session() as session:
        account = default_account(session).id
        project = create_project(rushes, session, parse_project(feature_spec(1, 1, frames_dir=None)), {}, account)
        scene = session.scalar(select(m.Scene.id).where(m.Scene.project_id == project.id))
        shot = session.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene))
    app = create_app(rushes, load_demo=False)
    url, server, thread = serve_in_thread(app)
    from tests.integration.conftest import add_test_member

    AUTH.update({"Authorization": f"Bearer {add_test_member(rushes, 'owner', account).api_token}"})
    yield rushes, app, url, {"account": account, "scene": scene, "shot": shot}
    server.should_exit = True
    thread.join(10)
    rushes.db.dispose()


def _notify(rushes, ids, title: str, account: int | None = None) -> int:
    with rushes.db.session() as session:
        note = m.Notification(account_id=account or ids["account"], scene_id=ids["scene"], kind="take_finished",
                              title=title, url=f"/scenes/{ids['scene']}/review")
        session.add(note)
        session.flush()
        return note.id


async def _next_event(lines, kinds=("notification",)) -> dict:
    """The next event of one of `kinds` from an SSE line iterator: {"event", "id", "data"}."""
    current: dict = {}
    async for line in lines:
        if not line:
            if current.get("event") in kinds:
                return current
            current = {}
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
    raise AssertionError("stream ended")


AUTH: dict = {}  # the API token of the studio owner the served app answers (set by `served`)


async def _open(client, url, headers=None):
    request = client.build_request("GET", f"{url}/api/events", headers=headers or {})
    response = await client.send(request, stream=True)
    assert response.status_code == 200
    lines = response.aiter_lines()
    assert await anext(lines) == "retry: 1000"
    return response, lines


def _pool_checkouts(engine) -> list:
    seen = []
    event.listen(engine, "checkout", lambda *a: seen.append(1))
    return seen


def _write_without_waiting(db_path: str) -> None:
    """Take SQLite's write lock with no busy wait: fails at once if anybody else holds it."""
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE accounts SET name = name")
        conn.execute("COMMIT")
    finally:
        conn.close()


def test_fifty_idle_streams_hold_no_connection_or_lock_and_all_get_the_toast(served):
    rushes, app, url, ids = served
    broadcaster = app.state.broadcaster

    async def scenario():
        async with httpx.AsyncClient(headers=AUTH, timeout=30, limits=httpx.Limits(max_connections=STREAMS + 10)) as client:
            opened = await asyncio.gather(*(_open(client, url) for _ in range(STREAMS)))
            assert len(broadcaster.subscribers) == STREAMS
            writer = _pool_checkouts(rushes.db.engine)
            reader = _pool_checkouts(rushes.db.reader)
            rounds = broadcaster.wakeups
            for _ in range(10):
                if rushes.db.sqlite:
                    _write_without_waiting(make_url(rushes.db.url).database)
                assert rushes.db.engine.pool.checkedout() == 0
                await asyncio.sleep(0.1)
            rounds = broadcaster.wakeups - rounds
            # Idle streams read nothing themselves: the only reads are the broadcaster's rounds.
            assert writer == []
            assert len(reader) <= rounds + 1
            note = await asyncio.to_thread(_notify, rushes, ids, "Scene 1 · take 1 is ready for review")
            got = await asyncio.gather(*(asyncio.wait_for(_next_event(lines), 20) for _, lines in opened))
            assert {g["id"] for g in got} == {note}
            assert {g["data"]["title"] for g in got} == {"Scene 1 · take 1 is ready for review"}
            for response, _ in opened:
                await response.aclose()

    asyncio.run(scenario())


def test_a_stream_resumes_after_last_event_id_without_repeats(served):
    rushes, app, url, ids = served

    async def scenario():
        first = _notify(rushes, ids, "one")
        second = _notify(rushes, ids, "two")
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            response, lines = await _open(client, url, {"Last-Event-ID": str(first)})
            assert (await asyncio.wait_for(_next_event(lines), 20))["id"] == second
            third = await asyncio.to_thread(_notify, rushes, ids, "three")
            assert (await asyncio.wait_for(_next_event(lines), 20))["id"] == third
            await response.aclose()

    asyncio.run(scenario())


def test_events_are_scoped_to_the_stream_account(served):
    rushes, app, url, ids = served
    with rushes.db.session() as session:
        other = m.Account(name="Another studio")
        session.add(other)
        session.flush()
        other_id = other.id

    async def scenario():
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            response, lines = await _open(client, url)
            await asyncio.to_thread(_notify, rushes, ids, "not yours", other_id)
            mine = await asyncio.to_thread(_notify, rushes, ids, "yours")
            assert (await asyncio.wait_for(_next_event(lines), 20))["id"] == mine
            await response.aclose()

    asyncio.run(scenario())


def test_job_moves_reach_open_streams(served):
    rushes, app, url, ids = served

    def move(job_id: int | None = None) -> int:
        with rushes.db.session() as session:
            if job_id is None:
                job = m.RenderJob(kind="clip", account_id=ids["account"], scene_id=ids["scene"], shot_id=ids["shot"],
                                  state="queued", updated_at=1.0)
                session.add(job)
                session.flush()
                return job.id
            job = session.get(m.RenderJob, job_id)
            job.state, job.progress, job.updated_at = "running", 0.5, 2.0 + job_id
            return job_id

    async def scenario():
        job_id = await asyncio.to_thread(move)
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            response, lines = await _open(client, url)
            await asyncio.to_thread(move, job_id)
            got = await asyncio.wait_for(_next_event(lines, ("job",)), 20)
            if got["data"]["state"] == "queued":  # the job's creation, if the poller saw it after we subscribed
                got = await asyncio.wait_for(_next_event(lines, ("job",)), 20)
            assert got["data"]["id"] == job_id and got["data"]["state"] == "running" and got["data"]["progress"] == 0.5
            await response.aclose()

    asyncio.run(scenario())


def test_a_rolled_back_notification_is_never_announced(served):
    rushes, app, url, ids = served

    async def scenario():
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            response, lines = await _open(client, url)

            def abandoned():
                with pytest.raises(RuntimeError):
                    with rushes.db.session() as session:
                        session.add(m.Notification(account_id=ids["account"], scene_id=ids["scene"], kind="x",
                                                   title="never", url="/"))
                        session.flush()
                        raise RuntimeError("rolled back")

            await asyncio.to_thread(abandoned)
            kept = await asyncio.to_thread(_notify, rushes, ids, "kept")
            got = await asyncio.wait_for(_next_event(lines), 20)
            assert got["id"] == kept and got["data"]["title"] == "kept"
            await response.aclose()

    asyncio.run(scenario())


def test_a_closed_page_leaves_the_broadcaster(served):
    rushes, app, url, ids = served
    broadcaster = app.state.broadcaster

    async def scenario():
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as client:
            opened = [await _open(client, url) for _ in range(3)]
            assert len(broadcaster.subscribers) == 3
            for response, _ in opened:
                await response.aclose()
        for _ in range(200):  # the server notices the closed socket; bounded wait, not a timing claim
            if not broadcaster.subscribers:
                break
            await asyncio.sleep(0.1)
        assert broadcaster.subscribers == set()

    asyncio.run(scenario())
