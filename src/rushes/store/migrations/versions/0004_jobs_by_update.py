"""Index render jobs by their last update: the event poller reads what moved since its last round.

Revision ID: jobs_by_update
Revises: provider_quota
"""

from __future__ import annotations

from alembic import op

revision = "jobs_by_update"
down_revision = "provider_quota"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_render_jobs_updated", "render_jobs", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_render_jobs_updated", table_name="render_jobs")
