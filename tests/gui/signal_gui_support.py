"""Shared set-up for the signal form's GUI tests: a demo practice ready to send, signed in.

``ready_home`` gives the demo practice a letterhead, a from-address and a delivery address for
Wijkteam Nieuwland (whose area holds ``PATIENT``'s postcode) through the core's own setters,
signed in as the practice manager, as Beheer and ``gpdesk transport set`` / ``gpdesk team
delivery`` do. ``signed_in`` starts the real Desktop, signs a demo user in with the
keyboard-free path the other GUI tests use, and opens ``PATIENT`` as the HIS would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.practice.letterhead import set_letterhead
from gpdesk.security.accounts import sign_in
from gpdesk.transport.config import TransportRequest, save_transport, set_team_delivery
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.main_window import MainWindow
from tests.store_support import FROM_ADDRESS, NIEUWLAND

PATIENT = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)
CHILD = PatientContext(
    bsn="121547280",
    name="T. Öztürk",
    birth_date=date(2016, 3, 22),
    postcode="3119BC",
    phone="0687654321",
)
"""Under 12: the parents consent (Wgbo)."""
SHOTS = Path("/tmp/form-shots")


TEAM_ADDRESS = "wijkteam@voorbeeld-schiedam.nl"


def ready_home(home: Home) -> None:
    """Letterhead, from-address and Nieuwland's delivery address, set as the manager would."""
    db = open_database(f"sqlite:///{home.database_file}")
    try:
        manager = sign_in(db, "smit", DEMO_PASSWORD)
        with db.session() as session:
            set_letterhead(
                session,
                manager.actor,
                address_lines=["Singel 12", "3112 GS Schiedam"],
                phone="010 123 45 67",
            )
            save_transport(
                session,
                manager.vault,
                manager.actor,
                TransportRequest(
                    host="127.0.0.1", port=587, security="starttls", from_address=FROM_ADDRESS
                ),
            )
            set_team_delivery(session, manager.actor, NIEUWLAND, email=TEAM_ADDRESS)
    finally:
        db.dispose()


def database(home: Home) -> Database:
    """A second connection to the home's database, for checking what the form stored."""
    return open_database(f"sqlite:///{home.database_file}")


def signed_in(
    qtbot: QtBot, home: Home, user: str, patient: PatientContext | None = PATIENT
) -> Desktop:
    """The Desktop with ``user`` signed in and ``patient`` in the banner (stored)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText(user)
    shell.login.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.signals is not None, timeout=15_000)
    window = shell.window
    assert window is not None
    if patient is not None:
        shell.open_patient(patient)
        assert shell.tasks.wait()
        qtbot.wait(10)  # the result is delivered on the GUI thread
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a shortcut needs it
    return shell


def main_window(shell: Desktop) -> MainWindow:
    """The shell's window (asserted to exist)."""
    assert shell.window is not None
    return shell.window


@contextmanager
def app_style() -> Iterator[None]:
    """The program's own style sheet while a screenshot is taken (tests run without it)."""
    from gpdesk.ui.theme import style_sheet

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    app.setStyleSheet(style_sheet())
    try:
        yield
    finally:
        app.setStyleSheet(before)


def shoot(qtbot: QtBot, widget: QWidget, name: str, size: tuple[int, int] | None = None) -> Path:
    """Save ``widget`` as /tmp/form-shots/NAME.png, styled, at ``size`` (a 1366x768 window)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app_style():
        if size is not None:
            widget.resize(*size)
        qtbot.wait(80)
        path = SHOTS / f"{name}.png"
        widget.grab().save(str(path))
    return path
