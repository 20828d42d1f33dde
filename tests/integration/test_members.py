"""Members over time: invitations that hand the inviter nothing, removal, roles, the last owner, API tokens,
guest links that end, and emails kept from guests. Through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from rushes.services import users
from rushes.services.demo import create_demo
from rushes.store import models as m
from rushes.web.access import GUEST_COOKIE, SESSION_COOKIE
from rushes.web.app import create_app
from tests.integration.conftest import add_test_member, anonymous_client, api_client, cookie_client, make_rushes

ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def world(tmp_path, db_url):
    rushes = make_rushes(tmp_path, db_url)
    demo = create_demo(rushes)
    rival = add_test_member(rushes, "owner", email="rival@other.example", studio_id=_rival_studio(rushes))
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, demo, rival
    rushes.db.dispose()


def _rival_studio(rushes) -> int:
    with rushes.db.session() as session:
        return users.studio_named(session, "Rival Pictures").id


def tokens_of(rushes, user_id: int) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.count()).select_from(m.AuthToken).where(m.AuthToken.user_id == user_id))


def csrf_of(page_text: str) -> str:
    return page_text.split('name="csrf_token" value="')[1].split('"')[0]


# ---- 1. inviting hands the inviter nothing -------------------------------------------------------------

def test_inviting_an_existing_user_gives_the_inviter_nothing_that_acts_as_them(world):
    rushes, app, demo, rival = world
    victim_id = _user_id(rushes, demo["owner_email"])
    before = tokens_of(rushes, victim_id)
    with api_client(rushes, member=rival, app=app) as attacker:
        made = attacker.post(f"/api/studios/{rival.studio_id}/members", json={"email": demo["owner_email"], "role": "owner"})
        assert made.status_code == 201, made.text
        body = made.json()
        # Before: {"signin_url": ".../signin/link?token=…"} that signed in as the victim everywhere.
        assert "signin_url" not in body and "/signin/link" not in made.text
        assert body["invitation"]["state"] == "pending" and body["invite_url"].startswith("http://testserver/invite/")
        assert tokens_of(rushes, victim_id) == before  # no session, API token or sign-in link was made for them
        with rushes.db.session() as session:
            assert rival.studio_id not in users.roles_of(session, victim_id)  # nothing happens until they accept
        link = body["invite_url"].removeprefix("http://testserver")
    # The inviter opening the link, signed in as themselves: told it is someone else's; posting it changes nothing.
    with cookie_client(rushes, member=rival, app=app) as inviter:
        page = inviter.get(link)
        assert page.status_code == 200 and 'data-mode="other"' in page.text
        refused = inviter.post(link, data={"csrf_token": rival.csrf}, follow_redirects=False)
        assert refused.status_code == 403 and SESSION_COOKIE not in refused.headers.get("set-cookie", "")
    # Nobody signed in: asked to sign in as the invitee; no cookie, and no password can be set on their account.
    with anonymous_client(rushes, app=app) as stranger:
        page = stranger.get(link, follow_redirects=False)
        assert page.status_code == 200 and 'data-mode="signin"' in page.text and "set-cookie" not in page.headers
        hijack = stranger.post(link, data={"password": "attacker's choice"}, headers=ORIGIN, follow_redirects=False)
        assert hijack.status_code == 409 and "set-cookie" not in hijack.headers
    with rushes.db.session() as session:
        assert rival.studio_id not in users.roles_of(session, victim_id)
        assert session.get(m.User, victim_id).password_hash is None
    # The invitee, from their own session: the page offers Join; their click (with their CSRF token) joins.
    victim = add_test_member(rushes, "owner", demo["studio_id"], email=demo["owner_email"])
    with cookie_client(rushes, member=victim, app=app) as invitee:
        page = invitee.get(link)
        assert 'data-mode="accept"' in page.text
        assert invitee.post(link, data={"csrf_token": "wrong"}, follow_redirects=False).status_code == 403
        joined = invitee.post(link, data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert joined.status_code == 303
        with rushes.db.session() as session:
            assert users.roles_of(session, victim_id)[rival.studio_id] == "owner"
        assert invitee.get(link).status_code == 404  # used


def test_an_existing_user_accepts_or_declines_from_their_own_session(world):
    rushes, app, demo, rival = world
    editor = add_test_member(rushes, "editor", demo["studio_id"], email="ed@studio.example")
    with api_client(rushes, member=rival, app=app) as owner:
        first = owner.post(f"/api/studios/{rival.studio_id}/members", json={"email": "ED@studio.example", "role": "editor"})
        assert first.status_code == 201
        pending = owner.get(f"/api/studios/{rival.studio_id}/invitations").json()
        assert [(i["email"], i["state"]) for i in pending] == [("ed@studio.example", "pending")]
    with api_client(rushes, member=editor, app=app) as invitee:
        mine = invitee.get("/api/me/invitations").json()
        assert [(i["studio"], i["role"]) for i in mine] == [("Rival Pictures", "editor")]
        assert invitee.post(f"/api/me/invitations/{mine[0]['id']}/decline").json()["state"] == "declined"
        assert invitee.post(f"/api/me/invitations/{mine[0]['id']}/accept").status_code == 404
    with api_client(rushes, member=rival, app=app) as owner:
        again = owner.post(f"/api/studios/{rival.studio_id}/members", json={"email": "ed@studio.example", "role": "reviewer"})
        inv_id = again.json()["invitation"]["id"]
    with api_client(rushes, member=editor, app=app) as invitee:
        assert invitee.post(f"/api/me/invitations/{inv_id}/accept").json()["state"] == "accepted"
        assert invitee.get(f"/api/studios/{rival.studio_id}/members").status_code == 200
    with api_client(rushes, member=rival, app=app) as owner:
        refused = owner.post(f"/api/studios/{rival.studio_id}/members", json={"email": "ed@studio.example"})
        assert refused.status_code == 409 and "already a member" in refused.json()["detail"]


def test_a_new_users_link_only_sets_a_password_and_joins_that_studio(world):
    rushes, app, demo, rival = world
    with api_client(rushes, member=rival, app=app) as owner:
        made = owner.post(f"/api/studios/{rival.studio_id}/members", json={"email": "new@person.example", "role": "editor"})
        link = made.json()["invite_url"].removeprefix("http://testserver")
        withdrawn = owner.post(f"/api/studios/{rival.studio_id}/members", json={"email": "gone@person.example"}).json()
        assert owner.delete(f"/api/studios/{rival.studio_id}/invitations/{withdrawn['invitation']['id']}").status_code == 200
    with anonymous_client(rushes, app=app) as holder:
        assert holder.get(withdrawn["invite_url"].removeprefix("http://testserver")).status_code == 404
        page = holder.get(link)
        assert 'data-mode="new"' in page.text
        short = holder.post(link, data={"password": "short"}, headers=ORIGIN)
        assert short.status_code == 409 and "8 characters" in short.text
        joined = holder.post(link, data={"password": "a long password", "display_name": "Nia Okafor"}, headers=ORIGIN,
                             follow_redirects=False)
        assert joined.status_code == 303 and SESSION_COOKIE in joined.headers["set-cookie"]
        assert holder.get("/api/projects").status_code == 200
        assert holder.get(f"/api/projects/{demo['project_id']}").status_code == 404  # only that studio
        assert holder.post(link, data={"password": "another password"}, headers=ORIGIN).status_code == 404
    with rushes.db.session() as session:
        user = users.user_by_email(session, "new@person.example")
        assert users.roles_of(session, user.id) == {rival.studio_id: "editor"}
        assert user.display_name == "Nia Okafor"
    with anonymous_client(rushes, app=app) as client:
        ok = client.post("/signin", data={"email": "new@person.example", "password": "a long password"}, headers=ORIGIN,
                         follow_redirects=False)
        assert ok.status_code == 303


def _user_id(rushes, email: str) -> int:
    with rushes.db.session() as session:
        return users.user_by_email(session, email).id


# ---- emails are for members ------------------------------------------------------------------------------

def test_guests_see_display_names_never_emails(world):
    rushes, app, demo, _ = world
    scene = demo["scene_ids"][0]
    reviewer = add_test_member(rushes, "reviewer", demo["studio_id"], email="kai.moreno@studio.example")
    from rushes.services.confirm import confirm_take
    from tests.integration.conftest import work_until_idle

    take_id, _ = confirm_take(rushes, scene, "guest-names")
    work_until_idle(rushes, take_id=take_id)
    with api_client(rushes, member=reviewer, app=app) as member:
        note = member.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1.0, "category": "timing",
                                                                "description": "hold it"}).json()
        assert note["author"] == "kai.moreno@studio.example"  # members see each other's emails
        member.post(f"/api/issues/{note['id']}/replies", json={"body": "agreed"})
    with api_client(rushes, "owner", app=app) as owner:
        with rushes.db.session() as session:
            session.execute(update(m.User).where(m.User.id == owner.member.user_id).values(display_name="Ana Director"))
        url = owner.post(f"/api/scenes/{scene}/share", json={}).json()["url"]
        owner.post(f"/api/issues/{note['id']}/replies", json={"body": "will do"})
        assert [r["author"] for r in owner.get(f"/api/issues/{note['id']}/replies").json()] == [
            reviewer.email, owner.member.email]
    with anonymous_client(rushes, app=app) as guest:
        guest.get(url.removeprefix("http://testserver"))
        issues = guest.get(f"/api/scenes/{scene}/issues")
        replies = guest.get(f"/api/issues/{note['id']}/replies")
        page = guest.get(f"/scenes/{scene}/review")
        assert issues.status_code == replies.status_code == page.status_code == 200
        # Before: the note and its replies named their authors by email, to guests too.
        for text in (issues.text, replies.text, page.text):
            assert not any(domain in text for domain in ("@studio.example", "@test.rushes", "@rushes.local"))
        assert issues.json()[0]["author"] == "Kai Moreno"
        assert [r["author"] for r in replies.json()] == ["Kai Moreno", "Ana Director"]


# ---- 8. lifecycle: removal, roles, the last owner ----------------------------------------------------------

def test_a_removed_member_loses_the_studio_at_once(world):
    rushes, app, demo, rival = world
    scene = demo["scene_ids"][0]
    leaver = add_test_member(rushes, "editor", demo["studio_id"])
    both = add_test_member(rushes, "editor", demo["studio_id"])
    with rushes.db.session() as session:
        session.add(m.Membership(user_id=both.user_id, account_id=rival.studio_id, role="reviewer"))
    with api_client(rushes, member=leaver, app=app) as bearer, cookie_client(rushes, member=leaver, app=app) as browser:
        assert bearer.get(f"/api/scenes/{scene}").status_code == 200
        with api_client(rushes, "owner", app=app) as owner:
            assert owner.delete(f"/api/studios/{demo['studio_id']}/members/{leaver.user_id}").json()["removed"] is True
            assert owner.delete(f"/api/studios/{demo['studio_id']}/members/{both.user_id}").status_code == 200
            assert leaver.email not in {r["email"] for r in owner.get(f"/api/studios/{demo['studio_id']}/members").json()}
        # No studio left: every session and token of theirs is revoked.
        assert bearer.get(f"/api/scenes/{scene}").status_code == 401
        assert browser.get(f"/api/scenes/{scene}").status_code == 401
    with api_client(rushes, member=both, app=app) as bearer:
        assert bearer.get(f"/api/scenes/{scene}").status_code == 404  # this studio: gone at once
        assert bearer.get(f"/api/studios/{rival.studio_id}/members").status_code == 200  # the other: kept


def test_roles_change_and_the_last_owner_stays(world):
    rushes, app, demo, _ = world
    studio = demo["studio_id"]
    with api_client(rushes, "owner", app=app) as owner:
        me = owner.member.user_id
        others = [r for r in owner.get(f"/api/studios/{studio}/members").json() if r["role"] == "owner" and r["user_id"] != me]
        for other in others:  # leave exactly one owner: the caller
            assert owner.patch(f"/api/studios/{studio}/members/{other['user_id']}", json={"role": "editor"}).status_code == 200
        demote = owner.patch(f"/api/studios/{studio}/members/{me}", json={"role": "editor"})
        assert demote.status_code == 409 and "last owner" in demote.json()["detail"]
        leave = owner.delete(f"/api/studios/{studio}/members/{me}")
        assert leave.status_code == 409
        assert owner.patch(f"/api/studios/{studio}/members/{me}", json={"role": "boss"}).status_code == 422
        helper = add_test_member(rushes, "reviewer", studio)
        assert owner.patch(f"/api/studios/{studio}/members/{helper.user_id}", json={"role": "owner"}).status_code == 200
        assert owner.patch(f"/api/studios/{studio}/members/{me}", json={"role": "editor"}).status_code == 200
    with api_client(rushes, "editor", app=app) as editor:
        assert editor.delete(f"/api/studios/{studio}/members/{helper.user_id}").status_code == 403
        assert editor.post(f"/api/studios/{studio}/members", json={"email": "x@y.example"}).status_code == 403


# ---- 8. API tokens and guest links expire ------------------------------------------------------------------

def test_api_tokens_are_named_listed_revocable_and_expire(world):
    rushes, app, demo, _ = world
    with api_client(rushes, "reviewer", app=app) as member:
        made = member.post("/api/me/tokens", json={"name": "render farm", "days": 3})
        assert made.status_code == 201
        token = made.json()
        expires = datetime.fromisoformat(token["expires_at"])
        assert timedelta(days=2.9) < expires - users.now() <= timedelta(days=3)
        default = member.post("/api/me/tokens", json={"name": "laptop"}).json()
        days = (datetime.fromisoformat(default["expires_at"]) - users.now()).days
        assert days in (rushes.settings.api_token_days - 1, rushes.settings.api_token_days)
        listed = member.get("/api/me/tokens").json()
        assert {"render farm", "laptop"} <= {t["name"] for t in listed} and all("token" not in t for t in listed)
        assert member.post("/api/me/tokens", json={"name": "   "}).status_code == 409
    with anonymous_client(rushes, app=app) as script:
        script.headers["Authorization"] = f"Bearer {token['token']}"
        assert script.get("/api/projects").status_code == 200
        with rushes.db.session() as session:  # three days later
            session.execute(update(m.AuthToken).where(m.AuthToken.id == default["id"])
                            .values(expires_at=users.now() - timedelta(seconds=1)))
        script.headers["Authorization"] = f"Bearer {default['token']}"
        assert script.get("/api/projects").status_code == 401
        script.headers["Authorization"] = f"Bearer {token['token']}"
        assert script.delete(f"/api/me/tokens/{token['id']}").json()["revoked"] is True
        assert script.get("/api/projects").status_code == 401


def test_tokens_take_their_default_lifetime_from_settings(tmp_path):
    rushes = make_rushes(tmp_path, api_token_days=5, guest_link_days=2)
    demo = create_demo(rushes)
    app = create_app(rushes, run_worker=False, load_demo=False)
    with api_client(rushes, "owner", app=app) as owner:
        token = owner.post("/api/me/tokens", json={"name": "ci"}).json()
        assert (datetime.fromisoformat(token["expires_at"]) - users.now()).days == 4
        link = owner.post(f"/api/scenes/{demo['scene_ids'][0]}/share", json={}).json()
        left = datetime.fromisoformat(link["expires_at"]) - users.now()
        assert timedelta(days=1.9) < left <= timedelta(days=2)
    rushes.db.dispose()


def test_guest_links_expire_after_a_week_unless_the_link_says_otherwise(world):
    rushes, app, demo, _ = world
    scene = demo["scene_ids"][0]
    with api_client(rushes, "editor", app=app) as editor:
        week = editor.post(f"/api/scenes/{scene}/share", json={}).json()
        # Before: no expiry at all unless asked for one.
        assert week["expires_at"] is not None
        left = datetime.fromisoformat(week["expires_at"]) - users.now()
        assert timedelta(days=6.9) < left <= timedelta(days=7)
        month = editor.post(f"/api/scenes/{scene}/share", json={"expires_in_hours": 720}).json()
        assert (datetime.fromisoformat(month["expires_at"]) - users.now()).days == 29
    with rushes.db.session() as session:  # eight days later
        session.execute(update(m.ShareLink).where(m.ShareLink.id == week["id"])
                        .values(expires_at=users.now() - timedelta(days=1)))
    with anonymous_client(rushes, app=app) as guest:
        assert guest.get(week["url"].removeprefix("http://testserver")).status_code == 404
        guest.cookies.set(GUEST_COOKIE, week["url"].rsplit("/", 1)[1])
        assert guest.get(f"/api/scenes/{scene}/cut").status_code == 401
