"""Voorbeeld: the letter exactly as the team gets it; what stays behind is said, never shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals.form import SignalForm
from gpdesk.ui.signals.preview_dialog import TITLE, PreviewDialog
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import PATIENT, main_window, ready_home, shoot, signed_in
from tests.gui.test_signal_form import (
    CTRL_SHIFT,
    QUESTION,
    controller,
    open_form,
    record_consent_in_db,
    stored_signals,
)

PRIVATE = "Partner drinkt; niet bespreken met het team"


@pytest.fixture
def ready(demo_home: Home) -> Home:
    ready_home(demo_home)
    return demo_home


@pytest.fixture
def gp(qtbot: QtBot, ready: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, ready, "bakker")
    yield shell
    dispose_desktop(shell)


def filled_form(qtbot: QtBot, shell: Desktop) -> SignalForm:
    form = open_form(qtbot, shell)
    record_consent_in_db(shell)
    form.reject()
    qtbot.waitUntil(lambda: controller(shell).form is None, timeout=5_000)
    form = open_form(qtbot, shell)
    qtbot.keyClick(form.chips["wonen_werk_inkomen_schulden"], Qt.Key.Key_Space)
    qtbot.waitUntil(form.question.hasFocus, timeout=2_000)
    qtbot.keyClicks(form.question, QUESTION)
    form.private_note.setPlainText(PRIVATE)
    return form


def open_preview(qtbot: QtBot, shell: Desktop, form: SignalForm) -> PreviewDialog:
    """Ctrl+Shift+P, as the tooltip says; waits for compose to come back."""
    qtbot.keyClick(form.question, Qt.Key.Key_P, CTRL_SHIFT)
    signals = controller(shell)
    qtbot.waitUntil(
        lambda: signals.preview_dialog is not None and signals.preview_dialog.isVisible(),
        timeout=15_000,
    )
    dialog = signals.preview_dialog
    assert dialog is not None
    return dialog


def test_the_preview_shows_the_letter_and_names_what_stays_behind(
    qtbot: QtBot, gp: Desktop
) -> None:
    form = filled_form(qtbot, gp)
    dialog = open_preview(qtbot, gp, form)
    assert dialog.windowTitle() == TITLE
    assert PATIENT.name not in dialog.windowTitle()
    not_sent = dialog.not_sent.text()
    assert not_sent.startswith("Niet meegestuurd: BSN")
    assert "privénotitie" in not_sent and "geboortedatum" in not_sent
    html = dialog.letter_html()
    text = dialog.letter.toPlainText()
    assert QUESTION in text and PATIENT.name in text
    assert PRIVATE not in html and "Partner drinkt" not in text
    assert PATIENT.bsn not in html
    assert "privénotitie" not in text.lower()  # the team need not know a note exists
    assert "Signaal SIG-" in dialog.envelope.text()
    shoot(qtbot, dialog, "preview", (820, 688))


def test_send_from_the_preview_stores_the_signal(qtbot: QtBot, gp: Desktop, ready: Home) -> None:
    form = filled_form(qtbot, gp)
    dialog = open_preview(qtbot, gp, form)
    qtbot.keyClick(dialog.send_button, Qt.Key.Key_Return)  # Verstuur is the default here too
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    assert controller(gp).preview_dialog is None
    stored = stored_signals(ready)
    assert [ref for ref, _ in stored] == [form.sent_page.reference.text()]
    assert all(PRIVATE.encode() not in content for _ref, content in stored)


def test_the_handout_after_sending_says_where_and_when(qtbot: QtBot, gp: Desktop) -> None:
    form = filled_form(qtbot, gp)
    qtbot.keyClick(form.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.pages.currentWidget() is form.sent_page, timeout=15_000)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    qtbot.keyClick(form.sent_page.handout_button, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: controller(gp).print_dialog is not None)  # a shortcut animates
    sheet = controller(gp).print_dialog
    assert sheet is not None and sheet.isVisible()
    text = sheet.preview.toPlainText()
    assert "Uw aanmelding bij Wijkteam Nieuwland" in text
    assert "Neem mee" in text
    assert PATIENT.name not in text  # anonymous unless ticked
    assert "schulden" not in text.lower()  # the theme never goes on the patient's paper
    shoot(qtbot, sheet, "handout")


def test_no_preview_without_consent_the_reason_stands_in_the_form(
    qtbot: QtBot, gp: Desktop
) -> None:
    form = open_form(qtbot, gp)
    qtbot.keyClick(form.chips["ouderen"], Qt.Key.Key_Space)
    qtbot.keyClicks(form.question, QUESTION)
    qtbot.mouseClick(form.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(form.errors["toestemming"].isVisible, timeout=15_000)
    assert controller(gp).preview_dialog is None
    window = main_window(gp)
    assert window.isVisible()
