"""The permission table: defaults per role, practice overrides, locked pairs, plain refusals."""

from __future__ import annotations

import pytest

from gpdesk.roles import Role
from gpdesk.security.permissions import (
    DEFAULT_PERMISSIONS,
    LOCKED,
    PERMISSION_LABELS,
    Permission,
    PermissionDeniedError,
    effective_permissions,
    require,
)
from gpdesk.security.users import UserRow, who_may


def test_every_role_has_a_row_and_every_permission_a_dutch_label() -> None:
    assert set(DEFAULT_PERMISSIONS) == set(Role)
    assert set(PERMISSION_LABELS) == set(Permission)
    for permission in Permission:
        assert permission.label == PERMISSION_LABELS[permission]


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        # Care roles open patients and read letters ...
        (Role.GP, Permission.PATIENT_OPEN, True),
        (Role.POH_GGZ, Permission.PATIENT_OPEN, True),
        (Role.ASSISTANT, Permission.PATIENT_OPEN, True),
        (Role.GP, Permission.LETTER_READ, True),
        (Role.GP, Permission.SIGNAL_SEND, True),
        (Role.ASSISTANT, Permission.SIGNAL_SEND_ON_BEHALF, True),
        (Role.ASSISTANT, Permission.SIGNAL_SEND, False),
        # ... but do not manage the practice.
        (Role.GP, Permission.USERS_MANAGE, False),
        (Role.ASSISTANT, Permission.USERS_MANAGE, False),
        (Role.POH_GGZ, Permission.USERS_MANAGE, False),
        (Role.GP, Permission.AUDIT_READ, False),
        (Role.GP, Permission.BACKUP, False),
        (Role.GP, Permission.SETTINGS_MANAGE, False),
        # The praktijkmanager manages, and sees no patient data by default.
        (Role.PRACTICE_MANAGER, Permission.USERS_MANAGE, True),
        (Role.PRACTICE_MANAGER, Permission.SETTINGS_MANAGE, True),
        (Role.PRACTICE_MANAGER, Permission.AUDIT_READ, True),
        (Role.PRACTICE_MANAGER, Permission.BACKUP, True),
        (Role.PRACTICE_MANAGER, Permission.PATIENT_OPEN, False),
        (Role.PRACTICE_MANAGER, Permission.LETTER_READ, False),
    ],
)
def test_default_table(role: Role, permission: Permission, allowed: bool) -> None:
    assert (permission in effective_permissions(role)) is allowed


def test_grant_and_revoke_apply_only_to_their_role() -> None:
    overrides = [
        (Role.PRACTICE_MANAGER, Permission.PATIENT_OPEN, True),
        (Role.GP, Permission.LETTER_FILE, False),
    ]
    manager = effective_permissions(Role.PRACTICE_MANAGER, overrides)
    gp = effective_permissions(Role.GP, overrides)
    assert Permission.PATIENT_OPEN in manager
    assert Permission.LETTER_FILE not in gp
    assert Permission.LETTER_FILE in effective_permissions(Role.POH_GGZ, overrides)
    assert Permission.PATIENT_OPEN in gp
    # Defaults themselves are not mutated by applying overrides.
    assert Permission.PATIENT_OPEN not in DEFAULT_PERMISSIONS[Role.PRACTICE_MANAGER]
    assert Permission.LETTER_FILE in DEFAULT_PERMISSIONS[Role.GP]


def test_last_override_wins() -> None:
    overrides = [
        (Role.GP, Permission.AUDIT_READ, True),
        (Role.GP, Permission.AUDIT_READ, False),
    ]
    assert Permission.AUDIT_READ not in effective_permissions(Role.GP, overrides)


@pytest.mark.parametrize(("role", "permission"), sorted(LOCKED))
def test_locked_pairs_survive_a_revocation(role: Role, permission: Permission) -> None:
    # Even a revocation row written straight into the table cannot lock the practice out.
    assert permission in effective_permissions(role, [(role, permission, False)])


def test_locked_pairs_keep_the_practice_repairable() -> None:
    assert {
        (Role.PRACTICE_MANAGER, Permission.USERS_MANAGE),
        (Role.PRACTICE_MANAGER, Permission.SETTINGS_MANAGE),
    } == LOCKED
    for role, permission in LOCKED:
        assert permission in DEFAULT_PERMISSIONS[role]


def test_require_passes_silently_when_allowed() -> None:
    require(effective_permissions(Role.GP), Permission.PATIENT_OPEN)


def test_require_refuses_in_dutch_naming_the_permission() -> None:
    with pytest.raises(PermissionDeniedError) as info:
        require(effective_permissions(Role.ASSISTANT), Permission.USERS_MANAGE)
    assert info.value.message == "U hebt geen toestemming voor: gebruikers beheren."
    assert "praktijkmanager" in info.value.hint
    assert "gebruikers beheren" in info.value.user_text()


def test_empty_permission_set_refuses_everything() -> None:
    for permission in Permission:
        with pytest.raises(PermissionDeniedError):
            require(frozenset(), permission)


def test_who_may_lists_active_accounts_whose_role_has_the_permission() -> None:
    def user(name: str, role: Role, *, active: bool = True) -> UserRow:
        return UserRow(1, name.lower(), name, role, active, False, None, None)

    people = [
        user("Smit", Role.PRACTICE_MANAGER),
        user("Oud", Role.PRACTICE_MANAGER, active=False),
        user("Bakker", Role.GP),
    ]
    assert [u.display_name for u in who_may(people, DEFAULT_PERMISSIONS, Permission.BACKUP)] == [
        "Smit"
    ]
    granted = {**DEFAULT_PERMISSIONS, Role.GP: DEFAULT_PERMISSIONS[Role.GP] | {Permission.BACKUP}}
    assert len(who_may(people, granted, Permission.BACKUP)) == 2
