"""The sign-in window names an account changed outside gpdesk (issue #14), by keyboard."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.accounts import TAMPERED
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop


def test_the_sign_in_window_says_the_account_was_changed_outside_gpdesk(
    qtbot: QtBot, demo_home: Home
) -> None:
    with sqlite3.connect(demo_home.database_file) as conn:  # the attacker's whole tool
        conn.execute("UPDATE user_account SET role = 'practice_manager' WHERE username = 'jansen'")
    conn.close()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(demo_home, idle_minutes=30)
    shell.start()
    login = shell.login
    qtbot.waitUntil(login.sign_in_button.isEnabled, timeout=15_000)
    qtbot.keyClicks(login.username, "jansen")
    qtbot.keyClicks(login.password, DEMO_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: TAMPERED in login.message.text(), timeout=15_000)
    assert "gpdesk check" in login.message.text()
    assert shell.window is None  # not signed in
    assert login.password.text() == ""
    assert login.sign_in_button.isEnabled()  # a colleague can still sign in here
    dispose_desktop(shell)
