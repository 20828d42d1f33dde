"""Veo's quota respected: every worker paces submissions through one database row; a 429 spends nothing.

The fake Vertex server enforces a quota the way Vertex does (N accepted submissions per sliding
window, 429 RESOURCE_EXHAUSTED beyond), with a short window so the runs take seconds, not minutes.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from rushes.jobs.runner import Worker
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
    cheap_video,
    open_job_count,
    seed_stress_jobs,
    start_worker,
    stop_workers,
    wait_for,
    worker_env,
    worker_log,
)

MODEL = "veo-3.1-fast-generate-001"


def vertex_values(fake: FakeVertex, per_window: int, window: float) -> dict:
    return dict(video_provider="veo", veo_model=MODEL, vertex_base_url=fake.base_url, vertex_token=fake.token,
                vertex_project="test-project", vertex_location="us-central1",
                veo_requests_per_minute=per_window, veo_rate_window_seconds=window)


def test_shots_beyond_the_quota_wait_visibly_with_their_own_eta_and_spend_no_attempt(tmp_path, fake_vertex):
    app = make_rushes(tmp_path, **vertex_values(fake_vertex, per_window=1, window=30.0))
    scene_id = create_demo(app)["scene_ids"][1]  # 2A, 2B, 2C
    take_id, _ = confirm_take(app, scene_id, "quota-view")
    worker = Worker(app)
    while worker.run_once():
        pass  # every job gets one claim: the first is sent, the others take their place in line
    with app.db.session() as s:
        view = take_view(s, take_id)
    states = [(s["state"], s["attempt"], s["quota"] is not None) for s in view["shots"]]
    assert states[0] in (("rendering", 1, False), ("succeeded", 1, False))
    assert states[1:] == [("queued", 0, True), ("queued", 0, True)]
    etas = [s["quota"]["eta_seconds"] for s in view["shots"][1:]]
    times = [s["quota"]["at"] for s in view["shots"][1:]]
    # One window apart: each shot has its own estimate, the first within a window from now.
    assert 15 < etas[0] <= 30.5 and times[1] - times[0] == pytest.approx(30.0, abs=0.01)
    assert len(fake_vertex.submissions) == 1
    with app.db.session() as s:
        [row] = s.scalars(select(m.ProviderQuota))
        assert [slot[2] for slot in row.slots] == ["sent", "reserved", "reserved"]


def test_a_429_puts_the_job_back_first_in_line_without_spending_an_attempt(tmp_path, fake_vertex):
    fake_vertex.script_submit([{"status": 429, "message": "Quota exceeded"}])
    app = make_rushes(tmp_path, **vertex_values(fake_vertex, per_window=10, window=0.5))
    scene_id = create_demo(app)["scene_ids"][1]
    take_id, _ = confirm_take(app, scene_id, "quota-429")
    work_until_idle(app)
    jobs = assert_each_job_ended_once(app, list(fake_vertex.operations))  # attempt == 1 for every job
    assert len(fake_vertex.submissions) == 4
    [refused] = [j for j in jobs if j.payload.get("quota_refusals")]
    assert refused.payload["quota_refusals"] == 1 and refused.error is None and refused.quota_at is None
    # The 429 held every worker back for a window: nothing was sent until it had passed.
    first, *rest = fake_vertex.submissions
    assert all(r.at - first.at >= 0.45 for r in rest)


def test_pacing_off_keeps_the_old_retry_that_spends_an_attempt(tmp_path, fake_vertex):
    fake_vertex.script_submit([{"status": 429, "retry_after": 0.05}])
    app = make_rushes(tmp_path, **vertex_values(fake_vertex, per_window=0, window=60.0))
    scene_id = create_demo(app)["scene_ids"][1]
    confirm_take(app, scene_id, "unpaced")
    work_until_idle(app)
    assert sorted(j.attempt for j in all_jobs(app)) == [1, 1, 2]


def test_a_cancelled_shot_gives_its_place_in_line_back(tmp_path, fake_vertex):
    from rushes.services.takes import cancel_take

    app = make_rushes(tmp_path, **vertex_values(fake_vertex, per_window=1, window=30.0))
    scene_id = create_demo(app)["scene_ids"][1]
    take_id, _ = confirm_take(app, scene_id, "quota-cancel")
    worker = Worker(app)
    while worker.run_once():
        pass
    cancel_take(app, take_id)
    # The shot already sent keeps rendering after the cancel (its clip is kept): let it land.
    work_until_idle(app)
    with app.db.session() as s:
        [row] = s.scalars(select(m.ProviderQuota))
        assert [slot[2] for slot in row.slots] == ["sent"]  # the reservations of cancelled shots are gone
        first, *waiting = s.scalars(select(m.RenderJob).where(m.RenderJob.kind == "clip").order_by(m.RenderJob.id))
        assert [j.state for j in waiting] == ["cancelled", "cancelled"]
        assert first.state in ("cancelled", "succeeded")  # the sent one may have finished before the cancel


class QuotaWatcher:
    """Samples the take views while workers run: the queued-for-quota state must be visible."""

    def __init__(self, app) -> None:
        self.app, self.seen, self.max_eta = app, 0, 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self.done.wait(0.2):
            with self.app.db.session() as s:
                for take_id in s.scalars(select(m.Take.id)):
                    for shot in take_view(s, take_id)["shots"]:
                        if shot["quota"]:
                            self.seen += 1
                            self.max_eta = max(self.max_eta, shot["quota"]["eta_seconds"])

    def __enter__(self) -> QuotaWatcher:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join(timeout=5)


@pytest.mark.slow
def test_worker_processes_share_the_quota_and_provoke_no_429_beyond_the_first(tmp_path, fake_vertex, db_url):
    per_window, window, processes = 4, 2.0, 3
    fake_vertex.set_quota(per_window, window)
    fake_vertex.use_quota(per_window)  # another client just used the whole window: our first call is refused
    fake_vertex.default_operation(polls_until_done=2, video_bytes=cheap_video)
    vertex = vertex_values(fake_vertex, per_window, window)
    app = make_rushes(tmp_path, db_url, **vertex)
    total = seed_stress_jobs(app, 7)  # 4 + 7 x 4 = 32 shots
    env = worker_env(tmp_path, db_url, **vertex)
    names = [f"paced-{i}" for i in range(processes)]
    started = time.monotonic()
    procs = [start_worker(tmp_path, env, name, concurrency=2) for name in names]
    try:
        with QuotaWatcher(app) as watcher:
            wait_for(lambda: open_job_count(app) == 0 or any(p.poll() is not None for p in procs), timeout=120,
                     interval=0.2, message="the paced workers to drain the queue")
        assert all(p.poll() is None for p in procs), "a worker died while jobs were open"
    finally:
        codes = stop_workers(procs)
    elapsed = time.monotonic() - started
    logs = {name: worker_log(tmp_path, name) for name in names}
    assert codes == [0] * processes, logs
    assert all("Traceback" not in text for text in logs.values()), logs
    assert total == 32
    assert fake_vertex.quota_refusals == 1, fake_vertex.quota_refusals
    assert len(fake_vertex.submissions) == total + 1
    assert_each_job_ended_once(app, list(fake_vertex.operations))  # and attempt == 1: the 429 cost nothing
    assert watcher.seen > 0 and watcher.max_eta > window
    # Never more than the quota in any window, counted at arrival as the server does.
    arrivals = sorted(fake_vertex.accepted_at[per_window:])
    worst = max(sum(1 for a in arrivals if t - window < a <= t) for t in arrivals)
    assert worst <= per_window
    print(f"\n{processes} paced workers sent {total} shots at {per_window}/{window:.0f} s in {elapsed:.1f} s; "
          f"429s: {fake_vertex.quota_refusals}; longest wait shown: {watcher.max_eta:.1f} s")
    app.db.dispose()
