"""Every dialog we can build on its own: Enter does the default action, Esc cancels.

Enter is typed where a user types it (the field they just filled); a dialog whose only text box
takes several lines gets Enter on the dialog itself, which is where Qt's default button lives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from gpdesk.kaart.editing.forms import FormChoices, empty_service_form
from gpdesk.ui.beheer.controller import AddUserDialog
from gpdesk.ui.beheer.kaart.editor import ContactDialog, OrganizationDialog, ServiceDialog
from gpdesk.ui.kaart.detail import CorrectionDialog
from gpdesk.ui.kaart.handout_dialog import HandoutDialog
from gpdesk.ui.login import LoginDialog
from gpdesk.ui.password_dialog import PasswordChangeDialog
from gpdesk.ui.paste_dialog import PasteDialog

HIS_LINE = "J. de Vries, 01-02-1970, BSN 111222333, 3118 AB, 06-12345678"


@dataclass
class Opened:
    """A dialog on screen, where Enter is typed, and whether its default action ran."""

    dialog: QDialog
    enter_on: QWidget
    default_ran: Callable[[], bool]


def _accepted(dialog: QDialog) -> Callable[[], bool]:
    return lambda: dialog.result() == QDialog.DialogCode.Accepted and not dialog.isVisible()


def _emitted(signal: object) -> Callable[[], bool]:
    seen: list[object] = []
    signal.connect(lambda *args: seen.append(args))  # type: ignore[attr-defined]
    return lambda: bool(seen)


def _login(qtbot: QtBot) -> Opened:
    dialog = LoginDialog()
    ran = _emitted(dialog.submitted)
    dialog.set_ready("Huisartsenpraktijk De Singel")
    qtbot.keyClicks(dialog.username, "bakker")
    qtbot.keyClicks(dialog.password, "demo1234")
    return Opened(dialog, dialog.password, ran)


def _password(qtbot: QtBot) -> Opened:
    dialog = PasswordChangeDialog()
    qtbot.keyClicks(dialog.first, "een nieuw wachtwoord")
    qtbot.keyClicks(dialog.second, "een nieuw wachtwoord")
    return Opened(dialog, dialog.second, _accepted(dialog))


def _paste_field(qtbot: QtBot) -> Opened:
    dialog = PasteDialog(use_clipboard=False)
    qtbot.keyClicks(dialog.source, HIS_LINE)
    return Opened(dialog, dialog.inputs["telefoon"], _accepted(dialog))


def _paste_box(qtbot: QtBot) -> Opened:
    dialog = PasteDialog(use_clipboard=False)
    qtbot.keyClicks(dialog.source, HIS_LINE)
    return Opened(dialog, dialog.source, _accepted(dialog))


def _handout(qtbot: QtBot) -> Opened:
    dialog = HandoutDialog(patient_available=True)
    dialog.set_html("<h1>Buurtteam Noord</h1><p>Inloop op dinsdag.</p>")
    return Opened(dialog, dialog, _emitted(dialog.print_requested))


def _correction(qtbot: QtBot) -> Opened:
    dialog = CorrectionDialog(
        None, service="Buurtteam Noord", recipient="noord@example.nl", check=lambda _text: None
    )
    qtbot.keyClicks(dialog.text, "Het telefoonnummer werkt niet meer.")
    return Opened(dialog, dialog, _accepted(dialog))


def _add_user(qtbot: QtBot) -> Opened:
    dialog = AddUserDialog()
    qtbot.keyClicks(dialog.username, "dekker")
    qtbot.keyClicks(dialog.display_name, "P. Dekker")
    return Opened(dialog, dialog.display_name, _emitted(dialog.submitted))  # stays open


# The kaart dialogs ask before Esc drops a change, so they are left as they opened.


def _organisation(qtbot: QtBot) -> Opened:
    dialog = OrganizationDialog()
    return Opened(dialog, dialog.name, _emitted(dialog.submitted))


def _contact(qtbot: QtBot) -> Opened:
    dialog = ContactDialog(team="Buurtteam Noord", colleagues=())
    return Opened(dialog, dialog.name, _emitted(dialog.submitted))


def _service(qtbot: QtBot) -> Opened:
    dialog = ServiceDialog(empty_service_form(), FormChoices((), (), ()))
    return Opened(dialog, dialog, _emitted(dialog.submitted))


DIALOGS: dict[str, Callable[[QtBot], Opened]] = {
    "aanmelden": _login,
    "wachtwoord": _password,
    "plak-uit-his-veld": _paste_field,
    "plak-uit-his-tekstvak": _paste_box,
    "print-voor-patient": _handout,
    "meld-correctie": _correction,
    "gebruiker-toevoegen": _add_user,
    "organisatie": _organisation,
    "contactpersoon": _contact,
    "voorziening": _service,
}


def _open(qtbot: QtBot, build: Callable[[QtBot], Opened]) -> Opened:
    opened = build(qtbot)
    qtbot.addWidget(opened.dialog)
    opened.dialog.open()
    qtbot.waitExposed(opened.dialog)
    return opened


@pytest.mark.parametrize("name", list(DIALOGS))
def test_enter_does_the_default_action(qtbot: QtBot, name: str) -> None:
    opened = _open(qtbot, DIALOGS[name])
    assert not opened.default_ran()
    qtbot.keyClick(opened.enter_on, Qt.Key.Key_Return)
    qtbot.waitUntil(opened.default_ran, timeout=2_000)


@pytest.mark.parametrize("name", list(DIALOGS))
def test_escape_cancels(qtbot: QtBot, name: str) -> None:
    opened = _open(qtbot, DIALOGS[name])
    qtbot.keyClick(opened.enter_on, Qt.Key.Key_Escape)
    assert not opened.dialog.isVisible()
    assert opened.dialog.result() == QDialog.DialogCode.Rejected
    assert not opened.default_ran()
