"""Money under concurrency, on SQLite and PostgreSQL: credits never go negative and nothing is bought twice.

Each test fires its requests at once against the real app on uvicorn (tests/integration/races.py).
On PostgreSQL the account row lock and the partial unique indexes are what hold; on SQLite,
BEGIN IMMEDIATE serialises the writers. Both must give the same answers.
"""

from __future__ import annotations

import pytest

from tests.integration.races import (START_BALANCE, RaceApp, audit, confirms_across_scenes, frame_regenerations, retake_confirms,
                                    same_key_confirms, variant_confirms)


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
    assert books["max_refunds_per_job_variant"] <= 1
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


def race(*args):
    from tests.integration.races import race as fire

    return fire(*args)


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


def test_twelve_same_key_grants_add_the_credits_once(race_app):
    from tests.integration.races import same_key_grants

    result = same_key_grants(race_app, 12)
    assert result.server_errors == 0, result.statuses
    assert result.statuses == {201: 1, 200: 11}, result.statuses
    assert len({b["id"] for b in result.bodies}) == 1
    books = assert_books_hold(race_app)
    assert books["balance"] == START_BALANCE + 1000


def test_confirms_racing_against_a_project_budget_never_pass_it(race_app):
    """Budget and spend are read under the account lock: however the confirms interleave, the project's spend
    stays within its budget and every refusal says it would go over."""
    from rushes.services.accounts import grant
    from rushes.services.budgets import project_spend
    from rushes.store import models as m
    from tests.integration.races import confirms_against_a_budget

    from rushes.services.confirm import scene_plan
    from rushes.services.snapshot import load_scene

    app = race_app.rushes
    with app.db.session() as s:
        costs = sorted(scene_plan(app, s, load_scene(s, scene, app.render_spec)).total_credits
                       for scene in race_app.demo["scene_ids"])
        budget = costs[-1]
        assert costs[0] + costs[1] > budget  # any scene's take fits alone; no two ever do
        grant(s, 1, 10_000, "room, so only the budget refuses")
        s.get(m.Project, race_app.demo["project_id"]).budget_credits = budget
    result = confirms_against_a_budget(race_app, 4)
    assert result.server_errors == 0, result.statuses
    assert result.statuses[201] == 1, result.statuses
    assert set(result.statuses) <= {201, 409}
    assert all("budget" in r or "still rendering" in r for r in result.refusals), result.refusals
    assert_books_hold(race_app)
    with race_app.rushes.db.session() as s:
        assert 0 < project_spend(s, race_app.demo["project_id"]) <= budget
def test_twenty_same_key_variant_confirms_buy_one_take_at_n_prices(race_app):
    result = variant_confirms(race_app, 20, same_key=True, variants=2)
    assert result.server_errors == 0, result.statuses
    assert result.statuses == {201: 1, 200: 19}
    take = result.bodies[0]
    first = next(s for s in take["shots"] if s["shot_id"] == race_app.first_shot(race_app.demo["scene_ids"][0]))
    books = assert_books_hold(race_app)
    assert books["takes"] == 1 and books["balance"] == START_BALANCE - take["cost_credits"]
    assert take["cost_credits"] == 300 + first["cost_credits"] // 2  # the first shot twice, the others once


def test_twenty_variant_confirms_with_different_keys_buy_one_take_and_never_overspend(race_app):
    result = variant_confirms(race_app, 20, same_key=False, variants=4)
    assert result.server_errors == 0, result.statuses
    assert set(result.statuses) <= {201, 402, 409}, result.statuses
    books = assert_books_hold(race_app)
    assert result.statuses[201] == books["takes"] <= 1


def test_twenty_retakes_of_a_landed_shot_charge_one_draw(race_app):
    from tests.integration.conftest import work_until_idle

    scene = race_app.demo["scene_ids"][0]
    first = race(race_app.base_url, "first take", [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": "first"}, None)])
    assert first.statuses == {201: 1}
    work_until_idle(race_app.rushes)
    before = audit(race_app.rushes)["balance"]
    result = retake_confirms(race_app, 20)
    assert result.server_errors == 0, result.statuses
    assert result.statuses[201] == 1 and result.statuses[409] == 19, result.statuses
    assert all("still rendering" in r for r in result.refusals), result.refusals
    books = assert_books_hold(race_app)
    take = next(b for b in result.bodies if "shots" in b)
    assert take["cost_credits"] == 2 * 80  # the first shot is 8 s at 10 credits/s, two videos
    assert books["balance"] == before - take["cost_credits"]


def test_twenty_picks_of_two_draws_at_once_leave_exactly_one_select(race_app):
    from sqlalchemy import func, select

    from rushes.store import models as m
    from tests.integration.conftest import work_until_idle

    scene = race_app.demo["scene_ids"][0]
    shot = race_app.first_shot(scene)
    first = race(race_app.base_url, "two variants", [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": "two"},
                                                     {"variants": {str(shot): 2}})])
    assert first.statuses == {201: 1}
    work_until_idle(race_app.rushes)
    with race_app.rushes.db.session() as s:
        ids = list(s.scalars(select(m.Clip.id).where(m.Clip.shot_id == shot).order_by(m.Clip.id)))
    assert len(ids) == 2
    result = race(race_app.base_url, "picks", [("POST", f"/api/shots/{shot}/select", {}, {"clip_id": ids[i % 2]})
                                               for i in range(20)])
    assert result.server_errors == 0 and result.statuses == {200: 20}, result.statuses
    with race_app.rushes.db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Clip).where(m.Clip.shot_id == shot, m.Clip.selected.is_(True))) == 1
