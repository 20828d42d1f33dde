"""What the take and job API answers: a take with its shots' renders, a job, the take list."""

from __future__ import annotations

from typing import Any, Literal

from rushes.domain.jobs import JobKind, JobState
from rushes.web.schemas import Answer, Number

# "attention": a submit went unconfirmed and waits for the filmmaker (resubmit or abandon).
JobStateOut = JobState | Literal["attention"]


class QuotaWait(Answer):
    """A queued job holding a send slot in the future: when it goes (epoch seconds) and how soon."""

    at: float
    eta_seconds: float


class JobOut(Answer):
    id: int
    kind: JobKind
    state: JobStateOut
    attempt: int
    progress: float
    error: str | None
    error_kind: str | None
    operation: str | None
    cost_credits: int
    cancel_requested: bool
    shot_id: int | None
    take_id: int | None
    finished: bool
    notes: list[Any]
    quota: QuotaWait | None


class TakeClip(Answer):
    id: int
    version: int
    url: str | None
    poster_url: str | None
    strip_url: str | None
    strip: dict[str, Any] | None  # the contact strip's layout (frames, tile size)
    duration: float
    fps: float


class TakeShot(Answer):
    shot_id: int
    code: str
    position: int
    duration: Number
    reused: bool
    state: JobStateOut | Literal["reused", "missing"]
    job: JobOut | None
    attempt: int
    progress: Number
    error: str | None
    quota: QuotaWait | None
    clip: TakeClip | None
    cost_credits: int
    refunded: bool


class TakeOut(Answer):
    id: int
    scene_id: int
    number: int
    render: dict[str, Any]  # the render settings the take was bought with (model, resolution, audio, ...)
    cost_credits: int
    charged: int
    created_at: str
    finished: bool
    finished_at: str | None
    approved: bool
    cancelled: bool
    progress: float
    done_count: int
    failed: list[str]
    shots: list[TakeShot]


class TakeListItem(Answer):
    id: int
    number: int
    finished: bool
    approved: bool
    cost_credits: int
    created_at: str
