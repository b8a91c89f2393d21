"""inbox: letters, their parts and steps, the sources they are fetched from (#11)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07

New tables, the practice's retention period for filed letters, and an index to find the last
audit entry of one record by object. What may say something about
the patient (the received bytes, subject, text, sanitised HTML, each part's name, bytes and text,
a step's note) and a mailbox password are ciphertext under the practice data key, bound to their
place. ``message_id`` and ``content_hash`` are unique: a letter is stored once.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The last write of one record, by object: a letter not yet linked has no patient_ref.
    # Plain CREATE INDEX, never a batch (a copied table would lose its append-only triggers).
    op.create_index("ix_audit_entry_object", "audit_entry", ["object_type", "object_id"])
    op.create_table(
        "inbox_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("imap", "map", name="sourcekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=True),
        sa.Column("port", sa.Integer(), nullable=True),
        sa.Column("security", sa.String(length=16), nullable=True),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("password", sa.LargeBinary(), nullable=True),
        sa.Column("folder", sa.String(length=255), nullable=True),
        sa.Column("ca_file", sa.Text(), nullable=True),
        sa.Column("move_to", sa.String(length=255), nullable=True),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=True),
        sa.Column("last_fetch_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_source_updated_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_source")),
    )
    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "e-mail",
                "map",
                "gesleept",
                "bestand",
                "telefoon",
                name="lettersource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("file_type", sa.String(length=32), nullable=False),
        sa.Column("sender_address", sa.String(length=255), nullable=True),
        sa.Column("sender_name", sa.String(length=200), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "nieuw",
                "toegewezen",
                "overgenomen in HIS",
                "gearchiveerd",
                name="letterstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("kind_confirmed", sa.Boolean(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("signature", sa.String(length=32), nullable=True),
        sa.Column("quarantine_reason", sa.Text(), nullable=True),
        sa.Column("quarantine_code", sa.String(length=64), nullable=True),
        sa.Column("signal_id", sa.Integer(), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("match_confirmed", sa.Boolean(), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=True),
        sa.Column("team_name", sa.String(length=300), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assignee_role", sa.String(length=32), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("filed_by_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=True),
        # The subject before the large values: SQLite reads a row's columns in order, so a
        # list that shows the subject never reads through the received bytes.
        sa.Column("subject", sa.LargeBinary(), nullable=True),
        sa.Column("body_text", sa.LargeBinary(), nullable=True),
        sa.Column("body_html", sa.LargeBinary(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_letter_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_id"], ["user_account.id"], name=op.f("fk_letter_filed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patient.id"],
            name=op.f("fk_letter_patient_id_patient"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
            name=op.f("fk_letter_signal_id_signal"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["inbox_source.id"],
            name=op.f("fk_letter_source_id_inbox_source"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_letter_content_hash")),
        sa.UniqueConstraint("message_id", name=op.f("uq_letter_message_id")),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_assignee_id"), ["assignee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_received_at"), ["received_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_signal_id"), ["signal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_letter_quarantine_code"), ["quarantine_code"], unique=False
        )
        batch_op.create_index("ix_letter_state_received", ["state", "received_at"], unique=False)
        batch_op.create_index("ix_letter_team", ["team_id", "team_name"], unique=False)
    op.create_table(
        "letter_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=True),
        sa.Column("to_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_letter_event_actor_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_letter_event_letter_id_letter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_user_id"],
            ["user_account.id"],
            name=op.f("fk_letter_event_to_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_event")),
    )
    with op.batch_alter_table("letter_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_event_letter_id"), ["letter_id"], unique=False)
    op.create_table(
        "letter_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("part_kind", sa.String(length=32), nullable=False),
        sa.Column("safe_to_open", sa.Boolean(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("filename", sa.LargeBinary(), nullable=True),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_letter_part_letter_id_letter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_part")),
    )
    with op.batch_alter_table("letter_part", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_part_letter_id"), ["letter_id"], unique=False)
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "letter_retention_days", sa.Integer(), server_default=sa.text("90"), nullable=False
            )
        )


def downgrade() -> None:
    op.drop_index("ix_audit_entry_object", table_name="audit_entry")
    with op.batch_alter_table("practice", schema=None) as batch_op:
        batch_op.drop_column("letter_retention_days")
    with op.batch_alter_table("letter_part", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_part_letter_id"))
    op.drop_table("letter_part")
    with op.batch_alter_table("letter_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_event_letter_id"))
    op.drop_table("letter_event")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_team_id"))
        batch_op.drop_index(batch_op.f("ix_letter_quarantine_code"))
        batch_op.drop_index("ix_letter_state_received")
        batch_op.drop_index("ix_letter_team")
        batch_op.drop_index(batch_op.f("ix_letter_state"))
        batch_op.drop_index(batch_op.f("ix_letter_signal_id"))
        batch_op.drop_index(batch_op.f("ix_letter_received_at"))
        batch_op.drop_index(batch_op.f("ix_letter_patient_id"))
        batch_op.drop_index(batch_op.f("ix_letter_kind"))
        batch_op.drop_index(batch_op.f("ix_letter_assignee_id"))
    op.drop_table("letter")
    op.drop_table("inbox_source")
