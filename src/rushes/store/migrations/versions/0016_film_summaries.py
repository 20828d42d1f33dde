"""film summaries: scene_summaries, what the Hub shows of each scene, kept with the scene's artifacts

Revision ID: film_summaries
Revises: render_draws
"""

from alembic import op
import sqlalchemy as sa


revision = "film_summaries"
down_revision = "render_draws"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scene_summaries",
        sa.Column("scene_id", sa.Integer(), sa.ForeignKey("scenes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("basis", sa.String(length=64), nullable=True),
        sa.Column("has_shots", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("incoming", sa.String(length=200), nullable=True),
        sa.Column("outgoing", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("scene_summaries")
