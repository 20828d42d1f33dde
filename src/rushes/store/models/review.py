"""Review: notes on a take, their replies and routes back to a stage, QC's findings, notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rushes.store.models.base import Base, Created


class ReviewIssue(Created, Base):
    __tablename__ = "review_issues"
    __table_args__ = (
        # A second identical note on the same frame of the same take is refused by the database.
        Index("uq_note_same_frame", "scene_id", "take_id", "frame", "text_key", unique=True,
              sqlite_where=text("deleted_at IS NULL"), postgresql_where=text("deleted_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id"))
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id"))
    scene_time: Mapped[float] = mapped_column(Float)
    shot_time: Mapped[float] = mapped_column(Float)
    # None until someone chooses: a note the agent could not place waits under "no route", never a guess.
    category: Mapped[str | None] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    stage: Mapped[int | None] = mapped_column(Integer)  # where the fix happens (accepted or overridden)
    category_picked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # the user's word
    route_id: Mapped[int | None] = mapped_column(ForeignKey("note_routes.id", name="fk_review_issues_route_id"))
    suggestion: Mapped[dict | None] = mapped_column(JSON)  # the attribution agent's proposal
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="open")
    addressed_by_clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id"))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str | None] = mapped_column(String(120))  # a member's email or a guest's own name
    # The truth of where a note sits: frames at the take's rational rate (scene_time is derived from it).
    frame: Mapped[int | None] = mapped_column(Integer)
    out_frame: Mapped[int | None] = mapped_column(Integer)  # inclusive end of a range note
    rate_num: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    rate_den: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    text_key: Mapped[str | None] = mapped_column(String(64))  # the normalised words, for the duplicate rule
    # Shapes drawn on the picture, in coordinates normalised to it (see rushes.domain.drawing).
    drawing: Mapped[list | None] = mapped_column(JSON)
    still_key: Mapped[str | None] = mapped_column(String(80))  # the note's frame with its drawing, for exports
    qc_check: Mapped[dict | None] = mapped_column(JSON)  # QC's re-check of a QC note on the shot's newer clip


class NoteRoute(Created, Base):
    """One sending of notes back to a stage, with the cost statement shown then (shown again after a reload)."""

    __tablename__ = "note_routes"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    issue_ids: Mapped[list] = mapped_column(JSON)
    costs: Mapped[dict] = mapped_column(JSON)
    statement: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class NoteReply(Created, Base):
    """One message in the thread under a review note, by a member or a guest."""

    __tablename__ = "note_replies"
    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("review_issues.id"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)


class QcFinding(Created, Base):
    """A fault quality control measured in a take: a proposed note until the filmmaker accepts or dismisses it."""

    __tablename__ = "qc_findings"
    id: Mapped[int] = mapped_column(primary_key=True)
    take_id: Mapped[int] = mapped_column(ForeignKey("takes.id"), index=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("render_jobs.id"))
    shot_code: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(30))
    frame: Mapped[int] = mapped_column(Integer)
    scene_time: Mapped[float] = mapped_column(Float)
    measure: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    stage: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(10), default="qc")
    status: Mapped[str] = mapped_column(String(20), default="proposed")  # proposed | accepted | dismissed
    note_id: Mapped[int | None] = mapped_column(ForeignKey("review_issues.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(Created, Base):
    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("take_id", "kind", name="uq_notification_take_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id"))
    kind: Mapped[str] = mapped_column(String(30))  # take_finished | take_failed
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(String(500), default="")
    url: Mapped[str] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
