"""account seal: a MAC on every account and permission row (issue #14)

Revision ID: 0008
Revises: 0006 (re-point to 0007 once the value binding of #14 is on main)
Create Date: 2026-12-06

Adds ``seal`` to ``user_account`` and ``role_permission``. Existing rows get none here: a
migration has no practice key. The first sign-in after the upgrade seals every row as it finds
it and writes "accounts.seal" in the Logboek (trust on first use); from then on a row without a
seal is a changed row (see ``gpdesk.security.account_seal``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
    with op.batch_alter_table("role_permission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("role_permission", schema=None) as batch_op:
        batch_op.drop_column("seal")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("seal")
