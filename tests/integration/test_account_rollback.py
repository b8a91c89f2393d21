"""Issue #14: an account or permission row put back from an older copy of the database.

Such a row carries its own old, genuine seal. Every gpdesk write of an account or permission
row records its seal in the keyed audit chain (``account_seal.state_text``), so the row must also
be the last one the chain recorded. Each attack below takes the old row from a copy of the same
practice made before an ordinary change through gpdesk, with nothing but Python's ``sqlite3``.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from gpdesk.db import Database, open_database
from gpdesk.errors import AccountBlockedError, AuthError, ValidationError
from gpdesk.models import AuditEntry, User
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.roles import Role
from gpdesk.security import account_seal
from gpdesk.security.accounts import REFUSED, TAMPERED, SignedIn, change_password, sign_in
from gpdesk.security.check import check_session
from gpdesk.security.finding import Finding
from gpdesk.security.permissions import Permission
from gpdesk.security.users import (
    CHANGED_OUTSIDE,
    add_user,
    permission_table,
    recover_access,
    reset_password,
    set_active,
    set_permission,
)
from tests.cli_support import gpdesk
from tests.integration.test_account_tampering import LEGACY_DEMO
from tests.security_support import make_demo

OLD_PASSWORD = "de-boers-eerste-eigen-zin"
NEW_PASSWORD = "de-boers-tweede-eigen-zin"
JANSEN_PASSWORD = "jansens-eigen-lange-zin"


def opened(path: Path) -> Database:
    return open_database(f"sqlite:///{path}")


def demote(db: Database, by: SignedIn, username: str, role: Role) -> None:
    """What a role change through gpdesk does (Beheer has none yet): seal, record the state."""
    with db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        user.role = role
        account_seal.seal_account(user, by.vault)
        account_seal.record_states(
            session, by.vault, username=by.actor.username, users=[user], detail="rol gewijzigd"
        )


@dataclass(frozen=True)
class History:
    """One practice at two moments: ``before`` and, after ordinary changes, ``after``."""

    before: Path
    after: Path
    recovery_key: str


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    folder = tmp_path_factory.mktemp("history")
    before, after = folder / "voor.sqlite3", folder / "na.sqlite3"
    db = opened(before)
    try:
        made = make_demo(db)
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        _, one_time = add_user(
            db, smit, username="deboer", display_name="A. de Boer", role=Role.PRACTICE_MANAGER
        )
        change_password(db, "deboer", one_time, OLD_PASSWORD)
        set_permission(db, smit, Role.ASSISTANT, Permission.AUDIT_READ, allowed=True)
    finally:
        db.dispose()
    shutil.copyfile(before, after)
    db = opened(after)
    try:
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        demote(db, smit, "deboer", Role.ASSISTANT)  # de Boer is praktijkmanager no more,
        set_active(db, smit, "visser", active=False)  # Visser has left,
        change_password(db, "jansen", DEMO_PASSWORD, JANSEN_PASSWORD)  # Jansen's own password,
        set_permission(db, smit, Role.ASSISTANT, Permission.AUDIT_READ, allowed=False)
        set_permission(db, smit, Role.ASSISTANT, Permission.KAART_EDIT, allowed=False)
    finally:
        db.dispose()
    return History(before, after, made.recovery_key)


@pytest.fixture
def copy(history: History, tmp_path: Path) -> Iterator[Path]:
    target = tmp_path / "kopie.sqlite3"
    shutil.copyfile(history.after, target)
    yield target


def put_back(path: Path, old: Path, table: str, where: str, *params: object) -> None:
    """What the attacker does: the whole row from the older copy, over the current one."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("ATTACH DATABASE ? AS old", (str(old),))
        with conn:
            statement = f"INSERT OR REPLACE INTO main.{table} SELECT * FROM old.{table} WHERE "
            assert conn.execute(statement + where, params).rowcount == 1
    finally:
        conn.close()


def run_sql(path: Path, statement: str, *params: object) -> None:
    with sqlite3.connect(path) as conn:
        assert conn.execute(statement, params).rowcount >= 1
    conn.close()


def user_id(path: Path, username: str) -> str:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT id FROM user_account WHERE username = ?", (username,)).fetchone()
    conn.close()
    return str(row[0])


def findings(db: Database, by: str = "smit", password: str = DEMO_PASSWORD) -> set[Finding]:
    """Everything the whole ``gpdesk check`` finds, with the key of whoever signs in."""
    signed = sign_in(db, by, password)
    with db.session() as session:
        report = check_session(session, signed.vault)
    return {finding for section in report.sections for finding in section.findings}


