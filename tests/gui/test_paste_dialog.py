"""Plak uit HIS: the status and the fields follow the latest paste; messages are never cut off."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.ui.paste_dialog import PasteDialog

GOOD = "J. de Vries, 01-02-1970, BSN 111222333, 3118 AB Schiedam, tel. 06-12345678"
BAD = "Vries, J. de (Jan) M 01-02-2030 111222334 3118 SS Schiedam 06-123"


def _shown(qtbot: QtBot, dialog: PasteDialog) -> PasteDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _nothing_cut_off(dialog: PasteDialog) -> None:
    layout = dialog.layout()
    assert layout is not None
    for _ in range(200):  # on X11 the window takes its new size a few events later
        QApplication.processEvents()
        if dialog.height() >= layout.totalHeightForWidth(dialog.width()):
            break
        QTest.qWait(10)
    assert dialog.height() >= layout.totalHeightForWidth(dialog.width())
    labels = [dialog.recognised, *dialog.errors.values()]
    for label in labels:
        if label.isVisible():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
    for edit in dialog.inputs.values():
        assert edit.height() >= edit.sizeHint().height()


def test_status_and_fields_follow_the_latest_paste(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, PasteDialog(use_clipboard=False))
    assert dialog.recognised.isHidden()

    dialog.source.setPlainText(GOOD)
    assert dialog.recognised.text() == "Herkend. Controleer de gegevens hieronder."
    assert dialog.inputs["bsn"].text() == "111222333"

    dialog.source.setPlainText(BAD)
    assert dialog.recognised.text().startswith("Niet alles herkend.")
    # What this paste lacks is empty and marked, not left over from the paste before.
    assert dialog.inputs["bsn"].text() == ""
    assert dialog.inputs["geboortedatum"].text() == ""
    assert dialog.inputs["postcode"].text() == ""
    assert dialog.inputs["naam"].text() == "Vries, J. de (Jan)"
    assert "elfproef" in dialog.errors["bsn"].text()
    assert "toekomst" in dialog.errors["geboortedatum"].text()
    assert not dialog.errors["postcode"].isHidden()
    assert dialog.errors["naam"].isHidden()
    _nothing_cut_off(dialog)

    dialog.source.setPlainText(GOOD)
    assert dialog.recognised.text() == "Herkend. Controleer de gegevens hieronder."
    assert all(error.isHidden() for error in dialog.errors.values())
    _nothing_cut_off(dialog)


def test_a_failed_open_changes_the_status(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, PasteDialog(use_clipboard=False))
    dialog.source.setPlainText(GOOD)
    dialog.inputs["geboortedatum"].setText("01-02-2030")
    dialog.inputs["telefoon"].setText("06-123")
    qtbot.keyClick(dialog.inputs["telefoon"], Qt.Key.Key_Return)
    assert dialog.context is None
    assert dialog.isVisible()
    assert "Herkend" not in dialog.recognised.text()
    assert dialog.recognised.text() == "Nog niet goed: verbeter wat hieronder in rood staat."
    assert not dialog.errors["geboortedatum"].isHidden()
    assert not dialog.errors["telefoon"].isHidden()
    assert dialog.focusWidget() is dialog.inputs["geboortedatum"]
    _nothing_cut_off(dialog)


def test_a_paste_that_is_no_patient_line_says_so(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, PasteDialog(use_clipboard=False))
    dialog.source.setPlainText("x" * 10_001)
    assert "te lang" in dialog.recognised.text()
    assert all(error.isHidden() for error in dialog.errors.values())
    _nothing_cut_off(dialog)


def test_opens_with_the_clipboard_text_read_and_filled_in(qtbot: QtBot) -> None:
    QApplication.clipboard().setText(BAD)
    dialog = _shown(qtbot, PasteDialog())
    assert dialog.source.toPlainText() == BAD
    assert dialog.inputs["naam"].text() == "Vries, J. de (Jan)"
    assert dialog.recognised.text().startswith("Niet alles herkend.")
    _nothing_cut_off(dialog)
    QApplication.clipboard().clear()


def test_initial_text_wins_over_the_clipboard(qtbot: QtBot) -> None:
    QApplication.clipboard().setText("iets anders")
    dialog = _shown(qtbot, PasteDialog(initial_text=GOOD))
    assert dialog.source.toPlainText() == GOOD
    assert dialog.inputs["postcode"].text() == "3118 AB"
    QApplication.clipboard().clear()


def test_enter_opens_and_escape_cancels(qtbot: QtBot) -> None:
    dialog = _shown(qtbot, PasteDialog(initial_text=GOOD))
    qtbot.keyClick(dialog.inputs["naam"], Qt.Key.Key_Return)
    assert dialog.result() == PasteDialog.DialogCode.Accepted
    assert dialog.context is not None
    assert dialog.context.postcode == "3118AB"

    other = _shown(qtbot, PasteDialog(initial_text=GOOD))
    qtbot.keyClick(other.inputs["naam"], Qt.Key.Key_Escape)
    assert other.result() == PasteDialog.DialogCode.Rejected
    assert other.context is None
