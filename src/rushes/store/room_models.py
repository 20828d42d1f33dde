"""Review rooms: a live review session on one scene's cut, its participants and what they send.

A room's transport state (the presenter's play, pause, frame, rate, loop, note in focus and compare
view) is one row, so anyone who joins or reconnects reads where the room is now. Every change is also
appended to `room_events`, which is what the broadcaster fans out to the room's open streams (read by
the SQLite poller, or carried in the NOTIFY payload on PostgreSQL); old events are pruned.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rushes.store.models import Base, Created


class ReviewRoom(Created, Base):
    __tablename__ = "review_rooms"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    presenter_id: Mapped[int | None] = mapped_column(Integer)  # a room_participants.id
    state: Mapped[dict] = mapped_column(JSON)  # {playing, time, at, rate, loop, note_id, compare}
    state_seq: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RoomParticipant(Created, Base):
    __tablename__ = "room_participants"
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("review_rooms.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    share_id: Mapped[int | None] = mapped_column(ForeignKey("share_links.id"))
    name: Mapped[str] = mapped_column(String(80))
    seen_at: Mapped[float] = mapped_column(Float)  # epoch seconds of the last sign of life
    left_at: Mapped[float | None] = mapped_column(Float)


class RoomEvent(Base):
    __tablename__ = "room_events"
    __table_args__ = (Index("ix_room_events_room", "room_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("review_rooms.id"))
    account_id: Mapped[int] = mapped_column(Integer)  # the studio: streams are scoped by it first
    kind: Mapped[str] = mapped_column(String(20))  # state | pointer | people | note | closed
    data: Mapped[dict] = mapped_column(JSON)
    at: Mapped[float] = mapped_column(Float)
