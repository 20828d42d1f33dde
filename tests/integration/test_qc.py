"""Quality control end to end: a QC job per finished take through the worker queue, real faulty MP4s
from the mock, findings as proposed notes that are accepted (a normal note) or dismissed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.qc import qc_view
from rushes.store import models as m
from tests.fakes.qc_scenes import make_project, shot
from tests.integration.conftest import api_client, make_rushes, work_until_idle

LINE = "ANN: We should never have come out here tonight, not in this weather."

# One fault per shot, every kind, at fixed parameters (the bench varies them at random).
PLANTED = {
    "1A": "start_frame_mismatch(mode=flip)",
    "1B": "missing_audio(mode=voice)",
    "1C": "unexpected_audio(sound=burst;at=1;for=1.2;level_db=-20)",
    "1D": "frozen(at=1;for=1.5)",
    "2A": "visual_jump(tint=25;angle=90;exposure=0)",
    "2B": "black(at=1.5;for=1;fade=0.2)",
    "2C": "end_frame_mismatch(mode=mirror)",
    "2D": "length(delta=-0.2)",
    "3A": "audio_jump(gain_db=12;sign=1)",
}
SCENES = [
    [shot("1A", sfx="Wind gusting"), shot("1B", dialogue=LINE, sfx="Rain on stone"), shot("1C", sfx=""),
     shot("1D", dialogue="BEN: Hold the rope.", sfx="Surf", characters=("Ben",))],
    [shot("2A", sfx="Wind gusting"), shot("2B", dialogue=LINE, sfx="Gulls"), shot("2C", sfx="Surf"),
     shot("2D", sfx="Footsteps")],
    [shot("3A", sfx="Wind gusting"), shot("3B", sfx="Wind gusting")],
]


def render(app, scene_id: int, key: str = "k") -> int:
    take_id, _ = confirm_take(app, scene_id, key)
    work_until_idle(app)
    return take_id


def findings(app, take_id: int) -> list[dict]:
    with app.db.session() as s:
        view = qc_view(s, take_id)
    assert view["status"] == "done"
    return view["findings"]


def test_clean_takes_of_the_demo_have_no_findings(tmp_path):
    app = make_rushes(tmp_path)
    demo = create_demo(app)
    for scene_id in demo["scene_ids"]:
        take_id = render(app, scene_id)
        with app.db.session() as s:
            [job] = s.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id, m.RenderJob.kind == "qc"))
            assert job.state == "succeeded" and job.shot_id is None and job.cost_credits == 0
        assert findings(app, take_id) == [], f"scene {scene_id}"


def test_every_planted_fault_is_found_at_its_shot_and_routed(tmp_path):
    spec = ",".join(f"{code}:{fault}" for code, fault in PLANTED.items())
    app = make_rushes(tmp_path, mock_faults=spec)
    found = {}
    for scene_id in make_project(app, SCENES):
        for f in findings(app, render(app, scene_id)):
            found.setdefault(f["shot_code"], set()).add(f["kind"])
            assert f["message"] and f["frame"] == round(f["scene_time"] * 24)
    for code, fault in PLANTED.items():
        kind = fault.split("(")[0]
        # A cut finding is reported on the shot the cut enters; a fault in the outgoing shot shows there too.
        next_code = code[0] + chr(ord(code[1]) + 1)
        assert kind in found.get(code, set()) | found.get(next_code, set()), (code, kind, found)
    # The clean shot 3B only hears the loudness step from 3A at its cut.
    assert found.get("3B", set()) <= {"audio_jump"}


def test_stages_proposed_per_kind(tmp_path):
    app = make_rushes(tmp_path, mock_faults="1A:start_frame_mismatch(mode=flip),1B:missing_audio(mode=voice),"
                                            "1D:length(delta=0.25)")
    [scene_id] = make_project(app, [SCENES[0]])
    stages = {(f["shot_code"], f["kind"]): f["stage"] for f in findings(app, render(app, scene_id))}
    assert stages[("1A", "start_frame_mismatch")] == 10
    assert stages[("1B", "missing_audio")] == 9
    assert stages[("1D", "length")] == 7


def test_a_look_jump_on_every_shot_of_a_character_goes_to_visual_definition(tmp_path):
    # Ben's two shots both come out in another grade; Ann's shots are clean.
    app = make_rushes(tmp_path, mock_faults="1B:visual_jump(tint=28;angle=200;exposure=0),"
                                            "1D:visual_jump(tint=28;angle=200;exposure=0)")
    scenes = [[shot("1A", sfx="Wind"), shot("1B", sfx="Wind", characters=("Ben",)), shot("1C", sfx="Wind"),
               shot("1D", sfx="Wind", characters=("Ben",))]]
    [scene_id] = make_project(app, scenes)
    jumps = [f for f in findings(app, render(app, scene_id)) if f["kind"] == "visual_jump"]
    assert {f["shot_code"] for f in jumps} == {"1B", "1C", "1D"}
    assert all(f["stage"] == 8 and "Ben" in f["message"] for f in jumps)


@pytest.fixture
def client(tmp_path):
    app = make_rushes(tmp_path, mock_faults="3A:audio_jump(gain_db=14;sign=-1),3B:frozen(at=0.5;for=2)")
    [scene_id] = make_project(app, [SCENES[2]])
    with api_client(app, "editor") as client:
        client.app_state, client.scene_id = app, scene_id
        yield client
    app.db.dispose()


def test_qc_api_status_accept_and_dismiss(client):
    app, scene_id = client.app_state, client.scene_id
    take_id = client.post(f"/api/scenes/{scene_id}/takes", headers={"Idempotency-Key": "a"}).json()["id"]
    assert client.get(f"/api/takes/{take_id}/qc").json()["status"] == "queued"  # still rendering
    work_until_idle(app)
    body = client.get(f"/api/takes/{take_id}/qc").json()
    assert body["status"] == "done"
    kinds = {f["kind"]: f for f in body["findings"]}
    assert set(kinds) == {"audio_jump", "frozen"}
    for f in body["findings"]:
        assert set(f) >= {"shot_code", "kind", "frame", "scene_time", "measure", "threshold", "stage", "message"}
        assert f["status"] == "proposed"
    frozen, jump = kinds["frozen"], kinds["audio_jump"]
    assert frozen["scene_time"] == pytest.approx(4.5, abs=0.05) and frozen["measure"] > frozen["threshold"]

    accepted = client.post(f"/api/qc-findings/{frozen['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    note = accepted.json()["note"]
    issues = client.get(f"/api/scenes/{scene_id}/issues").json()
    assert [i["id"] for i in issues] == [note["id"]]
    assert issues[0]["stage"] == 10 and issues[0]["shot_code"] == "3B"
    assert issues[0]["scene_time"] == pytest.approx(frozen["scene_time"])
    again = client.post(f"/api/qc-findings/{frozen['id']}/accept")
    assert again.status_code == 409 and again.json()["note_id"] == note["id"]
    assert client.post(f"/api/qc-findings/{frozen['id']}/dismiss").status_code == 409

    assert client.post(f"/api/qc-findings/{jump['id']}/dismiss").json()["finding"]["status"] == "dismissed"
    statuses = {f["kind"]: f["status"] for f in client.get(f"/api/takes/{take_id}/qc").json()["findings"]}
    assert statuses == {"frozen": "accepted", "audio_jump": "dismissed"}
    assert len(client.get(f"/api/scenes/{scene_id}/issues").json()) == 1  # dismissing writes no note

    assert client.post("/api/qc-findings/999999/accept").status_code == 404
    assert client.get("/api/takes/999999/qc").status_code == 404
    # QC again on a done take queues nothing more.
    with app.db.session() as s:
        before = s.scalar(select(m.RenderJob.id).where(m.RenderJob.kind == "qc").order_by(m.RenderJob.id.desc()))
    assert client.post(f"/api/takes/{take_id}/qc").status_code == 202
    with app.db.session() as s:
        assert s.scalar(select(m.RenderJob.id).where(m.RenderJob.kind == "qc").order_by(m.RenderJob.id.desc())) == before


def test_cli_qc_runs_a_due_qc_job_and_prints_json(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from rushes.cli import app as cli
    from rushes.settings import get_settings

    monkeypatch.setenv("RUSHES_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("RUSHES_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("RUSHES_MOCK_LATENCY_SECONDS", "0")
    monkeypatch.setenv("RUSHES_PROVIDER_POLL_SECONDS", "0.05")
    monkeypatch.setenv("RUSHES_MOCK_FAULTS", "3B:black(at=0.5;for=1.5;fade=0)")
    get_settings.cache_clear()
    try:
        from rushes.bootstrap import bootstrap

        app = bootstrap()
        app.upgrade_schema()
        [scene_id] = make_project(app, [SCENES[2]])
        take_id, _ = confirm_take(app, scene_id, "cli")
        work_clips_until_done(app, take_id)  # render only: QC is left due for the CLI
        result = CliRunner().invoke(cli, ["qc", str(take_id), "--json"])
        assert result.exit_code == 0, result.output
        view = json.loads(result.output)
        assert view["status"] == "done" and [f["kind"] for f in view["findings"]] == ["black"]
        text = CliRunner().invoke(cli, ["qc", str(take_id)])
        assert text.exit_code == 0 and "black" in text.output and "3B" in text.output
        assert CliRunner().invoke(cli, ["qc", "424242"]).exit_code == 2
    finally:
        get_settings.cache_clear()


def work_clips_until_done(app, take_id: int) -> None:
    import time

    from rushes.jobs.runner import Worker

    worker = Worker(app, take_id=take_id, kinds=("clip",))
    for _ in range(2000):
        if not worker.run_once():
            with app.db.session() as s:
                if s.get(m.Take, take_id).finished_at is not None:
                    return
            time.sleep(0.02)
    raise AssertionError("take did not finish")
