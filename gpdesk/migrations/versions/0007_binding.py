"""binding: sealed values bound to their record, and the record's keyed state in the audit trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

Sealed values are from now on bound to table, column and primary key (format byte 0x02), and
every audit entry that writes a sealed record carries the record's keyed state
(``audit_entry.state``). Alembic has no key, so it cannot re-seal what is stored: it marks an
existing practice as ``binding = 1``, and the first sign-in after the upgrade re-seals every
value for its place and records a baseline state for every record, in one transaction
(``gpdesk.security.rebind``). A practice set up afterwards starts at ``binding = 2``.

``audit_entry`` gets a column with ALTER TABLE ADD COLUMN on both databases (no table copy), so
its append-only triggers stay in place; entries without a state hash as before. A downgrade
keeps that column: the trail is append-only, and dropping what its hashes cover would break
every entry that carries a state. Upgrading again finds it there.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("audit_entry")}
    if "state" not in columns:
        op.add_column("audit_entry", sa.Column("state", sa.Text(), nullable=True))
    # Reading a record finds its baseline (the rebind's entry) by event, without a table scan.
    op.create_index(op.f("ix_audit_entry_event"), "audit_entry", ["event"], unique=False)
    op.add_column(
        "practice",
        sa.Column("binding", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )


def downgrade() -> None:
    # Values sealed for their place (0x02) cannot be read by an older gpdesk: go back only to
    # restore a backup made before this revision into an empty database. ``audit_entry.state``
    # stays (see above).
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("binding")
    op.drop_index(op.f("ix_audit_entry_event"), table_name="audit_entry")
