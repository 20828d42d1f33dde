"""The worker end to end on the Veo adapter: the real google-genai SDK against the fake Vertex server."""

from __future__ import annotations

import signal
from collections import Counter

import pytest
from sqlalchemy import select

from rushes.services.accounts import balance
from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.takes import take_view
from rushes.store import models as m
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env  # noqa: F401
from tests.fakes.vertex_server import FakeVertex
from tests.integration.conftest import make_rushes, work_until_idle
from tests.integration.test_worker_processes import (
    all_jobs,
    assert_each_job_ended_once,
    start_worker,
    worker_env,
    worker_log,
)

MODEL = "veo-3.1-fast-generate-001"


def vertex_values(fake: FakeVertex) -> dict:
    return dict(video_provider="veo", veo_model=MODEL, vertex_base_url=fake.base_url, vertex_token=fake.token,
                vertex_project="test-project", vertex_location="us-central1")


def confirmed(tmp, fake: FakeVertex, **settings):
    """Scene 2 of the demo (2A 8 s, 2B 8 s, 2C 6 s) confirmed for Veo; returns (app, take id, balance before)."""
    app = make_rushes(tmp, **vertex_values(fake), **settings)
    scene_id = create_demo(app)["scene_ids"][1]
    before = account_balance(app)
    take_id, _ = confirm_take(app, scene_id, "veo-take")
    return app, take_id, before


def account_balance(app) -> int:
    with app.db.session() as s:
        return balance(s, 1)


def view(app, take_id: int) -> dict:
    with app.db.session() as s:
        return take_view(s, take_id)


def ledger(app, kind: str) -> list[m.LedgerEntry]:
    with app.db.session() as s:
        return list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.kind == kind)))


def notification_kinds(app) -> list[str]:
    with app.db.session() as s:
        return [n.kind for n in s.scalars(select(m.Notification))]


def assert_failed_and_refunded_once(app, take_id: int, before: int, kind: str, reason: str) -> list[m.RenderJob]:
    jobs = all_jobs(app)
    assert all(j.state == "failed" and j.error_kind == kind and reason in j.error for j in jobs), \
        [(j.state, j.error_kind, j.error) for j in jobs]
    shots = view(app, take_id)["shots"]
    assert all(s["state"] == "failed" and reason in s["error"] and s["refunded"] for s in shots)
    refunds = ledger(app, "refund")
    assert sorted(r.job_id for r in refunds) == [j.id for j in jobs]
    assert account_balance(app) == before
    assert notification_kinds(app) == ["take_failed"]
    assert not list(_clips(app))
    return jobs


def _clips(app):
    with app.db.session() as s:
        return list(s.scalars(select(m.Clip)))


def test_renders_succeed_after_several_polls_with_clips_of_the_ordered_length(tmp_path, fake_vertex):
    fake_vertex.default_operation(polls_until_done=3)
    app, take_id, before = confirmed(tmp_path, fake_vertex)
    work_until_idle(app)

    jobs = assert_each_job_ended_once(app, list(fake_vertex.operations))
    assert all(op.polls == 3 for op in fake_vertex.operations.values())
    by_job = {c.job_id: c for c in _clips(app)}
    for job in jobs:
        clip = by_job[job.id]
        assert (clip.provider, clip.model) == ("veo", MODEL)
        assert abs(clip.duration - job.payload["render_seconds"]) < 0.25
    sent = sorted(r.json["parameters"]["durationSeconds"] for r in fake_vertex.submissions)
    assert sent == sorted(j.payload["render_seconds"] for j in jobs) == [6, 8, 8]
    assert all(r.model == MODEL for r in fake_vertex.submissions)
    taken = view(app, take_id)
    assert taken["finished"] and taken["charged"] == taken["cost_credits"] == before - account_balance(app)
    assert notification_kinds(app) == ["take_finished"]


def test_a_429_on_submit_is_retried_and_then_renders(tmp_path, fake_vertex):
    fake_vertex.script_submit([{"status": 429, "retry_after": 0.1}])
    app, take_id, _ = confirmed(tmp_path, fake_vertex)
    work_until_idle(app)

    jobs = assert_each_job_ended_once(app, list(fake_vertex.operations), first_try=False)
    assert len(fake_vertex.submissions) == 4  # three accepted, one refused with 429 (not a render)
    # attempt counts submit calls: the refused one and the accepted one.
    assert sorted(j.attempt for j in jobs) == [1, 1, 2]
    assert not ledger(app, "refund")


