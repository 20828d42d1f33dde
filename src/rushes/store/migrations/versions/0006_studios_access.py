"""studios and access: users, memberships, sessions/tokens, guest share links, sign-in attempts

The one existing account becomes a studio as it is (it already owns the ledger and the projects);
ledger rows learn who spent them and review notes who wrote them.

Revision ID: studios_access
Revises: qc_findings
"""

from alembic import op
import sqlalchemy as sa


revision = "studios_access"
down_revision = "qc_findings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False, index=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "account_id", name="uq_membership"),
    )
    op.create_table(
        "auth_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scene_id", sa.Integer(), sa.ForeignKey("scenes.id"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("allow_notes", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "signin_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
    )
    op.create_index("ix_signin_attempts_email", "signin_attempts", ["email", "at"])
    op.create_index("ix_signin_attempts_address", "signin_attempts", ["address", "at"])
    with op.batch_alter_table("ledger_entries") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_ledger_entries_user_id", "users", ["user_id"], ["id"])
    with op.batch_alter_table("review_issues") as batch:
        batch.add_column(sa.Column("author_user_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("author_name", sa.String(length=120), nullable=True))
        batch.create_foreign_key("fk_review_issues_author_user_id", "users", ["author_user_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("review_issues") as batch:
        batch.drop_constraint("fk_review_issues_author_user_id", type_="foreignkey")
        batch.drop_column("author_name")
        batch.drop_column("author_user_id")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_constraint("fk_ledger_entries_user_id", type_="foreignkey")
        batch.drop_column("user_id")
    op.drop_index("ix_signin_attempts_address", "signin_attempts")
    op.drop_index("ix_signin_attempts_email", "signin_attempts")
    for table in ("signin_attempts", "share_links", "auth_tokens", "memberships", "users"):
        op.drop_table(table)
