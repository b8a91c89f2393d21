"""The sign-in window by keyboard: Enter signs in, also when pressed before the database is open."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.password_dialog import PasswordChangeDialog
from tests.conftest import dispose_desktop


def _started(demo_home: Home) -> Desktop:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(demo_home, idle_minutes=30)
    shell.start()
    return shell


def test_enter_before_the_database_is_open_signs_in_as_soon_as_it_is(
    qtbot: QtBot, demo_home: Home
) -> None:
    shell = _started(demo_home)
    login = shell.login
    # start() only schedules the opening: nothing has run yet, the button is still disabled.
    assert not login.sign_in_button.isEnabled()
    qtbot.keyClicks(login.username, "bakker")
    qtbot.keyClick(login.username, Qt.Key.Key_Return)
    assert login.focusWidget() is login.password  # Enter with no password: on to the password
    qtbot.keyClicks(login.password, DEMO_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    assert "zodra de database open is" in login.message.text()
    assert shell.window is None
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    assert shell.window is not None
    assert "H. Bakker (huisarts)" in shell.window.user_label.text()
    dispose_desktop(shell)


def test_enter_in_the_password_field_signs_in(qtbot: QtBot, demo_home: Home) -> None:
    shell = _started(demo_home)
    login = shell.login
    qtbot.waitUntil(login.sign_in_button.isEnabled, timeout=15_000)
    qtbot.keyClicks(login.username, "bakker")
    qtbot.keyClicks(login.password, DEMO_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    assert shell.window is not None
    assert "H. Bakker (huisarts)" in shell.window.user_label.text()
    dispose_desktop(shell)


def test_enter_in_the_username_field_signs_in_when_the_password_is_there(
    qtbot: QtBot, demo_home: Home
) -> None:
    shell = _started(demo_home)
    login = shell.login
    qtbot.waitUntil(login.sign_in_button.isEnabled, timeout=15_000)
    qtbot.keyClicks(login.password, DEMO_PASSWORD)
    qtbot.keyClicks(login.username, "visser")
    qtbot.keyClick(login.username, Qt.Key.Key_Enter)  # the keypad's Enter
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    assert shell.window is not None
    assert "S. Visser" in shell.window.user_label.text()
    dispose_desktop(shell)


def test_a_wrong_password_by_enter_says_so_once(qtbot: QtBot, demo_home: Home) -> None:
    shell = _started(demo_home)
    login = shell.login
    qtbot.waitUntil(login.sign_in_button.isEnabled, timeout=15_000)
    qtbot.keyClicks(login.username, "bakker")
    qtbot.keyClicks(login.password, "verkeerd!")
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)  # impatient: ignored while busy
    qtbot.waitUntil(login.message.isVisible, timeout=15_000)
    assert "onjuist wachtwoord" in login.message.text()
    shell.tasks.wait()
    qtbot.wait(50)
    assert shell.window is None
    assert "(1x)" in _last_failure_detail(demo_home)
    dispose_desktop(shell)


def _last_failure_detail(home: Home) -> str:
    from sqlalchemy import select

    from gpdesk.db import open_database
    from gpdesk.models import AuditEntry

    db = open_database(f"sqlite:///{home.database_file}")
    try:
        with db.session() as session:
            detail = session.scalar(
                select(AuditEntry.detail)
                .where(AuditEntry.event == "login.failed")
                .order_by(AuditEntry.seq.desc())
                .limit(1)
            )
    finally:
        db.dispose()
    return detail or ""


def test_enter_in_the_first_new_password_field_goes_on_to_the_second(qtbot: QtBot) -> None:
    dialog = PasswordChangeDialog(forced=True)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.first, "mijn eigen wachtwoord")
    qtbot.keyClick(dialog.first, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.focusWidget() is dialog.second
    qtbot.keyClicks(dialog.second, "mijn eigen wachtwoord")
    qtbot.keyClick(dialog.second, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert dialog.new_password == "mijn eigen wachtwoord"
