"""Help > Over gpdesk: version, the database's schema against this program's, where data lives.

Driven through the signed-in window as a user does; closed with Esc and with Alt+S.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk import __version__
from gpdesk.about import LICENCE
from gpdesk.config import Home
from gpdesk.db import head_revision
from gpdesk.ui.about_dialog import AboutDialog
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop
from tests.gui.test_desktop import sign_in

SHOTS = os.environ.get("GPDESK_ABOUT_SHOT")
"""A folder to save the dialog's picture in, to look at it (not written by default)."""


@pytest.fixture
def signed_in(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(demo_home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    sign_in(qtbot, shell)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    yield shell
    dispose_desktop(shell)


def _open_about(qtbot: QtBot, shell: Desktop) -> AboutDialog:
    window = shell.window
    assert window is not None
    window.about_action.trigger()
    qtbot.waitUntil(
        lambda: shell.about_dialog is not None and shell.about_dialog.isVisible(), timeout=10_000
    )
    dialog = shell.about_dialog
    assert dialog is not None
    return dialog


def test_about_names_version_schema_and_data_location(
    qtbot: QtBot, signed_in: Desktop, demo_home: Home
) -> None:
    dialog = _open_about(qtbot, signed_in)
    values = {label: widget.text() for label, widget in dialog.values.items()}
    assert values["Versie"] == __version__
    assert values["Databaseschema"] == f"{head_revision()} (bijgewerkt)"
    assert values["Gegevensmap"] == str(demo_home.path)
    assert values["Database"] == f"SQLite: {demo_home.database_file}"
    assert values["Licentie"] == LICENCE
    assert dialog.windowTitle() == "Over gpdesk"
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / "over-gpdesk.png"))

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert f"Versie: {__version__}" in copied
    assert f"Gegevensmap: {demo_home.path}" in copied

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: signed_in.about_dialog is None, timeout=5_000)


def test_alt_s_and_enter_close_and_the_text_is_selectable(qtbot: QtBot, signed_in: Desktop) -> None:
    dialog = _open_about(qtbot, signed_in)
    path = dialog.values["Gegevensmap"]
    assert path.isReadOnly()
    assert path.focusPolicy() & Qt.FocusPolicy.TabFocus  # reachable to select and copy
    assert dialog.close_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: signed_in.about_dialog is None, timeout=5_000)

    again = _open_about(qtbot, signed_in)  # Enter: Sluiten is the default button
    qtbot.keyClick(again, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: signed_in.about_dialog is None, timeout=5_000)


def test_a_database_behind_this_program_says_what_it_expects() -> None:
    from gpdesk.about import AboutFacts

    facts = AboutFacts("0.1.0", "0013", "0012", "/h", "SQLite: /h/gpdesk.sqlite3")
    assert facts.schema_text() == "0012 (deze versie verwacht 0013)"
    assert AboutFacts("0.1.0", "0013", None, "/h", "x").schema_text().startswith("onbekend")
