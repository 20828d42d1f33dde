"""Frame-exact notes: frames at the take's rate are the truth, ranges end inside the cut, the same words
on the same frame of a take are one note (enforced by the database), and statuses move only as allowed."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from rushes.services import review
from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.errors import Conflict
from rushes.store import models as m
from rushes.store.migrate import upgrade
from tests.integration.conftest import api_client, work_until_idle
from tests.integration.snapshots import restore


def _review_the_second_scene(app):
    scene = create_demo(app)["scene_ids"][1]
    take, _ = confirm_take(app, scene, "frames")
    work_until_idle(app)
    return scene, take


def reviewed(root, url=None):
    """The demo's 3-shot scene with a finished take (rendered once per test process; each caller gets a copy)."""
    app, (scene, take) = restore("reviewed", _review_the_second_scene, root, url)
    return app, scene, take


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app, scene, take = reviewed(tmp_path_factory.mktemp("frames"))
    yield app, scene, take
    app.db.dispose()


def notes(app) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(m.ReviewIssue))


def test_a_note_is_a_frame_at_the_take_rate_and_its_timecode_comes_from_it(world):
    app, scene, _ = world
    with api_client(app, "reviewer") as client:
        by_time = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1.02, "category": "timing",
                                                                    "description": "a beat too long"}).json()
        assert by_time["frame"] == 24 and by_time["scene_time"] == 1.0 and by_time["rate"] == "24/1"
        assert by_time["timecode"] == "00:00:01:00" and by_time["out_frame"] is None
        ranged = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 0, "frame": 205, "out_frame": 230,
                                                                   "category": "visual_continuity",
                                                                   "description": "the lamp drifts left"}).json()
        assert ranged["frame"] == 205 and ranged["timecode"] == "00:00:08:13"
        assert ranged["out_frame"] == 230 and ranged["out_timecode"] == "00:00:09:14"
        assert ranged["scene_time"] == pytest.approx(205 / 24) and ranged["out_time"] == pytest.approx(230 / 24)
        listed = {i["id"]: i for i in client.get(f"/api/scenes/{scene}/issues").json()}
        assert listed[ranged["id"]]["out_frame"] == 230


def test_ranges_must_run_forwards_and_end_inside_the_cut(world):
    app, scene, _ = world
    before = notes(app)
    with api_client(app, "reviewer") as client:
        base = {"scene_time": 0, "category": "timing", "description": "range"}
        assert client.post(f"/api/scenes/{scene}/issues", json={**base, "frame": 50, "out_frame": 49}).status_code == 409
        assert client.post(f"/api/scenes/{scene}/issues", json={**base, "frame": 50, "out_frame": 99999}).status_code == 409
        assert client.post(f"/api/scenes/{scene}/issues", json={**base, "frame": -1}).status_code == 422
        assert client.post(f"/api/scenes/{scene}/issues", json={**base, "frame": 2**40}).status_code == 422
        assert client.post(f"/api/scenes/{scene}/issues", json={**base, "frame": "12"}).status_code == 422
    assert notes(app) == before


def test_the_same_words_on_the_same_frame_are_refused_until_the_first_is_deleted(world):
    app, scene, _ = world
    with api_client(app, "reviewer") as reviewer, api_client(app, "editor") as editor:
        note = {"scene_time": 0, "frame": 100, "category": "timing", "description": "Cut sooner"}
        first = reviewer.post(f"/api/scenes/{scene}/issues", json=note)
        assert first.status_code == 201
        twin = editor.post(f"/api/scenes/{scene}/issues", json={**note, "description": "  cut   SOONER "})
        assert twin.status_code == 409 and "frame 100" in twin.json()["detail"]
        assert reviewer.post(f"/api/scenes/{scene}/issues", json={**note, "frame": 101}).status_code == 201
        assert reviewer.post(f"/api/scenes/{scene}/issues", json={**note, "description": "Cut later"}).status_code == 201
        assert editor.delete(f"/api/issues/{first.json()['id']}").status_code == 204
        assert reviewer.post(f"/api/scenes/{scene}/issues", json=note).status_code == 201


