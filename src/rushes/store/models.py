"""SQLAlchemy models. Artifacts are append-only versions: an edit adds a row, never rewrites one."""

from __future__ import annotations

from datetime import datetime, timezone

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
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON}


class Created:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Account(Created, Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class LedgerEntry(Created, Base):
    """Credits moved; balance is the sum. One charge and at most one refund per render job."""

    __tablename__ = "ledger_entries"
    __table_args__ = (UniqueConstraint("job_id", "kind", name="uq_ledger_job_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # grant | charge | refund | kept (amount 0: a note)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("render_jobs.id"))
    memo: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who spent it (None: the system)


class Project(Created, Base):
    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    style: Mapped[str] = mapped_column(String(500), default="")
    logline: Mapped[str] = mapped_column(Text, default="")


class Scene(Created, Base):
    __tablename__ = "scenes"
    __table_args__ = (UniqueConstraint("project_id", "number", name="uq_scene_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    synopsis: Mapped[str] = mapped_column(Text, default="")


class Shot(Created, Base):
    """A shot's identity; its fields live in ShotVersion rows."""

    __tablename__ = "shots"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)


class ShotVersion(Created, Base):
    __tablename__ = "shot_versions"
    __table_args__ = (UniqueConstraint("shot_id", "version", name="uq_shot_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10))
    duration: Mapped[float] = mapped_column(Float)
    action: Mapped[str] = mapped_column(Text, default="")
    dialogue: Mapped[str] = mapped_column(Text, default="")
    characters: Mapped[list] = mapped_column(JSON, default=list)
    setting: Mapped[str] = mapped_column(String(300), default="")
    camera: Mapped[str] = mapped_column(String(300), default="")
    sfx: Mapped[str] = mapped_column(String(500), default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")


class VisualElement(Created, Base):
    __tablename__ = "visual_elements"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # character | location | prop
    name: Mapped[str] = mapped_column(String(120))


class VisualStateVersion(Created, Base):
    __tablename__ = "visual_state_versions"
    __table_args__ = (UniqueConstraint("element_id", "version", name="uq_visual_state_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("visual_elements.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class PromptSet(Created, Base):
    __tablename__ = "prompt_sets"
    __table_args__ = (UniqueConstraint("shot_id", "version", name="uq_prompt_set_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    frame_prompt: Mapped[str] = mapped_column(Text)
    video_prompt: Mapped[str] = mapped_column(Text)
    override_video_prompt: Mapped[str | None] = mapped_column(Text)
    override_base_digest: Mapped[str | None] = mapped_column(String(64))
    start_frame_only: Mapped[bool] = mapped_column(Boolean, default=False)
    inputs: Mapped[dict] = mapped_column(JSON)
    inputs_digest: Mapped[str] = mapped_column(String(64))


class Frame(Created, Base):
    __tablename__ = "frames"
    __table_args__ = (UniqueConstraint("shot_id", "kind", "version", name="uq_frame_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # start | end
    version: Mapped[int] = mapped_column(Integer)
    media_key: Mapped[str] = mapped_column(String(80))
    mime: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # generated | uploaded | imported
    inputs: Mapped[dict] = mapped_column(JSON)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    cost_credits: Mapped[int] = mapped_column(Integer, default=0)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("render_jobs.id"))


class Clip(Created, Base):
    __tablename__ = "clips"
    __table_args__ = (
        UniqueConstraint("shot_id", "version", name="uq_clip_version"),
        UniqueConstraint("job_id", name="uq_clip_job"),
        Index("ix_clips_shot_digest", "shot_id", "inputs_digest"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    media_key: Mapped[str] = mapped_column(String(80))
    poster_key: Mapped[str | None] = mapped_column(String(80))
    strip_key: Mapped[str | None] = mapped_column(String(80))
    strip_meta: Mapped[dict | None] = mapped_column(JSON)
    duration: Mapped[float] = mapped_column(Float)
    fps: Mapped[float] = mapped_column(Float)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(80))
    inputs: Mapped[dict] = mapped_column(JSON)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    cost_credits: Mapped[int] = mapped_column(Integer, default=0)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("render_jobs.id"))


class Take(Created, Base):
    __tablename__ = "takes"
    __table_args__ = (
        UniqueConstraint("scene_id", "number", name="uq_take_number"),
        UniqueConstraint("scene_id", "idempotency_key", name="uq_take_idempotency"),
        # One unfinished take per scene, enforced by the database rather than by a read before a write.
        Index("uq_take_unfinished_per_scene", "scene_id", unique=True,
              sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    render: Mapped[dict] = mapped_column(JSON)
    cost_credits: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TakeSlot(Base):
    """One shot of a take: a reused clip, or the job that renders it."""

    __tablename__ = "take_slots"
    __table_args__ = (UniqueConstraint("take_id", "shot_id", name="uq_take_slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    take_id: Mapped[int] = mapped_column(ForeignKey("takes.id"), index=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(10))
    duration: Mapped[float] = mapped_column(Float)
    inputs: Mapped[dict] = mapped_column(JSON)
    inputs_digest: Mapped[str] = mapped_column(String(64))
    reused: Mapped[bool] = mapped_column(Boolean, default=False)
    clip_id: Mapped[int | None] = mapped_column(ForeignKey("clips.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("render_jobs.id"))


class RenderJob(Created, Base):
    """Work for the polling worker: a clip render, a frame generation, a take's QC or export. Times are epoch seconds."""

    __tablename__ = "render_jobs"
    __table_args__ = (
        Index("ix_render_jobs_due", "state", "run_after"),
        Index("ix_render_jobs_updated", "updated_at"),  # the event poller reads what moved since its last round
        # One open job per shot and kind: one frames job (start and/or end) and one clip render at a time.
        Index("uq_render_job_open_per_shot_kind", "shot_id", "kind", unique=True,
              sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # clip | frames | qc | export
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    shot_id: Mapped[int | None] = mapped_column(ForeignKey("shots.id"), index=True)  # None for a whole-take job (qc, export)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[float] = mapped_column(Float, default=0.0)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[float | None] = mapped_column(Float)
    operation_name: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[float | None] = mapped_column(Float)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    error_kind: Mapped[str | None] = mapped_column(String(20))
    cost_credits: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    finished_at: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float, default=0.0)
    # When a submission waits for the provider's quota: the send slot it holds (epoch seconds).
    quota_at: Mapped[float | None] = mapped_column(Float)


class ProviderQuota(Base):
    """One provider's submission pacing, shared by every worker through this row (see domain/quota.py)."""

    __tablename__ = "provider_quotas"
    provider: Mapped[str] = mapped_column(String(40), primary_key=True)
    slots: Mapped[list] = mapped_column(JSON, default=list)
    backoff_until: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[float] = mapped_column(Float, default=0.0)


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
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    stage: Mapped[int] = mapped_column(Integer)  # where the fix happens (accepted or overridden)
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


class StageLock(Created, Base):
    """A stage locked at a digest; the lock holds only while the digest still matches."""

    __tablename__ = "stage_locks"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


# ---- Studios and access: an Account is a studio (it owns the ledger and the projects) ----------


class User(Created, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None: signs in by one-time link only


class Membership(Created, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "account_id", name="uq_membership"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # owner | editor | reviewer


class AuthToken(Created, Base):
    """A browser session, an API token or a one-time sign-in link. Only the token's sha256 is kept."""

    __tablename__ = "auth_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # session | api | signin_link
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # sign-out, or a link used


class ShareLink(Created, Base):
    """A guest review link to one scene's review player."""

    __tablename__ = "share_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    allow_notes: Mapped[bool] = mapped_column(Boolean, default=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInAttempt(Base):
    """Failed sign-ins, counted per account and per address so guessing is slowed across processes."""

    __tablename__ = "signin_attempts"
    __table_args__ = (Index("ix_signin_attempts_email", "email", "at"), Index("ix_signin_attempts_address", "address", "at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[float] = mapped_column(Float)  # epoch seconds
