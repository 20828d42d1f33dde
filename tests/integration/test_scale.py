"""Cost follows the work: query counts of the Hub, scene pages and import do not grow with the project.

These tests count SQL statements (a SQLAlchemy before_cursor_execute hook), never time: the times are in
bench/bench_scale.py.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from rushes.services.accounts import default_account
from rushes.services.editing import update_shot
from rushes.services.frames import store_frame
from rushes.services.importer import read_import_file
from rushes.services.projects import create_project
from rushes.services.snapshot import load_project, load_scene
from rushes.store import models as m
from rushes.store.querycount import QueryCounter
from rushes.web.app import create_app
from tests.fakes.feature import frame_png, write_feature
from tests.integration.conftest import api_client, make_rushes

SHOTS = 3  # per scene: enough for continuity inside a scene and across its boundaries


def _import(rushes, folder: Path, scenes: int) -> tuple[int, list[int], int]:
    """Import a feature through the real importer; returns (project id, scene ids, statements issued)."""
    spec, frames = read_import_file(write_feature(folder, scenes, SHOTS))
    with rushes.db.session() as session:
        account = default_account(session).id
        with QueryCounter(rushes.db.engine) as counted:
            project = create_project(rushes, session, spec, frames, account)
        ids = list(session.scalars(select(m.Scene.id).where(m.Scene.project_id == project.id).order_by(m.Scene.number)))
    return project.id, ids, counted.count


@pytest.fixture
def features(tmp_path, db_url):
    """One database holding a 3-scene and a 30-scene project, both imported with real frames."""
    rushes = make_rushes(tmp_path, db_url)
    small = _import(rushes, tmp_path / "small", 3)
    large = _import(rushes, tmp_path / "large", 30)
    yield rushes, small, large
    rushes.db.dispose()


def _count(client, rushes, path: str) -> int:
    with QueryCounter(rushes.db.engine) as counted:
        response = client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return counted.count


def test_import_writes_every_table_in_a_constant_number_of_statements(features):
    rushes, small, large = features
    assert small[2] == large[2]
    with rushes.db.session() as session:
        assert session.scalar(select(func.count()).select_from(m.Frame)) == (3 + 30) * SHOTS * 2
        snaps = load_project(session, large[0], rushes.render_spec)
        assert {s.status.value for s in snaps} == {"Draft"}
        assert all(a.prompt.fresh and a.start.fresh and a.end.fresh for s in snaps for a in s.assessment.shots)
        # The first start frame of scene 2 was made from scene 1's last end frame.
        first = snaps[1].frames[(snaps[1].shot_ids[0], "start")]
        assert first.inputs["previous"] == snaps[0].frames[(snaps[0].shot_ids[-1], "end")].media_key


def test_hub_issues_the_same_queries_at_3_and_30_scenes(features):
    rushes, small, large = features
    with api_client(rushes, "owner", app=create_app(rushes, load_demo=False)) as client:
        hub = [_count(client, rushes, f"/projects/{p[0]}") for p in (small, large)]
        api = [_count(client, rushes, f"/api/projects/{p[0]}/scenes") for p in (small, large)]
    assert hub[0] == hub[1]
    assert api[0] == api[1]


@pytest.mark.parametrize("page", ["/scenes/{id}/review", "/scenes/{id}/stage/7", "/scenes/{id}/stage/10",
                                  "/scenes/{id}/stage/11", "/api/scenes/{id}", "/api/scenes/{id}/plan"])
def test_scene_pages_cost_the_same_in_a_3_and_a_30_scene_project(features, page):
    rushes, small, large = features
    with api_client(rushes, "owner", app=create_app(rushes, load_demo=False)) as client:
        counts = {_count(client, rushes, page.format(id=scene)) for scene in (small[1][1], large[1][1], large[1][-1])}
    assert len(counts) == 1, counts


def test_scene_snapshot_query_count_does_not_depend_on_the_number_of_scenes(features):
    """The scene's own tables plus the previous scene's last shot, whatever the project's length."""
    rushes, small, large = features
    counts, rows = set(), set()
    for scene_id in (small[1][1], small[1][2], large[1][1], large[1][15], large[1][-1]):
        loaded = []
        with rushes.db.session() as session, QueryCounter(rushes.db.engine) as counted:
            # Every row the snapshot turned into an object, whether or not it is kept.
            event.listen(session, "loaded_as_persistent", lambda _s, obj, loaded=loaded: loaded.append(obj))
            load_scene(session, scene_id, rushes.render_spec)
        rows.add(len(loaded))
        counts.add(counted.count)
    assert len(counts) == 1, counts
    assert len(rows) == 1 and rows.pop() < 40, rows


def _assert_scene_equals_project_view(session, rushes, project_id):
    whole = load_project(session, project_id, rushes.render_spec)
    for snap in whole:
        one = load_scene(session, snap.scene.id, rushes.render_spec)
        assert one.state == snap.state
        assert one.assessment == snap.assessment
        assert one.status == snap.status
    return whole


def test_scene_snapshot_equals_the_whole_project_computation_across_scene_boundaries(features):
    rushes, _small, large = features
    project_id, scene_ids, _ = large
    with rushes.db.session() as session:
        whole = _assert_scene_equals_project_view(session, rushes, project_id)
        # A new end frame for scene 5's last shot breaks continuity into scene 6, on both paths.
        snap = whole[4]
        store_frame(rushes, session, snap.assessment, snap.shot_ids[-1], "end", frame_png(99, 99, "end"), "uploaded")
        whole = _assert_scene_equals_project_view(session, rushes, project_id)
        assert whole[5].assessment.continuity_broken and whole[5].status.value == "Continuity Broken"
        assert not whole[4].assessment.continuity_broken
        reasons = whole[5].assessment.shots[0].start.reasons
        assert reasons == ("previous scene's last frame changed (continuity)",)