def test_statuses_move_only_along_the_allowed_paths(world):
    app, scene, _ = world
    with api_client(app, "editor") as editor:
        made = editor.post(f"/api/scenes/{scene}/issues", json={"scene_time": 2, "category": "timing",
                                                                 "description": "hold the wide longer"}).json()
        url = f"/api/issues/{made['id']}"
        assert made["status"] == "open"
        wont = editor.patch(url, json={"status": "wont_fix"})
        assert wont.status_code == 200 and wont.json()["status_label"] == "won't fix"
        refused = editor.patch(url, json={"status": "resolved"})
        assert refused.status_code == 409 and "won't fix can be set to open" in refused.json()["detail"]
        assert editor.patch(url, json={"status": "open"}).json()["status"] == "open"
        assert editor.patch(url, json={"status": "resolved"}).json()["status"] == "resolved"
        assert editor.patch(url, json={"status": "routed"}).status_code == 422  # routing sets that, not a PATCH
        assert editor.patch(url, json={"status": "open"}).json()["status"] == "open"
        assert editor.post(f"/api/scenes/{scene}/route", json={"stage": 7}).status_code == 200
        assert editor.get(f"/api/scenes/{scene}/issues").json()
        routed = [i for i in editor.get(f"/api/scenes/{scene}/issues").json() if i["id"] == made["id"]][0]
        assert routed["status"] == "routed"
        assert editor.patch(url, json={"status": "wont_fix"}).json()["status"] == "wont_fix"
    with api_client(app, "reviewer") as reviewer:
        assert reviewer.patch(url, json={"status": "open"}).status_code == 403


@pytest.fixture(params=["sqlite", "postgres"])
def race_world(request, tmp_path):
    url = None
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    app, scene, take = reviewed(tmp_path, url)
    yield app, scene, take
    app.db.dispose()


def test_twelve_identical_notes_at_once_make_one_note_and_no_error(race_world):
    app, scene, take = race_world
    answers, barrier = [], threading.Barrier(12)

    def pin():
        barrier.wait()
        try:
            review.pin_issue(app, scene, {"scene_time": 0, "frame": 48, "category": "timing", "take_id": take,
                                          "description": "the door slams late"})
            answers.append("made")
        except Conflict:
            answers.append("refused")
        except Exception as err:  # anything else is the bug this test is for
            answers.append(f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=pin) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(answers) == ["made"] + ["refused"] * 11, answers
    assert notes(app) == 1


def test_the_migration_backfills_frames_and_keeps_notes_written_twice(tmp_path):
    from rushes.bootstrap import bootstrap
    from tests.integration.conftest import rushes_settings

    from alembic import command

    from rushes.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    # The demo's rows are written by today's code on today's schema, then the schema goes back to before
    # note frames (the app's code cannot write to an older schema once later migrations add columns it uses).
    upgrade(url)
    old = bootstrap(rushes_settings(tmp_path, url))
    demo = create_demo(old)
    with old.db.session() as s:
        shot = s.scalar(select(m.Shot.id).where(m.Shot.scene_id == demo["scene_ids"][0]).limit(1))
    old.db.dispose()
    command.downgrade(alembic_config(url), "note_replies")
    engine = create_engine(url)
    row = ("INSERT INTO review_issues (scene_id, take_id, shot_id, scene_time, shot_time, category, description, "
           "stage, overridden, status, created_at, deleted_at) VALUES (:scene, NULL, :shot, :t, :t, 'timing', :d, 7, "
           "0, 'open', CURRENT_TIMESTAMP, :gone)")
    with engine.begin() as conn:
        for t, d, gone in ((2.5, "Too dark", None), (2.51, "too  dark", None), (2.5, "Too dark", "2026-01-01"),
                           (4.0, "Too dark", None)):
            conn.execute(text(row), {"scene": demo["scene_ids"][0], "shot": shot, "t": t, "d": d, "gone": gone})
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT frame, text_key, rate_num, rate_den FROM review_issues ORDER BY id")).all()
    engine.dispose()
    assert [r.frame for r in rows] == [60, 60, 60, 96]
    assert rows[0].text_key and rows[1].text_key is None and rows[2].text_key is None  # twin and deleted: unkeyed
    assert rows[3].text_key == rows[0].text_key
    assert {(r.rate_num, r.rate_den) for r in rows} == {(24, 1)}


def test_a_note_on_a_cut_names_both_shots_and_a_range_names_every_shot_it_covers(world):
    app, scene, take = world
    with app.db.session() as s:
        slots = list(s.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take).order_by(m.TakeSlot.position)))
    first_cut = round(slots[0].duration * 24)
    codes = [slot.code for slot in slots]
    with api_client(app, "reviewer") as client:
        on_cut = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 0, "frame": first_cut,
                                                                   "category": "timing", "description": "jump cut"})
        across = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 0, "frame": 10, "out_frame": first_cut + 30,
                                                                   "category": "timing", "description": "drags"})
        inside = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 0, "frame": 10, "category": "timing",
                                                                   "description": "inside"})
        listed = {i["id"]: i for i in client.get(f"/api/scenes/{scene}/issues").json()}
    assert (listed[on_cut.json()["id"]]["shots"], listed[on_cut.json()["id"]]["on_cut"]) == (codes[:2], True)
    assert (listed[across.json()["id"]]["shots"], listed[across.json()["id"]]["on_cut"]) == (codes[:2], False)
    assert (listed[inside.json()["id"]]["shots"], listed[inside.json()["id"]]["on_cut"]) == (codes[:1], False)
