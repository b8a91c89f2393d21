"""The headless commands, run as a user would: a real process, real files, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from gpdesk.config import Home
from tests.cli_support import gpdesk


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int = 1) -> None:
    """One Dutch line on stderr, no traceback."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("gpdesk: ")


def test_init_then_info(tmp_path: Path) -> None:
    home = tmp_path / "praktijk"
    result = gpdesk(
        "init",
        "--user",
        "smit",
        "--praktijk",
        "De Linde",
        "--home",
        str(home),
        "--json",
        password="een-lang-wachtwoord",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["practice"] == "De Linde"
    assert data["role"] == "practice_manager"
    assert len(data["recovery_key"].replace("-", "")) >= 52

    info = gpdesk("info", "--json", GPDESK_HOME=str(home))
    assert info.returncode == 0, info.stderr
    facts = json.loads(info.stdout)
    assert facts["practice"] == "De Linde"
    assert facts["schema"] == facts["schema_head"]

    plain = gpdesk("info", GPDESK_HOME=str(home))
    assert plain.returncode == 0, plain.stderr
    assert "Praktijk:       De Linde" in plain.stdout.splitlines()
    assert f"Gegevensmap:    {home}" in plain.stdout.splitlines()
    assert f"Databaseschema: {facts['schema']} (nieuwste)" in plain.stdout.splitlines()


def test_init_twice_is_refused(tmp_path: Path) -> None:
    home = str(tmp_path / "p")
    assert (
        gpdesk("init", "--user", "smit", "--home", home, password="een-lang-wachtwoord").returncode
        == 0
    )
    again = gpdesk("init", "--user", "ander", "--home", home, password="een-lang-wachtwoord")
    assert_clean_failure(again)
    assert "al een praktijk" in again.stderr


def test_init_without_password_and_without_terminal(tmp_path: Path) -> None:
    result = gpdesk("init", "--user", "smit", "--home", str(tmp_path / "p"))
    assert_clean_failure(result, 2)
    assert "GPDESK_PASSWORD" in result.stderr


def test_init_with_short_password(tmp_path: Path) -> None:
    result = gpdesk("init", "--user", "smit", "--home", str(tmp_path / "p"), password="kort")
    assert_clean_failure(result, 2)
    assert "minstens 10 tekens" in result.stderr


def test_demo_is_idempotent_and_lists_users(tmp_path: Path) -> None:
    home = str(tmp_path / "demo")
    first = gpdesk("demo", "--home", home, "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["status"] == "aangemaakt"
    assert {u["role"] for u in data["users"]} == {
        "huisarts",
        "doktersassistent",
        "POH-GGZ",
        "praktijkmanager",
    }
    second = gpdesk("demo", "--home", home)
    assert second.returncode == 0
    assert "bestond al" in second.stdout


def test_demo_never_overwrites_a_real_practice(tmp_path: Path) -> None:
    home = str(tmp_path / "echt")
    gpdesk("init", "--user", "smit", "--home", home, password="een-lang-wachtwoord")
    result = gpdesk("demo", "--home", home)
    assert_clean_failure(result)
    assert "echte praktijk" in result.stderr


def test_unwritable_home_gives_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    result = gpdesk("info", "--home", str(blocker / "sub"))
    assert_clean_failure(result)
    assert "gpdesk-map" in result.stderr


def test_corrupt_database_gives_one_line_and_is_kept(tmp_path: Path) -> None:
    home = Home(tmp_path / "h").ensure()
    home.database_file.write_bytes(b"\x00kapot" * 1000)
    result = gpdesk("info", "--home", str(home.path))
    assert_clean_failure(result)
    assert "beschadigd" in result.stderr
    assert home.database_file.read_bytes() == b"\x00kapot" * 1000


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    from gpdesk.db import open_database

    home = Home(tmp_path / "h").ensure()
    db = open_database(f"sqlite:///{home.database_file}")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num='9999'"))
    db.dispose()
    result = gpdesk("info", "--home", str(home.path))
    assert_clean_failure(result)
    assert "nieuwere versie" in result.stderr


def test_unreachable_postgresql(tmp_path: Path) -> None:
    result = gpdesk(
        "info",
        "--home",
        str(tmp_path / "h"),
        "--database-url",
        "postgresql+psycopg://gp:geheim@127.0.0.1:9/gpdesk",
    )
    assert_clean_failure(result)
    assert "niet bereikbaar" in result.stderr
    assert "geheim" not in result.stderr


def test_practice_mode_on_postgresql(tmp_path: Path, postgresql_url: str) -> None:
    home = str(tmp_path / "werkplek")
    init = gpdesk(
        "init",
        "--user",
        "smit",
        "--home",
        home,
        "--database-url",
        postgresql_url,
        password="een-lang-wachtwoord",
    )
    assert init.returncode == 0, init.stderr
    info = gpdesk("info", "--json", "--home", home, GPDESK_DATABASE_URL=postgresql_url)
    assert json.loads(info.stdout)["database"].startswith("postgresql+psycopg://gpdesk:***@")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--bsn", "123456789"], "elfproef"),
        (["--postcode", "31188AB"], "postcode"),
        (["--telefoon", "12345"], "elefoon"),
        (["--geboortedatum", "2999-01-01"], "toekomst"),
    ],
)
def test_patient_open_rejects_bad_input(tmp_path: Path, args: list[str], expected: str) -> None:
    fields = {
        "--bsn": "111222333",
        "--naam": "J. de Vries",
        "--geboortedatum": "1970-02-01",
        "--postcode": "3118AB",
        "--telefoon": "0612345678",
    }
    fields.update(dict(zip(args[::2], args[1::2], strict=True)))
    flat = [x for pair in fields.items() for x in pair]
    result = gpdesk("patient", "open", *flat, "--home", str(tmp_path / "h"))
    assert_clean_failure(result, 2)
    assert expected in result.stderr.lower() or expected in result.stderr
    assert "ongeldige invoer" in result.stderr
    for value in args[1::2]:
        assert value not in result.stderr


def test_bad_patient_url(tmp_path: Path) -> None:
    result = gpdesk("gpdesk://recept?bsn=111222333", "--home", str(tmp_path / "h"))
    assert_clean_failure(result, 2)


def test_unknown_option_is_a_usage_error() -> None:
    result = gpdesk("init", "--onbekend")
    assert result.returncode == 2
    assert "ongeldige invoer" in result.stderr
