"""audit seal (a keyed HMAC over the chain's tip) and sign-in throttling for unknown names

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

A database that already holds a practice or audit entries is marked as upgraded: its
``pre_seal_entries`` records how many entries were written before seals existed. Those entries
are sealed at the first moment a practice key is unlocked (the next sign-in), and until then
``gpdesk audit verify`` reports them as "van voor de verzegeling". A database without a practice
and without entries stays unmarked: its practice will be sealed from its first entry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sealed_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("pre_seal_entries", sa.Integer(), nullable=True))

    op.create_table(
        "sign_in_throttle",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sign_in_throttle")),
    )

    op.execute(
        sa.text(
            "UPDATE audit_head SET pre_seal_entries = seq "
            "WHERE seq > 0 OR EXISTS (SELECT 1 FROM practice)"
        )
    )


def downgrade() -> None:
    op.drop_table("sign_in_throttle")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("pre_seal_entries")
        batch_op.drop_column("seal")
        batch_op.drop_column("sealed_at")
        batch_op.drop_column("sealed_hash")
        batch_op.drop_column("sealed_seq")
