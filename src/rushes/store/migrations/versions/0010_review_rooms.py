"""review rooms (live review sessions) and each clip's sound peaks for the timeline waveform

Revision ID: review_rooms
Revises: note_drawings
"""

from alembic import op
import sqlalchemy as sa


revision = "review_rooms"
down_revision = "note_drawings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=False),
        sa.Column("take_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("presenter_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("state_seq", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["scene_id"], ["scenes.id"]),
        sa.ForeignKeyConstraint(["take_id"], ["takes.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_rooms_scene_id", "review_rooms", ["scene_id"])
    op.create_table(
        "room_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("share_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("seen_at", sa.Float(), nullable=False),
        sa.Column("left_at", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["review_rooms.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["share_id"], ["share_links.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_room_participants_room_id", "room_participants", ["room_id"])
    op.create_table(
        "room_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["review_rooms.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_room_events_room", "room_events", ["room_id", "id"])
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waveform_key", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.drop_column("waveform_key")
    op.drop_index("ix_room_events_room", table_name="room_events")
    op.drop_table("room_events")
    op.drop_index("ix_room_participants_room_id", table_name="room_participants")
    op.drop_table("room_participants")
    op.drop_index("ix_review_rooms_scene_id", table_name="review_rooms")
    op.drop_table("review_rooms")
