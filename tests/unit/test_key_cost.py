"""The key-cost floor and the key wrap bound to its user (#14), without a database."""

from __future__ import annotations

import pytest

from gpdesk.models import Role, User
from gpdesk.models.permission import RolePermission
from gpdesk.security import account_seal, crypto
from gpdesk.security.accounts import set_password
from gpdesk.security.crypto import (
    DecryptionError,
    KdfParams,
    Vault,
    derive_password_keys,
    new_salt,
    unwrap_key,
    wrap_context,
    wrap_key,
)
from gpdesk.security.permissions import Permission
from tests.conftest import FAST_KDF, PRODUCTION_DEFAULT_KDF, PRODUCTION_KDF_FLOOR


def test_gpdesks_own_figures_are_what_the_readme_promises() -> None:
    """The suite runs on FAST_KDF (tests/conftest.py); gpdesk itself ships these."""
    assert KdfParams(memory_kib=64 * 1024, iterations=2, lanes=1) == PRODUCTION_KDF_FLOOR
    assert KdfParams(memory_kib=256 * 1024, iterations=3, lanes=4) == PRODUCTION_DEFAULT_KDF
    assert crypto.DEFAULT_KDF == crypto.KDF_FLOOR == FAST_KDF  # lowered here, and only here


@pytest.mark.usefixtures("production_kdf")
@pytest.mark.parametrize(
    ("params", "below"),
    [
        (KdfParams(8, 1, 1), True),  # "Why" 4: 8 KiB, 1 iteration
        (KdfParams(64 * 1024 - 1, 3, 4), True),
        (KdfParams(256 * 1024, 1, 4), True),
        (KdfParams(64 * 1024, 2, 1), False),
        (PRODUCTION_DEFAULT_KDF, False),
        (FAST_KDF, True),
    ],
)
def test_the_floor(params: KdfParams, below: bool) -> None:
    assert crypto.below_floor(params) is below


def test_the_floor_is_read_when_used_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not crypto.below_floor(FAST_KDF)
    monkeypatch.setattr(crypto, "KDF_FLOOR", PRODUCTION_KDF_FLOOR)
    assert crypto.below_floor(FAST_KDF)


def test_no_new_password_is_made_below_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    user = User(username="bakker", display_name="H. Bakker", role=Role.GP)
    set_password(user, Vault.create(), "een-lang-wachtwoord")
    assert (user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes) == (1024, 1, 1)
    monkeypatch.setattr(crypto, "KDF_FLOOR", KdfParams(2048, 1, 1))
    with pytest.raises(ValueError, match="KDF_FLOOR"):
        set_password(user, Vault.create(), "een-lang-wachtwoord", FAST_KDF)


def _kek() -> bytes:
    return derive_password_keys("wachtwoord", new_salt(), FAST_KDF)[1]


def test_a_wrap_opens_only_for_its_user_and_parameters() -> None:
    data_key, kek = Vault.create().derive_key(b"test"), _kek()
    wrapped = wrap_key(data_key, kek, wrap_context("jansen", FAST_KDF))
    assert crypto.is_bound_wrap(wrapped)
    assert unwrap_key(wrapped, kek, wrap_context("jansen", FAST_KDF)) == data_key
    for other in (
        wrap_context("smit", FAST_KDF),
        wrap_context("jansen", KdfParams(8, 1, 1)),
        None,
    ):
        with pytest.raises(DecryptionError):
            unwrap_key(wrapped, kek, other)


def test_a_wrap_from_before_still_opens_whatever_the_context() -> None:
    data_key, kek = Vault.create().derive_key(b"test"), _kek()
    legacy = wrap_key(data_key, kek)  # the recovery wrap, and users' wraps before #14
    assert not crypto.is_bound_wrap(legacy)
    assert unwrap_key(legacy, kek, wrap_context("jansen", FAST_KDF)) == data_key
    assert unwrap_key(legacy, kek) == data_key


def test_the_dummy_salt_is_a_real_salt() -> None:
    assert len(crypto.DUMMY_SALT) == len(new_salt()) == 16


def _row(allowed: bool) -> RolePermission:
    return RolePermission(
        role=Role.ASSISTANT, permission=Permission.USERS_MANAGE.value, allowed=allowed,
        changed_by="smit",
    )  # fmt: skip


def test_a_permission_row_without_a_genuine_seal_grants_nothing() -> None:
    vault = Vault.create()
    sealed, forged, unsealed = _row(True), _row(True), _row(True)
    account_seal.seal_permission(sealed, vault)
    forged.seal = "ab" * 32
    assert account_seal.genuine_overrides([sealed], vault) == [
        (Role.ASSISTANT, Permission.USERS_MANAGE, True)
    ]
    for row in (forged, unsealed):
        assert account_seal.genuine_overrides([row], vault) == [
            (Role.ASSISTANT, Permission.USERS_MANAGE, False)
        ]
    # Locked (no vault): nothing can be checked, so no grant holds; a revocation still does.
    assert account_seal.genuine_overrides([sealed], None)[0][2] is False
    sealed.allowed = False
    assert account_seal.genuine_overrides([sealed], vault)[0][2] is False


def test_an_account_seal_covers_every_column_that_gates_access() -> None:
    vault = Vault.create()
    user = User(
        id=3, username="jansen", display_name="M. Jansen", role=Role.ASSISTANT, active=True,
        must_change_password=False,
    )  # fmt: skip
    set_password(user, vault, "een-lang-wachtwoord")
    account_seal.seal_account(user, vault)
    key = account_seal.seal_key(vault)
    assert account_seal.account_is_genuine(key, user)
    changes: dict[str, object] = {
        "id": 4, "username": "smit", "display_name": "R. Smit", "role": Role.PRACTICE_MANAGER,
        "active": False, "must_change_password": True, "kdf_salt": b"\0" * 16,
        "kdf_memory_kib": 8, "kdf_iterations": 7, "kdf_lanes": 2,
        "password_verifier": b"\0" * 32, "wrapped_key": b"\2" * 61,
    }  # fmt: skip
    access = {"id", "username", "display_name", "role", "active", "must_change_password"}
    for column, value in changes.items():
        before = getattr(user, column)
        setattr(user, column, value)
        assert not account_seal.account_is_genuine(key, user), column
        # A reset may repair changed password material, never a changed role or status.
        assert account_seal.access_is_genuine(key, user) is (column not in access), column
        setattr(user, column, before)
    # What only slows guessing is left out on purpose (README, security section).
    user.failed_logins, user.locked_until = 99, None
    assert account_seal.account_is_genuine(key, user)
    assert not account_seal.account_is_genuine(account_seal.seal_key(Vault.create()), user)
