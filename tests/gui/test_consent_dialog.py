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
    # Its Alt keys work once it is the active window; on a busy machine that comes later.
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
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
    assert not dialog.representative_caption.isVisibleTo(dialog)
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


def test_copy_for_his_saves_first_then_copies_the_recorded_consent(
    qtbot: QtBot, gp: Desktop, ready: Home
) -> None:
    """The note says "vastgelegd in gpdesk": so Kopieer voor HIS records the consent first."""
    signals, form, dialog = consent_dialog(qtbot, gp)
    assert dialog.copy_button.text() == "Opslaan en &kopieer voor HIS"
    assert dialog.his_note() is None  # nothing recorded: nothing to note
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(dialog, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(QGuiApplication.clipboard().text()), timeout=15_000)
    note = QGuiApplication.clipboard().text()
    stored = consents(ready)
    assert len(stored) == 1 and dialog.record is not None
    assert note.startswith("Toestemming gegevensdeling (AVG) vastgelegd in gpdesk op")
    assert "door H. Bakker (huisarts)" in note
    assert "Stichting Wijkteams Schiedam" in note
    assert "mondeling in de spreekkamer" in note
    assert PATIENT.bsn not in note and PATIENT.name not in note
    assert "Opgeslagen en gekopieerd voor het HIS" in dialog.status.text()
    # It stays open to print or copy again; nothing left to change or cancel.
    assert signals.consent_dialog is dialog and dialog.isVisible()
    assert dialog.copy_button.text() == "&Kopieer voor HIS"
    assert dialog.save_button.text() == "&Sluiten" and not dialog.cancel_button.isVisible()
    assert not dialog.items[DataItem.PHONE].isEnabled()
    assert "Toestemming gegeven op" in form.consent_status.text()  # the form has it too
    shoot(qtbot, dialog, "consent-dialog-saved-and-copied")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)  # again: no second record
    assert dialog.status.text().startswith("Gekopieerd voor het HIS")
    assert len(consents(ready)) == 1
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)  # Enter: Sluiten
    qtbot.waitUntil(lambda: signals.consent_dialog is None, timeout=5_000)
    assert len(consents(ready)) == 1


def test_copy_with_a_problem_records_and_copies_nothing(
    qtbot: QtBot, gp_with_child: Desktop, ready: Home
) -> None:
    signals, _form, dialog = consent_dialog(qtbot, gp_with_child)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)  # no representative named
    assert dialog.errors["vertegenwoordiger"].isVisible()
    assert QGuiApplication.clipboard().text() == ""
    assert consents(ready) == [] and signals.consent_dialog is dialog
    assert dialog.copy_button.text() == "Opslaan en &kopieer voor HIS"


def test_the_representative_row_shows_only_when_one_consents(qtbot: QtBot, gp: Desktop) -> None:
    _signals, _form, dialog = consent_dialog(qtbot, gp)
    assert not dialog.representative_caption.isVisibleTo(dialog)  # no empty labelled row
    assert dialog.incapable.isVisibleTo(dialog)  # under "Hoe gegeven"
    dialog.incapable.setFocus()
    qtbot.keyClick(dialog.incapable, Qt.Key.Key_Space)
    assert dialog.incapable.isChecked()
    assert dialog.representative_caption.isVisibleTo(dialog)
    assert dialog.representative_row.isVisibleTo(dialog)
    shoot(qtbot, dialog, "consent-dialog-incapable")
    qtbot.keyClick(dialog.incapable, Qt.Key.Key_Space)
    assert not dialog.representative_caption.isVisibleTo(dialog)


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
