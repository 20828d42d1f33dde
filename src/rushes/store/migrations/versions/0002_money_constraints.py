"""money constraints: one unfinished take per scene, one open job per shot and kind

Revision ID: money_constraints
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "money_constraints"
down_revision = "0001"
branch_labels = None
depends_on = None

OPEN = "finished_at IS NULL"


def upgrade() -> None:
    # Partial unique indexes: both SQLite (3.8+) and PostgreSQL enforce them on every insert and update,
    # so two concurrent confirms or frame regenerations cannot both commit an open row.
    op.create_index("uq_take_unfinished_per_scene", "takes", ["scene_id"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_index("uq_render_job_open_per_shot_kind", "render_jobs", ["shot_id", "kind"], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index("uq_render_job_open_per_shot_kind", table_name="render_jobs")
    op.drop_index("uq_take_unfinished_per_scene", table_name="takes")
