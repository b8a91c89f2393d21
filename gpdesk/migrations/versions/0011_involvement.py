"""involvement: a wijkteam supports a patient since a day, registered from a letter (#11)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

One new table, nothing changed in the others. A betrokkenheidsmelding ("we support your
patient") becomes a registration the practice sees in Signaleren and in the signal form. No
sealed columns: patient, team and dates are as plain as a signal's own; the letter keeps what
the team wrote. One open registration per patient and team (a partial unique index).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "involvement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("team_name", sa.String(length=300), nullable=False),
        sa.Column("team_key", sa.String(length=305), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("registered_by_id", sa.Integer(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("end_letter_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["end_letter_id"],
            ["letter.id"],
            name=op.f("fk_involvement_end_letter_id_letter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by_id"],
            ["user_account.id"],
            name=op.f("fk_involvement_ended_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_involvement_letter_id_letter"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_involvement_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"],
            ["user_account.id"],
            name=op.f("fk_involvement_registered_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involvement")),
    )
    with op.batch_alter_table("involvement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_involvement_letter_id"), ["letter_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_involvement_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(
            "uq_involvement_open",
            ["patient_id", "team_key"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("involvement", schema=None) as batch_op:
        batch_op.drop_index("uq_involvement_open")
        batch_op.drop_index(batch_op.f("ix_involvement_patient_id"))
        batch_op.drop_index(batch_op.f("ix_involvement_letter_id"))
    op.drop_table("involvement")
