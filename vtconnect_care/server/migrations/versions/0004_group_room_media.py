"""how each Care Session carries media (mesh or Janus's VideoRoom, R-ROOM-MODE) and the
organisation's choice to run every group room through Janus (issue 14)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "care_sessions",
        sa.Column("media", sa.String(length=8), nullable=False, server_default="mesh"),
    )
    op.add_column(
        "organizations",
        sa.Column("group_rooms_via_janus", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("group_rooms_via_janus")
    with op.batch_alter_table("care_sessions") as batch:
        batch.drop_column("media")
