"""Who may do what: one table per role, written down here, adjustable per practice.

The core checks these (``require``) before it acts; the UI only hides what the core would refuse
anyway. A practice can grant or revoke single permissions per role in Beheer (stored in
``role_permission``); everything not overridden follows ``DEFAULT_PERMISSIONS``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping

from gpdesk.errors import GpdeskError
from gpdesk.roles import Role


class Permission(enum.StrEnum):
    """Actions that need a decision; values are stored in ``role_permission``."""

    PATIENT_OPEN = "patient_open"
    SIGNAL_SEND = "signal_send"
    SIGNAL_SEND_ON_BEHALF = "signal_send_on_behalf"
    LETTER_READ = "letter_read"
    LETTER_FILE = "letter_file"
    LETTER_FORWARD = "letter_forward"
    LETTER_ANSWER = "letter_answer"
    KAART_EDIT = "kaart_edit"
    USERS_MANAGE = "users_manage"
    SETTINGS_MANAGE = "settings_manage"
    AUDIT_READ = "audit_read"
    BACKUP = "backup"
    DATABASE_CHECK = "database_check"

    @property
    def label(self) -> str:
        """Dutch description for Beheer and refusals."""
        return PERMISSION_LABELS[self]


PERMISSION_LABELS = {
    Permission.PATIENT_OPEN: "patiënt openen",
    Permission.SIGNAL_SEND: "signaal versturen",
    Permission.SIGNAL_SEND_ON_BEHALF: "signaal versturen namens een huisarts",
    Permission.LETTER_READ: "terugkoppeling lezen",
    Permission.LETTER_FILE: "terugkoppeling overnemen in HIS",
    Permission.LETTER_FORWARD: "terugkoppeling doorsturen naar verwijzer",
    Permission.LETTER_ANSWER: "informatieverzoek beantwoorden (Wmo, Jeugd)",
    Permission.KAART_EDIT: "sociale kaart bewerken",
    Permission.USERS_MANAGE: "gebruikers beheren",
    Permission.SETTINGS_MANAGE: "instellingen beheren",
    Permission.AUDIT_READ: "logboek inzien en exporteren",
    Permission.BACKUP: "back-up maken en terugzetten",
    Permission.DATABASE_CHECK: "database controleren",
}

_CARE = {Permission.PATIENT_OPEN, Permission.LETTER_READ}

DEFAULT_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    # Medical information leaves the practice only by the GP's own decision (LHV checklist).
    Role.GP: frozenset(
        _CARE
        | {
            Permission.SIGNAL_SEND,
            Permission.LETTER_FILE,
            Permission.LETTER_FORWARD,
            Permission.LETTER_ANSWER,
        }
    ),
    Role.POH_GGZ: frozenset(
        _CARE | {Permission.SIGNAL_SEND, Permission.LETTER_FILE, Permission.LETTER_FORWARD}
    ),
    Role.ASSISTANT: frozenset(
        _CARE | {Permission.SIGNAL_SEND_ON_BEHALF, Permission.LETTER_FILE, Permission.KAART_EDIT}
    ),
    # Manages the practice, reads no letters and opens no patients unless the practice grants it.
    Role.PRACTICE_MANAGER: frozenset(
        {
            Permission.KAART_EDIT,
            Permission.USERS_MANAGE,
            Permission.SETTINGS_MANAGE,
            Permission.AUDIT_READ,
            Permission.BACKUP,
            Permission.DATABASE_CHECK,
        }
    ),
}

# Without these nobody could ever repair the permission table or the accounts.
LOCKED = {
    (Role.PRACTICE_MANAGER, Permission.USERS_MANAGE),
    (Role.PRACTICE_MANAGER, Permission.SETTINGS_MANAGE),
}


class PermissionDeniedError(GpdeskError):
    """The signed-in role may not do this; says which permission is missing."""


def effective_permissions(
    role: Role, overrides: Iterable[tuple[Role, Permission, bool]] = ()
) -> frozenset[Permission]:
    """The defaults for ``role`` with the practice's grants and revocations applied."""
    granted = set(DEFAULT_PERMISSIONS[role])
    for over_role, permission, allowed in overrides:
        if over_role is not role or (over_role, permission) in LOCKED:
            continue
        if allowed:
            granted.add(permission)
        else:
            granted.discard(permission)
    return frozenset(granted)


def require(permissions: frozenset[Permission], permission: Permission) -> None:
    """Refuse plainly when ``permission`` is missing."""
    if permission not in permissions:
        raise PermissionDeniedError(
            f"U hebt geen toestemming voor: {permission.label}.",
            hint="Vraag de praktijkmanager om dit recht als u het nodig hebt.",
        )
