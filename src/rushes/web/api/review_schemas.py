"""What stage 12 answers: the cut, the clip stack, notes and their replies, routes, QC and attribution."""

from __future__ import annotations

from typing import Any, Literal

from rushes.domain.issues import IssueStatus
from rushes.domain.stages import Stage
from rushes.web.api.edit_schemas import ClipVersion
from rushes.web.schemas import Answer, Number


class CutTake(Answer):
    id: int
    number: int
    finished: bool
    approved: bool
    cost_credits: int


class CutJob(Answer):
    state: str
    attempt: int
    progress: float


class PreviousClip(Answer):
    """The clip the shot played before this take, for the player's before/after."""

    clip_id: int
    version: int
    src: str | None
    poster: str | None


class CutShot(Answer):
    shot_id: int
    code: str
    start: Number
    duration: Number
    src: str | None
    poster: str | None
    thumbs: dict[str, Any] | None  # the contact strip: url and its layout
    waveform: str | None
    state: Literal["ready", "failed", "queued", "unrendered", "rendering"]
    reason: str | None
    job: CutJob | None
    clip_id: int | None
    clip_version: int | None
    reused: bool
    previous: PreviousClip | None
    take_clip_id: int | None = None  # the scene's cut (no take asked for): the take's clip and the select
    select_changed: bool = False


class CutOut(Answer):
    """A take's shots in scene time, ready for <scene-player> (take null: nothing rendered yet)."""

    take: CutTake | None
    shots: list[CutShot]
    duration: Number


class ClipDraw(Answer):
    take_id: int | None
    take_number: int | None
    variant: int | None
    seed: int | None
    rank: int | None


class TakeRef(Answer):
    id: int
    number: int


class StackedClip(ClipVersion):
    """One clip of a shot's version stack: its takes, draw, QC summary and whether it is the select."""

    takes: list[TakeRef]
    selected: bool
    current: bool
    draw: ClipDraw
    qc: dict[str, Any] | None
    strip_url: str | None
    strip: dict[str, Any] | None
    fps: float


class SelectOut(Answer):
    shot_id: int
    clip_id: int
    changed: bool
    clips: list[StackedClip]


class IssueOut(Answer):
    """A review note at its frame: where, what, who, the stage it goes back to and where it stands."""

    id: int
    scene_id: int
    take_id: int | None
    shot_id: int | None
    shot_code: str | None
    clip_id: int | None
    frame: int
    out_frame: int | None
    rate: str
    timecode: str
    out_timecode: str | None
    out_time: float | None
    scene_time: float
    shot_time: float | None
    category: str | None
    category_label: str
    category_picked: bool
    description: str
    route_id: int | None
    stage: Stage | None
    stage_title: str
    suggestion: dict[str, Any] | None
    overridden: bool
    status: IssueStatus
    status_label: str
    addressed_by_clip_id: int | None
    author: str | None
    created_at: str
    replies: int
    drawing: list[dict[str, Any]] | None
    still_url: str | None
    qc_check: dict[str, Any] | None


class ListedIssue(IssueOut):
    """A note in the scene's list: also which shots its frames cover and how it follows into the latest cut."""

    shots: list[Any]
    on_cut: Any
    carried_from_take: int | None
    carried_from_take_number: int | None
    shot_changed: bool
    playing_clip_id: int | None


class RouteOut(Answer):
    """Notes sent back to a stage, with the cost statement they were given."""

    id: int
    scene_id: int
    stage: Stage
    stage_title: str
    issue_ids: list[int]
    routed: int
    shots: list[str]
    estimated_credits: int
    costs: dict[str, Any]
    statement: str | None
    url: str | None
    created_at: str | None


class Approved(Answer):
    take_number: int
    shots: int
    duration: Number
    closed_notes: int
    carried_notes: int


class CompleteOut(Answer):
    scene_id: int
    take_id: int
    status: Literal["Complete"]
    approved: Approved
    message: str
    url: str


class ReplyOut(Answer):
    id: int
    issue_id: int
    author: str | None
    body: str
    created_at: str


class QcFindingOut(Answer):
    id: int
    take_id: int
    scene_id: int
    shot_id: int | None
    shot_code: str | None
    kind: str
    frame: int | None
    scene_time: float | None
    measure: float | None
    threshold: float | None
    stage: Stage
    stage_title: str
    message: str
    source: str
    status: str
    note_id: int | None


class QcOut(Answer):
    take_id: int
    scene_id: int
    status: Literal["none", "queued", "running", "done", "failed"]
    take_finished: bool
    error: str | None
    findings: list[QcFindingOut]


class QcDecision(Answer):
    finding: QcFindingOut
    note: IssueOut | None = None  # accepted: the note it became


class SplitProposal(Answer):
    asked: Number
    parts: list[Number]


class AttributionOut(Answer):
    """Where to fix a note: stage (null when the note does not say), category, shots, fields, confidence, reason."""

    stage: Stage | None
    category: str | None
    shots: list[str]
    fields: list[str]
    confidence: float
    reason: str | None
    source: str
    split: SplitProposal | None = None  # a timing note asking a shot to run past the limit
