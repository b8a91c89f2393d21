"""Help > Over gpdesk: version, database schema, where the data lives, the licence.

A small dialog rather than a message box, so a beheerder can select or copy the lines into an
e-mail to the supplier (Kopiëren puts them all on the clipboard). Esc and Sluiten close it.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Final

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.about import AboutFacts

SUMMARY = (
    "Signaleren aan het wijkteam, sociale kaart en terugkoppeling\nvoor de huisartsenpraktijk."
)
"""Broken by hand: a word-wrapped label let the dialog come out too low, clipping the rows."""


ALT_LETTERS: Final = {
    "Versie": "V",
    "Databaseschema": "D",
    "Gegevensmap": "m",
    "Database": "b",
    "Licentie": "L",
}
"""Each fact's Alt letter (K and S are Kopiëren and Sluiten)."""


def _with_letter(label: str) -> str:
    """``Gegevens&map``: the label with its Alt letter marked."""
    letter = ALT_LETTERS.get(label)
    if not letter:
        return label
    at = label.find(letter)
    return label if at < 0 else f"{label[:at]}&{label[at:]}"


class AboutDialog(QDialog):
    """The facts as selectable text, with Kopiëren and Sluiten."""

    def __init__(self, facts: AboutFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Over gpdesk")
        self.facts = facts
        title = QLabel(f"<b>gpdesk {facts.version}</b>")
        summary = QLabel(SUMMARY)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.values: dict[str, QLineEdit] = {}
        for label, value in facts.lines():
            # Read-only fields, not labels: a long path scrolls instead of being cut off, and
            # Tab, Shift+arrows and Ctrl+C select and copy it.
            shown = QLineEdit(value)
            shown.setReadOnly(True)
            shown.setFrame(False)
            shown.setStyleSheet("QLineEdit { background: transparent; }")  # reads as text
            shown.setCursorPosition(0)
            shown.setToolTip(value)
            shown.setAccessibleName(label)
            shown.setMinimumWidth(shown.fontMetrics().horizontalAdvance(value[:60]) + 12)
            form.addRow(f"{_with_letter(label)}:", shown)
            self.values[label] = shown
        buttons = QHBoxLayout()
        self.copy_button = QPushButton("&Kopiëren")
        self.copy_button.setToolTip("Zet deze gegevens op het klembord, bijv. voor de beheerder")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.setMinimumWidth(520)
        chain = [*self.values.values(), self.copy_button, self.close_button]
        for before, after in pairwise(chain):  # reading order, both ways
            QWidget.setTabOrder(before, after)
        self.close_button.setFocus()
        self.adjustSize()

    def copy(self) -> None:
        """All lines as plain text on the clipboard (no patient data is among them)."""
        QGuiApplication.clipboard().setText(self.facts.text())
