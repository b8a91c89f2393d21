"""The window cannot start (unusable gpdesk folder): the same Dutch line in a box, Esc closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from gpdesk.ui.app import start_problem_box

TEXT = "In de gpdesk-map kan niet worden geschreven. Controleer de rechten van /x."


def test_the_box_shows_the_line_and_esc_closes_it(qtbot: QtBot) -> None:
    box = start_problem_box(TEXT)
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    assert box.text() == TEXT
    assert box.windowTitle() == "gpdesk kan niet starten"
    assert box.escapeButton() is box.button(QMessageBox.StandardButton.Close)
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not box.isVisible())
