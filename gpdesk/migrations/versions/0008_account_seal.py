"""account seal: a MAC on every account and permission row (issue #14)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

Adds ``seal`` to ``user_account`` and ``role_permission``. Existing rows get none here: a
migration has no practice key. The first sign-in after the upgrade seals every row as it finds
it and writes "accounts.seal" in the Logboek (trust on first use); from then on a row without a
seal is a changed row (see ``gpdesk.security.account_seal``).

Going down keeps the columns (an older gpdesk ignores them), as 0007 keeps
``audit_entry.state``: the Logboek still says the rows are sealed, so dropping the seals would
make every account look changed after going up again. Going up adds only what is missing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("user_account", "role_permission")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in TABLES:
        if "seal" not in {c["name"] for c in inspector.get_columns(table)}:
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Nothing to undo: the seal columns stay (see above)."""
