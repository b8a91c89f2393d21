"""Beheer → Praktijk → "Database controleren": progress, the report, the keyboard, the rights."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.ui.beheer.check_dialog import CheckReportDialog
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop
from tests.gui.test_beheer import _beheer, _shell
from tests.security_support import drop_audit_triggers


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def _report(qtbot: QtBot, shell: Desktop) -> CheckReportDialog:
    page, ctrl = _beheer(qtbot, shell)
    page.tabs.setCurrentWidget(page.practice)
    button = page.practice.check_button
    assert button.isVisible() and button.isEnabled()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)  # the keyboard path: focus and Space
    qtbot.waitUntil(
        lambda: ctrl.report_dialog is not None and ctrl.report_dialog.isVisible(), timeout=30_000
    )
    assert ctrl.report_dialog is not None
    assert button.isEnabled()
    assert not page.practice.check_progress.isVisible()
    return ctrl.report_dialog


def test_a_clean_practice_reports_in_order(qtbot: QtBot, manager: Desktop) -> None:
    dialog = _report(qtbot, manager)
    assert dialog.report.ok
    assert dialog.text.toPlainText().startswith("Database in orde")
    page = manager.window.practice_page() if manager.window else None
    assert page is not None
    assert page.practice.check_status.text().startswith("✔ Database in orde")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == dialog.report.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter = Sluiten
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)


def test_a_changed_row_is_reported_and_esc_closes(
    qtbot: QtBot, demo_home: Home, manager: Desktop
) -> None:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        drop_audit_triggers(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET detail = 'anders' WHERE seq = 2"))
    finally:
        db.dispose()
    dialog = _report(qtbot, manager)
    assert not dialog.report.ok
    assert "tabel audit_entry, record 2" in dialog.text.toPlainText()
    grab = dialog.grab()
    assert not grab.isNull()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)


def test_a_gp_does_not_see_the_button(qtbot: QtBot, demo_home: Home) -> None:
    shell = _shell(qtbot, demo_home, "bakker")
    try:
        page, _ctrl = _beheer(qtbot, shell)
        assert not page.practice.check_button.isVisibleTo(page)
    finally:
        dispose_desktop(shell)
