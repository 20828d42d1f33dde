"""What the catalog answers: projects, scenes with their derived status, a scene's shots, the account."""

from __future__ import annotations

from rushes.domain.ledger import LedgerKind
from rushes.domain.stages import Stage
from rushes.domain.staleness import Freshness
from rushes.domain.status import SceneStatus
from rushes.web.schemas import Answer, Number


class ProjectOut(Answer):
    id: int
    name: str
    style: str
    logline: str
    created_at: str


class StaleCost(Answer):
    """Credits to bring every shot up to date: clips no kept clip matches, and missing or stale frames."""

    shots: int
    clip_credits: int
    frames: int
    frame_credits: int
    credits: int


class SceneSummary(Answer):
    id: int
    project_id: int
    number: int
    title: str
    synopsis: str
    status: SceneStatus
    shot_count: int
    duration: Number
    stale_shots: list[str]
    continuity_broken: bool
    open_issues: int
    unread_notifications: int
    latest_take_id: int | None
    thumbnail_url: str | None
    review_url: str


class SceneListItem(SceneSummary):
    """A scene as the Hub lists it: its summary, the stage it is at and what it cost and would cost."""

    stage: Stage
    spent_credits: int
    stale_cost: StaleCost
    approved_take_number: int | None


class Check(Answer):
    """An artifact's freshness against its inputs, and why it is stale."""

    state: Freshness
    reasons: list[str]


class PromptCheck(Check):
    id: int | None
    version: int | None
    frame_prompt: str | None
    video_prompt: str | None
    assembled_video_prompt: str | None
    override: bool
    override_outdated: bool
    start_frame_only: bool


class FrameCheck(Check):
    id: int | None
    version: int | None
    url: str | None
    approved: bool
    source: str | None


class ClipCheck(Check):
    id: int | None
    version: int | None
    url: str | None
    poster_url: str | None


class ShotFields(Answer):
    """What the shot list says of a shot, as every answer that shows a shot gives it."""

    code: str
    duration: Number
    action: str
    dialogue: str
    characters: list[str]
    setting: str
    camera: str
    sfx: str


class ShotDetail(ShotFields):
    id: int
    version: int
    position: int
    prompt: PromptCheck
    start_frame: FrameCheck | None
    end_frame: FrameCheck | None  # None for a start-frame-only shot
    continuity_broken: bool
    clip: ClipCheck
    blockers: list[str]
    open_issues: int


class VisualStateOut(Answer):
    id: int
    kind: str
    name: str
    description: str
    version: int


class SceneDetail(SceneSummary):
    shot_list_locked: bool
    visual_states: list[VisualStateOut]
    shots: list[ShotDetail]


class LedgerRow(Answer):
    id: int
    amount: int
    kind: LedgerKind
    take_id: int | None
    job_id: int | None
    user_id: int | None
    memo: str | None
    created_at: str


class AccountOut(Answer):
    """The caller's studio: balance, ledger, and the caller's role there."""

    id: int
    name: str
    balance: int
    ledger: list[LedgerRow]
    role: str | None


