"""kill -9 of a `rushes worker` at each point of a job, then a fresh worker: ended once, charged once, sent once."""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.takes import resolve_attention, take_view
from rushes.store import models as m
from tests.integration.conftest import make_rushes, work_until_idle
from tests.integration.test_worker_processes import (
    all_jobs,
    assert_each_job_ended_once,
    start_worker,
    worker_env,
    worker_log,
)

pytestmark = pytest.mark.slow

LEASE = 1.0  # short, so the fresh worker takes over the dead worker's job within a second


def confirmed_take(tmp: Path, url: str, **settings):
    """The demo's scene 2 (3 shots) confirmed, its renders cut to 1 s so the mock makes them quickly."""
    app = make_rushes(tmp, url, job_lease_seconds=LEASE, mock_latency_seconds=0.3, **settings)
    scene_id = create_demo(app)["scene_ids"][1]
    take_id, _ = confirm_take(app, scene_id, "crash-test")
    with app.db.session() as s:
        for job in s.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take_id)):
            job.payload = {**job.payload, "duration": 1.0, "render_seconds": 1}
    return app, take_id


def crash_worker_at(tmp: Path, url: str, point: str, **settings) -> None:
    """Run a worker that SIGKILLs itself at `point`; return once it is dead."""
    env = worker_env(tmp, url, job_lease_seconds=LEASE, mock_latency_seconds=0.3, **settings)
    env["RUSHES_CRASH_AT"] = point
    proc = start_worker(tmp, env, f"crash-{point}")
    try:
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == -signal.SIGKILL, worker_log(tmp, f"crash-{point}")


def held_job(app) -> m.RenderJob:
    """The job the dead worker was holding (its lease still set)."""
    [job] = [j for j in all_jobs(app) if j.lease_owner is not None]
    return job


def submissions_by_code(app) -> Counter:
    return Counter(entry["shot_code"] for entry in app.video.submissions())


@pytest.mark.parametrize("point", ["after_claim", "after_submit", "while_polling", "while_downloading"])
def test_a_job_killed_mid_flight_is_finished_by_a_fresh_worker_without_a_second_submission(tmp_path, db_url, point):
    app, take_id = confirmed_take(tmp_path, db_url)
    crash_worker_at(tmp_path, db_url, point)

    # Where the dead worker left things: the crash really happened at the named point.
    jobs = all_jobs(app)
    sent = app.video.submissions()
    if point == "after_claim":
        job = held_job(app)
        assert (job.state, job.attempt, job.operation_name, sent) == ("queued", 0, None, [])
    elif point == "after_submit":
        # The operation was stored and the job handed back before the process died.
        assert [(j.state, j.operation_name is not None) for j in jobs].count(("rendering", True)) == 1
        assert len(sent) == 1 and all(j.lease_owner is None for j in jobs)
    else:
        job = held_job(app)
        assert job.state == "rendering" and job.operation_name in {e["operation"] for e in sent}
        if point == "while_downloading":
            # The provider had already finished the render the dead worker was about to download.
            op_dir = Path(app.video.state_dir) / job.operation_name.rsplit("/", 1)[-1]
            assert (op_dir / "result.mp4").is_file()

    work_until_idle(app)  # the fresh worker, after the dead worker's lease runs out

    jobs = assert_each_job_ended_once(app, [e["operation"] for e in app.video.submissions()])
    assert len(jobs) == 3
    with app.db.session() as s:
        view = take_view(s, take_id)
        notes = list(s.scalars(select(m.Notification)))
    assert view["finished"] and view["charged"] == view["cost_credits"] > 0
    assert [n.kind for n in notes] == ["take_finished"]
    app.db.dispose()


@pytest.mark.parametrize("point, sent_before", [("before_submit", 0), ("before_submit_persist", 1)])
def test_a_job_killed_while_submitting_waits_for_attention_and_is_never_resent(tmp_path, db_url, point, sent_before):
    app, take_id = confirmed_take(tmp_path, db_url)
    crash_worker_at(tmp_path, db_url, point)
    stuck = held_job(app)
    assert (stuck.state, stuck.operation_name) == ("submitting", None)
    code = stuck.payload["code"]
    assert submissions_by_code(app)[code] == sent_before

    work_until_idle(app)

    jobs = {j.id: j for j in all_jobs(app)}
    job = jobs[stuck.id]
    assert job.state == "attention" and job.error_kind == "uncertain" and job.finished_at is None
    assert "may have started this render" in job.error
    # Whether or not the provider got it, the worker does not send it again on its own.
    by_code = submissions_by_code(app)
    assert by_code[code] == sent_before
    assert all(by_code[j.payload["code"]] == 1 and j.state == "succeeded" for j in jobs.values() if j.id != job.id)
    with app.db.session() as s:
        view = take_view(s, take_id)
        assert not view["finished"]
        [shot] = [x for x in view["shots"] if x["code"] == code]
        assert shot["state"] == "attention" and "may have started this render" in shot["error"]
        assert not list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.kind == "refund")))

    # The filmmaker abandons it: refunded once, the take ends with its one notification.
    resolve_attention(app, job.id, "abandon")
    with app.db.session() as s:
        refunds = list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.kind == "refund")))
        notes = list(s.scalars(select(m.Notification)))
    assert [(r.job_id, r.amount) for r in refunds] == [(job.id, job.cost_credits)]
    assert [n.kind for n in notes] == ["take_failed"]
    assert submissions_by_code(app)[code] == sent_before
    app.db.dispose()


def test_under_the_resubmit_policy_an_unconfirmed_submit_is_sent_again_and_says_so(tmp_path, db_url):
    app, take_id = confirmed_take(tmp_path, db_url, submitting_policy="resubmit")
    crash_worker_at(tmp_path, db_url, "before_submit_persist", submitting_policy="resubmit")
    stuck = held_job(app)
    code = stuck.payload["code"]

    work_until_idle(app)

    job = {j.id: j for j in all_jobs(app)}[stuck.id]
    assert job.state == "succeeded" and job.attempt == 2
    assert submissions_by_code(app)[code] == 2  # visibly twice: the lost one and the resend
    with app.db.session() as s:
        view = take_view(s, take_id)
        clips = list(s.scalars(select(m.Clip).where(m.Clip.job_id == job.id)))
        charges = list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.job_id == job.id)))
    [shot] = [x for x in view["shots"] if x["code"] == code]
    assert any("RUSHES_SUBMITTING_POLICY=resubmit" in note for note in shot["job"]["notes"])
    assert len(clips) == 1 and [c.kind for c in charges] == ["charge"]  # charged once all the same
    assert view["finished"]
    app.db.dispose()
