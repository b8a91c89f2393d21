"""Who is acting: the one value that sign-in hands out and every service call and audit entry takes.

Apart from ``accounts`` (which makes an actor by signing in) and ``audit`` (which records what an
actor did), so that neither has to import the other for the type.
"""

from __future__ import annotations

from dataclasses import dataclass

from gpdesk.roles import Role
from gpdesk.security.permissions import Permission


@dataclass(frozen=True)
class Actor:
    """Who is acting: handed to the UI and to every service call instead of an ORM object."""

    user_id: int
    username: str
    display_name: str
    role: Role
    permissions: frozenset[Permission] = frozenset()
    must_change_password: bool = False

    def describe(self) -> str:
        """For the status bar: ``H. Bakker (huisarts)``."""
        return f"{self.display_name} ({self.role.label})"

    def may(self, permission: Permission) -> bool:
        """Whether the practice's permission table allows this."""
        return permission in self.permissions