def test_an_emptied_scene_passes_continuity_on_from_the_scene_before_it(features):
    rushes, _small, large = features
    project_id, scene_ids, _ = large
    with rushes.db.session() as session:
        before = load_scene(session, scene_ids[11], rushes.render_spec)
        assert not before.assessment.continuity_broken
        # Empty scenes 2..11 (ten scenes: more than one look-back batch); scene 12 now follows scene 1.
        for scene_id in scene_ids[1:11]:
            for shot_id in load_scene(session, scene_id, rushes.render_spec).shot_ids:
                version = session.scalar(select(m.ShotVersion).where(m.ShotVersion.shot_id == shot_id)
                                         .order_by(m.ShotVersion.version.desc()).limit(1))
                session.add(m.ShotVersion(**{c: getattr(version, c) for c in (
                    "shot_id", "position", "code", "duration", "action", "dialogue", "characters", "setting",
                    "camera", "sfx")}, version=version.version + 1, deleted=True, note="deleted"))
        session.flush()
        whole = _assert_scene_equals_project_view(session, rushes, project_id)
        first = whole[0]
        assert whole[11].state.incoming_anchor == first.frames[(first.shot_ids[-1], "end")].media_key
        assert whole[11].assessment.continuity_broken


def test_an_edit_in_one_scene_leaves_the_next_scene_alone_unless_frames_change(features):
    rushes, _small, large = features
    project_id, scene_ids, _ = large
    with rushes.db.session() as session:
        last = load_scene(session, scene_ids[2], rushes.render_spec).shot_ids[-1]
        update_shot(session, last, {"dialogue": "MARA: A different line."})
        whole = _assert_scene_equals_project_view(session, rushes, project_id)
        assert whole[2].assessment.shots[-1].prompt.stale
        assert not whole[3].assessment.continuity_broken


def test_lists_are_paginated_with_a_next_link(features):
    rushes, small, large = features
    with api_client(rushes, "owner", app=create_app(rushes, load_demo=False)) as client:
        whole = client.get(f"/api/projects/{large[0]}/scenes")
        assert whole.status_code == 200 and len(whole.json()) == 30 and "link" not in whole.headers
        seen, url = [], f"/api/projects/{large[0]}/scenes?limit=7"
        while url:
            response = client.get(url)
            assert len(response.json()) <= 7
            seen += response.json()
            url = response.headers.get("link", "").partition(">")[0].lstrip("<") or None
        assert seen == whole.json()  # pages after the first still chain continuity from the scene before
        projects = client.get("/api/projects?limit=1")
        assert [p["id"] for p in projects.json()] == [small[0]]
        assert projects.headers["x-next-cursor"] == str(small[0])
        assert [p["id"] for p in client.get(f"/api/projects?after={small[0]}").json()] == [large[0]]
        bad = client.get("/api/projects?after=abc")
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "after"]
        assert client.get("/api/projects?limit=0").status_code == 422
        assert client.get("/api/projects?limit=501").status_code == 422


def _chain(client, url: str, limit: int) -> list:
    """Follow Link rel=next from the first page; every page holds at most `limit` items."""
    items, url = [], f"{url}{'&' if '?' in url else '?'}limit={limit}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text[:200]
        body = response.json()
        page = body["items"] if isinstance(body, dict) else body
        assert len(page) <= limit
        items += page
        url = response.headers.get("link", "").partition(">")[0].lstrip("<") or None
    return items


def test_issues_takes_and_notifications_page_through_to_the_whole_list(tmp_path):
    rushes = make_rushes(tmp_path)
    _, scene_ids, _ = _import(rushes, tmp_path / "one", 1)
    scene = scene_ids[0]
    with rushes.db.session() as session:
        shot = load_scene(session, scene, rushes.render_spec).shot_ids[0]
        account = default_account(session).id
        for n, time_ in enumerate([3.0, 1.5, 1.5, 1.5, 7.25, 0.0, 1.5]):  # ties on scene time cross page edges
            session.add(m.ReviewIssue(scene_id=scene, shot_id=shot, scene_time=time_, shot_time=time_,
                                      category="timing", description=f"note {n}", stage=7))
        for n in range(1, 6):
            session.add(m.Take(scene_id=scene, number=n, idempotency_key=f"k{n}", render={},
                               finished_at=datetime.now(timezone.utc)))
        for n in range(7):
            session.add(m.Notification(account_id=account, scene_id=scene, kind="take_finished", title=f"t{n}", url="/"))
    with api_client(rushes) as client:
        for url in (f"/api/scenes/{scene}/issues", f"/api/scenes/{scene}/takes"):
            whole = client.get(url).json()
            assert len(whole) in (7, 5)
            for limit in (1, 2, 3):
                assert _chain(client, url, limit) == whole
        whole = client.get("/api/notifications").json()
        assert whole["unread"] == 7 and len(whole["items"]) == 7
        first = client.get("/api/notifications?limit=2").json()
        assert first["unread"] == 7  # the count is the account's, not the page's
        assert _chain(client, "/api/notifications", 3) == whole["items"]
        assert client.get(f"/api/scenes/{scene}/issues?after=nonsense").status_code == 422
    rushes.db.dispose()
