"""Notes follow their shot: a note pinned on one take shows on the newer cut, marked when its shot's clip
changed; a note QC wrote is checked again by QC on the retaken clip (resolved, or kept open with the new
measure). Real faulty mock renders, QC through the worker."""

from __future__ import annotations

from sqlalchemy import select

from rushes.media.mockfaults import parse_fault_spec
from rushes.store import models as m
from tests.fakes.qc_scenes import make_project, shot
from tests.integration.conftest import api_client, make_rushes, work_until_idle

SCENE = [shot("3A", sfx="Wind gusting"), shot("3B", sfx="Wind gusting")]


def test_a_qc_note_is_verified_fixed_after_a_retake_and_a_human_note_asks_was_this_fixed(tmp_path):
    app = make_rushes(tmp_path, mock_faults="3B:frozen(at=0.5;for=2)", mock_latency_seconds=0.0)
    [scene] = make_project(app, [SCENE])
    with api_client(app, "editor") as client:
        take1 = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t1"}).json()
        work_until_idle(app)
        frozen = next(f for f in client.get(f"/api/takes/{take1['id']}/qc").json()["findings"] if f["kind"] == "frozen")
        note = client.post(f"/api/qc-findings/{frozen['id']}/accept").json()["note"]
        shot_a, shot_b = (s["shot_id"] for s in take1["shots"])
        human = client.post(f"/api/scenes/{scene}/issues", json={
            "scene_time": 1.0, "category": "timing", "description": "The gust comes too late",
            "take_id": take1["id"]}).json()
        assert human["shot_id"] == shot_a

        # The fault does not come back on the next draw: QC says the note is fixed.
        app.video.faults = parse_fault_spec("")
        retake = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t2"},
                             json={"retake": [shot_b]})
        assert retake.status_code == 201, retake.text
        work_until_idle(app)
        issues = {i["id"]: i for i in client.get(f"/api/scenes/{scene}/issues").json()}
        qc_note = issues[note["id"]]
        assert qc_note["carried_from_take"] == take1["id"] and qc_note["shot_changed"] is True
        assert qc_note["status"] == "resolved"
        assert qc_note["qc_check"]["verdict"] == "verified by QC" and qc_note["qc_check"]["kind"] == "frozen"
        # The note on the untouched shot stays as it was: same clip, nothing to check.
        assert issues[human["id"]]["shot_changed"] is False and issues[human["id"]]["status"] == "open"
        assert issues[human["id"]]["carried_from_take"] == take1["id"]

        # A new select on 3A (another draw) marks its note for checking; one click resolves it.
        client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t3"},
                    json={"retake": [shot_a], "variants": 2})
        work_until_idle(app)
        issues = {i["id"]: i for i in client.get(f"/api/scenes/{scene}/issues").json()}
        assert issues[human["id"]]["shot_changed"] is True and issues[human["id"]]["status"] == "addressed"
        resolved = client.patch(f"/api/issues/{human['id']}", json={"status": "resolved"})
        assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    app.db.dispose()


def test_a_qc_note_stays_open_with_the_new_measure_when_the_fault_is_still_there(tmp_path):
    app = make_rushes(tmp_path, mock_faults="3B:frozen(at=0.5;for=2)", mock_latency_seconds=0.0)
    [scene] = make_project(app, [SCENE])
    with api_client(app, "editor") as client:
        take1 = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t1"}).json()
        work_until_idle(app)
        frozen = next(f for f in client.get(f"/api/takes/{take1['id']}/qc").json()["findings"] if f["kind"] == "frozen")
        note = client.post(f"/api/qc-findings/{frozen['id']}/accept").json()["note"]
        app.video.faults = parse_fault_spec("3B:frozen(at=1;for=2.5)")  # the next draw freezes longer
        shot_b = take1["shots"][1]["shot_id"]
        client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t2"}, json={"retake": [shot_b]})
        work_until_idle(app)
        qc_note = next(i for i in client.get(f"/api/scenes/{scene}/issues").json() if i["id"] == note["id"])
        assert qc_note["status"] == "open" and qc_note["shot_changed"] is True
        check = qc_note["qc_check"]
        assert check["verdict"] == "still there" and check["measure"] > check["was"]
        with app.db.session() as s:
            newest = s.scalar(select(m.Clip).where(m.Clip.shot_id == shot_b).order_by(m.Clip.id.desc()).limit(1))
        assert check["clip_id"] == newest.id
    app.db.dispose()
