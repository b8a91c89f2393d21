"""pdf check pending: a PDF stored before its check waits for the reading pass (#11)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

``letter_part.check_pending`` (boolean, false for every existing part: those were all checked
when they were stored), indexed: the reading pass takes the marked parts in small batches.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter_part") as batch:
        batch.add_column(
            sa.Column("check_pending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch.create_index(batch.f("ix_letter_part_check_pending"), ["check_pending"])


def downgrade() -> None:
    with op.batch_alter_table("letter_part") as batch:
        batch.drop_index(batch.f("ix_letter_part_check_pending"))
        batch.drop_column("check_pending")