def cli_check(path: Path, home: Path) -> tuple[int, set[tuple[str, str, str]]]:
    result = gpdesk(
        "check", "--user", "smit", "--json", "--home", str(home),
        "--database-url", f"sqlite:///{path}", password=DEMO_PASSWORD,
    )  # fmt: skip
    report = json.loads(result.stdout)
    places = {
        (s["key"], f["table"], f["record_id"]) for s in report["sections"] for f in s["findings"]
    }
    return result.returncode, places


def events(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        found = list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))
        session.expunge_all()
        return found


# -- what must stay clean -------------------------------------------------------------------


def test_an_untouched_demo_and_both_moments_check_clean(tmp_path: Path, history: History) -> None:
    fresh = tmp_path / "demo.sqlite3"
    db = opened(fresh)
    try:
        make_demo(db)
        assert findings(db) == set()
    finally:
        db.dispose()
    for moment in (history.before, history.after):
        target = tmp_path / moment.name
        shutil.copyfile(moment, target)
        code, places = cli_check(target, tmp_path / f"home-{moment.stem}")
        assert (code, places) == (0, set())


def test_every_ordinary_change_through_gpdesk_keeps_the_practice_clean(
    copy: Path, history: History
) -> None:
    db = opened(copy)
    try:
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        _, one_time = add_user(db, smit, username="mulder", display_name="K. Mulder", role=Role.GP)
        assert findings(db) == set()
        with pytest.raises(AuthError):  # a one-time password must first be changed; it signs in
            change_password(db, "mulder", "fout-wachtwoord", "mulders-eigen-lange-zin")
        change_password(db, "mulder", one_time, "mulders-eigen-lange-zin")
        again = reset_password(db, smit, "mulder")
        change_password(db, "mulder", again, "mulders-tweede-lange-zin")
        set_active(db, smit, "mulder", active=False)
        set_active(db, smit, "mulder", active=True)
        set_active(db, smit, "visser", active=True)  # back from leave
        for allowed in (True, False, True):
            set_permission(db, smit, Role.GP, Permission.KAART_EDIT, allowed=allowed)
        set_permission(db, smit, Role.ASSISTANT, Permission.KAART_EDIT, allowed=True)
        recover_access(db, "bakker", history.recovery_key, "bakkers-nieuwe-lange-zin")
        assert findings(db) == set()
        signed = {
            name: sign_in(db, name, password)
            for name, password in (
                ("smit", DEMO_PASSWORD),
                ("bakker", "bakkers-nieuwe-lange-zin"),
                ("jansen", JANSEN_PASSWORD),
                ("visser", DEMO_PASSWORD),
                ("deboer", OLD_PASSWORD),
                ("mulder", "mulders-tweede-lange-zin"),
            )
        }
        assert signed["mulder"].actor.may(Permission.KAART_EDIT)
        assert signed["jansen"].actor.may(Permission.KAART_EDIT)
        assert not signed["jansen"].actor.may(Permission.AUDIT_READ)
        assert signed["deboer"].actor.role is Role.ASSISTANT
        assert events(db, account_seal.ACCOUNT_TAMPERED_EVENT) == []
        assert events(db, account_seal.PERMISSION_TAMPERED_EVENT) == []
        assert findings(db) == set()
    finally:
        db.dispose()
    code, places = cli_check(copy, copy.parent / "home")
    assert (code, places) == (0, set())


# -- accounts put back ----------------------------------------------------------------------


def test_a_demoted_managers_old_row_put_back_is_refused_and_reported(
    copy: Path, history: History
) -> None:
    deboer = user_id(copy, "deboer")
    put_back(copy, history.before, "user_account", "id = ?", int(deboer))
    db = opened(copy)
    try:
        with pytest.raises(AccountBlockedError) as info:
            sign_in(db, "deboer", OLD_PASSWORD)
        assert info.value.message == TAMPERED
        (entry,) = events(db, account_seal.ACCOUNT_TAMPERED_EVENT)
        assert (entry.object_id, entry.detail) == (deboer, account_seal.ROLLED_BACK_ACCOUNT)
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        # The praktijkmanager cannot seal the old row again by resetting or enabling it.
        for action in (
            lambda: reset_password(db, smit, "deboer"),
            lambda: set_active(db, smit, "deboer", active=True),
        ):
            with pytest.raises(ValidationError) as refused:
                action()
            assert refused.value.problems["gebruikersnaam"] == CHANGED_OUTSIDE
        expected = Finding("user_account", deboer, account_seal.ROLLED_BACK_ACCOUNT)
        assert findings(db) == {expected}
    finally:
        db.dispose()
    code, places = cli_check(copy, copy.parent / "home")
    assert (code, places) == (1, {("accounts", "user_account", deboer)})


