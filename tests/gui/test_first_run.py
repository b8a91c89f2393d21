"""First start without a practice: set one up or make the demo, by keyboard, then sign in."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.first_run import FirstRun, FirstRunDialog, key_lines, recovery_sheet_html
from gpdesk.ui.login import LoginDialog
from gpdesk.ui.tasks import ImmediateTasks
from tests.conftest import FAST_KDF, dispose_desktop

PASSWORD = "een zin als wachtwoord"


@pytest.fixture
def first_start(qtbot: QtBot, home: Home, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desktop]:
    """A Desktop on an empty home, with the first-run window up (cheap Argon2id)."""
    monkeypatch.setattr(FirstRun, "kdf", FAST_KDF)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: (d := _dialog(shell)) is not None and d.isVisible(), timeout=15_000)
    yield shell
    dispose_desktop(shell)


def _dialog(shell: Desktop) -> FirstRunDialog | None:
    """The first-run window: there once the database is open, gone once the login is ready."""
    return shell.login.findChild(FirstRunDialog)


def _shown(shell: Desktop) -> FirstRunDialog:
    dialog = _dialog(shell)
    assert dialog is not None
    return dialog


def _type(qtbot: QtBot, text: str, *, tab: bool = True) -> None:
    """Type into the focused field, then Tab on, as a user filling in the form does."""
    focused = QApplication.focusWidget()
    assert isinstance(focused, QWidget)
    qtbot.keyClicks(focused, text)
    if tab:
        qtbot.keyClick(focused, Qt.Key.Key_Tab)


def _enter(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)


def test_set_up_by_keyboard_shows_key_once_then_sign_in_works(
    qtbot: QtBot, first_start: Desktop, home: Home, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    shell = first_start
    dialog = _shown(shell)
    assert not shell.login.isVisible()  # the first-run window stands in for the login
    assert dialog.current_page() == "choice"
    assert str(home.path) in dialog.place.text()

    _enter(qtbot, dialog)  # Enter: the default, "Nieuwe praktijk opzetten"
    assert dialog.current_page() == "form"
    assert dialog.focusWidget() is dialog.practice_name

    # The core refuses an empty practice name (in the background, as gpdesk init would).
    qtbot.keyClick(dialog.practice_name, Qt.Key.Key_Tab)
    _type(qtbot, "smit")
    _type(qtbot, "R. Smit")
    _type(qtbot, PASSWORD)
    _type(qtbot, PASSWORD, tab=False)
    _enter(qtbot, dialog)
    qtbot.waitUntil(lambda: "naam van de praktijk" in dialog.message.text(), timeout=15_000)
    assert dialog.focusWidget() is dialog.practice_name
    assert dialog.current_page() == "form"

    qtbot.keyClicks(dialog.practice_name, "Huisartsenpraktijk Het Lindeplein")
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, "iets anders")
    _enter(qtbot, dialog)
    assert "niet gelijk" in dialog.message.text()
    assert dialog.focusWidget() is dialog.repeat and dialog.repeat.text() == ""

    qtbot.keyClicks(dialog.repeat, PASSWORD)
    _enter(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.current_page() == "key", timeout=30_000)
    key = "-".join(dialog.key_label.text().split("\n"))
    assert len(key_lines(key)) == 3
    assert dialog.password.text() == dialog.repeat.text() == ""
    assert "Het Lindeplein" in dialog.key_intro.text()

    # Continue stays off until the key is confirmed; Enter and Esc don't leave the key behind.
    assert not dialog.continue_button.isEnabled()
    _enter(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible() and dialog.current_page() == "key"
    assert not shell.login.isVisible()

    # Printing, exercised as a PDF printer.
    controller = shell.findChild(FirstRun)
    assert isinstance(controller, FirstRun)
    pdf = tmp_path / "herstelsleutel.pdf"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(pdf))
    controller.print_to(printer)
    del printer
    sheet = PdfReader(pdf)
    assert len(sheet.pages) == 1
    printed = " ".join(sheet.pages[0].extract_text().split())  # the PDF spaces words with tabs
    assert all(line in printed for line in key_lines(key)), printed  # the key itself is on paper
    assert "Het Lindeplein" in printed
    assert "printer" in dialog.status.text()

    assert dialog.focusWidget() is dialog.confirm
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Space)
    assert dialog.continue_button.isEnabled()
    _enter(qtbot, dialog)

    login = shell.login
    qtbot.waitUntil(lambda: login.isVisible() and login.sign_in_button.isEnabled(), timeout=5000)
    assert login.practice_label.text() == "Huisartsenpraktijk Het Lindeplein"
    assert login.username.text() == "smit"
    assert login.focusWidget() is login.password
    qtbot.keyClicks(login.password, PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=15_000)
    assert shell.window is not None
    assert "R. Smit (praktijkmanager)" in shell.window.user_label.text()

    # The key was shown and printed, nothing more: not in the logs, not in the window state.
    assert key not in caplog.text and PASSWORD not in caplog.text
    shell.state.sync()
    for path in home.path.rglob("*"):
        if path.is_file() and path.suffix in (".ini", ".json", ".log", ".txt"):
            assert key not in path.read_text(encoding="utf-8", errors="replace"), path

    # And it is the practice's real recovery key.
    from gpdesk.security.users import recover_access

    assert shell.db is not None
    recover_access(shell.db, "smit", key, "een nieuw wachtwoord", kdf=FAST_KDF)


def test_demo_by_keyboard_then_login_is_ready(qtbot: QtBot, first_start: Desktop) -> None:
    shell = first_start
    dialog = _shown(shell)
    with qtbot.waitActive(dialog):
        dialog.activateWindow()
    qtbot.keyClick(dialog, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # &Demopraktijk
    qtbot.waitUntil(lambda: "demopraktijk wordt gemaakt" in dialog.status.text())
    login = shell.login
    qtbot.waitUntil(lambda: login.isVisible() and login.sign_in_button.isEnabled(), timeout=60_000)
    # The first-run window is hidden at once and deleted later (deleteLater): not on screen.
    gone = _dialog(shell)
    assert gone is None or not gone.isVisible()
    assert "(demo)" in login.practice_label.text()
    assert login.username.text() == "bakker"
    assert DEMO_PASSWORD in login.password.placeholderText()
    qtbot.keyClicks(login.password, DEMO_PASSWORD)
    qtbot.keyClick(login.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(), timeout=15_000)
    assert shell.window is not None
    assert "H. Bakker (huisarts)" in shell.window.user_label.text()


def test_form_checks_with_the_core_rules_and_esc_steps_back(qtbot: QtBot) -> None:
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    requested: list[tuple[str, ...]] = []
    dialog.set_up_requested.connect(lambda *args: requested.append(args))

    qtbot.keyClick(dialog.new_button, Qt.Key.Key_Return)
    assert dialog.current_page() == "form"
    qtbot.keyClicks(dialog.practice_name, "Praktijk")
    qtbot.keyClicks(dialog.username, "1x")
    qtbot.keyClicks(dialog.full_name, "A. Jansen")
    qtbot.keyClicks(dialog.password, "kort")
    qtbot.keyClicks(dialog.repeat, "kort")
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert "gebruikersnaam heeft 2 tot 32 tekens" in dialog.message.text()
    assert dialog.focusWidget() is dialog.username

    dialog.username.clear()
    qtbot.keyClicks(dialog.username, "  Jansen ")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Return)
    assert "te kort: gebruik minstens 10 tekens" in dialog.password_hint.text()
    assert dialog.focusWidget() is dialog.password
    assert requested == []

    for field in (dialog.password, dialog.repeat):
        field.clear()
        qtbot.keyClicks(field, PASSWORD)
    qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
    assert requested == [("Praktijk", "jansen", "A. Jansen", PASSWORD)]

    dialog.set_idle()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.current_page() == "choice" and dialog.isVisible()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # on the first page: Afsluiten


def test_refuses_when_a_practice_appeared_meanwhile(qtbot: QtBot, demo_home: Home) -> None:
    from gpdesk.db import open_database

    db = open_database(f"sqlite:///{demo_home.database_file}")
    login = LoginDialog()
    qtbot.addWidget(login)
    failures: list[BaseException] = []
    first_run = FirstRun(db, ImmediateTasks(), login, home=demo_home, unexpected=failures.append)
    qtbot.addWidget(first_run.dialog)
    ready: list[object] = []
    first_run.practice_ready.connect(lambda practice, _user: ready.append(practice))
    first_run.dialog.demo_button.click()
    db.dispose()
    assert "bevat al een praktijk" in first_run.dialog.message.text()
    assert first_run.dialog.pages.isEnabled()  # the user can choose again or quit
    assert ready == [] and failures == []


def test_recovery_sheet_says_what_the_key_is_for() -> None:
    from datetime import date

    key = "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST"
    sheet = recovery_sheet_html("Praktijk <De Singel>", "smit", key, date(2025, 3, 4))
    assert "Praktijk &lt;De Singel&gt;" in sheet
    assert "04-03-2025" in sheet
    assert "ABCD-EFGH-IJKL-MNOP-QRST<br>UVWX-YZ23-4567-ABCD-EFGH<br>IJKL-MNOP-QRST" in sheet
    assert "gpdesk user recover" in sheet
