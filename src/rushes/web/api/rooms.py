"""Review rooms over HTTP: start, join, drive, hand over, point, and the room's event stream.

Every route goes through the access guard like any other: `room_id` and `participant_id` resolve to
the room's scene and studio (services/ownership.py), so a guest reaches the rooms of their link's
scene only and nobody outside a scene's studio can read or drive its rooms. A participant id also has
to be the caller's own (services/rooms.py), so one participant cannot speak for another.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from rushes.domain.text import MAX_ID
from rushes.services import rooms
from rushes.bootstrap import Rushes
from rushes.web.access import access, signed_in
from rushes.web.deps import get_rushes
from rushes.web.schemas import ApiModel, BodyId, EntityId
from rushes.web.api.film_schemas import RoomOut, RoomStateSaved

router = APIRouter(prefix="/api", tags=["rooms"])
STREAM_SECONDS = 300.0
KEEPALIVE_SECONDS = 15.0
RECHECK_SECONDS = 2.0  # how soon a revoked link or a removed member is dropped from a stream


class RoomStart(ApiModel):
    name: str = Field("", max_length=80, description="the name other participants see")


class RoomJoin(ApiModel):
    name: str = Field("", max_length=80)


class Presence(ApiModel):
    participant_id: BodyId


class CompareView(ApiModel):
    """The compare viewer as the presenter has it open (clip ids of the two sides, mode, wipe)."""

    index: int = Field(ge=0, le=100_000)
    a: int | None = Field(None, ge=1, le=MAX_ID)
    b: int | None = Field(None, ge=1, le=MAX_ID)
    mode: str = Field("wipe", pattern="^(wipe|side|difference)$")
    wipe: float = Field(50.0, ge=0, le=100)
    time: float = Field(0.0, ge=-60, le=100_000)
    playing: bool = False


class RoomState(ApiModel):
    participant_id: BodyId
    playing: bool
    time: float = Field(ge=0, le=1_000_000, description="scene seconds at `at`")
    at: float | None = Field(None, ge=0, le=1e11, description="server-clock epoch seconds the time was read at")
    rate: float = Field(1.0, gt=0, le=4)
    loop: bool = False
    issue_id: int | None = Field(None, ge=1, le=MAX_ID, description="the note in focus")
    compare: CompareView | None = None


class HandOver(ApiModel):
    participant_id: BodyId
    to_participant_id: BodyId


class Pointer(ApiModel):
    participant_id: BodyId
    x: float = Field(ge=0, le=1)
    y: float = Field(ge=0, le=1)
    visible: bool = True


def _who(request: Request) -> rooms.Who:
    p = signed_in(request)
    return rooms.Who(p.user_id, p.share_id, p.token if p.guest else None)


def _poke(request: Request) -> None:
    broadcaster = getattr(request.app.state, "broadcaster", None)
    if broadcaster is not None:
        broadcaster.poke()  # news for this process's streams now, not at the next poll


def announce_in_rooms(request: Request, rushes: Rushes, issue_id: int, what: str) -> None:
    """A note was pinned or replied to: the scene's open rooms show it to everyone at once."""
    if rooms.announce(rushes, issue_id, what):
        _poke(request)


