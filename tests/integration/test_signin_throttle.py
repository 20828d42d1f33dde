"""Sign-in throttling that protects without locking anyone out, on SQLite and PostgreSQL.

Before: five failures refused even the right password for 15 minutes, and twenty from one address
refused every account behind it (a studio's NAT). Now each key (account, address) gets free tries,
then waits a delay that doubles; the right password works once the delay has passed, an attempt made
while waiting is not counted, and an owner can clear a member's wait. The clock is moved, not slept.
"""

from __future__ import annotations

import pytest

from rushes.domain.throttle import ACCOUNT, ADDRESS, delay_after
from rushes.services import throttle, users
from rushes.services.demo import create_demo
from rushes.web.app import create_app
from tests.integration.conftest import anonymous_client, api_client, make_rushes

ORIGIN = {"Origin": "http://testserver"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path, db_url, monkeypatch):
    rushes = make_rushes(tmp_path, db_url)
    demo = create_demo(rushes)
    with rushes.db.session() as session:
        users.add_member(session, "max@studio.example", demo["studio_id"], "editor", password="right password")
        users.add_member(session, "ivy@studio.example", demo["studio_id"], "editor", password="ivy's password")
    clock = Clock()
    monkeypatch.setattr(throttle, "clock", clock)
    yield rushes, create_app(rushes, run_worker=False, load_demo=False), demo, clock
    rushes.db.dispose()


def sign_in(client, email: str, password: str):
    return client.post("/signin", data={"email": email, "password": password}, headers=ORIGIN, follow_redirects=False)


def test_delays_double_after_the_free_tries_and_the_right_password_works_after_each(world):
    rushes, app, _, clock = world
    with anonymous_client(rushes, app=app) as client:
        for _ in range(ACCOUNT.free):
            assert sign_in(client, "max@studio.example", "wrong").status_code == 401
        waits = []
        for step in range(4):
            refused = sign_in(client, "max@studio.example", "right password")
            assert refused.status_code == 429 and "try again in" in refused.text
            waits.append(int(refused.headers["retry-after"]))
            clock.now += 0.5
            again = sign_in(client, "max@studio.example", "wrong")  # still waiting: refused, not counted
            assert again.status_code == 429
            clock.now += delay_after(ACCOUNT, ACCOUNT.free + step)  # the wait passes
            assert sign_in(client, "max@studio.example", "wrong").status_code == 401  # one more guess is checked
        assert waits == [int(delay_after(ACCOUNT, ACCOUNT.free + n)) for n in range(4)]
        assert waits == sorted(waits) and waits[-1] == 8 * waits[0]
        clock.now += delay_after(ACCOUNT, ACCOUNT.free + 4)
        ok = sign_in(client, "max@studio.example", "right password")
        assert ok.status_code == 303  # never locked out: the right password works once the delay passed
    with rushes.db.session() as session:
        assert throttle.account_states(session, ["max@studio.example"])["max@studio.example"]["failures"] == 0


def test_an_address_waits_briefly_and_other_accounts_get_in_after_the_delay(world):
    rushes, app, _, clock = world
    with anonymous_client(rushes, app=app) as client:
        for n in range(ADDRESS.free):
            clock.now += 0.01
            assert sign_in(client, f"guess{n}@studio.example", "x").status_code == 401
        # The studio's NAT is not refused for 15 minutes: the wait is seconds, then a right password works.
        refused = sign_in(client, "ivy@studio.example", "ivy's password")
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) == int(ADDRESS.base)
        clock.now += ADDRESS.base
        assert sign_in(client, "ivy@studio.example", "ivy's password").status_code == 303


def test_an_owner_clears_a_members_wait(world):
    rushes, app, demo, clock = world
    with anonymous_client(rushes, app=app) as client:
        for _ in range(ACCOUNT.free + 3):
            clock.now += 600  # slow guesses, each one checked
            assert sign_in(client, "max@studio.example", "wrong").status_code == 401
        assert sign_in(client, "max@studio.example", "right password").status_code == 429
        with rushes.db.session() as session:
            max_id = users.user_by_email(session, "max@studio.example").id
        with api_client(rushes, "owner", app=app) as owner:
            listed = {r["email"]: r for r in owner.get(f"/api/studios/{demo['studio_id']}/members").json()}
            assert listed["max@studio.example"]["throttle"]["wait_seconds"] > 0
            cleared = owner.delete(f"/api/studios/{demo['studio_id']}/members/{max_id}/throttle")
            assert cleared.status_code == 200
        with api_client(rushes, "editor", app=app) as editor:
            assert editor.delete(f"/api/studios/{demo['studio_id']}/members/{max_id}/throttle").status_code == 403
        assert sign_in(client, "max@studio.example", "right password").status_code == 303


def test_the_wait_is_forgotten_after_a_quiet_spell(world):
    rushes, app, _, clock = world
    with anonymous_client(rushes, app=app) as client:
        for _ in range(ACCOUNT.free):
            sign_in(client, "max@studio.example", "wrong")
        clock.now += ACCOUNT.forget_after + 1
        assert sign_in(client, "max@studio.example", "wrong").status_code == 401
        with rushes.db.session() as session:
            assert throttle.account_states(session, ["max@studio.example"])["max@studio.example"]["failures"] == 1


def test_delay_arithmetic():
    assert [delay_after(ACCOUNT, n) for n in range(ACCOUNT.free + 3)] == [0] * ACCOUNT.free + [2, 4, 8]
    assert delay_after(ACCOUNT, 10_000) == ACCOUNT.ceiling and delay_after(ADDRESS, 10_000) == ADDRESS.ceiling
