"""Toestemming vastleggen from the signal form: records, shows the age rule, prints, copies."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.models import Consent
from gpdesk.models.consent import ConsentMethod, DataItem
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals.consent_dialog import ConsentDialog
from gpdesk.ui.signals.controller import SignalController
from gpdesk.ui.signals.form import SignalForm
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import (
    CHILD,
    PATIENT,
    SHOTS,
    database,
    main_window,
    ready_home,
    shoot,
    signed_in,
)

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def ready(demo_home: Home) -> Home:
    ready_home(demo_home)
    return demo_home


@pytest.fixture
def gp(qtbot: QtBot, ready: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, ready, "bakker")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def gp_with_child(qtbot: QtBot, ready: Home) -> Iterator[Desktop]:
    shell = signed_in(qtbot, ready, "bakker", patient=CHILD)
    yield shell
    dispose_desktop(shell)


def consent_dialog(
    qtbot: QtBot, shell: Desktop
) -> tuple[SignalController, SignalForm, ConsentDialog]:
    """Ctrl+Shift+S, then Alt+T (Toestemming vastleggen…) once the team is known."""
    window = main_window(shell)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL_SHIFT)
    signals = shell.signals
    assert signals is not None
    qtbot.waitUntil(lambda: signals.form is not None and signals.data is not None, timeout=15_000)
    form = signals.form
    assert form is not None
    qtbot.waitUntil(lambda: form.send_button.isEnabled(), timeout=5_000)
    qtbot.keyClick(form, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: signals.consent_dialog is not None, timeout=2_000)
    dialog = signals.consent_dialog
    assert dialog is not None
    return signals, form, dialog


def consents(home: Home) -> list[Consent]:
    db = database(home)
    try:
        with db.session() as session:
            rows = list(session.scalars(select(Consent)))
            session.expunge_all()
            return rows
    finally:
        db.dispose()


def test_enter_records_the_consent_and_the_form_ticks_follow(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    signals, form, dialog = consent_dialog(qtbot, gp)
    assert dialog.windowTitle() == "Toestemming vastleggen"
    assert PATIENT.name not in dialog.windowTitle()
    assert dialog.methods[ConsentMethod.ORAL].isChecked()  # mondeling in de spreekkamer
    assert [box.text() for _org, box in dialog.organisations if box.isChecked()] == [
        "Stichting Wijkteams Schiedam"
    ]
    assert not dialog.items[DataItem.MEDICAL].isChecked()
    assert not dialog.representative_row.isVisibleTo(dialog)  # an adult consents alone
    shoot(qtbot, dialog, "consent-dialog")
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: signals.consent_dialog is None, timeout=15_000)
    stored = consents(ready)
    assert len(stored) == 1
    assert stored[0].method is ConsentMethod.ORAL
    assert "Toestemming gegeven op" in form.consent_status.text()
    assert form.items[DataItem.PHONE].isChecked()
    assert not form.items[DataItem.BIRTH_DATE].isChecked()  # minimal by default, still


def test_the_age_rule_is_shown_next_to_how_it_was_given(
    qtbot: QtBot, gp_with_child: Desktop, ready: Home
) -> None:
    signals, _form, dialog = consent_dialog(qtbot, gp_with_child)
    # A ten-year-old: the representative is the default, with name and relation to fill in.
    assert dialog.methods[ConsentMethod.REPRESENTATIVE].isChecked()
    assert dialog.representative_row.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.methods[ConsentMethod.ORAL], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.errors["wijze"]
    assert error.isVisible()
    assert "Onder de 12 jaar" in error.text()
    assert dialog.errors["vertegenwoordiger"].isVisible()
    assert signals.consent_dialog is dialog and consents(ready) == []
    shoot(qtbot, dialog, "consent-dialog-age-rule")

    qtbot.mouseClick(dialog.methods[ConsentMethod.REPRESENTATIVE], Qt.MouseButton.LeftButton)
    dialog.representative_name.setText("A. Öztürk-Yılmaz")  # QTest types ASCII only
    qtbot.keyClicks(dialog.representative_relation, "moeder")
    qtbot.keyClick(dialog.representative_relation, Qt.Key.Key_Return)  # Enter: Opslaan
    qtbot.waitUntil(lambda: signals.consent_dialog is None, timeout=15_000)
    stored = consents(ready)
    assert len(stored) == 1 and stored[0].method is ConsentMethod.REPRESENTATIVE


def test_copy_for_his_fills_the_clipboard_without_bsn_or_name(qtbot: QtBot, gp: Desktop) -> None:
    _signals, _form, dialog = consent_dialog(qtbot, gp)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    note = QGuiApplication.clipboard().text()
    assert note.startswith("Toestemming gegevensdeling (AVG)")
    assert "Stichting Wijkteams Schiedam" in note
    assert "mondeling in de spreekkamer" in note
    assert PATIENT.bsn not in note and PATIENT.name not in note
    assert "Gekopieerd voor het HIS" in dialog.status.text()


def test_print_uses_the_one_renderer_and_names_no_bsn(
    qtbot: QtBot, gp: Desktop, tmp_path: Path
) -> None:
    signals, _form, dialog = consent_dialog(qtbot, gp)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    sheet = signals.print_dialog
    assert sheet is not None and sheet.windowTitle() == "Toestemming afdrukken"
    assert not sheet.include_name.isChecked()  # blank lines for the name by default
    sheet.include_name.setChecked(True)
    html = sheet.preview.toPlainText()
    assert "Toestemming om gegevens te delen" in html and PATIENT.name in html
    assert PATIENT.bsn not in html
    shoot(qtbot, sheet, "consent-print-dialog")
    target = signals.save_pdf(sheet, dialog.document(True), tmp_path / "toestemming")
    qtbot.waitUntil(lambda: target.exists(), timeout=20_000)
    qtbot.waitUntil(lambda: "Opgeslagen" in sheet.status.text(), timeout=5_000)
    text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(target.read_bytes())).pages)
    assert "Toestemming om gegevens te delen" in text
    assert "Handtekening patiënt" in text
    assert PATIENT.bsn not in text
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        SHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [pdftoppm, "-png", "-r", "80", str(target), str(SHOTS / "consent-printed")],
            check=True,
        )
