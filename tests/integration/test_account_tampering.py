"""Issue #14, "Why" 3, 4 and 5: attacks on a copy of a demo database with nothing but ``sqlite3``.

Each test copies one demo practice, changes the file as someone with the file and no password
would (Python's own ``sqlite3``, no gpdesk code), and shows that gpdesk refuses or reports it.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select

from gpdesk.db import Database, open_database
from gpdesk.errors import AccountBlockedError, AuthError, ValidationError
from gpdesk.models import AuditEntry, User
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.roles import Role
from gpdesk.security import account_seal, crypto
from gpdesk.security.accounts import REFUSED, TAMPERED, WEAK_KEY, change_password, sign_in
from gpdesk.security.finding import Finding
from gpdesk.security.permissions import Permission
from gpdesk.security.users import (
    CHANGED_OUTSIDE,
    recover_access,
    reset_password,
    set_active,
    set_permission,
)
from tests.cli_support import gpdesk
from tests.conftest import FAST_KDF, PRODUCTION_DEFAULT_KDF
from tests.security_support import assert_one_dutch_line, make_demo

OWN_PASSWORD = "jansens-eigen-wachtwoord"
LEGACY_DEMO = Path(__file__).resolve().parents[1] / "data" / "demo-main-e5a5754.sqlite3.gz"
"""The demo practice as gpdesk main e5a5754 (schema 0006) made it, with FAST_KDF, before seals.

Made with that commit's code: ``create_demo(db, kdf=KdfParams(1024, 1, 1))``; then smit signed
in and revoked "sociale kaart bewerken" from the doktersassistent; then ``VACUUM``.
"""


@dataclass(frozen=True)
class Demo:
    """One demo practice file, made once per module and copied per test."""

    path: Path
    recovery_key: str


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    path = tmp_path_factory.mktemp("demo") / "gpdesk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    try:
        made = make_demo(db)
        # A disabled account, a revoked permission and a password of her own, as in practice.
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        set_active(db, smit, "visser", active=False)
        set_permission(db, smit, Role.ASSISTANT, Permission.KAART_EDIT, allowed=False)
        change_password(db, "jansen", DEMO_PASSWORD, OWN_PASSWORD)
    finally:
        db.dispose()
    return Demo(path, made.recovery_key)


@pytest.fixture
def copy(demo: Demo, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the demo file for one attack."""
    target = tmp_path / "kopie.sqlite3"
    shutil.copyfile(demo.path, target)
    yield target


def tamper(path: Path, statement: str, *params: object) -> None:
    """What the attacker does: plain SQL on the file, committed."""
    with sqlite3.connect(path) as conn:
        assert conn.execute(statement, params).rowcount >= 1
    conn.close()


def opened(path: Path) -> Database:
    return open_database(f"sqlite:///{path}")


def user_id(path: Path, username: str) -> int:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT id FROM user_account WHERE username = ?", (username,)).fetchone()
    conn.close()
    return int(row[0])


