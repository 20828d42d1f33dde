"""The red team's lows: a CSRF token works only for the session it was minted for; Origin means scheme,
host and port; a sign-in link signs in only from its own page's button; forwarded headers are believed only
from configured proxies; NUL in an email is a 4xx on every database."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from rushes.services.demo import create_demo
from rushes.services.sharing import create_share
from rushes.services.users import csrf_for, new_signin_link, token_user, user_by_email
from rushes.store import models as m
from rushes.web.access import GUEST_COOKIE, SESSION_COOKIE
from rushes.web.app import create_app
from tests.integration.conftest import add_test_member, anonymous_client, api_client, cookie_client, make_rushes


@pytest.fixture
def world(db_url, tmp_path):
    rushes = make_rushes(tmp_path, db_url)
    demo = create_demo(rushes)
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, demo
    rushes.db.dispose()


def _shares(rushes) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.count()).select_from(m.ShareLink))


def test_a_guest_links_csrf_token_does_not_carry_the_members_session(world):
    rushes, app, demo = world
    scene = demo["scene_ids"][0]
    attacker = add_test_member(rushes, "owner")
    with rushes.db.session() as session:
        _, planted = create_share(session, scene, attacker.user_id, None, True)  # the attacker knows this token
    before = _shares(rushes)
    with cookie_client(rushes, "owner", app=app) as victim:
        victim.cookies.set(GUEST_COOKIE, planted)
        forged = victim.post(f"/api/scenes/{scene}/share", json={}, headers={"X-CSRF-Token": csrf_for(planted)})
        assert forged.status_code == 403, forged.text
        assert _shares(rushes) == before
        assert victim.post(f"/api/scenes/{scene}/share", json={}).status_code == 201  # the session's own token
        # The guest link's token still works for what the guest link may do: a note on its scene.
        guest = anonymous_client(rushes, app=app)
        guest.cookies.set(GUEST_COOKIE, planted)
        note = guest.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1, "category": "timing",
                                                                "description": "slow"},
                          headers={"Origin": "http://testserver", "X-CSRF-Token": csrf_for(planted)})
        assert note.status_code in (201, 409), note.text  # 409: the scene has no take yet; admitted either way


ORIGINS = [("http://testserver", True), ("http://testserver:80", True), ("HTTP://TestServer", True),
           ("https://testserver", False), ("http://testserver:8000", False), ("https://testserver:80", False),
           ("ftp://testserver", False), ("http://testserver.evil.example", False), ("null", False)]


def test_the_origin_check_compares_scheme_host_and_port(world):
    rushes, app, demo = world
    scene = demo["scene_ids"][0]
    with cookie_client(rushes, "owner", app=app) as client, anonymous_client(rushes, app=app) as nobody:
        for origin, admitted in ORIGINS:
            answer = client.post(f"/api/scenes/{scene}/share", json={}, headers={"Origin": origin})
            assert answer.status_code == (201 if admitted else 403), (origin, answer.text)
            signin = nobody.post("/signin", data={"email": "x@y.example", "password": "nope"}, headers={"Origin": origin})
            assert (signin.status_code != 403) == admitted, (origin, signin.status_code)


def test_a_sign_in_link_signs_in_only_from_its_own_pages_button(world):
    rushes, app, demo = world
    with rushes.db.session() as session:
        token = new_signin_link(session, user_by_email(session, demo["owner_email"]).id)
    with anonymous_client(rushes, app=app) as client:
        shown = client.get(f"/signin/link?token={token}", follow_redirects=False)
        assert shown.status_code == 200 and 'method="post" action="/signin/link"' in shown.text
        assert demo["owner_email"] in shown.text and SESSION_COOKIE not in shown.headers.get("set-cookie", "")
        assert shown.headers["cache-control"] == "no-store"
        for cross_site in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            refused = client.post("/signin/link", data={"token": token}, headers=cross_site, follow_redirects=False)
            assert refused.status_code == 403, refused.text
        with rushes.db.session() as session:
            assert token_user(session, token, "signin_link") is not None  # neither GET nor a cross-site POST spent it
        signed = client.post("/signin/link", data={"token": token}, headers={"Origin": "http://testserver"},
                             follow_redirects=False)
        assert signed.status_code == 303 and SESSION_COOKIE in signed.headers["set-cookie"]
        assert client.post("/signin/link", data={"token": token}).status_code == 404


def test_forwarded_headers_are_believed_only_from_configured_proxies(tmp_path):
    import uvicorn

    from rushes.web.security import proxy_options
    from tests.integration.conftest import rushes_settings

    def client_seen(trusted: str) -> str:
        seen = {}

        async def probe(scope, receive, send):
            seen["client"] = scope["client"][0]
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        config = uvicorn.Config(probe, **proxy_options(rushes_settings(tmp_path, trusted_proxies=trusted)))
        config.load()
        scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"x-forwarded-for", b"203.0.113.9")],
                 "client": ("127.0.0.1", 50000), "scheme": "http", "query_string": b"", "asgi": {"version": "3.0"}}

        async def receive():
            return {"type": "http.request", "body": b""}

        async def send(_message):
            pass

        asyncio.run(config.loaded_app(scope, receive, send))
        return seen["client"]

    assert client_seen("") == "127.0.0.1"            # by default nobody's X-Forwarded-For is believed
    assert client_seen("10.0.0.5") == "127.0.0.1"    # only the configured proxy's
    assert client_seen("127.0.0.1") == "203.0.113.9"


def test_rushes_serve_runs_uvicorn_with_those_proxy_settings(tmp_path, monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from rushes.cli import app as cli
    from rushes.settings import get_settings

    monkeypatch.setenv("RUSHES_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("RUSHES_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("RUSHES_LOAD_DEMO", "false")
    configs = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: configs.append(self.config))
    for trusted, expected in (("", False), ("10.0.0.5", True)):
        monkeypatch.setenv("RUSHES_TRUSTED_PROXIES", trusted)
        get_settings.cache_clear()
        result = CliRunner().invoke(cli, ["serve", "--no-worker"])
        assert result.exit_code == 0, result.output
        assert configs[-1].proxy_headers is expected
        assert configs[-1].forwarded_allow_ips in ("", ["10.0.0.5"])
    get_settings.cache_clear()


def test_nul_in_an_email_is_a_clear_4xx_at_sign_in_and_for_a_new_member(world):
    rushes, app, demo = world
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.post("/signin", data={"email": "ana\x00@studio.example", "password": "x"},
                             headers={"Origin": "http://testserver"})
        assert answer.status_code == 422, answer.text[:200]
    with api_client(rushes, "owner", app=app) as owner:
        client = TestClient(app, headers=owner.headers, raise_server_exceptions=False)
        added = client.post(f"/api/studios/{demo['studio_id']}/members", json={"email": "ana\x00@studio.example"})
        assert added.status_code == 422, added.text[:200]
    with rushes.db.session() as session:
        assert user_by_email(session, "ana@studio.example") is None
