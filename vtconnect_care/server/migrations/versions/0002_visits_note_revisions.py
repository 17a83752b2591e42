"""visits: every saved version of a visit's notes (R-VISIT-16, nothing lost on a drop)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

import vtconnect_care.server.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_note_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", vtconnect_care.server.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("saved_by_id", sa.Integer(), nullable=True),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["saved_by_id"], ["accounts.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_visit_note_revisions_visit_version", "visit_note_revisions", ["visit_id", "version"]
    )


def downgrade() -> None:
    op.drop_index("ix_visit_note_revisions_visit_version", table_name="visit_note_revisions")
    op.drop_table("visit_note_revisions")