def entries(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        found = session.scalars(select(AuditEntry).where(AuditEntry.event == event)).all()
        session.expunge_all()
        return list(found)


def blocked(db: Database, username: str, password: str) -> AccountBlockedError:
    with pytest.raises(AccountBlockedError) as info:
        sign_in(db, username, password)
    return info.value


def findings(db: Database, by: str = "smit") -> dict[str, account_seal.SealReport]:
    """What ``gpdesk check`` will report, with the key of whoever signs in."""
    signed = sign_in(db, by, DEMO_PASSWORD)
    with db.session() as session:
        return {
            "accounts": account_seal.check_accounts(session, signed.vault),
            "permissions": account_seal.check_permissions(session, signed.vault),
            "key_cost": account_seal.check_key_cost(session),
        }


# -- an untouched practice ------------------------------------------------------------------


def test_an_untouched_demo_signs_in_and_checks_clean(copy: Path) -> None:
    db = opened(copy)
    try:
        for name in ("smit", "bakker"):
            assert sign_in(db, name, DEMO_PASSWORD).actor.username == name
        assert not sign_in(db, "jansen", OWN_PASSWORD).actor.may(Permission.KAART_EDIT)
        reports = findings(db)
        assert reports["accounts"] == account_seal.SealReport(checked=4, findings=())
        assert reports["permissions"] == account_seal.SealReport(checked=1, findings=())
        assert reports["key_cost"] == account_seal.SealReport(checked=4, findings=())
        assert entries(db, account_seal.ACCOUNT_TAMPERED_EVENT) == []
    finally:
        db.dispose()


# -- "Why" 3: accounts changed in the file --------------------------------------------------


def test_an_assistant_who_makes_herself_practice_manager_is_refused(copy: Path) -> None:
    tamper(copy, "UPDATE user_account SET role = 'practice_manager' WHERE username = 'jansen'")
    jansen = user_id(copy, "jansen")
    db = opened(copy)
    try:
        refusal = blocked(db, "jansen", OWN_PASSWORD)
        assert refusal.message == TAMPERED
        assert "gpdesk check" in refusal.hint
        # Only her right password gets this answer; a wrong one stays vague (#9).
        with pytest.raises(AuthError) as wrong:
            sign_in(db, "jansen", "niet-haar-wachtwoord")
        assert wrong.value.message == REFUSED
        (entry,) = entries(db, account_seal.ACCOUNT_TAMPERED_EVENT)
        assert (entry.object_type, entry.object_id) == ("user_account", str(jansen))
        assert entry.detail == account_seal.CHANGED_ACCOUNT
        assert findings(db)["accounts"].findings == (
            Finding("user_account", str(jansen), account_seal.CHANGED_ACCOUNT),
        )
    finally:
        db.dispose()


def test_the_praktijkmanager_cannot_seal_a_changed_account_by_resetting_it(copy: Path) -> None:
    """A reset or re-enable would seal the role written in the file; disabling stays possible."""
    tamper(copy, "UPDATE user_account SET role = 'practice_manager' WHERE username = 'jansen'")
    db = opened(copy)
    try:
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        for act in (
            lambda: reset_password(db, smit, "jansen"),
            lambda: set_active(db, smit, "jansen", active=True),
        ):
            with pytest.raises(ValidationError) as info:
                act()
            assert info.value.problems["gebruikersnaam"] == CHANGED_OUTSIDE
        set_active(db, smit, "jansen", active=False)
        with pytest.raises(AuthError) as refused:
            sign_in(db, "jansen", OWN_PASSWORD)
        assert refused.value.message == REFUSED  # disabled: the usual answer
        assert len(findings(db)["accounts"].findings) == 1  # and still reported
        with pytest.raises(ValidationError):
            set_active(db, smit, "jansen", active=True)
    finally:
        db.dispose()


def test_a_disabled_account_set_active_in_the_file_is_refused(copy: Path) -> None:
    tamper(copy, "UPDATE user_account SET active = 1 WHERE username = 'visser'")
    db = opened(copy)
    try:
        assert blocked(db, "visser", DEMO_PASSWORD).message == TAMPERED
        (finding,) = findings(db)["accounts"].findings
        assert finding.record_id == str(user_id(copy, "visser"))
    finally:
        db.dispose()


def test_a_colleagues_key_copied_into_the_managers_row_is_refused(copy: Path) -> None:
    """Jansen's salt, verifier, parameters and wrap in smit's row: her password, his account."""
    tamper(
        copy,
        "UPDATE user_account SET (kdf_salt, kdf_memory_kib, kdf_iterations, kdf_lanes, "
        "password_verifier, wrapped_key) = (SELECT kdf_salt, kdf_memory_kib, kdf_iterations, "
        "kdf_lanes, password_verifier, wrapped_key FROM user_account WHERE username = 'jansen') "
        "WHERE username = 'smit'",
    )
    db = opened(copy)
    try:
        refusal = blocked(db, "smit", OWN_PASSWORD)
        assert refusal.message == TAMPERED
        (entry,) = entries(db, account_seal.ACCOUNT_TAMPERED_EVENT)
        assert entry.detail == account_seal.FOREIGN_KEY  # the wrap names jansen, not smit
        with pytest.raises(AuthError) as own:
            sign_in(db, "smit", DEMO_PASSWORD)  # his own password no longer fits his row
        assert own.value.message == REFUSED
        assert findings(db, by="bakker")["accounts"].findings == (
            Finding("user_account", str(user_id(copy, "smit")), account_seal.CHANGED_KEY),
        )
    finally:
        db.dispose()


def test_a_seal_copied_along_with_the_row_does_not_help(copy: Path) -> None:
    """The whole of jansen's row, seal included, over bakker's: the seal names jansen's id."""
    tamper(
        copy,
        "UPDATE user_account SET (display_name, role, kdf_salt, kdf_memory_kib, kdf_iterations, "
        "kdf_lanes, password_verifier, wrapped_key, seal) = (SELECT display_name, role, kdf_salt, "
        "kdf_memory_kib, kdf_iterations, kdf_lanes, password_verifier, wrapped_key, seal "
        "FROM user_account WHERE username = 'jansen') WHERE username = 'bakker'",
    )
    db = opened(copy)
    try:
        assert blocked(db, "bakker", OWN_PASSWORD).message == TAMPERED
    finally:
        db.dispose()


def test_a_seal_removed_after_sealing_began_is_refused(copy: Path) -> None:
    tamper(copy, "UPDATE user_account SET seal = NULL, role = 'gp' WHERE username = 'jansen'")
    db = opened(copy)
    try:
        assert blocked(db, "jansen", OWN_PASSWORD).message == TAMPERED
        (entry,) = entries(db, account_seal.ACCOUNT_TAMPERED_EVENT)
        assert entry.detail == account_seal.UNSEALED_ACCOUNT
        assert not entries(db, account_seal.SEALED_EVENT)[1:]  # no second trust on first use
    finally:
        db.dispose()


# -- "Why" 3: permission rows ---------------------------------------------------------------


def test_a_permission_row_changed_in_the_file_grants_nothing(copy: Path) -> None:
    tamper(
        copy,
        "UPDATE role_permission SET allowed = 1 WHERE role = 'assistant' AND permission = ?",
        Permission.KAART_EDIT.value,
    )
    tamper(
        copy,
        "INSERT INTO role_permission (role, permission, allowed, changed_at, changed_by, seal) "
        "VALUES ('assistant', ?, 1, '2026-12-01 10:00:00', 'smit', ?)",
        Permission.USERS_MANAGE.value,
        "ab" * 32,
    )
    db = opened(copy)
    try:
        jansen = sign_in(db, "jansen", OWN_PASSWORD)
        assert not jansen.actor.may(Permission.KAART_EDIT)
        assert not jansen.actor.may(Permission.USERS_MANAGE)
        assert jansen.actor.may(Permission.PATIENT_OPEN)  # the rest of her work goes on
        (entry,) = entries(db, account_seal.PERMISSION_TAMPERED_EVENT)
        assert entry.object_id == "assistant/kaart_edit, assistant/users_manage"
        report = findings(db)["permissions"]
        assert report.checked == 2
        assert {(f.record_id, f.problem) for f in report.findings} == {
            ("assistant/kaart_edit", account_seal.CHANGED_PERMISSION),
            ("assistant/users_manage", account_seal.CHANGED_PERMISSION),
        }
    finally:
        db.dispose()


def test_setting_a_tampered_permission_again_repairs_it(copy: Path) -> None:
    tamper(copy, "UPDATE role_permission SET allowed = 1 WHERE role = 'assistant'")
    db = opened(copy)
    try:
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        set_permission(db, smit, Role.ASSISTANT, Permission.KAART_EDIT, allowed=True)
        assert sign_in(db, "jansen", OWN_PASSWORD).actor.may(Permission.KAART_EDIT)
        assert findings(db)["permissions"].ok
    finally:
        db.dispose()


# -- "Why" 4: the key cost lowered in the file ---------------------------------------------


def test_a_key_cost_lowered_to_8_kib_is_refused_and_a_reset_writes_the_default(
    copy: Path,
) -> None:
    tamper(
        copy,
        "UPDATE user_account SET kdf_memory_kib = 8, kdf_iterations = 1 WHERE username = 'bakker'",
    )
    bakker = user_id(copy, "bakker")
    db = opened(copy)
    try:
        # His password no longer fits the lowered parameters: the vague answer, and the real
        # reason in the Logboek. (An account that does fit them: see the next-but-one test.)
        with pytest.raises(AuthError) as info:
            sign_in(db, "bakker", DEMO_PASSWORD)
        assert info.value.message == REFUSED
        (entry,) = entries(db, account_seal.WEAK_KEY_EVENT)
        assert entry.username == "bakker"
        assert entry.detail == f"{account_seal.WEAK_KEY} (8 KiB, 1x); onjuist wachtwoord (1x)"
        assert findings(db)["key_cost"].findings == (
            Finding("user_account", str(bakker), account_seal.WEAK_KEY),
        )
        # The praktijkmanager's reset writes today's parameters, not the stored ones.
        one_time = reset_password(db, sign_in(db, "smit", DEMO_PASSWORD), "bakker")
        assert stored_kdf(db, "bakker") == crypto.DEFAULT_KDF
        change_password(db, "bakker", one_time, "bakkers-nieuwe-wachtwoord")
        assert stored_kdf(db, "bakker") == crypto.DEFAULT_KDF
        assert sign_in(db, "bakker", "bakkers-nieuwe-wachtwoord").actor.role is Role.GP
        assert findings(db)["key_cost"].ok
    finally:
        db.dispose()


def stored_kdf(db: Database, username: str) -> crypto.KdfParams:
    with db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        return crypto.KdfParams(user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes)


@pytest.mark.usefixtures("production_kdf")
def test_with_gpdesks_own_floor_cheap_accounts_are_refused_and_new_ones_get_the_default(
    copy: Path, demo: Demo
) -> None:
    """Real Argon2id (a few seconds): the suite's FAST_KDF accounts are below gpdesk's floor."""
    db = opened(copy)
    try:
        assert blocked(db, "bakker", DEMO_PASSWORD).message == WEAK_KEY
        recover_access(db, "smit", demo.recovery_key, "een-nieuw-sterk-wachtwoord")
        assert stored_kdf(db, "smit") == PRODUCTION_DEFAULT_KDF
        smit = sign_in(db, "smit", "een-nieuw-sterk-wachtwoord")
        reset_password(db, smit, "bakker")
        assert stored_kdf(db, "bakker") == PRODUCTION_DEFAULT_KDF
        with pytest.raises(ValueError, match="KDF_FLOOR"):
            recover_access(db, "smit", demo.recovery_key, "nog-een-wachtwoord", kdf=FAST_KDF)
    finally:
        db.dispose()


# -- "Why" 5: no name oracle ----------------------------------------------------------------


class _CountingArgon2id:
    """Stands in for ``crypto.Argon2id``: records each derivation's parameters."""

    made: ClassVar[list[tuple[int, int, int]]] = []

    def __init__(self, *, salt: bytes, length: int, iterations: int, lanes: int, memory_cost: int):
        from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

        self.made.append((memory_cost, iterations, lanes))
        self._real = Argon2id(
            salt=salt, length=length, iterations=iterations, lanes=lanes, memory_cost=memory_cost
        )

    def derive(self, key_material: bytes) -> bytes:
        return self._real.derive(key_material)


def test_an_unknown_name_costs_one_derivation_like_a_known_one(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crypto, "Argon2id", _CountingArgon2id)
    db = opened(copy)
    try:
        answers = []
        for name in ("bakker", "niemand", "bakker", "x"):  # "x" cannot even be a user name
            _CountingArgon2id.made = []
            with pytest.raises(AuthError) as info:
                sign_in(db, name, "fout-wachtwoord")
            answers.append((info.value.message, info.value.hint, _CountingArgon2id.made))
        default = (
            crypto.DEFAULT_KDF.memory_kib,
            crypto.DEFAULT_KDF.iterations,
            crypto.DEFAULT_KDF.lanes,
        )
        assert {(message, hint) for message, hint, _ in answers} == {(answers[0][0], answers[0][1])}
        assert [made for _, _, made in answers] == [[default]] * 4
    finally:
        db.dispose()


# -- the command line -----------------------------------------------------------------------


def test_the_cli_refuses_a_tampered_account_with_exit_2_and_one_dutch_line(
    copy: Path, tmp_path: Path
) -> None:
    tamper(copy, "UPDATE user_account SET role = 'practice_manager' WHERE username = 'jansen'")
    result = gpdesk(
        "user", "list", "--user", "jansen", "--home", str(tmp_path / "home"),
        "--database-url", f"sqlite:///{copy}", password=OWN_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(result, 2)
    assert TAMPERED in result.stderr
    assert "gpdesk check" in result.stderr


# -- the upgrade from a database as main e5a5754 made it ------------------------------------


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    target = tmp_path / "oud.sqlite3"
    with gzip.open(LEGACY_DEMO, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    return target


def test_an_upgraded_database_is_sealed_at_the_first_sign_in(legacy: Path) -> None:
    db = opened(legacy)  # migrates to head: columns added, nothing sealed yet
    try:
        with db.session() as session:
            assert not account_seal.sealing_started(session)
            assert set(session.scalars(select(User.seal))) == {None}
        jansen = sign_in(db, "jansen", DEMO_PASSWORD)  # trust on first use
        assert not jansen.actor.may(Permission.KAART_EDIT)  # the practice's revocation holds
        (entry,) = entries(db, account_seal.SEALED_EVENT)
        assert entry.detail == "4 accounts en 1 rechten verzegeld na de upgrade"
        with db.session() as session:
            wraps = {
                name: bytes(wrap)
                for name, wrap in session.execute(select(User.username, User.wrapped_key))
            }
        assert crypto.is_bound_wrap(wraps["jansen"])  # made anew at her sign-in
        assert not crypto.is_bound_wrap(wraps["bakker"])  # at his next one
        assert sign_in(db, "bakker", DEMO_PASSWORD).actor.role is Role.GP
        reports = findings(db)
        assert all(report.ok for report in reports.values()), reports
        assert stored_kdf(db, "jansen") == crypto.DEFAULT_KDF
    finally:
        db.dispose()
    # From now on a row changed in the file is refused, as in a practice set up today.
    tamper(legacy, "UPDATE user_account SET seal = NULL, active = 1 WHERE username = 'visser'")
    db = opened(legacy)
    try:
        assert blocked(db, "visser", DEMO_PASSWORD).message == TAMPERED
    finally:
        db.dispose()
