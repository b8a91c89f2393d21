"""The HIS hands over a patient whose stored row was tampered with: refused, said, nothing lost.

The demo database is changed with ``sqlite3`` only (the BSN index of two patients swapped), as
someone with the file and no password would. The hand-off shows the HIS's patient in the banner
(that is the HIS's own data), overwrites nothing, and the status bar says the one message; the
next patient is stored as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.errors import TAMPERED
from gpdesk.practice.demo import DEMO_PASSWORD, demo_patients
from gpdesk.ui.desktop import Desktop
from tests.binding_support import raw, row_bytes, swap
from tests.conftest import dispose_desktop


@pytest.fixture
def tampered(demo_home: Home) -> Path:
    """The demo's first two patients (rows 1 and 2) with their BSN indexes swapped."""
    path = Path(demo_home.database_file)
    swap(path, "patient", "bsn_index", 1, 2)
    return path


@pytest.fixture
def desktop(qtbot: QtBot, demo_home: Home, tampered: Path) -> Iterator[Desktop]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(demo_home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    yield shell
    dispose_desktop(shell)


def _sign_in_with_enter(qtbot: QtBot, shell: Desktop) -> None:
    shell.login.username.clear()
    qtbot.keyClicks(shell.login.username, "bakker")
    qtbot.keyClicks(shell.login.password, DEMO_PASSWORD)
    qtbot.keyClick(shell.login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=15_000)


def test_a_tampered_row_is_refused_at_hand_off_and_overwrites_nothing(
    qtbot: QtBot, desktop: Desktop, tampered: Path
) -> None:
    _sign_in_with_enter(qtbot, desktop)
    window = desktop.window
    assert window is not None
    first = demo_patients()[0]
    rows_before = row_bytes(tampered, 1), row_bytes(tampered, 2)
    stores_before = raw(tampered, "SELECT count(*) FROM audit_entry WHERE event = 'patient.store'")

    desktop.open_patient(replace(first, phone="0611111111"))
    desktop.tasks.wait()
    qtbot.waitUntil(lambda: TAMPERED in window.statusBar().currentMessage(), timeout=5_000)

    assert first.name in window.banner.text.text()  # the HIS's patient, as the HIS sent it
    assert demo_patients()[1].name not in window.banner.text.text()
    assert (row_bytes(tampered, 1), row_bytes(tampered, 2)) == rows_before
    assert raw(tampered, "SELECT count(*) FROM audit_entry WHERE event = 'patient.store'") == (
        stores_before
    )
    assert raw(tampered, "SELECT count(*) FROM audit_entry WHERE event = 'data.tampered'") == [(1,)]
    assert first.name not in window.windowTitle()

    # The rest keeps working: the next patient from the HIS is stored as usual.
    window.statusBar().clearMessage()
    desktop.open_patient(demo_patients()[2])
    desktop.tasks.wait()
    qtbot.wait(50)
    assert window.statusBar().currentMessage() == ""
    assert demo_patients()[2].name in window.banner.text.text()
