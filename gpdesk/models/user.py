"""Users of the practice and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base, utcnow
from gpdesk.roles import Role


class User(Base):
    """A person who signs in; holds the practice data key wrapped under their password."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    kdf_salt: Mapped[bytes] = mapped_column(LargeBinary)
    kdf_memory_kib: Mapped[int]
    kdf_iterations: Mapped[int]
    kdf_lanes: Mapped[int]
    password_verifier: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    seal: Mapped[str | None] = mapped_column(String(64), default=None)
    """HMAC over the columns that gate access (``gpdesk.security.account_seal``); not over the
    lockout counters above, which only slow online guessing."""


class SignInThrottle(Base):
    """Failed sign-ins per name that has no account, counted like ``User.failed_logins``.

    So an unknown name is made to wait exactly as a real account would, and the wait itself
    tells nobody which names exist.
    """

    __tablename__ = "sign_in_throttle"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_failed_at: Mapped[datetime]
