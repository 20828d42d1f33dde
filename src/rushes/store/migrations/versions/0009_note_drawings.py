"""drawings on notes: review_issues.drawing (vector shapes) and still_key (the note's frame with them burned in)

Revision ID: note_drawings
Revises: note_frames
"""

from alembic import op
import sqlalchemy as sa


revision = "note_drawings"
down_revision = "note_frames"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drawing", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("still_key", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.drop_column("still_key")
        batch_op.drop_column("drawing")
