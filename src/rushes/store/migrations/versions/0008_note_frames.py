"""frame-exact notes: frame, optional out frame and rate on review_issues; one identical note per frame

Revision ID: note_frames
Revises: note_replies
"""

import hashlib
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = "note_frames"
down_revision = "note_replies"
branch_labels = None
depends_on = None
LIVE = "deleted_at IS NULL"


def _key(description: str) -> str:
    # Frozen copy of rushes.domain.timecode.note_text_key as of this revision (migrations never import app code).
    text = " ".join(unicodedata.normalize("NFC", description).casefold().split())
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frame", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("out_frame", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rate_num", sa.Integer(), nullable=False, server_default="24"))
        batch_op.add_column(sa.Column("rate_den", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("text_key", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    issues = sa.table("review_issues", sa.column("id"), sa.column("scene_id"), sa.column("take_id"),
                      sa.column("scene_time"), sa.column("description"), sa.column("deleted_at"),
                      sa.column("frame"), sa.column("text_key"))
    seen, updates = set(), []
    for row in bind.execute(sa.select(issues).order_by(issues.c.id)):
        frame = int(row.scene_time * 24 + 0.5)
        key = _key(row.description)
        same = (row.scene_id, row.take_id, frame, key)
        # Notes already written twice keep both rows; only the first holds the key the index checks.
        if row.deleted_at is not None or same in seen:
            key = None
        seen.add(same)
        updates.append({"row_id": row.id, "frame": frame, "text_key": key})
    if updates:
        bind.execute(issues.update().where(issues.c.id == sa.bindparam("row_id"))
                     .values(frame=sa.bindparam("frame"), text_key=sa.bindparam("text_key")), updates)
    op.create_index("uq_note_same_frame", "review_issues", ["scene_id", "take_id", "frame", "text_key"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index("uq_note_same_frame", table_name="review_issues")
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        for name in ("text_key", "rate_den", "rate_num", "out_frame", "frame"):
            batch_op.drop_column(name)
