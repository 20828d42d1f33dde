"""Confirm & Render and the worker, in one process: charges, reuse, retries, failures, refunds, cancel."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from rushes.clock import FakeClock
from rushes.jobs.runner import Worker
from rushes.services.accounts import InsufficientCredits, balance
from rushes.services.confirm import confirm_take
from rushes.services.editing import update_shot
from rushes.services.shotlist import set_lock
from rushes.services.errors import Conflict
from rushes.services.takes import cancel_take, take_view
from rushes.store import models as m
from tests.integration.conftest import make_rushes, work_until_idle


def ledger(rushes, kind=None):
    with rushes.db.session() as s:
        q = select(m.LedgerEntry)
        if kind:
            q = q.where(m.LedgerEntry.kind == kind)
        return list(s.scalars(q))


def account_balance(rushes):
    with rushes.db.session() as s:
        return balance(s, 1)


def notifications(rushes):
    with rushes.db.session() as s:
        return list(s.scalars(select(m.Notification)))


def test_confirm_charges_enqueues_and_the_same_key_does_nothing_more(rushes, demo):
    scene = demo["scene_ids"][0]
    before = account_balance(rushes)
    take_id, created = confirm_take(rushes, scene, "key-1")
    assert created
    again, created_again = confirm_take(rushes, scene, "key-1")
    assert (again, created_again) == (take_id, False)
    with rushes.db.session() as s:
        view = take_view(s, take_id)
        jobs = s.scalar(select(func.count()).select_from(m.RenderJob))
    assert jobs == 4
    assert view["cost_credits"] == 300  # 8+6+8+8 s at 10 credits/s
    assert account_balance(rushes) == before - 300
    assert len(ledger(rushes, "charge")) == 4


def test_concurrent_double_confirm_creates_one_take(tmp_path, db_url):
    from rushes.services.demo import create_demo

    app = make_rushes(tmp_path, db_url)
    scene = create_demo(app)["scene_ids"][0]
    results, errors = [], []

    def go():
        try:
            results.append(confirm_take(app, scene, "double-click"))
        except Exception as exc:  # pragma: no cover - shown in the assertion
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len({take for take, _ in results}) == 1
    assert sum(1 for _, created in results if created) == 1
    assert len(ledger(app, "charge")) == 4
    app.db.dispose()


def test_not_enough_credits_is_refused_with_the_shortfall_and_writes_nothing(rushes, demo):
    with rushes.db.session() as s:
        s.add(m.LedgerEntry(account_id=1, amount=-1900, kind="charge", memo="spent elsewhere"))
    with pytest.raises(InsufficientCredits) as err:
        confirm_take(rushes, demo["scene_ids"][0], "k")
    assert err.value.shortfall == 300 - 100
    with rushes.db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Take)) == 0
        assert s.scalar(select(func.count()).select_from(m.RenderJob)) == 0


def test_missing_or_stale_frames_block_and_name_the_shots(rushes, demo):
    scene = demo["scene_ids"][0]
    with rushes.db.session() as s:
        shot_id = s.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene).order_by(m.Shot.id).offset(1).limit(1))
        set_lock(rushes, s, scene, 7, False)  # the demo locks its shot lists; edits need it unlocked
        update_shot(s, shot_id, {"action": "Mara drops the pencil."})
    with pytest.raises(Conflict) as err:
        confirm_take(rushes, scene, "k")
    assert [b["code"] for b in err.value.details["shots"]] == ["1B"]
    assert "stage 9" in " ".join(err.value.details["shots"][0]["blockers"])


def test_render_then_rerender_only_what_changed(rushes, demo):
    scene = demo["scene_ids"][0]
    take1, _ = confirm_take(rushes, scene, "t1")
    work_until_idle(rushes)
    with rushes.db.session() as s:
        view = take_view(s, take1)
    assert view["finished"] and [x["state"] for x in view["shots"]] == ["succeeded"] * 4
    assert all(x["clip"]["url"].endswith(".mp4") for x in view["shots"])
    assert len(notifications(rushes)) == 1

    # A dialogue fix on 1C: only that shot renders and is charged.
    from rushes.services.editing import write_prompt_set
    from rushes.services.snapshot import load_scene

    with rushes.db.session() as s:
        snap = load_scene(s, scene, rushes.render_spec)
        shot_id = snap.shot_ids[2]
        set_lock(rushes, s, scene, 7, False)
        update_shot(s, shot_id, {"dialogue": "TOM: Mayday! We're going down!"})
    with rushes.db.session() as s:
        write_prompt_set(s, load_scene(s, scene, rushes.render_spec).assessment.shot(shot_id))
    before = account_balance(rushes)
    take2, _ = confirm_take(rushes, scene, "t2")
    work_until_idle(rushes)
    with rushes.db.session() as s:
        view = take_view(s, take2)
    assert [x["reused"] for x in view["shots"]] == [True, True, False, True]
    assert view["cost_credits"] == 80
    assert account_balance(rushes) == before - 80
    assert len(notifications(rushes)) == 2


def test_transient_429s_retry_with_backoff_then_succeed(tmp_path):
    from rushes.services.demo import create_demo

    app = make_rushes(tmp_path, mock_fail_429=0.5, mock_seed=7, job_max_attempts=8)
    scene = create_demo(app)["scene_ids"][1]
    take, _ = confirm_take(app, scene, "k")
    work_until_idle(app)
    with app.db.session() as s:
        view = take_view(s, take)
    assert [x["state"] for x in view["shots"]] == ["succeeded"] * 3
    assert max(x["attempt"] for x in view["shots"]) > 1  # some 429s happened and were retried
    assert len(app.video.submissions()) == 3  # a refused submit is not a submission
    assert not ledger(app, "refund")


@pytest.mark.parametrize("fault, kind", [("mock_fail_safety", "safety"), ("mock_fail_corrupt", "corrupt")])
def test_safety_and_corrupt_output_fail_at_once_with_reason_and_refund_once(tmp_path, fault, kind):
    from rushes.services.demo import create_demo

    app = make_rushes(tmp_path, **{fault: 1.0})
    scene = create_demo(app)["scene_ids"][1]
    before = account_balance(app)
    take, _ = confirm_take(app, scene, "k")
    work_until_idle(app)
    with app.db.session() as s:
        view = take_view(s, take)
        jobs = list(s.scalars(select(m.RenderJob).where(m.RenderJob.kind == "clip")))
    assert [x["state"] for x in view["shots"]] == ["failed"] * 3
    assert all(j.error_kind == kind and j.attempt == 1 for j in jobs)
    assert all(x["error"] for x in view["shots"])
    assert len(ledger(app, "refund")) == 3
    assert account_balance(app) == before
    # Ending an ended job again refunds nothing more.
    from rushes.jobs.queue import end_job, refund_once

    with app.db.session() as s:
        for job in s.scalars(select(m.RenderJob).where(m.RenderJob.kind == "clip")):
            end_job(s, job, "failed", "again", refund=True)
            assert refund_once(s, job, "again") is False
    assert len(ledger(app, "refund")) == 3
    notes = notifications(app)
    assert len(notes) == 1 and notes[0].kind == "take_failed"


def test_transient_errors_until_the_limit_fail_and_refund(tmp_path):
    from rushes.services.demo import create_demo

    app = make_rushes(tmp_path, mock_fail_429=1.0, job_max_attempts=3)
    scene = create_demo(app)["scene_ids"][1]
    take, _ = confirm_take(app, scene, "k")
    work_until_idle(app)
    with app.db.session() as s:
        jobs = list(s.scalars(select(m.RenderJob).where(m.RenderJob.kind == "clip")))
    assert all(j.state == "failed" and j.attempt == 3 and "gave up after 3 tries" in j.error for j in jobs)
    assert len(ledger(app, "refund")) == 3


def test_cancel_refunds_queued_jobs_and_keeps_the_clip_already_paid_for(tmp_path):
    """A render already at the provider is billed there: it is fetched, kept as a version, and reused free."""
    from rushes.services.demo import create_demo

    clock = FakeClock()
    app = make_rushes(tmp_path, mock_latency_seconds=1.0, clock=clock)
    scene = create_demo(app)["scene_ids"][0]
    take, _ = confirm_take(app, scene, "k")
    worker = Worker(app)
    assert worker.run_once()  # 1A submitted, now rendering for 1 s
    view = cancel_take(app, take)
    states = {x["code"]: x["state"] for x in view["shots"]}
    assert states["1A"] == "rendering" and {states[c] for c in ("1B", "1C", "1D")} == {"cancelled"}
    assert not view["finished"]
    with pytest.raises(Conflict, match="still rendering"):
        confirm_take(app, scene, "too-soon")
    clock.advance(1.5)  # 1A's render lands
    work_until_idle(app)
    with app.db.session() as s:
        view = take_view(s, take)
        clips = list(s.scalars(select(m.Clip)))
    assert view["shots"][0]["state"] == "cancelled" and view["finished"]
    assert "kept as 1A v1" in view["shots"][0]["job"]["error"]
    assert [c.shot_id for c in clips] == [view["shots"][0]["shot_id"]]
    refunds = ledger(app, "refund")
    assert sorted(r.amount for r in refunds) == [60, 80, 80]  # queued 1B, 1C, 1D; 1A was billed and delivered
    kept = ledger(app, "kept")
    assert len(kept) == 1 and kept[0].amount == 0 and "charge stands" in kept[0].memo
    before = account_balance(app)
    again, created = confirm_take(app, scene, "after-cancel")
    with app.db.session() as s:
        shots = {x["code"]: x for x in take_view(s, again)["shots"]}
    assert created and shots["1A"]["reused"] and shots["1A"]["clip"]["id"] == clips[0].id
    assert before - account_balance(app) == 220  # 1B, 1C, 1D only


def test_frame_jobs_run_on_the_same_worker_and_charge_per_frame(rushes, demo):
    from rushes.services.frame_jobs import enqueue_frames

    scene = demo["scene_ids"][0]
    with rushes.db.session() as s:
        shot_id = s.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene).order_by(m.Shot.id).offset(1).limit(1))
    before = account_balance(rushes)
    job_id = enqueue_frames(rushes, shot_id, ("start",))
    work_until_idle(rushes)
    with rushes.db.session() as s:
        job = s.get(m.RenderJob, job_id)
        frames = list(s.scalars(select(m.Frame).where(m.Frame.shot_id == shot_id, m.Frame.kind == "start")))
    assert job.state == "succeeded"
    assert [f.version for f in frames] == [1, 2] and frames[0].media_key != frames[1].media_key
    assert account_balance(rushes) == before - rushes.prices.frame_image


def test_a_take_with_a_failed_shot_can_be_completed_by_a_new_take(tmp_path):
    from rushes.services.demo import create_demo

    app = make_rushes(tmp_path, mock_fail_safety=1.0)
    scene = create_demo(app)["scene_ids"][1]
    first, _ = confirm_take(app, scene, "k1")
    work_until_idle(app)
    app.video.fail_safety = 0.0  # the provider recovers
    second, created = confirm_take(app, scene, "k2")
    assert created and second != first
    work_until_idle(app)
    with app.db.session() as s:
        view = take_view(s, second)
    assert [x["state"] for x in view["shots"]] == ["succeeded"] * 3
    with pytest.raises(Conflict, match="nothing to render"):
        confirm_take(app, scene, "k3")
