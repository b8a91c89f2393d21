"""request answers: the practice's answer or refusal to a team's information request (#11 item 9)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07

A new table ``request_answer`` (one per request letter; the composed message sealed), and the
outbox carries it: ``outbox_message.signal_id`` becomes nullable, ``answer_id`` is added, and a
row carries exactly one of the two (check ``carries_one``). Existing rows all carry a signal.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("antwoord", "weigering", name="answerkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("team_name", sa.String(length=300), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("checks", sa.String(length=200), nullable=False),
        sa.Column("answered_by_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user_account.id"],
            name=op.f("fk_request_answer_answered_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent.id"], name=op.f("fk_request_answer_consent_id_consent")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_request_answer_letter_id_letter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_request_answer_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_answer")),
        sa.UniqueConstraint("letter_id", name=op.f("uq_request_answer_letter_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_request_answer_reference")),
    )
    with op.batch_alter_table("request_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_answer_patient_id"), ["patient_id"], unique=False
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.alter_column("signal_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("answer_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_answer_id_request_answer"),
            "request_answer",
            ["answer_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            batch_op.f("ix_outbox_message_answer_id"), ["answer_id"], unique=False
        )
        batch_op.create_check_constraint(
            "carries_one", "(signal_id IS NULL) <> (answer_id IS NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_carries_one"), type_="check")
        batch_op.drop_index(batch_op.f("ix_outbox_message_answer_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_answer_id_request_answer"), type_="foreignkey"
        )
        batch_op.drop_column("answer_id")
        batch_op.alter_column("signal_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("request_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_answer_patient_id"))
    op.drop_table("request_answer")
