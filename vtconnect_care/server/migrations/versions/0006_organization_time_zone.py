"""the organisation's time zone (issue 15): an IANA name, UTC until set

Revision ID: 0006
Revises: 0005

Existing organisations take the server machine's zone (zones.server_zone: VTCONNECT_TIME_ZONE,
TZ, /etc/localtime), the default a new one gets too; the column's server default is UTC, the
same on SQLite and PostgreSQL, so rows written by older code are never without one.
"""

import sqlalchemy as sa
from alembic import op

from vtconnect_care.server.zones import server_zone

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC"),
    )
    zone = server_zone()
    if zone != "UTC":
        organizations = sa.table("organizations", sa.column("time_zone", sa.String))
        op.execute(organizations.update().values(time_zone=zone))


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("time_zone")
