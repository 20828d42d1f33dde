"""Sign-in under concurrency, on SQLite and PostgreSQL, against the real app on uvicorn.

Requests start together from a thread each at one barrier (tests/integration/races.py). Before the
fix, PostgreSQL let one sign-in link open up to ten sessions (read, then revoke) and checked 24 of
30 parallel wrong passwords against a limit of 5 (count, then insert); an invitation link accepted
twice would have made two accounts.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import func, select

from rushes.domain.throttle import ACCOUNT
from rushes.services import members, throttle, users
from rushes.store import models as m
from tests.integration.races import RaceApp

FROZEN = 1_900_000_000.0


@pytest.fixture
def race_app(tmp_path, db_url):
    app = RaceApp(tmp_path, db_url)
    yield app
    app.close()


def at_once(base_url: str, count: int, request) -> list[httpx.Response]:
    """`request(client)` from `count` threads released together; the responses."""
    gate = threading.Barrier(count)

    def one(_):
        with httpx.Client(base_url=base_url, timeout=120, follow_redirects=False) as client:
            gate.wait()
            return request(client)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


def sessions_of(app: RaceApp, user_id: int) -> int:
    with app.rushes.db.session() as s:
        return s.scalar(select(func.count()).select_from(m.AuthToken)
                        .where(m.AuthToken.user_id == user_id, m.AuthToken.kind == "session"))


def test_ten_parallel_opens_of_one_sign_in_link_sign_in_once(race_app):
    with race_app.rushes.db.session() as s:
        owner = users.user_by_email(s, race_app.demo["owner_email"])
        token = users.new_signin_link(s, owner.id)
    before = sessions_of(race_app, owner.id)
    # Opening the link shows a page; its button's same-origin POST spends the link (ten clicks at once).
    answers = at_once(race_app.base_url, 10, lambda c: c.post("/signin/link", data={"token": token},
                                                              headers={"Origin": race_app.base_url}))
    statuses = Counter(r.status_code for r in answers)
    assert statuses == {303: 1, 404: 9}, statuses
    assert sum("rushes_session=" in r.headers.get("set-cookie", "") for r in answers) == 1
    assert sessions_of(race_app, owner.id) == before + 1


def test_thirty_parallel_wrong_passwords_check_only_the_free_tries(race_app, monkeypatch):
    monkeypatch.setattr(throttle, "clock", lambda: FROZEN)  # no delay runs out during the burst
    with race_app.rushes.db.session() as s:
        users.add_member(s, "target@studio.example", race_app.demo["studio_id"], "editor", password="the right one")
    answers = at_once(race_app.base_url, 30, lambda c: c.post(
        "/signin", data={"email": "target@studio.example", "password": "wrong guess"}))
    statuses = Counter(r.status_code for r in answers)
    # Exactly the free tries were checked (401); every other one was refused unchecked (429).
    assert statuses == {401: ACCOUNT.free, 429: 30 - ACCOUNT.free}, statuses
    assert all(int(r.headers["retry-after"]) >= 1 for r in answers if r.status_code == 429)
    with race_app.rushes.db.session() as s:
        row = s.scalar(select(m.SignInThrottle).where(m.SignInThrottle.scope == "account",
                                                      m.SignInThrottle.key == "target@studio.example"))
        assert row.failures == ACCOUNT.free
    # The right password still works once the delay has passed.
    monkeypatch.setattr(throttle, "clock", lambda: row.blocked_until + 0.5)
    with httpx.Client(base_url=race_app.base_url, follow_redirects=False) as client:
        ok = client.post("/signin", data={"email": "target@studio.example", "password": "the right one"})
        assert ok.status_code == 303 and "rushes_session=" in ok.headers["set-cookie"]


def test_parallel_joins_through_one_new_user_invitation_make_one_account(race_app):
    with race_app.rushes.db.session() as s:
        _, token = members.invite(s, race_app.demo["studio_id"], "fresh@studio.example", "editor", None)
    answers = at_once(race_app.base_url, 8, lambda c: c.post(
        f"/invite/{token}", data={"password": "a fine password", "display_name": "Fresh"}))
    statuses = Counter(r.status_code for r in answers)
    assert statuses[303] == 1 and statuses[500] == 0 and sum(statuses.values()) == 8, statuses
    with race_app.rushes.db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.User).where(m.User.email == "fresh@studio.example")) == 1
        user = users.user_by_email(s, "fresh@studio.example")
        assert users.roles_of(s, user.id) == {race_app.demo["studio_id"]: "editor"}


def test_two_owners_demoting_each_other_at_once_leave_one_owner(race_app):
    studio = race_app.demo["studio_id"]
    with race_app.rushes.db.session() as s:
        for email in ("a-owner@studio.example", "b-owner@studio.example"):
            users.add_member(s, email, studio, "owner")
        s.execute(m.Membership.__table__.update().where(m.Membership.account_id == studio,
                                                        m.Membership.user_id.not_in(
                                                            select(m.User.id).where(m.User.email.in_(
                                                                ["a-owner@studio.example", "b-owner@studio.example"]))),
                                                        m.Membership.role == "owner").values(role="editor"))
        a, b = (users.user_by_email(s, e) for e in ("a-owner@studio.example", "b-owner@studio.example"))
        tokens = {a.id: users.new_api_token(s, a.id), b.id: users.new_api_token(s, b.id)}
    pairs = [(tokens[a.id], b.id), (tokens[b.id], a.id)]
    turn = iter(range(2))
    lock = threading.Lock()

    def demote(client):
        with lock:
            token, other = pairs[next(turn)]
        return client.patch(f"/api/studios/{studio}/members/{other}", json={"role": "editor"},
                            headers={"Authorization": f"Bearer {token}"})

    answers = at_once(race_app.base_url, 2, demote)
    # The loser is refused: 409 (last owner) when both passed the door together, 403 when the winner had
    # already committed by the time the loser's role was read.
    codes = sorted(r.status_code for r in answers)
    assert codes[0] == 200 and codes[1] in (403, 409), [r.text for r in answers]
    with race_app.rushes.db.session() as s:
        owners = s.scalar(select(func.count()).select_from(m.Membership)
                          .where(m.Membership.account_id == studio, m.Membership.role == "owner"))
        assert owners == 1
