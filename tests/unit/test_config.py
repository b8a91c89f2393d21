"""Home directory, settings and database URL resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpdesk.config import Home, Settings, redact_url, resolve_database_url, resolve_home
from gpdesk.errors import HomeDirError


def test_home_precedence_cli_over_env(tmp_path: Path) -> None:
    env = {"GPDESK_HOME": str(tmp_path / "env")}
    assert resolve_home(str(tmp_path / "cli"), env).path == tmp_path / "cli"
    assert resolve_home(None, env).path == tmp_path / "env"


def test_home_default_is_platform_data_dir() -> None:
    home = resolve_home(None, {})
    assert home.path.name == "gpdesk"


def test_ensure_creates_directory(tmp_path: Path) -> None:
    home = Home(tmp_path / "a" / "b").ensure()
    assert home.path.is_dir()


def test_ensure_rejects_a_file(tmp_path: Path) -> None:
    target = tmp_path / "bestand"
    target.write_text("x")
    with pytest.raises(HomeDirError) as info:
        Home(target).ensure()
    assert "geen map" in info.value.message


def test_ensure_reports_uncreatable_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "blok"
    blocker.write_text("x")
    with pytest.raises(HomeDirError) as info:
        Home(blocker / "sub").ensure()
    assert "kan niet worden aangemaakt" in info.value.message
    assert "--home" in info.value.hint


def test_database_url_precedence(tmp_path: Path) -> None:
    home = Home(tmp_path)
    settings = Settings(database_url="postgresql+psycopg://s@h/db")
    env = {"GPDESK_DATABASE_URL": "postgresql+psycopg://e@h/db"}
    assert resolve_database_url(home, "sqlite:///x", env, settings) == "sqlite:///x"
    assert resolve_database_url(home, None, env, settings) == env["GPDESK_DATABASE_URL"]
    assert resolve_database_url(home, None, {}, settings) == settings.database_url
    assert resolve_database_url(home, None, {}, Settings()) == f"sqlite:///{home.database_file}"


def test_settings_file_is_read(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.settings_file.write_text('{"database_url": "sqlite:///elders.db", "log_level": "DEBUG"}')
    assert home.load_settings() == Settings(database_url="sqlite:///elders.db", log_level="DEBUG")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{niet json", "geen geldige JSON"),
        ("[1, 2]", "JSON-object"),
        ('{"databse_url": "x"}', "Onbekende instelling"),
        ('{"log_level": 3}', "moet tekst zijn"),
        ('{"idle_lock_minutes": "5"}', "moet een getal zijn"),
        ('{"idle_lock_minutes": 60}', "tussen 1 en 30"),
        ('{"idle_lock_minutes": 0}', "tussen 1 en 30"),
    ],
)
def test_bad_settings_file_gives_dutch_message(tmp_path: Path, content: str, expected: str) -> None:
    home = Home(tmp_path)
    home.settings_file.write_text(content)
    with pytest.raises(HomeDirError) as info:
        home.load_settings()
    assert expected in info.value.message


def test_idle_lock_minutes_is_read(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.settings_file.write_text('{"idle_lock_minutes": 12}')
    assert home.load_settings().idle_lock_minutes == 12


def test_missing_settings_file_means_defaults(tmp_path: Path) -> None:
    assert Home(tmp_path).load_settings() == Settings()


def test_redact_url_hides_password() -> None:
    assert redact_url("postgresql+psycopg://gp:geheim@db:5432/gpdesk") == (
        "postgresql+psycopg://gp:***@db:5432/gpdesk"
    )
    assert redact_url("sqlite:///tmp/x.sqlite3") == "sqlite:///tmp/x.sqlite3"


def test_practice_traces_are_what_only_a_used_practice_leaves(tmp_path: Path) -> None:
    home = Home(tmp_path / "h").ensure()
    # What a start that stops at the first-run window writes, and what a beheerder writes
    # before the set-up, do not make a home "used".
    home.log_dir.mkdir()
    (home.log_dir / "gpdesk.log").write_text("gpdesk started\n", encoding="utf-8")
    home.crash_dir.mkdir()
    (home.crash_dir / "fault.log").write_text("", encoding="utf-8")
    home.settings_file.write_text('{"database_url": "postgresql://server/gpdesk"}')
    assert home.practice_traces() == []

    home.window_state_file.write_text("[login]\nlast_user=smit\n", encoding="utf-8")
    (home.path / "maandag.gpbak").write_bytes(b"x")
    (home.log_dir / "gpdesk.log.1").write_text("...", encoding="utf-8")
    assert home.practice_traces() == [
        home.window_state_file,
        home.path / "maandag.gpbak",
        home.log_dir / "gpdesk.log.1",
    ]


def test_check_leaves_a_missing_home_missing(tmp_path: Path) -> None:
    home = Home(tmp_path / "typo").check()
    assert not home.path.exists()
    assert Home(tmp_path).check().path == tmp_path


def test_check_rejects_a_path_through_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    for target in (blocker, blocker / "sub"):
        with pytest.raises(HomeDirError) as info:
            Home(target).check()
        assert "geen map" in info.value.message
        assert str(blocker) in info.value.hint