@router.post("/scenes/{scene_id}/rooms", status_code=201, response_model=RoomOut)
@access("reviewer")
def start_room(scene_id: EntityId, body: RoomStart, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Open a live review session on the scene's cut; the caller presents. Answers `{"id", "url", ...}`."""
    view = rooms.start_room(rushes, scene_id, _who(request), body.name)
    _poke(request)
    return view


@router.get("/rooms/{room_id}", response_model=RoomOut)
@access(guest="watch")
def read_room(room_id: EntityId, rushes: Rushes = Depends(get_rushes),
              participant_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> dict:
    """Where the room is now (state, presenter, who is here) and the server's clock."""
    return rooms.read_room(rushes, room_id, participant_id)


@router.post("/rooms/{room_id}/join", response_model=RoomOut)
@access("reviewer", guest="room")
def join_room(room_id: EntityId, body: RoomJoin, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    view = rooms.join_room(rushes, room_id, _who(request), body.name)
    _poke(request)
    return view


@router.post("/rooms/{room_id}/heartbeat", response_model=RoomOut)
@access("reviewer", guest="room")
def heartbeat(room_id: EntityId, body: Presence, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    view = rooms.heartbeat(rushes, room_id, body.participant_id, _who(request))
    _poke(request)
    return view


@router.post("/rooms/{room_id}/leave", status_code=204)
@access("reviewer", guest="room")
def leave_room(room_id: EntityId, body: Presence, request: Request, rushes: Rushes = Depends(get_rushes)) -> None:
    rooms.leave_room(rushes, room_id, body.participant_id, _who(request))
    _poke(request)


@router.post("/rooms/{room_id}/state", response_model=RoomStateSaved)
@access("reviewer", guest="room")
def drive(room_id: EntityId, body: RoomState, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    """The presenter's play, pause, frame, rate, loop, note in focus and compare view (409 for anyone else)."""
    state = body.model_dump(exclude={"participant_id"})
    result = rooms.set_state(rushes, room_id, body.participant_id, _who(request), state)
    _poke(request)
    return result


@router.post("/rooms/{room_id}/presenter", response_model=RoomOut)
@access("reviewer", guest="room")
def hand_over(room_id: EntityId, body: HandOver, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    view = rooms.hand_over(rushes, room_id, body.participant_id, _who(request), body.to_participant_id)
    _poke(request)
    return view


@router.post("/rooms/{room_id}/pointer", status_code=204)
@access("reviewer", guest="room")
def pointer(room_id: EntityId, body: Pointer, request: Request, rushes: Rushes = Depends(get_rushes)) -> None:
    rooms.point(rushes, room_id, body.participant_id, _who(request), body.x, body.y, body.visible)
    _poke(request)


@router.get("/rooms/{room_id}/events", response_class=StreamingResponse,
            responses={200: {"description": "server-sent events", "content": {"text/event-stream": {}}}})
@access(guest="watch")
async def room_events(room_id: EntityId, request: Request, rushes: Rushes = Depends(get_rushes),
                      participant_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
    """A stream of the room's `state`, `people`, `pointer` and `note` events, opened by a `hello` with where it is now."""
    who = _who(request)
    return StreamingResponse(_stream(request, rushes, room_id, participant_id, who), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(request: Request, rushes: Rushes, room_id: int, participant_id: int | None, who: rooms.Who):
    import json

    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    broadcaster = request.app.state.broadcaster
    sub = broadcaster.subscribe(None, accepts=lambda ev: ev.kind == "room" and ev.data.get("room_id") == room_id)
    try:
        # Subscribed first, then the state read: an event in between arrives too (the client keeps the newest seq).
        view = await run_in_threadpool(rooms.read_room, rushes, room_id, participant_id)
        yield f"retry: 1000\nevent: hello\ndata: {json.dumps(view)}\n\n"
        recheck = loop.time() + RECHECK_SECONDS
        while not getattr(request.app.state, "stopping", False):
            now = loop.time()
            if now >= deadline:
                return
            if now >= recheck:
                recheck = now + RECHECK_SECONDS
                if not await run_in_threadpool(rooms.still_admitted, rushes, room_id, who):
                    yield "event: dropped\ndata: {}\n\n"
                    return
            try:
                ev = await asyncio.wait_for(sub.queue.get(), min(KEEPALIVE_SECONDS, recheck - now + 0.01))
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if ev.kind in ("overflow", "closed"):
                return
            yield f"event: {ev.data.get('kind', 'room')}\ndata: {json.dumps(ev.data)}\n\n"
    finally:
        broadcaster.unsubscribe(sub)
