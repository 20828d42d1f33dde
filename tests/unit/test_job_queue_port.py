"""The job queue port's contract, run against every adapter: in memory, SQL on SQLite (and on PostgreSQL
when RUSHES_TEST_POSTGRES_URL is set). Time comes from a FakeClock: leases expire without sleeping."""

from __future__ import annotations

import dataclasses
import os
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from rushes.clock import FakeClock
from rushes.domain.events import TakeFinished
from rushes.domain.jobs import JobKind, JobState
from rushes.jobs.memory_queue import InMemoryJobQueue
from rushes.jobs.port import JobQueue, JobRecord, LeaseLost, NewJob

LEASE = 30.0


@dataclass
class World:
    """A queue with an account, a scene, shots and takes to hang jobs on, and what it published."""

    queue: JobQueue
    clock: FakeClock
    account_id: int
    scene_id: int
    shots: list[int]
    new_take: object
    refunded: object
    published: list = field(default_factory=list)

    def job(self, kind: JobKind = JobKind.CLIP, **values) -> int:
        return self.queue.defer(NewJob(kind=kind, account_id=self.account_id, scene_id=self.scene_id, **values))


def _memory_world() -> World:
    clock = FakeClock()
    published: list = []
    queue = InMemoryJobQueue(clock, publish=lambda _session, event: published.append(event))
    takes = iter(range(1, 100))
    return World(queue, clock, 1, 1, [1, 2, 3, 4], lambda: next(takes),
                 lambda job_id: queue.refunds.get(job_id, 0), published)


