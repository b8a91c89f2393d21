"""Alembic environment: always run by gpdesk.db with a connection handed in."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from gpdesk.models import Base
from gpdesk.models.base import UtcDateTime


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our UtcDateTime as plain DateTime so migrations never import model code."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("gpdesk migrations run through gpdesk.db.migrate(), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
