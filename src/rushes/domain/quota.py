"""Pacing provider submissions to a requests-per-window quota: a sliding log of send slots, pure logic.

The log holds one slot per recent or coming submission:

- ``sending``: a request is on the wire. It counts against every window until its answer is back,
  because the provider counts it when it *arrives*, which we cannot see.
- ``sent``: the answer came back at ``at``. The provider saw it no later than that, so counting it
  until ``at + window`` is safe whatever the network or the worker's scheduling did meanwhile.
- ``reserved``: a job snoozed until ``at``, its place in line; this is what makes an ETA honest.

A job may send at ``now`` only if fewer than ``per_window`` other slots count at ``now`` (and, after
a quiet spell, only once the first request has been answered: see `_probing`). Reserved
slots are only a plan: every job checks again when it wakes, so a late answer or a 429 shifts the
plan instead of overrunning the quota.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

RESERVED, SENDING, SENT = "reserved", "sending", "sent"


@dataclass(frozen=True)
class Pace:
    per_window: int
    window: float
    # A "sending" slot older than this belongs to a worker that died mid-request; stop counting it.
    stale_after: float = 300.0

    @property
    def spacing(self) -> float:
        return self.window / self.per_window


@dataclass(frozen=True)
class Slot:
    at: float
    job_id: int
    state: str


@dataclass
class Bucket:
    slots: list[Slot] = field(default_factory=list)
    backoff_until: float = 0.0

    def to_json(self) -> list[list]:
        return [[s.at, s.job_id, s.state] for s in self.slots]

    @classmethod
    def from_json(cls, rows: list | None, backoff_until: float | None) -> Bucket:
        return cls([Slot(float(at), int(job), str(state)) for at, job, state in rows or []], float(backoff_until or 0.0))


def _prune(bucket: Bucket, pace: Pace, now: float) -> list[Slot]:
    keep = []
    for s in bucket.slots:
        if s.state == SENDING and s.at > now - pace.stale_after:
            keep.append(s)
        elif s.state != SENDING and s.at > now - pace.window:
            keep.append(s)
    return keep


def _counting(slots: list[Slot], pace: Pace, now: float, job_id: int) -> list[Slot]:
    """Slots that use up room at `now`: on the wire, answered within the window, or due and about to go."""
    # A sent slot stamped ahead of our clock (another machine's) still counts; a reservation only once due.
    return [s for s in slots if s.job_id != job_id and (
        s.state == SENDING or (s.state == SENT and s.at > now - pace.window)
        or (s.state == RESERVED and now - pace.window < s.at <= now))]


def ask(bucket: Bucket, pace: Pace, job_id: int, now: float) -> tuple[Bucket, float]:
    """May `job_id` send now? Returns the new bucket and the time it may send (`now` = go, marked sending).

    A job already holding a reservation keeps its place; a new one queues behind every reservation.
    """
    slots = _prune(bucket, pace, now)
    own = next((s for s in slots if s.job_id == job_id and s.state == RESERVED), None)
    others = [s for s in slots if s.job_id != job_id]
    if own is not None and own.at > now:
        return Bucket(slots, bucket.backoff_until), own.at
    if own is not None:
        candidate = now
    else:
        planned = sorted(s.at if s.state != SENDING else now for s in others)
        candidate = planned[-pace.per_window] + pace.window if len(planned) >= pace.per_window else now
    counted = _counting(others, pace, now, job_id)
    probing = _probing(others, pace, now)
    if candidate <= now and now >= bucket.backoff_until and len(counted) < pace.per_window and not probing:
        return Bucket(others + [Slot(now, job_id, SENDING)], bucket.backoff_until), now
    at = max(candidate, bucket.backoff_until, _room_at(counted, pace, now))
    if probing:
        at = max(at, now + min(pace.spacing, 1.0))
    return Bucket(others + [Slot(at, job_id, RESERVED)], bucket.backoff_until), at


def _probing(others: list[Slot], pace: Pace, now: float) -> bool:
    """After a quiet spell, one request goes first and the rest wait for its answer. The quota may be
    shared (another tool, another deployment on the same project): a burst sent blind would collect a
    429 per request, a probe collects at most one."""
    answered_lately = any(s.state == SENT and s.at > now - pace.window for s in others)
    return not answered_lately and any(s.state == SENDING for s in others)


def _room_at(counted: list[Slot], pace: Pace, now: float) -> float:
    """When the window at `now` next has room, judging by the slots that count now."""
    excess = len(counted) - pace.per_window
    if excess < 0:
        return now
    ended = sorted(s.at for s in counted if s.state != SENDING)
    if excess < len(ended):
        return ended[excess] + pace.window
    # Only requests still on the wire are in the way: look again shortly after they answer.
    return now + min(pace.spacing, 1.0)


def answered(bucket: Bucket, job_id: int, now: float) -> Bucket:
    """The provider answered the job's request (accepted or refused for a reason other than quota)."""
    return Bucket([replace(s, at=max(s.at, now), state=SENT) if s.job_id == job_id and s.state == SENDING else s
                   for s in bucket.slots], bucket.backoff_until)


def refused_for_quota(bucket: Bucket, pace: Pace, job_id: int, now: float,
                      retry_after: float | None) -> tuple[Bucket, float]:
    """The provider said 429: someone else is using the quota too. Send nothing for a whole window
    (or as long as the provider asks), then put the refused job first in line. Returns its new time."""
    until = max(bucket.backoff_until, now + max(pace.window, retry_after or 0.0))
    slots = [s for s in bucket.slots if s.job_id != job_id]
    return Bucket(slots + [Slot(until, job_id, RESERVED)], until), until


def forget(bucket: Bucket, job_id: int) -> Bucket:
    """Drop a job's reservation (it was cancelled or no longer needs to send)."""
    return Bucket([s for s in bucket.slots if not (s.job_id == job_id and s.state == RESERVED)], bucket.backoff_until)
