"""sociale kaart: wait time, municipal contract, former names, contacts who left

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

Only kaart tables are touched; it follows 0004 (audit seal) only because that landed first.
Former names are filled from the change log: every rename the practice made or imported is
already there.
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_RENAMED = ("service", "organization")


def upgrade() -> None:
    with op.batch_alter_table("kaart_organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_names", sa.Text(), nullable=True))
    with op.batch_alter_table("kaart_service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wait_time", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("municipal_contract", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("former_names", sa.Text(), nullable=True))
    with op.batch_alter_table("kaart_contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("departed_on", sa.Date(), nullable=True))
    _former_names_from_the_change_log()


def _former_names_from_the_change_log() -> None:
    """Each renamed service or organisation gets its earlier names, oldest first."""
    bind = op.get_bind()
    change = sa.table(
        "kaart_change",
        sa.column("resource_id", sa.String),
        sa.column("resource_type", sa.String),
        sa.column("field_name", sa.String),
        sa.column("previous_value", sa.Text),
        sa.column("last_action_type", sa.String),
        sa.column("last_action_date", sa.DateTime),
        sa.column("id", sa.String),
    )
    rows = bind.execute(
        sa.select(change.c.resource_type, change.c.resource_id, change.c.previous_value)
        .where(
            change.c.resource_type.in_(_RENAMED),
            change.c.field_name == "name",
            change.c.last_action_type == "update",
            change.c.previous_value != "",
        )
        .order_by(change.c.last_action_date, change.c.id)
    )
    earlier: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, resource_id, name in rows:
        tidy = " ".join(str(name).split())
        names = earlier[(kind, resource_id)]
        if tidy and tidy.casefold() not in {n.casefold() for n in names}:
            names.append(tidy)
    for (kind, resource_id), names in earlier.items():
        table = sa.table(
            f"kaart_{kind}",
            sa.column("id", sa.String),
            sa.column("name", sa.String),
            sa.column("former_names", sa.Text),
        )
        current = bind.execute(sa.select(table.c.name).where(table.c.id == resource_id)).scalar()
        if current is None:
            continue  # removed since
        kept = [n for n in names if n.casefold() != str(current).casefold()]
        if kept:
            bind.execute(
                table.update().where(table.c.id == resource_id).values(former_names="; ".join(kept))
            )


def downgrade() -> None:
    with op.batch_alter_table("kaart_contact", schema=None) as batch_op:
        batch_op.drop_column("departed_on")
    with op.batch_alter_table("kaart_service", schema=None) as batch_op:
        batch_op.drop_column("former_names")
        batch_op.drop_column("municipal_contract")
        batch_op.drop_column("wait_time")
    with op.batch_alter_table("kaart_organization", schema=None) as batch_op:
        batch_op.drop_column("former_names")