def _sql_world(url: str) -> tuple[World, object]:
    from rushes.store import models as m
    from rushes.store.db import Database
    from rushes.store.job_queue import SqlJobQueue
    from rushes.store.migrate import upgrade

    upgrade(url)
    db = Database(url)
    clock = FakeClock()
    published: list = []
    queue = SqlJobQueue(db, publish=lambda _session, event: published.append(event), clock=clock)
    with db.session() as s:
        account = m.Account(name="studio")
        s.add(account)
        s.flush()
        project = m.Project(account_id=account.id, name="film")
        s.add(project)
        s.flush()
        scene = m.Scene(project_id=project.id, number=1, title="one")
        s.add(scene)
        s.flush()
        shots = [m.Shot(scene_id=scene.id) for _ in range(4)]
        s.add_all(shots)
        s.flush()
        ids = account.id, scene.id, [shot.id for shot in shots]
    numbers = iter(range(1, 100))

    def new_take() -> int:
        with db.session() as s:
            take = m.Take(scene_id=ids[1], number=next(numbers), idempotency_key=uuid.uuid4().hex, render={})
            s.add(take)
            s.flush()
            return take.id

    def refunded(job_id: int) -> int:
        with db.session() as s:
            return s.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0)).where(
                m.LedgerEntry.job_id == job_id, m.LedgerEntry.kind == "refund")) or 0

    return World(queue, clock, ids[0], ids[1], ids[2], new_take, refunded, published), db


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def world(request, tmp_path):
    if request.param == "memory":
        yield _memory_world()
        return
    if request.param == "sqlite":
        built, db = _sql_world(f"sqlite:///{tmp_path / 'queue.db'}")
        yield built
        db.dispose()
        return
    server = os.environ.get("RUSHES_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("RUSHES_TEST_POSTGRES_URL is not set")
    admin_url = make_url(server)
    name = f"rushes_q_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        built, db = _sql_world(admin_url.set(database=name).render_as_string(hide_password=False))
        yield built
        db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_claimed_job_is_a_frozen_record_held_by_one_owner(world):
    job_id = world.job(payload={"code": "1A"}, cost_credits=80, shot_id=world.shots[0])
    job = world.queue.claim("w1", LEASE)
    assert isinstance(job, JobRecord)
    assert (job.id, job.kind, job.state, job.lease_owner) == (job_id, JobKind.CLIP, JobState.QUEUED, "w1")
    assert job.payload["code"] == "1A" and job.cost_credits == 80
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.state = JobState.SUCCEEDED  # type: ignore[misc]
    assert world.queue.claim("w2", LEASE) is None


def test_due_jobs_are_claimed_in_order_and_later_ones_wait(world):
    later = world.job(run_after=world.clock.now() + 60)
    first = world.job()
    second = world.job(kind=JobKind.FRAMES)
    assert world.queue.claim("w", 3600).id == first
    assert world.queue.claim("w", 3600).id == second
    assert world.queue.claim("w", 3600) is None
    world.clock.advance(61)
    assert world.queue.claim("w", 3600).id == later


def test_claims_filter_by_kind_and_take(world):
    take = world.new_take()
    world.job(kind=JobKind.FRAMES)
    mine = world.job(take_id=take)
    qc = world.job(kind=JobKind.QC, take_id=take)
    assert world.queue.claim("w", LEASE, kinds=(JobKind.QC,)).id == qc
    assert world.queue.claim("w", LEASE, take_id=take).id == mine
    assert world.queue.claim("w", LEASE, take_id=take) is None


def test_a_heartbeat_keeps_the_lease_and_an_expired_lease_goes_to_another_worker(world):
    job_id = world.job()
    world.queue.claim("w1", LEASE)
    world.clock.advance(LEASE - 1)
    assert world.queue.heartbeat(job_id, "w1", LEASE) is True
    assert world.queue.heartbeat(job_id, "w2", LEASE) is False
    world.clock.advance(LEASE - 1)
    assert world.queue.claim("w2", LEASE) is None  # the heartbeat moved the expiry on
    world.clock.advance(2)
    assert world.queue.claim("w2", LEASE).id == job_id
    assert world.queue.heartbeat(job_id, "w1", LEASE) is False
    with pytest.raises(LeaseLost):
        world.queue.finish(job_id, "w1")
    world.queue.finish(job_id, "w2")
    assert world.queue.get(job_id).state == JobState.SUCCEEDED


def test_a_snooze_hands_the_job_back_due_later_with_its_state(world):
    job_id = world.job(payload={"code": "1A"})
    world.queue.claim("w", LEASE)
    world.queue.snooze(job_id, "w", world.clock.now() + 5, error="busy", payload={"crashes": 1})
    job = world.queue.get(job_id)
    assert (job.state, job.lease_owner, job.error) == (JobState.QUEUED, None, "busy")
    assert dict(job.payload) == {"code": "1A", "crashes": 1}
    assert world.queue.claim("w", LEASE) is None
    world.clock.advance(5)
    assert world.queue.claim("other", LEASE).id == job_id
    with pytest.raises(LeaseLost):
        world.queue.snooze(job_id, "w", 0.0)


def test_a_job_ends_once(world):
    job_id = world.job(cost_credits=40, shot_id=world.shots[0])
    world.queue.claim("w", LEASE)
    world.queue.finish(job_id, "w", payload={"key": "k"})
    job = world.queue.get(job_id)
    assert (job.state, job.ended, job.progress, job.payload["key"]) == (JobState.SUCCEEDED, True, 1.0, "k")
    with pytest.raises(LeaseLost):  # the end released the lease: nobody can end it again
        world.queue.fail(job_id, "w", "late", refund=True)
    assert world.queue.cancel(job_id, "too late") is False
    assert world.queue.get(job_id).state == JobState.SUCCEEDED
    assert world.refunded(job_id) == 0
    assert world.queue.claim("w", LEASE) is None


def test_a_failed_job_is_refunded_at_most_once(world):
    job_id = world.job(cost_credits=40, shot_id=world.shots[0])
    world.queue.claim("w", LEASE)
    world.queue.fail(job_id, "w", "safety filter", "safety", refund=True)
    job = world.queue.get(job_id)
    assert (job.state, job.error, job.error_kind) == (JobState.FAILED, "safety filter", "safety")
    assert world.refunded(job_id) == 40
    assert world.queue.cancel(job_id, "again", refund=True) is False
    assert world.refunded(job_id) == 40


def test_cancel_ends_a_waiting_job_now_and_flags_a_held_one(world):
    held = world.job(cost_credits=10, shot_id=world.shots[0])  # deferred first: claimed first
    waiting = world.job(cost_credits=10, shot_id=world.shots[1])
    assert world.queue.claim("w", LEASE).id == held
    assert world.queue.cancel(waiting, "cancelled before it was sent") is True
    assert world.queue.get(waiting).state == JobState.CANCELLED and world.refunded(waiting) == 10
    assert world.queue.cancel(held, "cancel") is False  # its worker ends it at its next step
    job = world.queue.get(held)
    assert job.cancel_requested and job.state == JobState.QUEUED and world.refunded(held) == 0


def test_the_last_job_of_a_take_publishes_take_finished_once(world):
    take = world.new_take()
    first = world.job(take_id=take, shot_id=world.shots[0])
    second = world.job(take_id=take, shot_id=world.shots[1], cost_credits=5)
    world.queue.claim("w", LEASE)
    world.queue.finish(first, "w")
    assert world.published == []
    world.queue.claim("w", LEASE)
    world.queue.fail(second, "w", "gave up", "transient", refund=True)
    assert world.published == [TakeFinished(take, world.scene_id, failed=1, cancelled=False)]
    assert world.published[0].outcome == "failed"
    other = world.new_take()
    world.queue.cancel(world.job(take_id=other, shot_id=world.shots[2]), "cancelled")
    assert world.published[-1] == TakeFinished(other, world.scene_id)


def test_a_job_deferred_in_a_transaction_rolls_back_with_it(tmp_path):
    built, db = _sql_world(f"sqlite:///{tmp_path / 'queue.db'}")
    with pytest.raises(RuntimeError), db.session() as session:
        built.queue.defer(NewJob(kind=JobKind.FRAMES, account_id=built.account_id, scene_id=built.scene_id),
                          within=session)
        raise RuntimeError("the charge failed")
    assert built.queue.claim("w", LEASE) is None
    with db.session() as session:
        job_id = built.queue.defer(NewJob(kind=JobKind.FRAMES, account_id=built.account_id,
                                          scene_id=built.scene_id), within=session)
    assert built.queue.claim("w", LEASE).id == job_id
    db.dispose()
