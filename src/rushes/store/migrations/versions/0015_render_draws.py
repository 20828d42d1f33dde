"""renders are draws: a clip records its draw (take, variant, seed), one select per shot and inputs,
QC's ranking of variants; the ledger refunds per variant; a note remembers QC's re-check

Revision ID: render_draws
Revises: money_controls
"""

from alembic import op
import sqlalchemy as sa


revision = "render_draws"
down_revision = "money_controls"
branch_labels = None
depends_on = None

SELECTED = "selected"


def upgrade() -> None:
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.add_column(sa.Column("take_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("variant", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("seed", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("selected", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("rank", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("qc", sa.JSON(), nullable=True))
        batch_op.create_foreign_key("fk_clips_take_id", "takes", ["take_id"], ["id"])
    # Every clip so far was the only draw of its inputs or a newer one replaced it: the newest is the select.
    op.execute("UPDATE clips SET take_id = (SELECT render_jobs.take_id FROM render_jobs WHERE render_jobs.id = clips.job_id)")
    op.execute("UPDATE clips SET selected = TRUE WHERE id IN (SELECT max(id) FROM clips GROUP BY shot_id, inputs_digest)")
    # Exactly one select per shot and inputs digest, enforced by the database.
    op.create_index("uq_clip_select_per_inputs", "clips", ["shot_id", "inputs_digest"], unique=True,
                    sqlite_where=sa.text(SELECTED), postgresql_where=sa.text(SELECTED))
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("variant", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_constraint("uq_ledger_job_kind", type_="unique")
        batch_op.create_unique_constraint("uq_ledger_job_variant_kind", ["job_id", "variant", "kind"])
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qc_check", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_issues", schema=None) as batch_op:
        batch_op.drop_column("qc_check")
    op.execute("DELETE FROM ledger_entries WHERE variant <> 0")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_ledger_job_variant_kind", type_="unique")
        batch_op.create_unique_constraint("uq_ledger_job_kind", ["job_id", "kind"])
        batch_op.drop_column("variant")
    op.drop_index("uq_clip_select_per_inputs", table_name="clips")
    with op.batch_alter_table("clips", schema=None) as batch_op:
        batch_op.drop_constraint("fk_clips_take_id", type_="foreignkey")
        for name in ("qc", "rank", "selected", "seed", "variant", "take_id"):
            batch_op.drop_column(name)
