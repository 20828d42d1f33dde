"""Review rooms: one presenter drives a scene's cut and everyone in the room sees the same frame.

The presenter's transport state (playing, the scene time at a server-clock instant, rate, loop, the
note in focus, the compare view) is stored on the room, so a participant who joins or reconnects
starts where the room is. Every change is also written as a room event in the same transaction; the
process broadcaster fans events out to the room's open streams (rushes.services.broadcast).

Presence is a heartbeat: a participant not heard from for STALE_SECONDS has gone. When the presenter
leaves or goes quiet, the role passes to whoever joined first among those still here.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rushes.services import sharing, users
from rushes.services.errors import Conflict, NotFound
from rushes.store import notes as note_store
from rushes.store import rooms as q
from rushes.store import scenes as scene_store
from rushes.store.room_models import ReviewRoom, RoomParticipant

STALE_SECONDS = 10.0
EVENT_KEEP_SECONDS = 120.0
CLOCK_SKEW_SECONDS = 5.0  # a presenter's timestamp further than this from ours is replaced by ours
NAME_LIMIT = 80


@dataclass(frozen=True)
class Who:
    """The caller, as the access guard admitted them: a member (user) or a guest link (share)."""

    user_id: int | None = None
    share_id: int | None = None
    share_token: str | None = None


def room_url(room_id: int) -> str:
    return f"/rooms/{room_id}"


def _initial_state(now: float) -> dict:
    return {"playing": False, "time": 0.0, "at": now, "rate": 1.0, "loop": False, "issue_id": None, "compare": None}


def start_room(rushes, scene_id: int, who: Who, name: str, now: float | None = None) -> dict:
    """A new room on the scene's cut; its creator joins and presents."""
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        scene = scene_store.scene(session, scene_id)
        if scene is None:
            raise NotFound(f"unknown scene {scene_id}")
        take_id = q.latest_take_id(session, scene_id)
        room = ReviewRoom(scene_id=scene_id, take_id=take_id, created_by=who.user_id, state=_initial_state(now), state_seq=0)
        session.add(room)
        session.flush()
        me = _add_participant(session, room, who, name, now)
        room.presenter_id = me.id
        _people_event(session, room, now)
        return room_view(session, room, me.id, now)


