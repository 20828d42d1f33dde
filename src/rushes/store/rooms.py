"""Queries of review rooms: the room row, its participants, and the events streams fan out."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rushes.store import models as m
from rushes.store.room_models import ReviewRoom, RoomEvent, RoomParticipant


def studio_of_scene(session: Session, scene_id: int) -> int | None:
    return session.scalar(select(m.Project.account_id).join(m.Scene, m.Scene.project_id == m.Project.id)
                          .where(m.Scene.id == scene_id))


def latest_take_id(session: Session, scene_id: int) -> int | None:
    return session.scalar(select(m.Take.id).where(m.Take.scene_id == scene_id).order_by(m.Take.number.desc()).limit(1))


def room(session: Session, room_id: int) -> ReviewRoom | None:
    return session.get(ReviewRoom, room_id)


def room_for_update(session: Session, room_id: int) -> ReviewRoom | None:
    """The room row, locked for the rest of the transaction (one presenter change at a time)."""
    return session.scalar(select(ReviewRoom).where(ReviewRoom.id == room_id).with_for_update())


def participants(session: Session, room_id: int, live_since: float | None = None) -> list[RoomParticipant]:
    """Who is in the room (not left; seen since `live_since` when given), in the order they joined."""
    query = select(RoomParticipant).where(RoomParticipant.room_id == room_id, RoomParticipant.left_at.is_(None))
    if live_since is not None:
        query = query.where(RoomParticipant.seen_at >= live_since)
    return list(session.scalars(query.order_by(RoomParticipant.id)))


def participant(session: Session, room_id: int, participant_id: int) -> RoomParticipant | None:
    found = session.get(RoomParticipant, participant_id)
    return found if found is not None and found.room_id == room_id else None


def open_rooms_of_scene(session: Session, scene_id: int) -> list[ReviewRoom]:
    return list(session.scalars(select(ReviewRoom).where(ReviewRoom.scene_id == scene_id, ReviewRoom.closed_at.is_(None))))


def add_event(session: Session, room: ReviewRoom, account_id: int, kind: str, data: dict, at: float) -> RoomEvent:
    event = RoomEvent(room_id=room.id, account_id=account_id, kind=kind, data=data, at=at)
    session.add(event)
    session.flush()
    return event


def prune_events(session: Session, before: float) -> None:
    """Events are only news: a stream that (re)connects reads the room's state row, never old events."""
    session.execute(delete(RoomEvent).where(RoomEvent.at < before))


def events_after(session: Session, after_id: int, limit: int = 500) -> list[RoomEvent]:
    return list(session.scalars(select(RoomEvent).where(RoomEvent.id > after_id).order_by(RoomEvent.id).limit(limit)))


def newest_event_id(session: Session) -> int:
    return session.scalar(select(RoomEvent.id).order_by(RoomEvent.id.desc()).limit(1)) or 0
