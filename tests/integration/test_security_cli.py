"""``gpdesk user …`` and ``gpdesk audit export`` run as a beheerder would: real processes."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.errors import AuthError
from gpdesk.models import AuditEntry, Role, User
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security import audit, crypto
from gpdesk.security.accounts import sign_in
from gpdesk.security.permissions import Permission
from gpdesk.security.users import set_permission
from tests.cli_support import gpdesk
from tests.conftest import PASSPHRASE
from tests.security_support import assert_one_dutch_line, make_demo, signed


def _db(home: Home) -> Database:
    return open_database(f"sqlite:///{home.database_file}")


def _events(home: Home) -> list[str]:
    db = _db(home)
    try:
        with db.session() as session:
            return list(session.scalars(select(AuditEntry.event).order_by(AuditEntry.seq)))
    finally:
        db.dispose()


def _one_time_password(stdout: str) -> str:
    match = re.search(r"Eenmalig wachtwoord: (\S+)", stdout)
    assert match, stdout
    return match.group(1)


# -- accounts -------------------------------------------------------------------------------


def test_new_user_must_change_the_one_time_password_first(demo_home: Home) -> None:
    home = str(demo_home.path)
    added = gpdesk(
        "user", "add", "de.boer", "--role", "huisarts", "--naam", "P. de Boer",
        "--user", "smit", "--home", home, password=DEMO_PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Gebruiker 'de.boer' (huisarts) is toegevoegd." in added.stdout
    one_time = _one_time_password(added.stdout)
    assert DEMO_PASSWORD not in added.stdout

    # Every command refuses until the password is changed, and says how.
    refused = gpdesk("user", "list", "--user", "de.boer", "--home", home, password=one_time)
    assert_one_dutch_line(refused)
    assert "eerst uw wachtwoord wijzigen" in refused.stderr
    assert "gpdesk user passwd --user de.boer" in refused.stderr

    changed = gpdesk(
        "user", "passwd", "--user", "de.boer", "--home", home,
        password=one_time, GPDESK_NEW_PASSWORD="mijn-eigen-wachtwoord",
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert "gewijzigd" in changed.stdout

    db = _db(demo_home)
    try:
        who = sign_in(db, "de.boer", "mijn-eigen-wachtwoord")
        assert who.actor.role is Role.GP
        assert not who.actor.must_change_password
        with pytest.raises(AuthError):
            sign_in(db, "de.boer", one_time)
        with db.session() as session:
            user = session.scalars(select(User).where(User.username == "de.boer")).one()
            # Accounts made at the command line get the key cost of the day (crypto.DEFAULT_KDF,
            # lowered in the suite's children too: tests/child_site), never a stored one.
            params = (user.kdf_memory_kib, user.kdf_iterations, user.kdf_lanes)
            assert crypto.KdfParams(*params) == crypto.DEFAULT_KDF
    finally:
        db.dispose()

    # Now the password is fine, and the GP's role is what stops the next command.
    denied = gpdesk(
        "user", "list", "--user", "de.boer", "--home", home, password="mijn-eigen-wachtwoord"
    )
    assert_one_dutch_line(denied)
    assert "geen toestemming voor: gebruikers beheren" in denied.stderr
    events = _events(demo_home)
    assert events.count("user.add") == 1
    assert events.count("password.change") == 1


def test_user_add_json_accepts_dutch_role_labels(demo_home: Home) -> None:
    result = gpdesk(
        "user", "add", "k.smit", "--role", "POH-GGZ", "--user", "smit",
        "--home", str(demo_home.path), "--json", password=DEMO_PASSWORD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["user"] == "k.smit"
    assert data["role"] == "poh_ggz"
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", data["one_time_password"])


def test_user_add_is_refused_for_an_assistant_and_for_bad_input(demo_home: Home) -> None:
    home = str(demo_home.path)
    denied = gpdesk(
        "user", "add", "nieuw", "--role", "huisarts", "--user", "jansen", "--home", home,
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(denied)
    assert "geen toestemming voor: gebruikers beheren" in denied.stderr
    assert "Eenmalig" not in denied.stdout

    bad_role = gpdesk(
        "user", "add", "nieuw", "--role", "chirurg", "--user", "smit", "--home", home,
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(bad_role, 2)
    assert "Onbekende rol" in bad_role.stderr

    taken = gpdesk(
        "user", "add", "bakker", "--role", "huisarts", "--user", "smit", "--home", home,
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(taken, 2)
    assert "bestaat al" in taken.stderr
    assert "user.add" not in _events(demo_home)


def test_wrong_password_and_missing_password(demo_home: Home) -> None:
    home = str(demo_home.path)
    wrong = gpdesk("user", "list", "--user", "smit", "--home", home, password="fout-fout")
    unknown = gpdesk("user", "list", "--user", "niemand", "--home", home, password="fout-fout")
    assert_one_dutch_line(wrong)
    assert_one_dutch_line(unknown)
    assert wrong.stderr == unknown.stderr
    assert "Onbekende gebruikersnaam of onjuist wachtwoord" in wrong.stderr
    missing = gpdesk("user", "list", "--user", "smit", "--home", home)
    assert_one_dutch_line(missing, 2)
    assert "GPDESK_PASSWORD" in missing.stderr


def test_user_disable_enable_and_the_guards(demo_home: Home) -> None:
    home = str(demo_home.path)
    disabled = gpdesk(
        "user", "disable", "bakker", "--user", "smit", "--home", home, password=DEMO_PASSWORD
    )
    assert disabled.returncode == 0, disabled.stderr
    assert "uitgeschakeld" in disabled.stdout
    refused = gpdesk("user", "list", "--user", "bakker", "--home", home, password=DEMO_PASSWORD)
    assert_one_dutch_line(refused)
    assert "Onbekende gebruikersnaam of onjuist wachtwoord, of te veel pogingen" in refused.stderr

    listed = gpdesk("user", "list", "--json", "--user", "smit", "--home", home, password="demo1234")
    assert listed.returncode == 0, listed.stderr
    active = {row["user"]: row["active"] for row in json.loads(listed.stdout)}
    assert active == {"bakker": False, "jansen": True, "smit": True, "visser": True}

    myself = gpdesk(
        "user", "disable", "smit", "--user", "smit", "--home", home, password="demo1234"
    )
    assert_one_dutch_line(myself, 2)
    assert "eigen account" in myself.stderr

    enabled = gpdesk(
        "user", "enable", "bakker", "--user", "smit", "--home", home, password=DEMO_PASSWORD
    )
    assert enabled.returncode == 0, enabled.stderr

    # A GP who was given the right to manage users still cannot disable the last manager.
    db = _db(demo_home)
    try:
        set_permission(db, signed(db, "smit"), Role.GP, Permission.USERS_MANAGE, allowed=True)
    finally:
        db.dispose()
    last = gpdesk(
        "user", "disable", "smit", "--user", "bakker", "--home", home, password="demo1234"
    )
    assert_one_dutch_line(last, 2)
    assert "laatste praktijkmanager" in last.stderr
    events = _events(demo_home)
    assert events.count("user.disable") == 1
    assert events.count("user.enable") == 1


def test_user_reset_gives_a_new_one_time_password(demo_home: Home) -> None:
    home = str(demo_home.path)
    reset = gpdesk(
        "user", "reset", "jansen", "--json", "--user", "smit", "--home", home,
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert reset.returncode == 0, reset.stderr
    one_time = json.loads(reset.stdout)["one_time_password"]
    refused = gpdesk("user", "list", "--user", "jansen", "--home", home, password=one_time)
    assert "gpdesk user passwd --user jansen" in refused.stderr


def test_user_recover_with_the_recovery_key(tmp_path: Path) -> None:
    home = Home(tmp_path / "h").ensure()
    db = _db(home)
    try:
        created = make_demo(db)
    finally:
        db.dispose()
    wrong = gpdesk(
        "user", "recover", "smit", "--home", str(home.path),
        GPDESK_RECOVERY_KEY="AAAA-BBBB", GPDESK_NEW_PASSWORD=PASSPHRASE,
    )  # fmt: skip
    assert_one_dutch_line(wrong)
    assert "herstelsleutel" in wrong.stderr
    recovered = gpdesk(
        "user", "recover", "smit", "--home", str(home.path),
        GPDESK_RECOVERY_KEY=created.recovery_key, GPDESK_NEW_PASSWORD=PASSPHRASE,
    )  # fmt: skip
    assert recovered.returncode == 0, recovered.stderr
    listed = gpdesk("user", "list", "--user", "smit", "--home", str(home.path), password=PASSPHRASE)
    assert listed.returncode == 0, listed.stderr
    assert "user.recover" in _events(home)


# -- audit export ---------------------------------------------------------------------------


def test_gp_cannot_export_the_audit_trail(demo_home: Home, tmp_path: Path) -> None:
    output = tmp_path / "logboek.csv"
    result = gpdesk(
        "audit", "export", "--format", "csv", "--output", str(output), "--user", "bakker",
        "--home", str(demo_home.path), password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(result)
    assert "geen toestemming voor: logboek inzien en exporteren" in result.stderr
    assert not output.exists()
    assert not output.with_name("logboek.csv.part").exists()
    assert "audit.export" not in _events(demo_home)


def _export(home: Home, output: Path, fmt: str, since: date, until: date) -> None:
    result = gpdesk(
        "audit", "export", "--from", since.isoformat(), "--to", until.isoformat(),
        "--format", fmt, "--output", str(output), "--user", "smit", "--home", str(home.path),
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not output.with_name(output.name + ".part").exists()


def test_audit_export_csv_and_json(demo_home: Home, tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    db = _db(demo_home)
    try:
        signed(db, "bakker")
    finally:
        db.dispose()

    csv_file = tmp_path / "logboek.csv"
    _export(demo_home, csv_file, "csv", today, today)
    rows = list(csv.DictReader(io.StringIO(csv_file.read_text("utf-8"), newline="")))
    assert tuple(rows[0]) == audit.EXPORT_COLUMNS
    assert [int(r["seq"]) for r in rows] == list(range(1, len(rows) + 1))
    events = [r["event"] for r in rows]
    assert events[0] == "practice.init"
    assert "login" in events
    assert events[-1] == "audit.export"  # the export logs itself before writing
    assert rows[-1]["username"] == "smit"
    assert rows[-1]["action"] == "E"
    for row in rows:
        assert datetime.fromisoformat(row["at"]).date() == today
        assert row["at"].endswith("+00:00")
        json.loads(row["checks"])

    json_file = tmp_path / "logboek.json"
    _export(demo_home, json_file, "json", today, today)
    data = json.loads(json_file.read_text("utf-8"))
    # The earlier entries again, then the second export's sign-in and its own entry.
    assert [e["seq"] for e in data] == list(range(1, len(rows) + 3))
    assert [e["hash"] for e in data[: len(rows)]] == [r["hash"] for r in rows]
    assert [e["event"] for e in data[-2:]] == ["login", "audit.export"]
    assert data[-1]["detail"] == f"{today} t/m {today} (json)"
    assert set(data[0]) == set(audit.EXPORT_COLUMNS)


def test_audit_export_of_another_period_is_empty_but_still_logged(
    demo_home: Home, tmp_path: Path
) -> None:
    past = tmp_path / "vorig-jaar.json"
    _export(demo_home, past, "json", date(2020, 1, 1), date(2020, 12, 31))
    assert json.loads(past.read_text("utf-8")) == []
    future = tmp_path / "straks.csv"
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    _export(demo_home, future, "csv", tomorrow, tomorrow + timedelta(days=7))
    assert future.read_text("utf-8").strip() == ",".join(audit.EXPORT_COLUMNS)
    assert _events(demo_home).count("audit.export") == 2


def test_audit_export_rejects_a_bad_date(demo_home: Home, tmp_path: Path) -> None:
    result = gpdesk(
        "audit", "export", "--from", "1-2-2026", "--output", str(tmp_path / "x.csv"),
        "--user", "smit", "--home", str(demo_home.path), password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(result, 2)
    assert "JJJJ-MM-DD" in result.stderr
    assert not (tmp_path / "x.csv").exists()
