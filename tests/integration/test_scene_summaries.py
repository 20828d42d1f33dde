"""The Hub's stored scene summaries never lie: after each upstream edit (shot list, visual state, frames, a
render landing, a cancelled take) the Hub, the scenes API and the stored rows agree with a full
recomputation from every artifact (load_project), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.editing import update_shot
from rushes.services.frames import store_frame
from rushes.services.hub import hub_rows
from rushes.services.rail import stage_states, upstream_changes
from rushes.services.snapshot import load_project
from rushes.services.takes import cancel_take
from rushes.services.visuals import update_element
from rushes.services.views import scene_thumbnail
from rushes.store import models as m
from rushes.web.app import create_app
from tests.fakes.feature import frame_png
from tests.integration.conftest import api_client, make_rushes, work_until_idle


@pytest.fixture
def film(tmp_path, db_url):
    rushes = make_rushes(tmp_path, db_url)
    demo = create_demo(rushes)
    app = create_app(rushes, run_worker=False, load_demo=False)
    with api_client(rushes, "owner", studio_id=demo["studio_id"], app=app) as client:
        yield rushes, demo, client
    rushes.db.dispose()


def truth(rushes, project_id: int) -> list[dict]:
    """Every scene recomputed from its artifacts, as the Hub shows it."""
    with rushes.db.session() as session:
        snaps = load_project(session, project_id, rushes.render_spec)
        return [{"id": s.scene.id, "status": s.status.value, "shots": len(s.state.shots),
                 "stale": [a.code for a in s.assessment.shots if a.clip.stale or a.prompt.stale or a.start.stale
                           or (a.end and a.end.stale)],
                 "states": {str(int(k)): list(v) for k, v in stage_states(session, s).items()},
                 "changes": upstream_changes(s), "thumb": scene_thumbnail(s)[0]} for s in snaps]


def assert_hub_tells_the_truth(rushes, client, project_id: int) -> list[dict]:
    expected = truth(rushes, project_id)
    listed = client.get(f"/api/projects/{project_id}/scenes")
    assert listed.status_code == 200
    assert [(s["id"], s["status"], s["shot_count"], s["stale_shots"]) for s in listed.json()] == \
        [(e["id"], e["status"], e["shots"], e["stale"]) for e in expected]
    page = client.get(f"/projects/{project_id}")
    assert page.status_code == 200
    for e in expected:  # the Hub page's status chip of each scene
        row = page.text.split(f'data-scene-id="{e["id"]}"', 1)[1]
        assert f'data-status="{e["status"]}"' in row.split("</tr>", 1)[0]
    with rushes.db.session() as session:
        rows = hub_rows(rushes, session, project_id)
        assert [(r["scene"].id, r["summary"]["states"], r["changes"], r["thumb"]) for r in rows] == \
            [(e["id"], e["states"], e["changes"], e["thumb"]) for e in expected]
        kept = {r.scene_id: r for r in session.scalars(select(m.SceneSummary))}
    # What the Hub read is what is stored now: every summary kept, none left marked.
    assert all(kept[e["id"]].payload is not None and kept[e["id"]].payload["status"] == e["status"] for e in expected)
    return expected


def unlock(rushes, scene_id: int, stage: int) -> None:
    """Unlock a stage through its service; the unlock itself is an artifact change the Hub must see."""
    from rushes.services.shotlist import set_lock

    with rushes.db.session() as session:
        set_lock(rushes, session, scene_id, stage, False)


def scene_shots(rushes, project_id: int) -> list[list[int]]:
    with rushes.db.session() as session:
        return [s.shot_ids for s in load_project(session, project_id, rushes.render_spec)]


def test_the_hub_agrees_with_a_full_recomputation_after_every_upstream_edit(film):
    rushes, demo, client = film
    project = demo["project_id"]
    scenes = demo["scene_ids"]
    assert len(scenes) >= 3
    before = assert_hub_tells_the_truth(rushes, client, project)
    assert {e["status"] for e in before} <= {"Frames Locked", "Shot List Locked", "Draft"}

    # A render lands in scene 1: Rendering while its jobs run, then Ready for Review.
    take_id, _ = confirm_take(rushes, scenes[0], "summaries-take-1")
    states = assert_hub_tells_the_truth(rushes, client, project)
    assert states[0]["status"] == "Rendering"
    work_until_idle(rushes, take_id=take_id)
    assert assert_hub_tells_the_truth(rushes, client, project)[0]["status"] == "Ready for Review"

    # A take of scene 3 cancelled before it rendered.
    take_id, _ = confirm_take(rushes, scenes[2], "summaries-take-3")
    assert assert_hub_tells_the_truth(rushes, client, project)[2]["status"] == "Rendering"
    cancel_take(rushes, take_id)
    work_until_idle(rushes, take_id=take_id)
    assert assert_hub_tells_the_truth(rushes, client, project)[2]["status"] != "Rendering"

    # The shot list: an edit in scene 1 outdates its take.
    shots = scene_shots(rushes, project)
    unlock(rushes, scenes[0], 7)
    assert_hub_tells_the_truth(rushes, client, project)
    with rushes.db.session() as session:
        update_shot(session, shots[0][0], {"action": "She hesitates at the door, then goes in."})
    assert assert_hub_tells_the_truth(rushes, client, project)[0]["status"] == "Outdated"

    # Frames: a new end frame on scene 1's last shot breaks continuity into scene 2, whose rows did not change.
    with rushes.db.session() as session:
        snap = load_project(session, project, rushes.render_spec)[0]
        store_frame(rushes, session, snap.assessment, snap.shot_ids[-1], "end", frame_png(7, 7, "end"), "uploaded")
    assert assert_hub_tells_the_truth(rushes, client, project)[1]["status"] == "Continuity Broken"

    # A visual state of scene 3 changes: its prompts and frames go stale.
    unlock(rushes, scenes[2], 8)
    with rushes.db.session() as session:
        element = session.scalar(select(m.VisualElement).where(m.VisualElement.scene_id == scenes[2]).limit(1))
        update_element(session, element.id, "Rain-soaked and torn at the shoulder")
    after = assert_hub_tells_the_truth(rushes, client, project)
    assert after[2]["stale"]
