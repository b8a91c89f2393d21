"""The practice: one row per database, holding what belongs to the installation as a whole."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base, utcnow


class Practice(Base):
    """The practice this database belongs to.

    The practice data key is stored only wrapped: here under the recovery key, and per user
    in ``User.wrapped_key``.
    """

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    is_demo: Mapped[bool] = mapped_column(default=False)
    recovery_wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_backup_at: Mapped[datetime | None] = mapped_column(default=None)
    # The letterhead a signal goes out under. No Python defaults, as ``binding`` below: an
    # older backup is restored at its own schema, where these columns do not exist yet.
    address: Mapped[str | None] = mapped_column(Text)
    """The address lines, one per line."""
    phone: Mapped[str | None] = mapped_column(String(40))
    """The number a team calls back on; printed on every signal and handout."""
    agb_code: Mapped[str | None] = mapped_column(String(16))
    binding: Mapped[int] = mapped_column(server_default=text("1"))
    """2 once every sealed value is bound to table, column and record; 1 until the first sign-in
    after migration 0007 has re-bound what was sealed before (``gpdesk.security.rebind``).

    No default on the Python side: restoring an older backup inserts rows at the older schema,
    where this column does not exist yet. A new practice starts at 1 too; its first sign-in
    finds nothing unbound and marks it 2 without an audit entry.
    """
    letter_retention_days: Mapped[int] = mapped_column(server_default=text("90"))
    """How long a filed letter's content is kept before only its stub remains (``forget``)."""
