"""signals and outbox: the signal, its timeline and reference counter, the outbox, delivery (#10)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

New tables only. What says something about the patient (the message as sent, the privénotitie,
a status change's reason, the prepared message bytes) and the SMTP password and signing key are
ciphertext under the practice data key, bound to their place.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The letterhead a signal is sent under (name was there; address, phone, AGB code new).
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("agb_code", sa.String(length=16), nullable=True))
    op.create_table(
        "signal_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_signal_counter")),
    )
    op.create_table(
        "team_delivery",
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("certificate", sa.LargeBinary(), nullable=True),
        sa.Column("export_folder", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_team_delivery_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_delivery")),
    )
    op.create_table(
        "transport_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("smtp_host", sa.String(length=255), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column(
            "security",
            sa.Enum("starttls", "tls", name="smtpsecurity", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("password", sa.LargeBinary(), nullable=True),
        sa.Column("from_address", sa.String(length=255), nullable=False),
        sa.Column("ca_file", sa.Text(), nullable=True),
        sa.Column("signing_certificate", sa.LargeBinary(), nullable=True),
        sa.Column("signing_key", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_transport_settings_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transport_settings")),
    )
    op.create_table(
        "signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("team_name", sa.String(length=300), nullable=False),
        sa.Column("themes", sa.String(length=300), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "concept",
                "verzonden",
                "ontvangen",
                "in behandeling",
                "afgerond",
                "geweigerd",
                "geannuleerd",
                "niet bereikt",
                "niet verschenen",
                name="signalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_id", sa.Integer(), nullable=True),
        sa.Column("no_consent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expected_by", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("private_note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consent.id"], name=op.f("fk_signal_consent_id_consent")
        ),
        sa.ForeignKeyConstraint(
            ["no_consent_id"],
            ["no_consent_decision.id"],
            name=op.f("fk_signal_no_consent_id_no_consent_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_signal_patient_id_patient"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["prepared_by_id"],
            ["user_account.id"],
            name=op.f("fk_signal_prepared_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["user_account.id"], name=op.f("fk_signal_requester_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal")),
        sa.UniqueConstraint("reference", name=op.f("uq_signal_reference")),
    )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signal_requester_id"), ["requester_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_signal_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_signal_team_id"), ["team_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "signaal",
                "annulering",
                "intrekking",
                name="messagekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum("smtp", "map", name="channel", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "wachtend",
                "bezig",
                "verzonden",
                "niet verzonden",
                "gestopt",
                name="outboxstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("prepared", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
            name=op.f("fk_outbox_message_signal_id_signal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("message_id", "channel", name=op.f("uq_outbox_message_message_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_signal_id"), ["signal_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_state"), ["state"], unique=False)

    op.create_table(
        "signal_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "concept",
                "verzonden",
                "ontvangen",
                "in behandeling",
                "afgerond",
                "geweigerd",
                "geannuleerd",
                "niet bereikt",
                "niet verschenen",
                name="signalstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "gebruiker",
                "antwoordlink",
                "terugkoppeling",
                "gpdesk",
                name="eventsource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_signal_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
            name=op.f("fk_signal_event_signal_id_signal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_event")),
    )
    with op.batch_alter_table("signal_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signal_event_signal_id"), ["signal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("signal_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_event_signal_id"))

    op.drop_table("signal_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_state"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_signal_id"))

    op.drop_table("outbox_message")
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signal_team_id"))
        batch_op.drop_index(batch_op.f("ix_signal_status"))
        batch_op.drop_index(batch_op.f("ix_signal_requester_id"))
        batch_op.drop_index(batch_op.f("ix_signal_patient_id"))

    op.drop_table("signal")
    op.drop_table("transport_settings")
    op.drop_table("team_delivery")
    op.drop_table("signal_counter")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("agb_code")
        batch_op.drop_column("phone")
        batch_op.drop_column("address")
