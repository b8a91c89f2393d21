"""A folder or database without a practice is not a wrong password, and gets nothing created.

Only ``gpdesk init``, ``gpdesk demo``, ``backup restore`` and the first-run window create a
database; every other command looks first and says what is (not) there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from gpdesk.cli import main
from gpdesk.config import Home
from tests.cli_support import gpdesk

PASSWORD = "een-lang-wachtwoord"
NO_PRACTICE = (
    "Er staat geen praktijk in {}. Zet er een op met 'gpdesk init' of probeer 'gpdesk demo'."
)
RESTORE = "gpdesk backup restore BESTAND --home NIEUWE-MAP --user GEBRUIKERSNAAM"
WRONG_PASSWORD = "Onbekende gebruikersnaam of onjuist wachtwoord"


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes: 'untouched' means equal."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def _used_home(path: Path) -> Home:
    """A home a practice was used from (window state, logs, a back-up) whose database is gone."""
    home = Home(path).ensure()
    home.window_state_file.write_text("[login]\nlast_user=smit\n", encoding="utf-8")
    home.log_dir.mkdir()
    (home.log_dir / "gpdesk.log").write_text("gpdesk started\n", encoding="utf-8")
    return home


def test_sign_in_on_a_mistyped_folder_creates_nothing_and_says_so(tmp_path: Path) -> None:
    typo = tmp_path / "praktjik"
    result = gpdesk("--home", str(typo), "user", "list", "--user", "smit", password=PASSWORD)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"gpdesk: fout: {NO_PRACTICE.format(typo)}\n"
    assert not typo.exists()
    assert list(tmp_path.iterdir()) == []


def test_sign_in_on_an_empty_folder_creates_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    result = gpdesk("user", "list", "--user", "smit", "--home", str(empty), password=PASSWORD)
    assert result.returncode == 1
    assert NO_PRACTICE.format(empty) in result.stderr
    assert WRONG_PASSWORD not in result.stderr
    assert list(empty.iterdir()) == []


def test_zero_length_database_file_stays_as_it_is(tmp_path: Path) -> None:
    home = Home(tmp_path / "na-crash").ensure()
    home.database_file.touch()
    result = gpdesk("user", "list", "--user", "smit", "--home", str(home.path), password=PASSWORD)
    assert result.returncode == 1
    assert NO_PRACTICE.format(home.path) in result.stderr
    assert _snapshot(home.path) == {"gpdesk.sqlite3": b""}  # no tables, no -wal or -shm


def test_database_with_tables_but_no_practice_is_not_signed_into(tmp_path: Path) -> None:
    from gpdesk.db import open_database

    home = Home(tmp_path / "h").ensure()
    open_database(f"sqlite:///{home.database_file}").dispose()  # what older versions left behind
    before = _snapshot(home.path)
    result = gpdesk("user", "list", "--user", "smit", "--home", str(home.path), password=PASSWORD)
    assert result.returncode == 1
    assert NO_PRACTICE.format(home.path) in result.stderr
    assert _snapshot(home.path) == before


def test_a_database_someone_has_open_is_not_called_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gpdesk.db import open_database

    home = Home(tmp_path / "h").ensure()
    held = open_database(f"sqlite:///{home.database_file}")
    try:
        with held.session():
            pass  # its connection stays in the pool: -wal and -shm stay next to the file
        assert (home.path / "gpdesk.sqlite3-wal").exists()
        assert main(["audit", "verify", "--home", str(home.path)]) == 1
    finally:
        held.dispose()
    assert capsys.readouterr().err == f"gpdesk: fout: {NO_PRACTICE.format(home.path)}\n"


@pytest.mark.parametrize(
    ("database", "state"),
    [("missing", "ontbreekt"), ("zero-length", "is leeg"), ("tables", "bevat geen praktijk")],
)
def test_practice_files_without_database_say_lost_and_restore(
    tmp_path: Path, database: str, state: str
) -> None:
    from gpdesk.db import open_database

    home = _used_home(tmp_path / "praktijk")
    if database == "zero-length":
        home.database_file.touch()
    elif database == "tables":
        open_database(f"sqlite:///{home.database_file}").dispose()
    before = _snapshot(home.path)
    result = gpdesk("user", "list", "--user", "smit", "--home", str(home.path), password=PASSWORD)
    assert result.returncode == 1
    assert result.stderr == (
        f"gpdesk: fout: De database van de praktijk in {home.path} is kwijt: het bestand "
        f"gpdesk.sqlite3 {state}. Er is niets gewijzigd. Zet een back-up terug in een nieuwe map "
        f"met: {RESTORE}\n"
    )
    assert _snapshot(home.path) == before


def test_a_write_ahead_log_without_its_database_is_a_lost_database(tmp_path: Path) -> None:
    home = Home(tmp_path / "h").ensure()
    (home.path / "gpdesk.sqlite3-wal").write_bytes(b"\x37\x7f\x06\x82" + bytes(28))
    before = _snapshot(home.path)
    result = gpdesk("kaart", "search", "schulden", "--home", str(home.path))
    assert result.returncode == 1
    assert "het bestand gpdesk.sqlite3 ontbreekt" in result.stderr
    assert _snapshot(home.path) == before


def test_no_new_practice_is_set_up_over_a_lost_one(tmp_path: Path) -> None:
    home = _used_home(tmp_path / "praktijk")
    before = _snapshot(home.path)
    for command in (["init", "--user", "smit"], ["demo"]):
        result = gpdesk(*command, "--home", str(home.path), password=PASSWORD)
        assert result.returncode == 1
        assert "is kwijt" in result.stderr and RESTORE in result.stderr
    assert _snapshot(home.path) == before


def test_info_looks_without_creating(tmp_path: Path) -> None:
    typo = tmp_path / "typo"
    result = gpdesk("info", "--json", "--home", str(typo))
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["practice"] is None and facts["practice_state"] == "none"
    assert not typo.exists()

    home = _used_home(tmp_path / "praktijk")
    before = _snapshot(home.path)
    plain = gpdesk("info", "--home", str(home.path))
    assert "Praktijk:       kwijt: de database ontbreekt of is leeg" in plain.stdout
    assert _snapshot(home.path) == before


# Every command that works on an existing practice, with what it needs besides the practice.
COMMANDS = [
    ["user", "list", "--user", "smit"],
    ["user", "add", "jansen", "--role", "doktersassistent", "--user", "smit"],
    ["user", "disable", "jansen", "--user", "smit"],
    ["user", "enable", "jansen", "--user", "smit"],
    ["user", "reset", "jansen", "--user", "smit"],
    ["user", "passwd", "--user", "smit"],
    ["user", "recover", "smit"],
    ["audit", "verify"],
    ["audit", "export", "--user", "smit"],
    ["backup", "create", "{outside}/kopie.gpbak", "--user", "smit"],
    ["kaart", "route", "3118AB"],
    ["kaart", "search", "schulden"],
    ["kaart", "import", "{outside}/kaart.json"],
    ["kaart", "import", "{outside}/kaart.json", "--apply", "--user", "smit"],
    ["kaart", "undo", "1", "--user", "smit"],
    ["kaart", "imports"],
    ["kaart", "export", "{outside}/export"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("folder", ["missing", "empty", "lost"])
def test_every_practice_command_says_so_and_creates_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    folder: str,
) -> None:
    outside = tmp_path / "elders"
    outside.mkdir()
    (outside / "kaart.json").write_text("{}", encoding="utf-8")
    home = tmp_path / "praktijk"
    if folder == "empty":
        home.mkdir()
    elif folder == "lost":
        _used_home(home)
    before, outside_before = _snapshot(tmp_path), _snapshot(outside)
    for variable in ("GPDESK_PASSWORD", "GPDESK_NEW_PASSWORD", "GPDESK_RECOVERY_KEY"):
        monkeypatch.setenv(variable, PASSWORD)
    argv = [part.format(outside=outside) for part in command]

    assert main([*argv, "--home", str(home)]) == 1
    err = capsys.readouterr().err
    if folder == "lost":
        assert "is kwijt" in err and RESTORE in err
    else:
        assert err == f"gpdesk: fout: {NO_PRACTICE.format(home)}\n"
    assert _snapshot(tmp_path) == before
    assert _snapshot(outside) == outside_before


@pytest.mark.postgres
def test_empty_postgresql_database_is_not_migrated_by_a_sign_in(
    tmp_path: Path, postgresql_url: str
) -> None:
    workstation = tmp_path / "werkplek"
    result = gpdesk(
        "user", "list", "--user", "smit", "--home", str(workstation),
        GPDESK_DATABASE_URL=postgresql_url, GPDESK_PASSWORD=PASSWORD,
    )  # fmt: skip
    assert result.returncode == 1
    assert "staat geen praktijk" in result.stderr
    assert "Controleer het database-adres" in result.stderr
    assert WRONG_PASSWORD not in result.stderr
    assert "gpdesk:***@" in result.stderr  # the address, without its password
    engine = create_engine(postgresql_url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []  # not migrated
    finally:
        engine.dispose()
    assert not workstation.exists()

    # A workstation that signed in to the practice before: the shared database is lost.
    used = _used_home(tmp_path / "gebruikt")
    lost = gpdesk(
        "user", "list", "--user", "smit", "--home", str(used.path),
        "--database-url", postgresql_url, password=PASSWORD,
    )  # fmt: skip
    assert lost.returncode == 1
    assert "werd er wel een gebruikt" in lost.stderr
    assert "gpdesk backup restore BESTAND --database-url ADRES" in lost.stderr
