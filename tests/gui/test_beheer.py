"""Beheer driven through real widgets: Gebruikers, the Logboek and the back-up warning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.models import Practice, User, utcnow
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.roles import Role
from gpdesk.security.accounts import sign_in
from gpdesk.security.permissions import Permission
from gpdesk.security.users import reset_password, set_active, set_permission
from gpdesk.ui.beheer.controller import AddUserDialog, BeheerController
from gpdesk.ui.beheer.practice_page import PracticePage, backup_warning
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop


def _shell(qtbot: QtBot, home: Home, user: str) -> Desktop:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText(user)
    shell.login.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.beheer is not None, timeout=15_000)
    return shell


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def _beheer(qtbot: QtBot, shell: Desktop) -> tuple[PracticePage, BeheerController]:
    window = shell.window
    assert window is not None and shell.beheer is not None
    window.resize(1366, 768)
    window.show_area("beheer")
    page = window.practice_page()
    qtbot.waitUntil(lambda: page.users.model.rowCount() > 0, timeout=15_000)
    return page, shell.beheer


def test_add_a_user_by_keyboard(qtbot: QtBot, manager: Desktop, demo_home: Home) -> None:
    page, ctrl = _beheer(qtbot, manager)
    page.tabs.setCurrentWidget(page.users)
    qtbot.mouseClick(page.users.add_button, Qt.MouseButton.LeftButton)
    dialog = ctrl.add_user_dialog
    assert isinstance(dialog, AddUserDialog) and dialog.isVisible()
    qtbot.keyClicks(dialog.username, "dekker")
    qtbot.keyClicks(dialog.display_name, "P. Dekker")
    qtbot.keyClicks(dialog.role, "d")  # the combo box jumps to "doktersassistent"
    assert dialog.role.currentText() == "doktersassistent"
    qtbot.keyClick(dialog.display_name, Qt.Key.Key_Return)  # Enter = Toevoegen
    qtbot.waitUntil(lambda: ctrl.add_user_dialog is None, timeout=20_000)
    message = ctrl.message
    assert message is not None and message.isVisible()
    assert "P. Dekker (doktersassistent)" in message.text()
    password = message.text().split()[-1]
    assert len(password) == 14  # xxxx-xxxx-xxxx
    qtbot.waitUntil(
        lambda: any(r.username == "dekker" for r in page.users.model.rows), timeout=15_000
    )
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        with db.session() as session:
            user = session.scalar(select(User).where(User.username == "dekker"))
            assert user is not None
            assert (user.display_name, user.role, user.must_change_password) == (
                "P. Dekker",
                Role.ASSISTANT,
                True,
            )
        assert sign_in(db, "dekker", password).actor.role is Role.ASSISTANT
    finally:
        db.dispose()


def test_add_user_keeps_the_dialog_open_with_the_reason(qtbot: QtBot, manager: Desktop) -> None:
    page, ctrl = _beheer(qtbot, manager)
    page.tabs.setCurrentWidget(page.users)
    ctrl.add_user()
    dialog = ctrl.add_user_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.username, "jansen")  # exists already
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=15_000)
    assert "Er ging iets mis" not in dialog.message.text()
    assert dialog.isVisible() and dialog.username.text() == "jansen"
    qtbot.keyClick(dialog.username, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: ctrl.add_user_dialog is None, timeout=5_000)


def test_logbook_reads_in_dutch_and_refreshes_when_opened_again(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    page, ctrl = _beheer(qtbot, manager)
    page.tabs.setCurrentWidget(page.audit)
    model = ctrl.audit_model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=15_000)
    assert model.rows[0].what == "aangemeld"
    assert model.index(0, 1).data() == "R. Smit"
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "Gebruikersnaam: smit"
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Wat er gebeurde"
    page.tabs.setCurrentWidget(page.users)
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        reset_password(db, sign_in(db, "smit", DEMO_PASSWORD), "jansen")
    finally:
        db.dispose()
    page.tabs.setCurrentWidget(page.audit)  # opened again: shows the new entry
    qtbot.waitUntil(
        lambda: (
            model.rowCount() > 0
            and model.rows[0].what == "wachtwoord opnieuw ingesteld voor M. Jansen"
        ),
        timeout=15_000,
    )
    assert model.index(0, 3).data() == "wachtwoord opnieuw ingesteld voor M. Jansen"


def test_backup_warning_tells_a_gp_whom_to_ask(qtbot: QtBot, demo_home: Home) -> None:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        smit = sign_in(db, "smit", DEMO_PASSWORD)
        set_permission(db, smit, Role.ASSISTANT, Permission.BACKUP, allowed=True)
        set_active(db, smit, "visser", active=False)
        with db.session() as session:
            session.execute(update(Practice).values(last_backup_at=utcnow() - timedelta(days=9)))
    finally:
        db.dispose()
    shell = _shell(qtbot, demo_home, "bakker")
    try:
        page, _ctrl = _beheer(qtbot, shell)
        warning = page.practice.backup_warning
        qtbot.waitUntil(lambda: warning.isVisibleTo(page), timeout=15_000)
        assert warning.text() == (
            "⚠ De laatste back-up is ouder dan 7 dagen. Vraag M. Jansen (doktersassistent) of "
            "R. Smit (praktijkmanager) om een back-up te maken."
        )
        assert not page.practice.backup_button.isVisibleTo(page)
    finally:
        dispose_desktop(shell)


def test_backup_warning_words() -> None:
    assert backup_warning(True) == (
        "⚠ Er is nog nooit een back-up gemaakt. Maak er nu een en bewaar hem buiten deze computer."
    )
    assert (
        backup_warning(False)
        == "⚠ De laatste back-up is ouder dan 7 dagen. Maak een nieuwe back-up."
    )
    assert backup_warning(True, ["R. Smit (praktijkmanager)"]) == (
        "⚠ Er is nog nooit een back-up gemaakt. Vraag R. Smit (praktijkmanager) om een back-up "
        "te maken."
    )
    three = backup_warning(False, ["A (huisarts)", "B (huisarts)", "C (praktijkmanager)"])
    assert three.endswith(
        "Vraag A (huisarts), B (huisarts) of C (praktijkmanager) om een back-up te maken."
    )
    assert "Beheer > Rechten" in backup_warning(False, [])
