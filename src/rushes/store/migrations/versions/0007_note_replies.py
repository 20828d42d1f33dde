"""note replies: a thread under each review note

Revision ID: note_replies
Revises: studios_access
"""

from alembic import op
import sqlalchemy as sa


revision = "note_replies"
down_revision = "studios_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issue_id"], ["review_issues.id"]),
        sa.ForeignKeyConstraint(["author_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_note_replies_issue_id", "note_replies", ["issue_id"])


def downgrade() -> None:
    op.drop_index("ix_note_replies_issue_id", table_name="note_replies")
    op.drop_table("note_replies")
