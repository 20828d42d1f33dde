"""The Script Hub draws one side panel (the selected scene's) however long the film, and
GET /scenes/{id}/hub-panel answers any other scene's panel exactly as the page would draw it."""

from __future__ import annotations

import re

import pytest

from rushes.services.demo import create_demo
from rushes.services.frames import store_frame
from rushes.services.snapshot import load_project
from rushes.web.app import create_app
from tests.fakes.feature import frame_png
from tests.integration.conftest import api_client, make_rushes

PANEL = re.compile(r'<section class="detail-panel" data-detail-for="(\d+)">.*?</section>', re.S)


@pytest.fixture
def film(tmp_path, db_url):
    rushes = make_rushes(tmp_path, db_url)
    demo = create_demo(rushes)
    app = create_app(rushes, run_worker=False, load_demo=False)
    with api_client(rushes, "reviewer", studio_id=demo["studio_id"], app=app) as client:
        yield rushes, demo, client
    rushes.db.dispose()


def break_continuity_into_scene_2(rushes, project_id: int) -> None:
    """A new end frame on scene 1's last shot: scene 2 no longer continues from it (a warning on the Hub)."""
    with rushes.db.session() as session:
        snap = load_project(session, project_id, rushes.render_spec)[0]
        store_frame(rushes, session, snap.assessment, snap.shot_ids[-1], "end", frame_png(7, 7, "end"), "uploaded")


def test_the_hub_draws_only_the_selected_scenes_panel(film):
    rushes, demo, client = film
    project, scenes = demo["project_id"], demo["scene_ids"]
    page = client.get(f"/projects/{project}").text
    assert [int(i) for i in PANEL.findall(page)] == [scenes[0]]  # none asked for: the first
    assert page.count('class="mini-rail"') == 1
    assert all(f'data-scene-id="{s}" tabindex="0"' in page for s in scenes)  # every scene has its row
    page = client.get(f"/projects/{project}?scene={scenes[2]}").text
    assert [int(i) for i in PANEL.findall(page)] == [scenes[2]]
    assert re.search(rf'class="scene-row selected" data-scene-id="{scenes[2]}"', page)


def test_a_scenes_panel_alone_is_the_panel_the_hub_draws(film):
    rushes, demo, client = film
    project, scenes = demo["project_id"], demo["scene_ids"]
    break_continuity_into_scene_2(rushes, project)
    for scene in scenes:
        fragment = client.get(f"/scenes/{scene}/hub-panel")
        assert fragment.status_code == 200 and fragment.headers["content-type"].startswith("text/html")
        drawn = PANEL.search(client.get(f"/projects/{project}?scene={scene}").text).group(0)
        assert fragment.text.strip().endswith(drawn)
        assert "<html" not in fragment.text and fragment.text.count("detail-panel") == 1
    warned = client.get(f"/scenes/{scenes[1]}/hub-panel").text
    assert f'data-warning-for="{scenes[1]}"' in warned and "<strong>Continuity Broken:</strong>" in warned
    assert len(re.findall(r'<li class="rail-\w+"><a href=', warned)) == 7  # its stage rail, 6 to 12
    assert "data-warning-for" not in client.get(f"/scenes/{scenes[2]}/hub-panel").text


def test_an_unknown_scenes_panel_is_404(film):
    _, _, client = film
    assert client.get("/scenes/987654/hub-panel").status_code == 404


def test_a_hub_read_answers_even_when_a_writer_keeps_it_from_keeping_the_summaries(tmp_path):
    """SQLite: a page reads in a deferred transaction, which cannot take the write lock once a writer (a
    render landing its shots) has committed after it began. The Hub answers from what it computed (no 503)
    and a later read keeps the summaries."""
    from sqlalchemy import select

    from rushes.services.hub import hub_rows
    from rushes.store import models as m
    from rushes.store.db import TransactionMode, transaction_mode

    def kept(session) -> dict[int, str]:
        return {r.scene_id: r.payload["status"] for r in session.scalars(select(m.SceneSummary)) if r.payload is not None}

    rushes = make_rushes(tmp_path)
    demo = create_demo(rushes)
    project = demo["project_id"]
    token = transaction_mode.set(TransactionMode(write=False, busy_ms=200))
    try:
        with rushes.db.session() as reading:
            assert kept(reading) == {}  # its snapshot begins here
            with rushes.db.session(write=True) as writing:  # a writer commits meanwhile
                snap = load_project(writing, project, rushes.render_spec)[0]
                store_frame(rushes, writing, snap.assessment, snap.shot_ids[-1], "end", frame_png(7, 7, "end"), "uploaded")
            rows = hub_rows(rushes, reading, project)
            assert [r["id"] for r in rows] == demo["scene_ids"] and all(r["status"] for r in rows)
    finally:
        transaction_mode.reset(token)
    with rushes.db.session() as session:
        assert kept(session) == {}  # not kept: the writer came first
        statuses = [r["status"] for r in hub_rows(rushes, session, project)]
    with rushes.db.session() as session:
        assert [kept(session)[s] for s in demo["scene_ids"]] == statuses and statuses[1] == "Continuity Broken"
    rushes.db.dispose()
