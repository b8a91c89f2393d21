"""sociale kaart (HSDS 3.0), its postcode ranges, private layer and change log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kaart_change",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=False),
        sa.Column("field_name", sa.String(length=300), nullable=False),
        sa.Column("previous_value", sa.Text(), nullable=False),
        sa.Column("replacement_value", sa.Text(), nullable=False),
        sa.Column("last_action_type", sa.String(length=32), nullable=False),
        sa.Column("last_action_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=300), nullable=False),
        sa.Column("batch_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_change")),
    )
    with op.batch_alter_table("kaart_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kaart_change_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kaart_change_last_action_date"), ["last_action_date"], unique=False
        )
        batch_op.create_index(
            "ix_kaart_change_resource", ["resource_type", "resource_id"], unique=False
        )

    op.create_table(
        "kaart_organization",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("alternate_name", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("website", sa.String(length=1000), nullable=True),
        sa.Column("legal_status", sa.String(length=300), nullable=True),
        sa.Column("logo", sa.String(length=1000), nullable=True),
        sa.Column("uri", sa.String(length=1000), nullable=True),
        sa.Column("parent_organization_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_organization_id"],
            ["kaart_organization.id"],
            name="fk_kaart_organization_parent",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_organization")),
    )
    with op.batch_alter_table("kaart_organization", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_organization_parent_organization_id"),
            ["parent_organization_id"],
            unique=False,
        )

    op.create_table(
        "kaart_taxonomy",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("uri", sa.String(length=1000), nullable=True),
        sa.Column("version", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_taxonomy")),
    )
    op.create_table(
        "kaart_unit",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("scheme", sa.String(length=300), nullable=True),
        sa.Column("identifier", sa.String(length=300), nullable=True),
        sa.Column("uri", sa.String(length=1000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_unit")),
    )
    op.create_table(
        "kaart_location",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_type", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("alternate_name", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("transportation", sa.Text(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("external_identifier", sa.String(length=300), nullable=True),
        sa.Column("external_identifier_type", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["kaart_organization.id"],
            name=op.f("fk_kaart_location_organization_id_kaart_organization"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_location")),
    )
    with op.batch_alter_table("kaart_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_location_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "kaart_service",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("alternate_name", sa.String(length=300), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "inactive",
                "defunct",
                "temporarily closed",
                name="servicestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("interpretation_services", sa.Text(), nullable=True),
        sa.Column("application_process", sa.Text(), nullable=True),
        sa.Column("fees_description", sa.Text(), nullable=True),
        sa.Column("accreditations", sa.Text(), nullable=True),
        sa.Column("eligibility_description", sa.Text(), nullable=True),
        sa.Column("minimum_age", sa.Integer(), nullable=True),
        sa.Column("maximum_age", sa.Integer(), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assurer_email", sa.String(length=300), nullable=True),
        sa.Column("alert", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "wijkteam",
                "centraal_loket",
                "overig",
                name="servicekind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assured_by", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["kaart_organization.id"],
            name=op.f("fk_kaart_service_organization_id_kaart_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_service")),
    )
    with op.batch_alter_table("kaart_service", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kaart_service_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kaart_service_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_kaart_service_status"), ["status"], unique=False)

    op.create_table(
        "kaart_taxonomy_term",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=300), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("taxonomy", sa.String(length=300), nullable=True),
        sa.Column("taxonomy_id", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("term_uri", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["kaart_taxonomy_term.id"],
            name=op.f("fk_kaart_taxonomy_term_parent_id_kaart_taxonomy_term"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_id"],
            ["kaart_taxonomy.id"],
            name=op.f("fk_kaart_taxonomy_term_taxonomy_id_kaart_taxonomy"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_taxonomy_term")),
    )
    with op.batch_alter_table("kaart_taxonomy_term", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_taxonomy_term_parent_id"), ["parent_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_taxonomy_term_taxonomy_id"), ["taxonomy_id"], unique=False
        )

    op.create_table(
        "kaart_address",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("attention", sa.String(length=300), nullable=True),
        sa.Column("address_1", sa.String(length=300), nullable=False),
        sa.Column("address_2", sa.String(length=300), nullable=True),
        sa.Column("city", sa.String(length=300), nullable=False),
        sa.Column("region", sa.String(length=300), nullable=True),
        sa.Column("state_province", sa.String(length=300), nullable=False),
        sa.Column("postal_code", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("address_type", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["kaart_location.id"],
            name=op.f("fk_kaart_address_location_id_kaart_location"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_address")),
    )
    with op.batch_alter_table("kaart_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_address_location_id"), ["location_id"], unique=False
        )

    op.create_table(
        "kaart_attribute",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.String(length=64), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=64), nullable=False),
        sa.Column("link_type", sa.String(length=300), nullable=True),
        sa.Column("link_entity", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("label", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["kaart_taxonomy_term.id"],
            name=op.f("fk_kaart_attribute_taxonomy_term_id_kaart_taxonomy_term"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_attribute")),
    )
    with op.batch_alter_table("kaart_attribute", schema=None) as batch_op:
        batch_op.create_index("ix_kaart_attribute_link", ["link_entity", "link_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kaart_attribute_taxonomy_term_id"), ["taxonomy_term_id"], unique=False
        )

    op.create_table(
        "kaart_feedback_agreement",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("confirm_within_working_days", sa.Integer(), nullable=True),
        sa.Column("letter_at_closure", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_feedback_agreement_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_feedback_agreement")),
        sa.UniqueConstraint("service_id", name=op.f("uq_kaart_feedback_agreement_service_id")),
    )
    op.create_table(
        "kaart_service_at_location",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["kaart_location.id"],
            name=op.f("fk_kaart_service_at_location_location_id_kaart_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_service_at_location_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_service_at_location")),
    )
    with op.batch_alter_table("kaart_service_at_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_service_at_location_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_service_at_location_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "kaart_service_capacity",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=False),
        sa.Column("available", sa.Float(), nullable=False),
        sa.Column("maximum", sa.Float(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_service_capacity_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["kaart_unit.id"],
            name=op.f("fk_kaart_service_capacity_unit_id_kaart_unit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_service_capacity")),
    )
    with op.batch_alter_table("kaart_service_capacity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_service_capacity_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_service_capacity_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "kaart_contact",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("department", sa.String(length=300), nullable=True),
        sa.Column("email", sa.String(length=300), nullable=True),
        sa.Column("deputy_contact_id", sa.String(length=64), nullable=True),
        sa.Column("assured_date", sa.Date(), nullable=True),
        sa.Column("assured_by", sa.String(length=300), nullable=True),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["deputy_contact_id"],
            ["kaart_contact.id"],
            name=op.f("fk_kaart_contact_deputy_contact_id_kaart_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["kaart_location.id"],
            name=op.f("fk_kaart_contact_location_id_kaart_location"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["kaart_organization.id"],
            name=op.f("fk_kaart_contact_organization_id_kaart_organization"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["kaart_service_at_location.id"],
            name="fk_kaart_contact_sal",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_contact_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_contact")),
    )
    with op.batch_alter_table("kaart_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_contact_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_contact_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_contact_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_contact_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "kaart_schedule",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=64), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("dtstart", sa.Date(), nullable=True),
        sa.Column("timezone", sa.Float(), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("wkst", sa.String(length=2), nullable=True),
        sa.Column("freq", sa.String(length=16), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("byday", sa.String(length=100), nullable=True),
        sa.Column("byweekno", sa.String(length=200), nullable=True),
        sa.Column("bymonthday", sa.String(length=200), nullable=True),
        sa.Column("byyearday", sa.String(length=400), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.Time(), nullable=True),
        sa.Column("closes_at", sa.Time(), nullable=True),
        sa.Column("schedule_link", sa.String(length=1000), nullable=True),
        sa.Column("attending_type", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["kaart_location.id"],
            name=op.f("fk_kaart_schedule_location_id_kaart_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["kaart_service_at_location.id"],
            name="fk_kaart_schedule_sal",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_schedule_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_schedule")),
    )
    with op.batch_alter_table("kaart_schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_schedule_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_schedule_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_schedule_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "kaart_service_area",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("extent", sa.Text(), nullable=True),
        sa.Column("extent_type", sa.String(length=32), nullable=True),
        sa.Column("uri", sa.String(length=1000), nullable=True),
        sa.Column("wijk", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["kaart_service_at_location.id"],
            name="fk_kaart_service_area_sal",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_service_area_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_service_area")),
    )
    with op.batch_alter_table("kaart_service_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_service_area_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_service_area_service_id"), ["service_id"], unique=False
        )

    op.create_table(
        "kaart_fixed_contact",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("taxonomy_term_id", sa.String(length=64), nullable=True),
        sa.Column("contact_id", sa.String(length=64), nullable=True),
        sa.Column("deputy_contact_id", sa.String(length=64), nullable=True),
        sa.Column("direct_line", sa.String(length=64), nullable=True),
        sa.Column("local_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["kaart_contact.id"],
            name=op.f("fk_kaart_fixed_contact_contact_id_kaart_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deputy_contact_id"],
            ["kaart_contact.id"],
            name=op.f("fk_kaart_fixed_contact_deputy_contact_id_kaart_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_fixed_contact_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taxonomy_term_id"],
            ["kaart_taxonomy_term.id"],
            name=op.f("fk_kaart_fixed_contact_taxonomy_term_id_kaart_taxonomy_term"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_fixed_contact")),
    )
    with op.batch_alter_table("kaart_fixed_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_fixed_contact_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_fixed_contact_deputy_contact_id"),
            ["deputy_contact_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_fixed_contact_service_id"), ["service_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_fixed_contact_taxonomy_term_id"),
            ["taxonomy_term_id"],
            unique=False,
        )

    op.create_table(
        "kaart_phone",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("organization_id", sa.String(length=64), nullable=True),
        sa.Column("contact_id", sa.String(length=64), nullable=True),
        sa.Column("service_at_location_id", sa.String(length=64), nullable=True),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("extension", sa.String(length=16), nullable=True),
        sa.Column("type", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["kaart_contact.id"],
            name=op.f("fk_kaart_phone_contact_id_kaart_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["kaart_location.id"],
            name=op.f("fk_kaart_phone_location_id_kaart_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["kaart_organization.id"],
            name=op.f("fk_kaart_phone_organization_id_kaart_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_at_location_id"],
            ["kaart_service_at_location.id"],
            name="fk_kaart_phone_sal",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_phone_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_phone")),
    )
    with op.batch_alter_table("kaart_phone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kaart_phone_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kaart_phone_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_phone_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_phone_service_at_location_id"),
            ["service_at_location_id"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_kaart_phone_service_id"), ["service_id"], unique=False)

    op.create_table(
        "kaart_service_area_postcode",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_area_id", sa.String(length=64), nullable=False),
        sa.Column("pc4_from", sa.Integer(), nullable=False),
        sa.Column("pc4_to", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_area_id"],
            ["kaart_service_area.id"],
            name="fk_kaart_sa_postcode_area",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_service_area_postcode")),
    )
    with op.batch_alter_table("kaart_service_area_postcode", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kaart_service_area_postcode_range", ["pc4_from", "pc4_to"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_kaart_service_area_postcode_service_area_id"),
            ["service_area_id"],
            unique=False,
        )

    op.create_table(
        "kaart_language",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=True),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("phone_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["kaart_location.id"],
            name=op.f("fk_kaart_language_location_id_kaart_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phone_id"],
            ["kaart_phone.id"],
            name=op.f("fk_kaart_language_phone_id_kaart_phone"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["kaart_service.id"],
            name=op.f("fk_kaart_language_service_id_kaart_service"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kaart_language")),
    )
    with op.batch_alter_table("kaart_language", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kaart_language_location_id"), ["location_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_kaart_language_phone_id"), ["phone_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_kaart_language_service_id"), ["service_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("kaart_language", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_language_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_language_phone_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_language_location_id"))

    op.drop_table("kaart_language")
    with op.batch_alter_table("kaart_service_area_postcode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_service_area_postcode_service_area_id"))
        batch_op.drop_index("ix_kaart_service_area_postcode_range")

    op.drop_table("kaart_service_area_postcode")
    with op.batch_alter_table("kaart_phone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_phone_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_phone_service_at_location_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_phone_organization_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_phone_location_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_phone_contact_id"))

    op.drop_table("kaart_phone")
    with op.batch_alter_table("kaart_fixed_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_fixed_contact_taxonomy_term_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_fixed_contact_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_fixed_contact_deputy_contact_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_fixed_contact_contact_id"))

    op.drop_table("kaart_fixed_contact")
    with op.batch_alter_table("kaart_service_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_service_area_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_service_area_service_at_location_id"))

    op.drop_table("kaart_service_area")
    with op.batch_alter_table("kaart_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_schedule_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_schedule_service_at_location_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_schedule_location_id"))

    op.drop_table("kaart_schedule")
    with op.batch_alter_table("kaart_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_contact_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_contact_service_at_location_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_contact_organization_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_contact_location_id"))

    op.drop_table("kaart_contact")
    with op.batch_alter_table("kaart_service_capacity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_service_capacity_unit_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_service_capacity_service_id"))

    op.drop_table("kaart_service_capacity")
    with op.batch_alter_table("kaart_service_at_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_service_at_location_service_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_service_at_location_location_id"))

    op.drop_table("kaart_service_at_location")
    op.drop_table("kaart_feedback_agreement")
    with op.batch_alter_table("kaart_attribute", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_attribute_taxonomy_term_id"))
        batch_op.drop_index("ix_kaart_attribute_link")

    op.drop_table("kaart_attribute")
    with op.batch_alter_table("kaart_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_address_location_id"))

    op.drop_table("kaart_address")
    with op.batch_alter_table("kaart_taxonomy_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_taxonomy_term_taxonomy_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_taxonomy_term_parent_id"))

    op.drop_table("kaart_taxonomy_term")
    with op.batch_alter_table("kaart_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_service_status"))
        batch_op.drop_index(batch_op.f("ix_kaart_service_organization_id"))
        batch_op.drop_index(batch_op.f("ix_kaart_service_kind"))

    op.drop_table("kaart_service")
    with op.batch_alter_table("kaart_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_location_organization_id"))

    op.drop_table("kaart_location")
    op.drop_table("kaart_unit")
    op.drop_table("kaart_taxonomy")
    with op.batch_alter_table("kaart_organization", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kaart_organization_parent_organization_id"))

    op.drop_table("kaart_organization")
    with op.batch_alter_table("kaart_change", schema=None) as batch_op:
        batch_op.drop_index("ix_kaart_change_resource")
        batch_op.drop_index(batch_op.f("ix_kaart_change_last_action_date"))
        batch_op.drop_index(batch_op.f("ix_kaart_change_batch_id"))

    op.drop_table("kaart_change")
