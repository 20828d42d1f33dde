"""Pacing submissions to a quota: the sliding log of send slots, checked without a database."""

from __future__ import annotations

import random

from rushes.domain.quota import SENDING, SENT, Bucket, Pace, answered, ask, forget, refused_for_quota

PACE = Pace(per_window=3, window=10.0)


def test_a_full_window_goes_at_once_and_the_next_waits_for_the_oldest_answer_to_leave_it():
    bucket = Bucket()
    for job in (1, 2, 3):
        bucket, at = ask(bucket, PACE, job, now=100.0)
        assert at == 100.0
        bucket = answered(bucket, job, now=100.5)
    bucket, at = ask(bucket, PACE, 4, now=101.0)
    # Counted from the answer, not the send: the provider saw it no later than that.
    assert at == 110.5
    assert [s.state for s in bucket.slots if s.job_id == 4] == ["reserved"]


def test_reservations_queue_in_order_and_give_each_shot_its_own_eta():
    bucket, _ = ask(Bucket(), PACE, 1, now=0.0)
    bucket = answered(bucket, 1, now=0.0)
    times = []
    for job in range(2, 10):
        bucket, at = ask(bucket, PACE, job, now=0.0)
        times.append(at)
    assert times == [0.0, 0.0, 10.0, 10.0, 10.0, 20.0, 20.0, 20.0]


def test_after_a_quiet_spell_one_request_probes_before_the_rest_follow():
    bucket, first = ask(Bucket(), PACE, 1, now=0.0)
    bucket, second = ask(bucket, PACE, 2, now=0.0)
    assert first == 0.0 and 0.0 < second <= 1.0  # a shared quota refuses one probe, not a whole burst
    bucket = answered(bucket, 1, now=0.4)
    bucket, go = ask(bucket, PACE, 2, now=second)
    assert go == second


def test_a_job_woken_early_keeps_its_slot_and_one_woken_on_time_goes():
    bucket = Bucket()
    for job in (1, 2, 3):
        bucket, _ = ask(bucket, PACE, job, now=0.0)
        bucket = answered(bucket, job, now=0.0)
    bucket, at = ask(bucket, PACE, 4, now=1.0)
    assert at == 10.0
    bucket, again = ask(bucket, PACE, 4, now=5.0)
    assert again == 10.0
    bucket, go = ask(bucket, PACE, 4, now=10.0)
    assert go == 10.0 and [s.state for s in bucket.slots if s.job_id == 4] == [SENDING]


def test_a_late_answer_pushes_a_reserved_job_back_instead_of_overrunning():
    pace = Pace(per_window=2, window=10.0)
    bucket, _ = ask(Bucket(), pace, 1, now=0.0)
    bucket = answered(bucket, 1, now=0.0)
    bucket, go2 = ask(bucket, pace, 2, now=0.0)
    bucket, at3 = ask(bucket, pace, 3, now=0.0)
    bucket, at4 = ask(bucket, pace, 4, now=0.0)  # planned while 2 is still on the wire
    assert (go2, at3, at4) == (0.0, 10.0, 10.0)
    bucket = answered(bucket, 2, now=2.0)  # its answer took two seconds
    bucket, go3 = ask(bucket, pace, 3, now=10.0)
    assert go3 == 12.0  # the window ending at 10 still holds shot 2's answer and shot 4's due slot
    bucket, go4 = ask(bucket, pace, 4, now=10.0)
    assert go4 == 10.0


def test_requests_on_the_wire_count_until_they_answer():
    bucket, _ = ask(Bucket(), PACE, 9, now=0.0)
    bucket = answered(bucket, 9, now=0.0)
    for job in (1, 2):
        bucket, _ = ask(bucket, PACE, job, now=0.0)
    bucket, at = ask(bucket, PACE, 4, now=30.0)  # 1-3 never answered (slow, or their worker is stuck)
    assert at > 30.0
    stale = Pace(per_window=3, window=10.0, stale_after=20.0)
    bucket, go = ask(bucket, stale, 5, now=30.0)  # older than stale_after: a dead worker's request
    assert go == 30.0


def test_a_429_holds_everyone_back_a_window_and_keeps_the_refused_job_first():
    bucket = Bucket()
    bucket, _ = ask(bucket, PACE, 1, now=0.0)
    bucket, at = refused_for_quota(bucket, PACE, 1, now=0.5, retry_after=None)
    assert at == 10.5 and bucket.backoff_until == 10.5
    bucket, other = ask(bucket, PACE, 2, now=1.0)
    assert other >= 10.5
    bucket, hinted = refused_for_quota(bucket, PACE, 1, now=11.0, retry_after=30.0)
    assert hinted == 41.0


def test_forgetting_a_cancelled_reservation_frees_its_place():
    bucket = Bucket()
    for job in range(1, 5):
        bucket, _ = ask(bucket, PACE, job, now=0.0)
    bucket = forget(bucket, 4)
    assert [s.job_id for s in bucket.slots] == [1, 2, 3]


def test_json_round_trip():
    bucket = Bucket()
    bucket, _ = ask(bucket, PACE, 1, now=0.0)
    bucket = answered(bucket, 1, now=0.25)
    again = Bucket.from_json(bucket.to_json(), bucket.backoff_until)
    assert again.slots == bucket.slots and again.slots[0].state == SENT


def test_randomised_workers_never_exceed_the_quota_at_the_provider():
    """Random wake-up lateness and answer latency: count arrivals the way the provider does."""
    rng = random.Random(11)
    pace = Pace(per_window=4, window=5.0)
    bucket, due, arrivals, t = Bucket(), dict.fromkeys(range(40), 0.0), [], 0.0
    while due:
        t += rng.uniform(0.0, 0.3)
        for job in [j for j, at in due.items() if at <= t]:
            bucket, at = ask(bucket, pace, job, now=t)
            if at > t:
                due[job] = at + rng.uniform(0.0, 0.4)  # the worker wakes a little late
                continue
            arrival = t + rng.uniform(0.0, 0.5)
            arrivals.append(arrival)
            bucket = answered(bucket, job, now=arrival + rng.uniform(0.0, 0.5))
            del due[job]
    arrivals.sort()
    worst = max(sum(1 for a in arrivals if start - pace.window < a <= start) for start in arrivals)
    assert len(arrivals) == 40 and worst <= pace.per_window
