"""quality control: qc_findings, and render_jobs.shot_id optional for whole-take jobs

Revision ID: qc_findings
Revises: jobs_by_update
"""

from alembic import op
import sqlalchemy as sa


revision = "qc_findings"
down_revision = "jobs_by_update"
OPEN = "finished_at IS NULL"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A QC job belongs to a take, not to one shot. SQLite rebuilds the table for this (env.py turns
    # foreign keys off meanwhile); the partial index is dropped and made again so its WHERE survives.
    op.drop_index("uq_render_job_open_per_shot_kind", table_name="render_jobs")
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.alter_column("shot_id", existing_type=sa.Integer(), nullable=True)
    op.create_index("uq_render_job_open_per_shot_kind", "render_jobs", ["shot_id", "kind"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_table(
        "qc_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("take_id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=False),
        sa.Column("shot_id", sa.Integer(), nullable=False),
        sa.Column("clip_id", sa.Integer(), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("shot_code", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=False),
        sa.Column("scene_time", sa.Float(), nullable=False),
        sa.Column("measure", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"]),
        sa.ForeignKeyConstraint(["scene_id"], ["scenes.id"]),
        sa.ForeignKeyConstraint(["shot_id"], ["shots.id"]),
        sa.ForeignKeyConstraint(["clip_id"], ["clips.id"]),
        sa.ForeignKeyConstraint(["job_id"], ["render_jobs.id"]),
        sa.ForeignKeyConstraint(["note_id"], ["review_issues.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qc_findings", schema=None) as batch_op:
        batch_op.create_index("ix_qc_findings_take_id", ["take_id"], unique=False)
        batch_op.create_index("ix_qc_findings_scene_id", ["scene_id"], unique=False)
        batch_op.create_index("ix_qc_findings_shot_id", ["shot_id"], unique=False)


def downgrade() -> None:
    op.drop_table("qc_findings")
    op.execute("DELETE FROM render_jobs WHERE shot_id IS NULL")
    op.drop_index("uq_render_job_open_per_shot_kind", table_name="render_jobs")
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.alter_column("shot_id", existing_type=sa.Integer(), nullable=False)
    op.create_index("uq_render_job_open_per_shot_kind", "render_jobs", ["shot_id", "kind"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
