"""consent: the patient's toestemming, its organisations, and sharing without consent

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26

New tables only. Names, relations and reasons are ciphertext under the practice data key.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("purposes", sa.String(length=100), nullable=False),
        sa.Column("data_items", sa.String(length=200), nullable=False),
        sa.Column(
            "method",
            _enum("consentmethod", "mondeling", "schriftelijk", "vertegenwoordiger"),
            nullable=False,
        ),
        sa.Column("patient_agreed", sa.Boolean(), nullable=False),
        sa.Column("patient_incapable", sa.Boolean(), nullable=False),
        sa.Column("representative_name", sa.LargeBinary(), nullable=True),
        sa.Column("representative_relation", sa.LargeBinary(), nullable=True),
        sa.Column("gp_role", _enum("gprole", "verwijzer", "informant"), nullable=False),
        sa.Column("text_version", sa.String(length=32), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"],
            name=op.f("fk_consent_patient_id_patient"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"],
            name=op.f("fk_consent_recorded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["user_account.id"],
            name=op.f("fk_consent_withdrawn_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )  # fmt: skip
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "consent_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent.id"],
            name=op.f("fk_consent_organisation_consent_id_consent"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_organisation")),
    )  # fmt: skip
    with op.batch_alter_table("consent_organisation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_organisation_consent_id"), ["consent_id"], unique=False
        )

    op.create_table(
        "no_consent_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column(
            "ground", _enum("noconsentground", "vitaal_belang", "wettelijke_plicht"),
            nullable=False,
        ),
        sa.Column("reason", sa.LargeBinary(), nullable=False),
        sa.Column("purpose", _enum("purpose", "aanmelding", "terugkoppeling"), nullable=False),
        sa.Column("organisation_id", sa.String(length=64), nullable=True),
        sa.Column("organisation_name", sa.String(length=300), nullable=False),
        sa.Column("data_items", sa.String(length=200), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user_account.id"],
            name=op.f("fk_no_consent_decision_decided_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"],
            name=op.f("fk_no_consent_decision_patient_id_patient"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_no_consent_decision")),
    )  # fmt: skip
    with op.batch_alter_table("no_consent_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_no_consent_decision_patient_id"), ["patient_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("no_consent_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_no_consent_decision_patient_id"))
    op.drop_table("no_consent_decision")
    with op.batch_alter_table("consent_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_organisation_consent_id"))
    op.drop_table("consent_organisation")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_patient_id"))
    op.drop_table("consent")
