"""feedback contact per team: the role a team's new letters are assigned to (#11)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

``team_delivery.feedback_contact_role`` holds a ``Role`` value; every team already set up gets
POH-GGZ, the default the inbox used before this setting existed.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team_delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "feedback_contact_role",
                sa.String(length=32),
                server_default="poh_ggz",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("team_delivery", schema=None) as batch_op:
        batch_op.drop_column("feedback_contact_role")
