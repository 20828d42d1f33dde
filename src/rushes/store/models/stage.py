"""A film's stages: projects, scenes, shots and their versions, prompt sets, frames and clips, stage locks
and the Hub's scene summaries. Artifacts are append-only versions: an edit adds a row, never rewrites one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
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
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from rushes.store.models.base import Base, Created


class Project(Created, Base):
    __tablename__ = "projects"
    __table_args__ = (CheckConstraint("budget_credits IS NULL OR budget_credits >= 0", name="ck_project_budget"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    style: Mapped[str] = mapped_column(String(500), default="")
    logline: Mapped[str] = mapped_column(Text, default="")
    # Credits the project's renders and frames may spend before a confirm must say it goes over (None: no budget).
    budget_credits: Mapped[int | None] = mapped_column(Integer)


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
        # Renders are draws: among the clips of a shot's inputs, exactly one is its select.
        Index("uq_clip_select_per_inputs", "shot_id", "inputs_digest", unique=True,
              sqlite_where=text("selected"), postgresql_where=text("selected")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    shot_id: Mapped[int] = mapped_column(ForeignKey("shots.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    media_key: Mapped[str] = mapped_column(String(80))
    poster_key: Mapped[str | None] = mapped_column(String(80))
    strip_key: Mapped[str | None] = mapped_column(String(80))
    strip_meta: Mapped[dict | None] = mapped_column(JSON)
    waveform_key: Mapped[str | None] = mapped_column(String(80))  # sound peaks (JSON) for the timeline
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
    # The draw: the take and variant (1..N of one provider request) that made it, and the seed sent.
    take_id: Mapped[int | None] = mapped_column(ForeignKey("takes.id", name="fk_clips_take_id"))
    variant: Mapped[int] = mapped_column(Integer, server_default="1")
    seed: Mapped[int | None] = mapped_column(BigInteger)
    selected: Mapped[bool] = mapped_column(Boolean, server_default=false())
    rank: Mapped[int | None] = mapped_column(Integer)  # QC's place among the variants of its render (1 = best)
    qc: Mapped[dict | None] = mapped_column(JSON)  # QC's summary of this clip alone (see domain/draws.py)


class StageLock(Created, Base):
    """A stage locked at a digest; the lock holds only while the digest still matches."""

    __tablename__ = "stage_locks"
    id: Mapped[int] = mapped_column(primary_key=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class SceneSummary(Base):
    """What the Hub shows of a scene, computed from its artifacts and kept beside them.

    Every transaction that writes one of the scene's artifacts bumps `generation` and clears `payload`
    (rushes.store.scene_marks); a reader that recomputes writes its payload back only if the generation is
    still the one it read first, so a summary computed from rows a writer has since replaced is never kept.
    `incoming`/`outgoing` are the continuity anchors it was computed with, so a change in an earlier
    scene's last frame is seen without marking every later scene.
    """

    __tablename__ = "scene_summaries"
    scene_id: Mapped[int] = mapped_column(ForeignKey("scenes.id", ondelete="CASCADE"), primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    basis: Mapped[str | None] = mapped_column(String(64))  # digest of the render spec and prices it assumed
    has_shots: Mapped[bool] = mapped_column(Boolean, default=False)
    incoming: Mapped[str | None] = mapped_column(String(200))
    outgoing: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict | None] = mapped_column(JSON)
