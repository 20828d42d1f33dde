"""Takes, the render jobs the worker runs for them, the credits they move, and the worker's own rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
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
from sqlalchemy.orm import Mapped, mapped_column, validates

from rushes.domain.text import without_paths
from rushes.store.models.base import Base, Created


class LedgerEntry(Created, Base):
    """Credits moved; balance is the sum. One charge and at most one refund per render job, and at most
    one refund per variant of it (variant 0 is the whole job; 1..N one video of a several-video render)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("job_id", "variant", "kind", name="uq_ledger_job_variant_kind"),
        # A grant repeated with the same key (a double click, a retry) is refused by the database.
        UniqueConstraint("account_id", "request_key", name="uq_ledger_request_key"),
        CheckConstraint("kind <> 'grant' OR amount >= 0", name="ck_ledger_grant_not_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # grant | charge | refund | kept (amount 0: a note)
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id"), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("render_jobs.id"))
    memo: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who spent it (None: the system)
    request_key: Mapped[str | None] = mapped_column(String(200))  # an owner's grant: its Idempotency-Key
    variant: Mapped[int] = mapped_column(Integer, server_default="0")


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

    @validates("error")
    def _shown_without_paths(self, _key, value):
        # A job's error is shown to users on pages and in the API: a server path helps none of them.
        return without_paths(value) if value else value


class ProviderQuota(Base):
    """One provider's submission pacing, shared by every worker through this row (see domain/quota.py)."""

    __tablename__ = "provider_quotas"
    provider: Mapped[str] = mapped_column(String(40), primary_key=True)
    slots: Mapped[list] = mapped_column(JSON, default=list)
    backoff_until: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[float] = mapped_column(Float, default=0.0)


class WorkerHeartbeat(Base):
    """A worker process, as it last said it was: running, stopping (draining) or stopped."""

    __tablename__ = "worker_heartbeats"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    threads: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[float] = mapped_column(Float)
    beat_at: Mapped[float] = mapped_column(Float, index=True)