def test_a_5xx_on_submit_may_have_started_a_render_so_it_waits_for_attention(tmp_path, fake_vertex):
    fake_vertex.script_submit([503])
    app, take_id, _ = confirmed(tmp_path, fake_vertex)
    work_until_idle(app)

    states = Counter(j.state for j in all_jobs(app))
    assert states == {"succeeded": 2, "attention": 1}
    [stuck] = [j for j in all_jobs(app) if j.state == "attention"]
    assert "503" in stuck.error and stuck.error_kind == "uncertain"
    assert len(fake_vertex.submissions) == 3  # the uncertain one was not sent again
    assert not view(app, take_id)["finished"]


def test_safety_filtered_render_fails_with_googles_reason_and_is_refunded_once(tmp_path, fake_vertex):
    fake_vertex.default_operation(polls_until_done=2, outcome="safety")
    app, take_id, before = confirmed(tmp_path, fake_vertex)
    work_until_idle(app)
    assert_failed_and_refunded_once(app, take_id, before, "safety", "usage guidelines")
    assert len(fake_vertex.submissions) == 3


def test_an_operation_error_fails_the_job_with_the_servers_message(tmp_path, fake_vertex):
    fake_vertex.default_operation(outcome="error", error_code=13, error_message="Video generation backend crashed.")
    app, take_id, before = confirmed(tmp_path, fake_vertex)
    work_until_idle(app)
    jobs = assert_failed_and_refunded_once(app, take_id, before, "failed", "Video generation backend crashed.")
    assert all("code 13" in j.error and j.attempt == 1 for j in jobs)


def test_500s_on_poll_until_the_retry_limit_fail_and_refund_without_resubmitting(tmp_path, fake_vertex):
    fake_vertex.script_poll([500] * 30)
    app, take_id, before = confirmed(tmp_path, fake_vertex, job_max_attempts=3)
    work_until_idle(app)
    jobs = assert_failed_and_refunded_once(app, take_id, before, "transient", "gave up after 3 tries")
    assert all("500" in j.error and j.payload["poll_errors"] == 3 and j.attempt == 1 for j in jobs)
    assert len(fake_vertex.submissions) == 3 and len(fake_vertex.polls) == 9


@pytest.mark.parametrize("outcome, reason", [("empty", "empty video"), ("corrupt", "unusable clip")])
def test_empty_or_corrupt_video_bytes_fail_as_corrupt_and_refund(tmp_path, fake_vertex, outcome, reason):
    fake_vertex.default_operation(outcome=outcome)
    app, take_id, before = confirmed(tmp_path, fake_vertex)
    work_until_idle(app)
    assert_failed_and_refunded_once(app, take_id, before, "corrupt", reason)


@pytest.mark.slow
def test_a_worker_killed_between_submit_and_done_is_resumed_without_a_second_submission(tmp_path, fake_vertex):
    fake_vertex.default_operation(polls_until_done=3)
    app, take_id, _ = confirmed(tmp_path, fake_vertex, job_lease_seconds=1.0)
    url = app.settings.database_url
    env = worker_env(tmp_path, url, job_lease_seconds=1.0, **vertex_values(fake_vertex))
    env["RUSHES_CRASH_AT"] = "after_submit"
    proc = start_worker(tmp_path, env, "veo-crash")
    code = proc.wait(timeout=60)
    assert code == -signal.SIGKILL, worker_log(tmp_path, "veo-crash")
    [first] = list(fake_vertex.operations)
    [sent] = [j for j in all_jobs(app) if j.operation_name]
    assert sent.operation_name == first and sent.state == "rendering"

    work_until_idle(app)  # a fresh worker resumes the stored operation

    assert_each_job_ended_once(app, list(fake_vertex.operations))
    assert len(fake_vertex.submissions) == 3
    assert fake_vertex.operations[first].polls == 3
    assert view(app, take_id)["finished"]
