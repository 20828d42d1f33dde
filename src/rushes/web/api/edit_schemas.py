"""What the stage 7-11 edits answer: the new version of what changed, and the shot as it stands now."""

from __future__ import annotations

from typing import Any, Literal

from rushes.domain.stages import Stage
from rushes.domain.staleness import Freshness
from rushes.web.api.catalog_schemas import ShotDetail, ShotFields
from rushes.web.api.take_schemas import JobStateOut
from rushes.web.schemas import Answer, Number

FrameKind = Literal["start", "end"]


class ShotVersionOut(ShotFields):
    """One shot-list version: its fields as they were then."""

    shot_id: int
    version: int
    position: int
    deleted: bool
    note: str | None
    created_at: str | None


class ShotOrderItem(Answer):
    shot_id: int
    code: str


class ShotEdit(Answer):
    """A shot-list edit: the version it made, the shot now (null once it left the list) and the order."""

    version: ShotVersionOut
    shot: ShotDetail | None = None
    order: list[ShotOrderItem] = []


class ShotVersionsEdit(Answer):
    """Reorder and split: every version written, and the scene's new order."""

    versions: list[ShotVersionOut]
    order: list[ShotOrderItem]


class LockOut(Answer):
    stage: Literal[7, 8]
    locked: bool
    digest: str
    created_at: str | None


class ShotCost(Answer):
    shot_id: int
    code: str
    clip_credits: int
    frame_credits: int
    credits: int


class ElementCost(Answer):
    kind: str
    name: str
    shots: list[str]
    credits: int


class LockImpact(Answer):
    """What unlocking a stage exposes: what an edit there makes stale and what re-rendering would cost."""

    stage: Literal[7, 8]
    locked: bool
    noun: str
    stale: str
    shots: list[ShotCost]
    total_credits: int
    elements: list[ElementCost] = []  # stage 8 only


class VisualStateVersion(Answer):
    id: int
    kind: str
    name: str
    description: str
    version: int
    deleted: bool
    updated_at: str | None


class PromptVersion(Answer):
    id: int
    shot_id: int
    version: int
    frame_prompt: str
    video_prompt: str
    override_video_prompt: str | None
    start_frame_only: bool
    inputs_digest: str
    created_at: str | None


class PromptEdit(Answer):
    version: PromptVersion
    shot: ShotDetail | None


class PromptVersions(Answer):
    versions: list[PromptVersion]


class FramesQueued(Answer):
    job_id: int
    shot_id: int
    kinds: list[FrameKind]
    status_url: str


class FramesJob(Answer):
    id: int
    state: JobStateOut
    progress: float
    error: str | None
    kinds: list[FrameKind]
    finished: bool
    cost_credits: int


class LatestFramesJob(Answer):
    job: FramesJob | None  # null: the shot never had a frames job


class FrameVersion(Answer):
    id: int
    kind: FrameKind
    version: int
    url: str | None
    source: str
    width: int | None
    height: int | None
    mime: str | None
    cost_credits: int
    approved_at: str | None
    job_id: int | None
    inputs_digest: str | None
    created_at: str | None


class FrameEdit(Answer):
    version: FrameVersion
    shot: ShotDetail | None


class FramesApproved(Answer):
    approved: list[FrameVersion]
    shot: ShotDetail | None


class PlanShot(Answer):
    """One shot of the plan: render, reuse or keep, why, and what it costs."""

    shot_id: int
    code: str
    decision: str  # render | reuse | keep | blocked
    reason: str
    duration: Number
    render_seconds: Number
    credits: int
    reuse_clip_id: int | None
    blockers: list[str]
    inputs_digest: str | None
    variants: int
    retake: bool
    unit_credits: int
    index: int
    video_prompt: str | None
    prompt_override: bool
    start_frame_only: bool
    start_frame_url: str | None
    end_frame_url: str | None
    start_state: Freshness
    end_state: Freshness | None


class PlanChoice(Answer):
    model: str
    resolution: str
    audio: bool
    shot_ids: list[int] | None


class BudgetView(Answer):
    """A project's budget (null: none set), what it spent, where a confirm would take it, and a warning."""

    credits: int | None
    spent: int
    after: int
    over_by: int
    over: bool
    warning: str | None


class PlanOut(Answer):
    """The take Confirm would buy, for the order asked (model, resolution, sound, shots, draws)."""

    scene_id: int
    render: dict[str, Any]
    shots: list[PlanShot]
    total_credits: int
    render_count: int
    video_count: int
    reuse_count: int
    keep_count: int
    blocked: list[dict[str, Any]]  # {code, blockers}
    renderable: bool
    scene_title: str
    scene_number: int
    balance: int
    balance_after: int
    affordable: bool
    rendering_take_id: int | None
    nothing_to_render: bool
    can_confirm: bool
    price_per_second: Number
    options: Any  # the models, resolutions and sound Stage 11 offers, each priced
    chosen: PlanChoice
    budget: BudgetView
    draws: dict[str, Any] | None
    frames: dict[str, Any]  # the frames redrawn for this take: spent and still due
    all_credits: int


class ClipVersion(Answer):
    id: int
    version: int
    url: str | None
    poster_url: str | None
    duration: float
    provider: str | None
    model: str | None
    cost_credits: int
    job_id: int | None
    inputs_digest: str | None
    created_at: str | None


class HistoryJob(Answer):
    id: int
    kind: str
    state: JobStateOut
    cost_credits: int
    error: str | None
    take_id: int | None


class HistoryEvent(Answer):
    kind: Literal["fields", "prompt", "frame", "clip"]
    label: str
    detail: str | None
    at: str | None
    cost_credits: int
    url: str | None = None


class ShotHistory(Answer):
    """Everything ever made for a shot, oldest first per kind, and one timeline newest first."""

    shot_id: int
    scene_id: int
    code: str | None
    deleted: bool
    fields: list[ShotVersionOut]
    prompts: list[PromptVersion]
    frames: list[FrameVersion]
    clips: list[ClipVersion]
    jobs: list[HistoryJob]
    total_credits: int
    timeline: list[HistoryEvent]


class RailStage(Answer):
    stage: Stage
    title: str
    state: str
    state_label: str
    detail: str | None
    issues: int
    url: str | None
    current: bool


class UpstreamChange(Answer):
    shot_id: int
    code: str
    continuity_broken: bool
    changes: list[dict[str, Any]]  # {artifact, reasons}


class RailOut(Answer):
    scene_id: int
    status: str
    stages: list[RailStage]
    upstream_changes: list[UpstreamChange]


