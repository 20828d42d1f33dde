"""A write route answers only after its transaction committed: a commit that fails is an error, and
nothing changed (the shared session used to commit after the answer had gone out)."""

from __future__ import annotations

import weakref

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from rushes.services.demo import create_demo
from rushes.services.sharing import create_share, live_share
from rushes.services.users import token_user
from rushes.store import models as m
from rushes.web.app import create_app
from rushes.web.deps import get_session
from tests.integration.conftest import cookie_client, make_rushes


class CommitFails:
    """While armed, the commit of a transaction that wrote something raises, as a database that loses
    its connection at COMMIT would (the access check's reading transaction still commits)."""

    def __init__(self) -> None:
        self.armed = False
        self.refused = 0
        self.wrote: weakref.WeakSet = weakref.WeakSet()

    def flushed(self, session, _context) -> None:
        self.wrote.add(session)

    def commit(self, session) -> None:
        wrote = session in self.wrote or session.new or session.dirty or session.deleted
        self.wrote.discard(session)
        if self.armed and wrote:
            self.refused += 1
            raise RuntimeError("commit refused by the test")


@pytest.fixture
def failing_commit():
    hook = CommitFails()
    event.listen(Session, "after_flush", hook.flushed)
    event.listen(Session, "before_commit", hook.commit)
    yield hook
    event.remove(Session, "before_commit", hook.commit)
    event.remove(Session, "after_flush", hook.flushed)


@pytest.fixture
def world(db_url, tmp_path):
    rushes = make_rushes(tmp_path, db_url)
    demo = create_demo(rushes)
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, demo
    rushes.db.dispose()


def _dependants(dependant):
    for sub in dependant.dependencies:
        yield sub
        yield from _dependants(sub)


def test_every_route_that_uses_the_shared_session_commits_before_it_answers(tmp_path):
    rushes = make_rushes(tmp_path)
    app = create_app(rushes, run_worker=False, load_demo=False)
    routes = [c.original_route for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]
    assert len(routes) > 50
    late = [route.path for route in routes
            for dep in _dependants(route.dependant) if dep.call is get_session and dep.scope != "function"]
    assert not late, f'use Depends(get_session, scope="function") on: {sorted(set(late))}'
    rushes.db.dispose()


def test_a_share_whose_commit_fails_is_an_error_and_no_link_exists(world, failing_commit):
    rushes, app, demo = world
    scene_id = demo["scene_ids"][0]
    with cookie_client(rushes, "owner", app=app) as client:
        failing_commit.armed = True
        try:
            response = _quiet(client).post(f"/api/scenes/{scene_id}/share", json={})
        finally:
            failing_commit.armed = False
    assert failing_commit.refused >= 1
    assert response.status_code >= 500, response.text
    with rushes.db.session() as session:
        assert session.scalar(select(func.count()).select_from(m.ShareLink)) == 0


def test_a_revoke_and_a_sign_out_whose_commit_fails_leave_the_link_and_the_session_working(world, failing_commit):
    rushes, app, demo = world
    scene_id = demo["scene_ids"][0]
    with cookie_client(rushes, "owner", app=app) as client:
        with rushes.db.session() as session:
            link, token = create_share(session, scene_id, client.member.user_id, None, True)
            share_id = link.id
        failing_commit.armed = True
        try:
            revoked = _quiet(client).delete(f"/api/shares/{share_id}")
            signed_out = _quiet(client).post("/signout", follow_redirects=False)
        finally:
            failing_commit.armed = False
        assert revoked.status_code >= 500, revoked.text
        assert signed_out.status_code >= 500, signed_out.text
        with rushes.db.session() as session:
            assert live_share(session, token) is not None
            assert token_user(session, client.member.session_token, "session") is not None
        # And with the database answering again, the same calls do what they say.
        assert client.delete(f"/api/shares/{share_id}").status_code == 200
    with rushes.db.session() as session:
        assert live_share(session, token) is None


def _quiet(client):
    """The same client, answering a server error as a response instead of raising it into the test."""
    from fastapi.testclient import TestClient

    quiet = TestClient(client.app, headers=client.headers, cookies=client.cookies, raise_server_exceptions=False)
    return quiet