def join_room(rushes, room_id: int, who: Who, name: str, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        room = _open_room(session, room_id)
        me = _add_participant(session, room, who, name, now)
        _settle_presenter(session, room, now, changed=True)
        return room_view(session, room, me.id, now)


def heartbeat(rushes, room_id: int, participant_id: int, who: Who, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        room = _open_room(session, room_id)
        me = _mine(session, room, participant_id, who)
        if me.left_at is not None:
            me.left_at = None  # back after a drop-out: the same participant rejoins
            _settle_presenter(session, room, now, changed=True)
        me.seen_at = now
        _settle_presenter(session, room, now)
        return room_view(session, room, me.id, now)


def leave_room(rushes, room_id: int, participant_id: int, who: Who, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        room = _open_room(session, room_id)
        me = _mine(session, room, participant_id, who)
        if me.left_at is None:
            me.left_at = now
            _settle_presenter(session, room, now, changed=True)


def set_state(rushes, room_id: int, participant_id: int, who: Who, state: dict, now: float | None = None) -> dict:
    """The presenter's transport state, as of `state["at"]` on the server's clock."""
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        room = _open_room(session, room_id)
        me = _mine(session, room, participant_id, who)
        if room.presenter_id != me.id:
            raise Conflict("only the presenter drives the room", {"presenter_id": room.presenter_id})
        at = float(state.get("at") or now)
        if not math.isfinite(at) or abs(at - now) > CLOCK_SKEW_SECONDS:
            at = now
        room.state = {**_initial_state(now), **state, "at": at}
        room.state_seq += 1
        me.seen_at = now
        q.add_event(session, room, _studio(session, room), "state",
                    {"room_id": room.id, "kind": "state", "seq": room.state_seq, "state": room.state,
                     "presenter_id": room.presenter_id}, now)
        _prune(session, room, now)
        return {"seq": room.state_seq, "state": room.state}


def hand_over(rushes, room_id: int, participant_id: int, who: Who, to_id: int, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        room = _open_room(session, room_id)
        me = _mine(session, room, participant_id, who)
        if room.presenter_id != me.id:
            raise Conflict("only the presenter can hand the role over", {"presenter_id": room.presenter_id})
        live = {p.id for p in q.participants(session, room.id, now - STALE_SECONDS)}
        if to_id not in live:
            raise NotFound(f"participant {to_id} is not in this room")
        room.presenter_id = to_id
        _people_event(session, room, now)
        return room_view(session, room, me.id, now)


def point(rushes, room_id: int, participant_id: int, who: Who, x: float, y: float, visible: bool,
          now: float | None = None) -> None:
    """A participant's laser pointer, in 0–1 picture coordinates."""
    now = time.time() if now is None else now
    with rushes.db.session() as session:
        room = _open_room(session, room_id)
        me = _mine(session, room, participant_id, who)
        me.seen_at = now
        q.add_event(session, room, _studio(session, room), "pointer",
                    {"room_id": room.id, "kind": "pointer", "participant_id": me.id, "name": me.name,
                     "x": round(x, 4), "y": round(y, 4), "visible": bool(visible)}, now)


def announce_note(session: Session, scene_id: int, issue_id: int, what: str, now: float | None = None) -> None:
    """A note was pinned or replied to on this scene: every open room of it hears so at once."""
    now = time.time() if now is None else now
    for room in q.open_rooms_of_scene(session, scene_id):
        q.add_event(session, room, _studio(session, room), "note",
                    {"room_id": room.id, "kind": "note", "issue_id": issue_id, "what": what}, now)


def announce(rushes, issue_id: int, what: str) -> bool:
    """After a note was pinned or replied to: tell the open rooms of its scene (True when there were any)."""
    with rushes.db.session() as session:
        issue = note_store.any_issue(session, issue_id)
        if issue is None or not q.open_rooms_of_scene(session, issue.scene_id):
            return False
        announce_note(session, issue.scene_id, issue_id, what)
        return True


def read_room(rushes, room_id: int, participant_id: int | None, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    with rushes.db.read_session() as session:
        room = q.room(session, room_id)
        if room is None:
            raise NotFound(f"unknown room {room_id}")
        return room_view(session, room, participant_id, now)


def still_admitted(rushes, room_id: int, who: Who) -> bool:
    """Whether the caller may still be in the room: a member of its studio, or a live link to its scene."""
    with rushes.db.read_session() as session:
        room = q.room(session, room_id)
        if room is None or room.closed_at is not None:
            return False
        if who.user_id is not None:
            return _studio(session, room) in users.roles_of(session, who.user_id)
        link = sharing.live_share(session, who.share_token)
        return link is not None and link.id == who.share_id and link.scene_id == room.scene_id


def room_view(session: Session, room: ReviewRoom, me_id: int | None, now: float) -> dict:
    people = q.participants(session, room.id, now - STALE_SECONDS)
    return {"id": room.id, "url": room_url(room.id), "scene_id": room.scene_id, "take_id": room.take_id,
            "presenter_id": room.presenter_id, "seq": room.state_seq, "state": room.state, "me": me_id,
            "server_time": now, "participants": [_person(p, room) for p in people]}


# -- inside a transaction --------------------------------------------------------------------------

def _open_room(session: Session, room_id: int) -> ReviewRoom:
    room = q.room_for_update(session, room_id)
    if room is None:
        raise NotFound(f"unknown room {room_id}")
    if room.closed_at is not None:
        raise Conflict("this review session has ended")
    return room


def _mine(session: Session, room: ReviewRoom, participant_id: int, who: Who) -> RoomParticipant:
    """The caller's own participant: another person's id answers as if it did not exist."""
    found = q.participant(session, room.id, participant_id)
    theirs = found is None or (found.user_id != who.user_id if who.user_id is not None else found.share_id != who.share_id)
    if found is None or theirs or (who.user_id is None and who.share_id is None):
        raise NotFound(f"unknown participant {participant_id}")
    return found


def _add_participant(session: Session, room: ReviewRoom, who: Who, name: str, now: float) -> RoomParticipant:
    clean = " ".join((name or "").split())[:NAME_LIMIT] or ("Guest" if who.user_id is None else "Member")
    person = RoomParticipant(room_id=room.id, user_id=who.user_id, share_id=who.share_id, name=clean, seen_at=now)
    session.add(person)
    session.flush()
    return person


def _settle_presenter(session: Session, room: ReviewRoom, now: float, changed: bool = False) -> None:
    """Pass the role on when the presenter has gone; announce who is here when anything changed."""
    live = q.participants(session, room.id, now - STALE_SECONDS)
    if room.presenter_id not in {p.id for p in live}:
        room.presenter_id = live[0].id if live else None
        changed = True
    if changed:
        _people_event(session, room, now)


def _people_event(session: Session, room: ReviewRoom, now: float) -> None:
    people = q.participants(session, room.id, now - STALE_SECONDS)
    q.add_event(session, room, _studio(session, room), "people",
                {"room_id": room.id, "kind": "people", "presenter_id": room.presenter_id,
                 "participants": [_person(p, room) for p in people]}, now)


def _person(p: RoomParticipant, room: ReviewRoom) -> dict:
    return {"id": p.id, "name": p.name, "guest": p.user_id is None, "presenter": p.id == room.presenter_id}


def _studio(session: Session, room: ReviewRoom) -> int:
    studio = q.studio_of_scene(session, room.scene_id)
    assert studio is not None  # a room's scene belongs to a studio's project
    return studio


def _prune(session: Session, room: ReviewRoom, now: float) -> None:
    if room.state_seq % 50 == 0:
        q.prune_events(session, now - EVENT_KEEP_SECONDS)
