"""Money under concurrency, on SQLite and PostgreSQL: credits never go negative and nothing is bought twice.

Each test fires its requests at once against the real app on uvicorn (tests/integration/races.py).
On PostgreSQL the account row lock and the partial unique indexes are what hold; on SQLite,
BEGIN IMMEDIATE serialises the writers. Both must give the same answers.
"""

from __future__ import annotations

import pytest

from tests.integration.races import START_BALANCE, RaceApp, audit, confirms_across_scenes, frame_regenerations, same_key_confirms


@pytest.fixture
def race_app(tmp_path, db_url):
    app = RaceApp(tmp_path, db_url)
    yield app
    app.close()


def assert_books_hold(app: RaceApp) -> dict:
    books = audit(app.rushes)
    assert books["balance"] >= 0
    assert books["balance"] == books["ledger_sum"]
    assert books["charges_match_jobs"], "every priced job is charged exactly its cost, and nothing else is"
    assert books["max_unfinished_takes_per_scene"] <= 1
    assert books["max_open_jobs_per_shot_kind"] <= 1
    return books


def test_thirty_confirms_with_different_keys_spend_at_most_the_balance(race_app):
    result = confirms_across_scenes(race_app, per_scene=10)
    assert result.server_errors == 0, result.statuses
    assert set(result.statuses) <= {201, 402, 409}, result.statuses
    books = assert_books_hold(race_app)
    # Each scene got at most one take; the balance bought as many as it covered, in some order.
    assert 1 <= result.statuses[201] == books["takes"] <= len(race_app.demo["scene_ids"])
    assert START_BALANCE - books["balance"] <= START_BALANCE
    assert len(result.refusals) == 30 - result.statuses[201] and all(result.refusals)
    assert all("still rendering" in r or "credits" in r for r in result.refusals), result.refusals


def test_twenty_same_key_confirms_buy_one_take(race_app):
    result = same_key_confirms(race_app, 20)
    assert result.server_errors == 0, result.statuses
    assert result.statuses == {201: 1, 200: 19}
    assert len({b["id"] for b in result.bodies}) == 1
    books = assert_books_hold(race_app)
    assert books["takes"] == 1 and books["balance"] == START_BALANCE - result.bodies[0]["cost_credits"]


def test_twenty_frame_regenerations_of_one_shot_start_one_paid_job(race_app):
    result = frame_regenerations(race_app, 20)
    assert result.server_errors == 0, result.statuses
    assert result.statuses == {202: 1, 409: 19}
    assert all("already being generated" in r for r in result.refusals)
    books = assert_books_hold(race_app)
    assert books["balance"] == START_BALANCE - 2 * race_app.rushes.prices.frame_image


def test_without_the_account_lock_the_database_still_refuses_a_second_open_take_or_frames_job(race_app, monkeypatch):
    """The partial unique indexes are a backstop of their own: their IntegrityError becomes a 409, never a 500."""
    from tests.integration.races import race

    monkeypatch.setattr("rushes.services.confirm.lock_account", lambda session, account_id: None)
    monkeypatch.setattr("rushes.services.frame_jobs.lock_account", lambda session, account_id: None)
    scene = race_app.demo["scene_ids"][0]
    takes = race(race_app.base_url, "one scene, 10 keys",
                 [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": f"k{i}"}, None) for i in range(10)])
    frames = frame_regenerations(race_app, 10)
    assert takes.statuses[201] == 1 and takes.statuses[409] == 9, takes.statuses
    assert frames.statuses == {202: 1, 409: 9}, frames.statuses
    books = audit(race_app.rushes)
    assert books["max_unfinished_takes_per_scene"] == 1 and books["max_open_jobs_per_shot_kind"] == 1
