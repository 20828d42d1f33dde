"""note routes: a note may wait with no category and no stage; each routing keeps its cost statement

Revision ID: note_routes
Revises: worker_heartbeats
"""

from alembic import op
import sqlalchemy as sa


revision = "note_routes"
down_revision = "worker_heartbeats"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_routes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scene_id", sa.Integer(), sa.ForeignKey("scenes.id"), nullable=False, index=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("issue_ids", sa.JSON(), nullable=False),
        sa.Column("costs", sa.JSON(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.alter_column("category", existing_type=sa.String(length=30), nullable=True)
        batch_op.alter_column("stage", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("category_picked", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("route_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_review_issues_route_id", "note_routes", ["route_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.drop_constraint("fk_review_issues_route_id", type_="foreignkey")
        batch_op.drop_column("route_id")
        batch_op.drop_column("category_picked")
    op.execute("UPDATE review_issues SET stage = 10 WHERE stage IS NULL")
    op.execute("UPDATE review_issues SET category = 'visual_continuity' WHERE category IS NULL")
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.alter_column("stage", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("category", existing_type=sa.String(length=30), nullable=False)
    op.drop_table("note_routes")
