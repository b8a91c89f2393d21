"""The window's start without a practice: a new home gets the first-run window, a lost one not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.first_run import FirstRunDialog
from tests.conftest import FAST_KDF, dispose_desktop


def _files(home: Home) -> set[str]:
    return {str(p.relative_to(home.path)) for p in home.path.rglob("*")}


@pytest.fixture
def quiet_app() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    yield


@pytest.fixture
def used_home(home: Home) -> Home:
    """A home a practice was used from (window state, logs), whose database is gone."""
    home.window_state_file.write_text("[login]\nlast_user=bakker\n", encoding="utf-8")
    home.log_dir.mkdir()
    (home.log_dir / "gpdesk.log").write_text("gpdesk started\n", encoding="utf-8")
    return home


def _first_run(shell: Desktop) -> FirstRunDialog | None:
    return shell.login.findChild(FirstRunDialog)


@pytest.mark.usefixtures("quiet_app")
def test_lost_database_is_said_instead_of_offering_a_new_practice(
    qtbot: QtBot, used_home: Home
) -> None:
    before = _files(used_home)
    shell = Desktop(used_home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.retry_button.isVisible(), timeout=15_000)
    text = shell.login.message.text()
    assert "is kwijt" in text
    assert "gpdesk backup restore BESTAND --home NIEUWE-MAP" in text
    assert _first_run(shell) is None
    assert not shell.login.sign_in_button.isEnabled()
    assert _files(used_home) == before  # no database created, nothing else either

    # The beheerder restores the practice; Enter on "Opnieuw proberen" (it has the focus) finds it.
    from gpdesk.db import open_database
    from gpdesk.practice.demo import create_demo

    restored = open_database(f"sqlite:///{used_home.database_file}")
    create_demo(restored, kdf=FAST_KDF)
    restored.dispose()
    window = shell.login.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # focus needs an active window; on X11 it comes later
    assert QApplication.focusWidget() is shell.login.retry_button
    qtbot.keyClick(shell.login.retry_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    assert _first_run(shell) is None
    dispose_desktop(shell)


@pytest.mark.usefixtures("quiet_app")
def test_zero_length_database_with_practice_files_is_lost_too(
    qtbot: QtBot, used_home: Home
) -> None:
    used_home.database_file.touch()
    shell = Desktop(used_home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.retry_button.isVisible(), timeout=15_000)
    assert "het bestand gpdesk.sqlite3 is leeg" in shell.login.message.text()
    assert _first_run(shell) is None
    assert used_home.database_file.stat().st_size == 0
    dispose_desktop(shell)


@pytest.mark.usefixtures("quiet_app")
def test_new_home_gets_the_first_run_window_and_nothing_is_created_before_set_up(
    qtbot: QtBot, home: Home
) -> None:
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: (d := _first_run(shell)) is not None and d.isVisible(), timeout=15_000)
    assert _files(home) == set()  # the database comes with the set-up, not with the window
    dispose_desktop(shell)
    assert _files(home) == set()  # closing at the first-run window leaves the home as it was
