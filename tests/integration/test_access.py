"""Sign-in, roles, CSRF, hosts, headers, guest links and the ledger's spender, through the real app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from rushes.services import users
from rushes.services.accounts import balance
from rushes.settings import Settings
from rushes.store import models as m
from rushes.web.access import GUEST_COOKIE, SESSION_COOKIE
from rushes.web.app import create_app
from tests.integration.conftest import add_test_member, anonymous_client, api_client, cookie_client


@pytest.fixture
def world(two_studios, tmp_path):
    rushes, ours, theirs = two_studios(tmp_path)
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, ours, theirs
    rushes.db.dispose()


def ledger_count(rushes) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.count()).select_from(m.LedgerEntry))


def scene2_key(ours) -> str:
    return f"again-{ours.demo['scene_ids'][1]}"


# ---- sign-in, sessions, links --------------------------------------------------------------------

def test_password_sign_in_sets_an_httponly_lax_session_that_sign_out_revokes(world):
    rushes, app, ours, _ = world
    with rushes.db.session() as session:
        users.add_member(session, "dana@studio.example", ours.studio_id, "editor", password="correct horse")
    with anonymous_client(rushes, app=app) as client:
        page = client.get(f"/projects/{ours.demo['project_id']}", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/signin?next=%2Fprojects%2F")
        assert "Sign in to Rushes" in client.get("/signin").text
        wrong = client.post("/signin", data={"email": "dana@studio.example", "password": "nope"},
                            headers={"Origin": "http://testserver"})
        assert wrong.status_code == 401 and "do not match" in wrong.text
        ok = client.post("/signin", data={"email": "Dana@Studio.example", "password": "correct horse",
                                          "next": f"/projects/{ours.demo['project_id']}"},
                         headers={"Origin": "http://testserver"}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == f"/projects/{ours.demo['project_id']}"
        cookie = ok.headers["set-cookie"]
        assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        hub = client.get(f"/projects/{ours.demo['project_id']}")
        assert hub.status_code == 200 and "dana@studio.example" in hub.text
        csrf = hub.text.split('name="csrf-token" content="')[1].split('"')[0]
        out = client.post("/signout", data={"csrf_token": csrf}, headers={"Origin": "http://testserver"},
                          follow_redirects=False)
        assert out.status_code == 303
        with rushes.db.session() as session:  # the session row is revoked on the server, not only forgotten
            assert session.scalar(select(func.count()).select_from(m.AuthToken).where(
                m.AuthToken.kind == "session", m.AuthToken.revoked_at.is_not(None))) >= 1
        old = ok.cookies.get(SESSION_COOKIE) or cookie.split(f"{SESSION_COOKIE}=")[1].split(";")[0]
        client.cookies.set(SESSION_COOKIE, old)
        assert client.get("/api/projects").status_code == 401


def test_next_never_redirects_off_site(world):
    rushes, app, ours, _ = world
    with rushes.db.session() as session:
        users.add_member(session, "eve@studio.example", ours.studio_id, "reviewer", password="long enough")
    with anonymous_client(rushes, app=app) as client:
        for target in ("//evil.example/x", "https://evil.example", "/\\evil.example"):
            response = client.post("/signin", data={"email": "eve@studio.example", "password": "long enough",
                                                    "next": target}, follow_redirects=False)
            assert response.headers["location"] == f"/projects/{ours.demo['project_id']}"


def test_sign_in_is_throttled_per_account_and_per_address(world, monkeypatch):
    from rushes.domain.throttle import ACCOUNT, ADDRESS
    from rushes.services import throttle

    moment = [1_900_000_000.0]
    monkeypatch.setattr(throttle, "clock", lambda: moment[0])
    rushes, app, ours, _ = world
    with rushes.db.session() as session:
        users.add_member(session, "max@studio.example", ours.studio_id, "editor", password="right password")
    with anonymous_client(rushes, app=app) as client:
        for _ in range(ACCOUNT.free):
            assert client.post("/signin", data={"email": "max@studio.example", "password": "x"}).status_code == 401
        # Now even the right password waits, whichever process answers (the count is in the database)…
        limited = client.post("/signin", data={"email": "max@studio.example", "password": "right password"})
        assert limited.status_code == 429 and "Too many" in limited.text and limited.headers["retry-after"] == "2"
        # …for seconds, not a lockout (tests/integration/test_signin_throttle.py has the rest).
        moment[0] += 2
        assert client.post("/signin", data={"email": "max@studio.example", "password": "right password"},
                           follow_redirects=False).status_code == 303
        for n in range(ADDRESS.free - ACCOUNT.free):
            client.post("/signin", data={"email": f"guess{n}@studio.example", "password": "x"})
        assert client.post("/signin", data={"email": "other@studio.example", "password": "x"}).status_code == 429


def test_a_sign_in_link_works_once_and_expires(world):
    rushes, app, ours, _ = world
    with rushes.db.session() as session:
        owner = users.user_by_email(session, ours.demo["owner_email"])
        token = users.new_signin_link(session, owner.id)
        stale = users.new_signin_link(session, owner.id)
        session.execute(update(m.AuthToken).where(m.AuthToken.token_hash == users.token_digest(stale))
                        .values(expires_at=users.now() - timedelta(seconds=1)))
    with anonymous_client(rushes, app=app) as client:
        shown = client.get(f"/signin/link?token={token}", follow_redirects=False)
        assert shown.status_code == 200 and 'action="/signin/link"' in shown.text  # a page with a button
        first = client.post("/signin/link", data={"token": token}, headers={"Origin": "http://testserver"},
                            follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == f"/projects/{ours.demo['project_id']}"
        assert client.get(first.headers["location"]).status_code == 200
    with anonymous_client(rushes, app=app) as client:
        assert client.get(f"/signin/link?token={token}").status_code == 404
        assert client.post("/signin/link", data={"token": token}).status_code == 404
        assert client.get(f"/signin/link?token={stale}").status_code == 404


def test_a_wrong_bearer_token_is_401_and_never_falls_back_to_a_cookie(world):
    rushes, app, ours, _ = world
    member = add_test_member(rushes, "owner", ours.studio_id)
    with anonymous_client(rushes, app=app) as client:
        client.cookies.set(SESSION_COOKIE, member.session_token)
        response = client.get("/api/projects", headers={"Authorization": "Bearer not-a-token"})
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"


# ---- roles and the ledger ------------------------------------------------------------------------

def test_roles_reviewer_cannot_spend_editor_can_and_the_ledger_names_the_spender(world):
    rushes, app, ours, _ = world
    scene = ours.demo["scene_ids"][1]
    before = ledger_count(rushes)
    with api_client(rushes, "reviewer", app=app) as reviewer:
        refused = reviewer.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "r"})
        assert refused.status_code == 403 and "reviewer" in refused.json()["detail"]
        assert reviewer.post(f"/api/shots/{ours.ids['shot_id']}/frames", json={"kinds": ["start"]}).status_code == 403
        assert ledger_count(rushes) == before
        note = reviewer.post(f"/api/scenes/{ours.ids['scene_id']}/issues",
                             json={"scene_time": 2.0, "category": "timing", "description": "hold the look longer"})
        assert note.status_code == 201 and note.json()["author"] == reviewer.member.email
        assert reviewer.get(f"/api/scenes/{scene}").status_code == 200
    with api_client(rushes, "editor", app=app) as editor:
        take = editor.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "e"})
        assert take.status_code == 201
        assert editor.post(f"/api/studios/{ours.studio_id}/members",
                           json={"email": "x@y.example", "role": "editor"}).status_code == 403
        ledger = editor.get("/api/account").json()["ledger"]
        charges = [e for e in ledger if e["kind"] == "charge" and e["take_id"] == take.json()["id"]]
        assert charges and {e["user_id"] for e in charges} == {editor.member.user_id}
    with api_client(rushes, "owner", app=app) as owner:
        # An invitation, not a sign-in link: it waits for its invitee (tests/integration/test_members.py).
        added = owner.post(f"/api/studios/{ours.studio_id}/members", json={"email": "new@y.example", "role": "reviewer"})
        assert added.status_code == 201 and "/invite/" in added.json()["invite_url"] and "signin_url" not in added.json()
        assert {"email": "new@y.example", "role": "reviewer", "state": "pending"}.items() <= next(
            r for r in owner.get(f"/api/studios/{ours.studio_id}/invitations").json()
            if r["email"] == "new@y.example").items()


def test_lists_are_scoped_to_the_callers_studios(world, monkeypatch):
    rushes, app, ours, theirs = world
    with api_client(rushes, "owner", studio_id=ours.studio_id, app=app) as client:
        assert [p["id"] for p in client.get("/api/projects").json()] == [ours.demo["project_id"]]
        items = client.get("/api/notifications").json()["items"]
        assert items and {n["scene_id"] for n in items} <= set(ours.demo["scene_ids"])
        assert client.get("/api/account").json()["id"] == ours.studio_id
        from rushes.web.api import events

        monkeypatch.setattr(events, "STREAM_SECONDS", 0.3)  # one short stream, then the browser would reconnect
        stream = client.get("/api/events?after=0").text
        assert f'"scene_id": {ours.ids["scene_id"]}' in stream and f'"scene_id": {theirs.ids["scene_id"]}' not in stream
        page = client.get("/")
        assert f'data-project-id="{ours.demo["project_id"]}"' in page.text
        assert f'data-project-id="{theirs.demo["project_id"]}"' not in page.text


# ---- cross-site requests, hosts, headers ---------------------------------------------------------

def test_cross_site_and_tokenless_cookie_requests_change_nothing(world):
    rushes, app, ours, _ = world
    scene = ours.demo["scene_ids"][1]
    with cookie_client(rushes, "owner", app=app) as browser:
        before = balance_of(rushes, ours.studio_id)
        form = {"idempotency_key": "csrf-1", "csrf_token": browser.member.csrf}
        foreign = browser.post(f"/scenes/{scene}/stage/11/confirm", data=form,
                               headers={"Origin": "https://attacker.example"}, follow_redirects=False)
        assert foreign.status_code == 403
        tokenless = browser.post(f"/scenes/{scene}/stage/11/confirm", data={"idempotency_key": "csrf-2"},
                                 headers={"X-CSRF-Token": ""}, follow_redirects=False)
        assert tokenless.status_code == 403
    with anonymous_client(rushes, app=app) as bare:  # no Origin header, only what the browser says of the site
        bare.cookies.set(SESSION_COOKIE, browser.member.session_token)
        site = bare.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "csrf-3", "Sec-Fetch-Site": "cross-site",
                                                                "X-CSRF-Token": browser.member.csrf})
        assert site.status_code == 403
        silent = bare.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "csrf-4",
                                                                  "X-CSRF-Token": browser.member.csrf})
        assert silent.status_code == 403  # a cookie alone, saying nothing of its origin, is not enough
    with cookie_client(rushes, member=browser.member, app=app) as browser:
        assert balance_of(rushes, ours.studio_id) == before and ledger_count_for(rushes, scene) == 0
        ok = browser.post(f"/scenes/{scene}/stage/11/confirm", data=form, follow_redirects=False)
        assert ok.status_code == 303 and "/review?take=" in ok.headers["location"]
        assert balance_of(rushes, ours.studio_id) < before


def balance_of(rushes, studio_id: int) -> int:
    with rushes.db.session() as session:
        return balance(session, studio_id)


def ledger_count_for(rushes, scene_id: int) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.count()).select_from(m.Take).where(m.Take.scene_id == scene_id))


def test_bearer_calls_need_no_csrf(world):
    rushes, app, ours, _ = world
    with api_client(rushes, "editor", app=app) as client:
        assert "origin" not in {k.lower() for k in client.headers}
        unlock = client.post(f"/api/scenes/{ours.ids['scene_id']}/locks", json={"stage": 7, "locked": False})
        assert unlock.status_code == 200, unlock.text
        assert client.post(f"/api/shots/{ours.ids['shot_id']}/split").status_code == 201


def test_other_hosts_get_400_and_the_default_allows_only_loopback(world):
    rushes, app, ours, _ = world
    assert Settings(_env_file=None).allowed_host_list == ["127.0.0.1", "localhost"]
    member = add_test_member(rushes, "owner", ours.studio_id)
    with TestClient(app, base_url="http://attacker.example",
                    headers={"Authorization": f"Bearer {member.api_token}"}) as client:
        response = client.get("/api/projects")
        assert response.status_code == 400
        assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/signin", "/api/projects", "/static/app.js", "/api/scenes/999999", "/nope"])
def test_security_headers_on_every_response(world, path):
    rushes, app, _, _ = world
    with api_client(rushes, "owner", app=app) as client:
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")


def test_templates_have_no_inline_script():
    import re
    from pathlib import Path

    import rushes.web

    templates = Path(rushes.web.__file__).parent / "templates"
    for path in templates.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            # The one exception is base.html's import map, allowed by the CSP by its sha256 (static_assets).
            importmap = path.name == "base.html" and tag == '<script type="importmap">'
            assert "src=" in tag or 'type="application/json"' in tag or importmap, (path.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), path.name


# ---- guest review links --------------------------------------------------------------------------

def test_a_guest_link_opens_one_review_and_nothing_else(world):
    rushes, app, ours, theirs = world
    scene, other_scene = ours.demo["scene_ids"][0], ours.demo["scene_ids"][1]
    with api_client(rushes, "editor", app=app) as editor:
        made = editor.post(f"/api/scenes/{scene}/share", json={"expires_in_hours": 48, "allow_notes": True})
        assert made.status_code == 201
        url = made.json()["url"]
        assert url.startswith("http://testserver/share/")
        listed = editor.get(f"/api/scenes/{scene}/shares").json()
        assert listed[0]["id"] == made.json()["id"] and listed[0]["active"] and "url" not in listed[0]
    with anonymous_client(rushes, app=app) as guest:
        opened = guest.get(url.removeprefix("http://testserver"), follow_redirects=False)
        assert opened.status_code == 303 and opened.headers["location"] == f"/scenes/{scene}/review"
        assert "HttpOnly" in opened.headers["set-cookie"]
        review = guest.get(f"/scenes/{scene}/review")
        assert review.status_code == 200 and 'id="player"' in review.text
        assert 'id="balance"' not in review.text and 'data-role="guest"' in review.text
        cut = guest.get(f"/api/scenes/{scene}/cut").json()
        assert guest.get(cut["shots"][0]["src"]).status_code == 200  # the player's media loads
        assert guest.get(f"/scenes/{other_scene}/review").status_code == 404
        assert guest.get(f"/api/scenes/{other_scene}/cut").status_code == 404
        assert guest.get(f"/media/{theirs.ids['key']}").status_code == 404
        assert guest.get(f"/scenes/{scene}/stage/7", follow_redirects=False).status_code == 303
        assert guest.get("/api/account").status_code == 401
        csrf = review.text.split('name="csrf-token" content="')[1].split('"')[0]
        headers = {"Origin": "http://testserver", "X-CSRF-Token": csrf}
        assert guest.post(f"/api/scenes/{scene}/takes", headers={**headers, "Idempotency-Key": "g"}).status_code == 401
        note = {"scene_time": 3.0, "category": "timing", "description": "the pause is long"}
        assert guest.post(f"/api/scenes/{scene}/issues", json=note, headers=headers).status_code == 409  # no name
        pinned = guest.post(f"/api/scenes/{scene}/issues", json={**note, "guest_name": "Dana"}, headers=headers)
        assert pinned.status_code == 201 and pinned.json()["author"] == "Dana (guest)"
        assert guest.post(f"/api/scenes/{scene}/issues", json={**note, "guest_name": "Dana"}).status_code == 403
    with api_client(rushes, "editor", app=app) as editor:
        assert editor.delete(f"/api/shares/{made.json()['id']}").json()["revoked"] is True
    with anonymous_client(rushes, app=app) as late:
        assert late.get(url.removeprefix("http://testserver")).status_code == 404
        late.cookies.set(GUEST_COOKIE, url.rsplit("/", 1)[1])
        assert late.get(f"/api/scenes/{scene}/cut").status_code == 401


def test_watch_only_and_expired_links(world):
    rushes, app, ours, _ = world
    scene = ours.demo["scene_ids"][0]
    with api_client(rushes, "owner", app=app) as owner:
        watch = owner.post(f"/api/scenes/{scene}/share", json={"allow_notes": False}).json()["url"]
        expired = owner.post(f"/api/scenes/{scene}/share", json={"expires_in_hours": 1}).json()
        assert owner.post(f"/api/scenes/{scene}/share", json={"expires_in_hours": 0}).status_code == 422
    with rushes.db.session() as session:
        session.execute(update(m.ShareLink).where(m.ShareLink.id == expired["id"])
                        .values(expires_at=users.now() - timedelta(minutes=1)))
    with anonymous_client(rushes, app=app) as guest:
        assert guest.get(expired["url"].removeprefix("http://testserver")).status_code == 404
        review = guest.get(watch.removeprefix("http://testserver"))
        assert review.status_code == 200 and 'issue-composer panel hidden' in review.text
        csrf = review.text.split('name="csrf-token" content="')[1].split('"')[0]
        refused = guest.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1, "category": "timing",
                                                                   "description": "x", "guest_name": "Ann"},
                             headers={"Origin": "http://testserver", "X-CSRF-Token": csrf})
        assert refused.status_code == 403
    with api_client(rushes, "reviewer", app=app) as reviewer:
        assert reviewer.post(f"/api/scenes/{scene}/share", json={}).status_code == 403
