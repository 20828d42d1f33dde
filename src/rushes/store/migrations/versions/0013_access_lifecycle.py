"""access lifecycle: invitations, sign-in throttles, named expiring API tokens, display names

Invitations wait for their invitee instead of handing the inviter a sign-in link; failed sign-ins
become one counter per account and per address (increasing delays, counted by conditional updates)
instead of one row per attempt.

Revision ID: access_lifecycle
Revises: note_routes
"""

from alembic import op
import sqlalchemy as sa


revision = "access_lifecycle"
down_revision = "note_routes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("email", sa.String(length=320), nullable=False, index=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("invited_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "signin_throttles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", sa.Float(), nullable=False),
        sa.Column("last_failure_at", sa.Float(), nullable=False),
        sa.UniqueConstraint("scope", "key", name="uq_signin_throttle"),
    )
    with op.batch_alter_table("auth_tokens") as batch:
        batch.add_column(sa.Column("name", sa.String(length=100), nullable=True))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=80), nullable=True))
    op.drop_index("ix_signin_attempts_address", "signin_attempts")
    op.drop_index("ix_signin_attempts_email", "signin_attempts")
    op.drop_table("signin_attempts")
    # API tokens made before tokens expired get the default lifetime (90 days) from now, not eternity.
    from datetime import datetime, timedelta, timezone

    op.get_bind().execute(sa.text("UPDATE auth_tokens SET name = 'token', expires_at = :until "
                                  "WHERE kind = 'api' AND expires_at IS NULL"),
                          {"until": datetime.now(timezone.utc) + timedelta(days=90)})


def downgrade() -> None:
    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_signin_attempts_email", "signin_attempts", ["email", "at"])
    op.create_index("ix_signin_attempts_address", "signin_attempts", ["address", "at"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("display_name")
    with op.batch_alter_table("auth_tokens") as batch:
        batch.drop_column("name")
    op.drop_table("signin_throttles")
    op.drop_table("invitations")
