"""provider quota: a shared pacing row per provider, and the send slot a waiting job holds

Revision ID: provider_quota
Revises: money_constraints
"""

from alembic import op
import sqlalchemy as sa


revision = "provider_quota"
down_revision = "money_constraints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    quotas = op.create_table(
        "provider_quotas",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("slots", sa.JSON(), nullable=False),
        sa.Column("backoff_until", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("provider"),
    )
    # The row exists up front so every worker can lock it; there is nothing to insert-race over.
    op.bulk_insert(quotas, [{"provider": "veo", "slots": [], "backoff_until": 0.0, "updated_at": 0.0}])
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quota_at", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("render_jobs", schema=None) as batch_op:
        batch_op.drop_column("quota_at")
    op.drop_table("provider_quotas")