def test_a_disabled_accounts_old_row_put_back_is_refused_and_reported(
    copy: Path, history: History
) -> None:
    visser = user_id(copy, "visser")
    put_back(copy, history.before, "user_account", "id = ?", int(visser))
    db = opened(copy)
    try:
        with pytest.raises(AccountBlockedError) as info:
            sign_in(db, "visser", DEMO_PASSWORD)
        assert info.value.message == TAMPERED
        assert findings(db) == {Finding("user_account", visser, account_seal.ROLLED_BACK_ACCOUNT)}
    finally:
        db.dispose()
    code, places = cli_check(copy, copy.parent / "home")
    assert (code, places) == (1, {("accounts", "user_account", visser)})


def test_an_old_password_put_back_does_not_sign_in(copy: Path, history: History) -> None:
    jansen = user_id(copy, "jansen")
    put_back(copy, history.before, "user_account", "id = ?", int(jansen))
    db = opened(copy)
    try:
        with pytest.raises(AuthError) as wrong:
            sign_in(db, "jansen", JANSEN_PASSWORD)
        assert wrong.value.message == REFUSED
        with pytest.raises(AccountBlockedError):
            sign_in(db, "jansen", DEMO_PASSWORD)  # the old password fits the old row: blocked
        assert findings(db) == {Finding("user_account", jansen, account_seal.ROLLED_BACK_ACCOUNT)}
    finally:
        db.dispose()


def test_an_account_row_removed_in_the_file_is_reported(copy: Path) -> None:
    visser = user_id(copy, "visser")
    run_sql(copy, "DELETE FROM user_account WHERE id = ?", int(visser))
    db = opened(copy)
    try:
        assert findings(db) == {Finding("user_account", visser, account_seal.REMOVED_ACCOUNT)}
    finally:
        db.dispose()


# -- permissions put back or removed --------------------------------------------------------


def test_a_revocation_deleted_in_the_file_gives_nothing_back(copy: Path) -> None:
    run_sql(
        copy,
        "DELETE FROM role_permission WHERE role = ? AND permission = ?",
        Role.ASSISTANT.value,
        Permission.KAART_EDIT.value,
    )
    db = opened(copy)
    try:
        jansen = sign_in(db, "jansen", JANSEN_PASSWORD)
        assert not jansen.actor.may(Permission.KAART_EDIT)  # not the default again
        (entry,) = events(db, account_seal.PERMISSION_TAMPERED_EVENT)
        assert entry.object_id == "assistant/kaart_edit"
        with db.session() as session:
            table = permission_table(session, jansen.vault)
        assert Permission.KAART_EDIT not in table[Role.ASSISTANT]
        assert findings(db) == {
            Finding("role_permission", "assistant/kaart_edit", account_seal.REMOVED_PERMISSION)
        }
        # Setting it again through gpdesk repairs it.
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        set_permission(db, smit, Role.ASSISTANT, Permission.KAART_EDIT, allowed=True)
        assert sign_in(db, "jansen", JANSEN_PASSWORD).actor.may(Permission.KAART_EDIT)
        assert findings(db) == set()
    finally:
        db.dispose()
    code, places = cli_check(copy, copy.parent / "home")
    assert (code, places) == (0, set())


def test_an_old_grant_put_back_grants_nothing(copy: Path, history: History) -> None:
    put_back(
        copy,
        history.before,
        "role_permission",
        "role = ? AND permission = ?",
        Role.ASSISTANT.value,
        Permission.AUDIT_READ.value,
    )
    db = opened(copy)
    try:
        jansen = sign_in(db, "jansen", JANSEN_PASSWORD)
        assert not jansen.actor.may(Permission.AUDIT_READ)
        assert jansen.actor.may(Permission.PATIENT_OPEN)  # the rest of her rights stand
        assert findings(db) == {
            Finding("role_permission", "assistant/audit_read", account_seal.ROLLED_BACK_PERMISSION)
        }
    finally:
        db.dispose()
    code, places = cli_check(copy, copy.parent / "home")
    assert (code, places) == (1, {("rechten", "role_permission", "assistant/audit_read")})


# -- the upgrade from a database as main e5a5754 made it ------------------------------------


def test_an_upgraded_database_checks_clean_after_the_first_sign_in(tmp_path: Path) -> None:
    target = tmp_path / "oud.sqlite3"
    with gzip.open(LEGACY_DEMO, "rb") as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    db = opened(target)  # migrates to head; the first sign-in seals and records every row
    try:
        assert not sign_in(db, "jansen", DEMO_PASSWORD).actor.may(Permission.KAART_EDIT)
        assert findings(db) == set()
        for name in ("bakker", "visser", "smit"):  # each wrap made anew and recorded
            assert sign_in(db, name, DEMO_PASSWORD).actor.username == name
        assert findings(db) == set()
    finally:
        db.dispose()
    code, places = cli_check(target, tmp_path / "home")
    assert (code, places) == (0, set())
