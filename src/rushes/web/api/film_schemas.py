"""What the film, money, notification and review-room APIs answer."""

from __future__ import annotations

from typing import Any, Literal

from rushes.domain.ledger import LedgerKind
from rushes.web.api.edit_schemas import BudgetView
from rushes.web.schemas import Answer, Number


class NewProject(Answer):
    id: int
    name: str
    title: str
    studio_id: int
    style: str
    logline: str
    budget_credits: int | None
    url: str
    created_at: str


class NewScene(Answer):
    id: int
    project_id: int
    number: int
    title: str
    synopsis: str
    url: str  # its shot list (stage 7)


class ImportedProject(NewProject):
    scenes: list[NewScene]


class FilmTake(Answer):
    id: int
    number: int
    approved: bool


class FilmScene(Answer):
    """A scene in film time: its shots (or one slate of its planned length when nothing plays)."""

    scene_id: int
    number: int
    title: str
    start: Number
    duration: Number
    planned: Number
    source: Literal["approved", "latest", "slate"]
    take: FilmTake | None
    shots: list[dict[str, Any]]  # a scene cut's shots moved to film time, or the slate


class FilmCut(Answer):
    project_id: int
    name: str
    prefer: Literal["approved", "latest"]
    scenes: list[FilmScene]
    duration: Number


class Grant(Answer):
    """A ledger row of credits granted by hand, who granted them and the balance after."""

    id: int
    amount: int
    kind: LedgerKind
    memo: str | None
    user_id: int | None
    by: str | None
    created_at: str
    balance: int


class ProjectBudget(BudgetView):
    project_id: int


class NotificationOut(Answer):
    id: int
    scene_id: int | None
    take_id: int | None
    kind: str
    title: str
    body: str | None
    url: str | None
    read: bool
    created_at: str


class Notifications(Answer):
    unread: int
    items: list[NotificationOut]


class Participant(Answer):
    id: int
    name: str
    guest: bool
    presenter: bool


class RoomOut(Answer):
    """Where a review room is now: its playback state (and its sequence number), presenter, who is here,
    and the server's clock (epoch seconds) so a client can place the presenter's time."""

    id: int
    url: str
    scene_id: int
    take_id: int | None
    presenter_id: int | None
    seq: int
    state: dict[str, Any] | None
    me: int | None
    server_time: float
    participants: list[Participant]


class RoomStateSaved(Answer):
    """The presenter's state as stored, with its sequence number (a client keeps the newest)."""

    seq: int
    state: dict[str, Any] | None
