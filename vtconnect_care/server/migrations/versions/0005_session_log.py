"""the session log: each stretch of a person's presence in a Care Session (issue 16)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import vtconnect_care.server.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_session_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["care_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_care_session_attendance_session_id", "care_session_attendance", ["session_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_care_session_attendance_session_id", "care_session_attendance")
    op.drop_table("care_session_attendance")
