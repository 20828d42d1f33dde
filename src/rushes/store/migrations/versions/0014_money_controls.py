"""money in the user's hands: owner grants with an idempotency key, and per-project budgets

Revision ID: money_controls
Revises: access_lifecycle
"""

from alembic import op
import sqlalchemy as sa


revision = "money_controls"
down_revision = "access_lifecycle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint("uq_ledger_request_key", ["account_id", "request_key"])
        batch_op.create_check_constraint("ck_ledger_grant_not_negative", "kind <> 'grant' OR amount >= 0")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("budget_credits", sa.Integer(), nullable=True))
        batch_op.create_check_constraint("ck_project_budget", "budget_credits IS NULL OR budget_credits >= 0")


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint("ck_project_budget", type_="check")
        batch_op.drop_column("budget_credits")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint("ck_ledger_grant_not_negative", type_="check")
        batch_op.drop_constraint("uq_ledger_request_key", type_="unique")
        batch_op.drop_column("request_key")
