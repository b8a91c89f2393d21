"""The practice's own grants and revocations on top of the default permission table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base, utcnow
from gpdesk.roles import Role


class RolePermission(Base):
    """One override: ``allowed`` true grants, false revokes a permission for a role."""

    __tablename__ = "role_permission"

    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
        primary_key=True,
    )
    permission: Mapped[str] = mapped_column(String(40), primary_key=True)
    allowed: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(64), default=None)
    """HMAC over this row (``gpdesk.security.account_seal``): a row gpdesk did not write grants
    nothing."""
