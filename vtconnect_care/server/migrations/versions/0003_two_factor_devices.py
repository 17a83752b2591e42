"""staff two-factor sign-in (TOTP seeds, recovery codes, the organisation's requirement) and
each session's device (address, user agent) for "Signed-in devices" (issue 12)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import vtconnect_care.server.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column("require_two_factor", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("tokens", sa.Column("address", sa.String(length=64), nullable=True))
    op.add_column("tokens", sa.Column("user_agent", sa.String(length=200), nullable=True))
    op.create_table(
        "two_factor",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column(
            "created_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "confirmed_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id"),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("used_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
    )
    op.create_index("ix_recovery_codes_account_id", "recovery_codes", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_recovery_codes_account_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    op.drop_table("two_factor")
    with op.batch_alter_table("tokens") as batch:
        batch.drop_column("user_agent")
        batch.drop_column("address")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("require_two_factor")
