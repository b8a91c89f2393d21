"""Help > Over gpdesk: version, database schema, where the data lives, the licence.

A small dialog rather than a message box, so a beheerder can select or copy the lines into an
e-mail to the supplier (Kopiëren puts them all on the clipboard). Esc and Sluiten close it.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
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
            form.addRow(f"{label}:", shown)
            self.values[label] = shown
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Kopiëren")
        self.copy_button.setToolTip("Zet deze gegevens op het klembord, bijv. voor de beheerder")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy)
        self.close_button = QPushButton("&Sluiten")
        self.close_button.setDefault(True)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.close_button.setFocus()
        self.adjustSize()

    def copy(self) -> None:
        """All lines as plain text on the clipboard (no patient data is among them)."""
        QGuiApplication.clipboard().setText(self.facts.text())
