"""The frame every kaart edit dialog shares: Opslaan/Annuleren, the busy state, the messages.

A dialog never closes itself on Opslaan: the controller saves in the background and then either
closes it or hands the Dutch messages back with ``show_errors``, so what was typed stays.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from gpdesk.ui.beheer.kaart_fields import FieldErrors


class EditorDialog(QDialog):
    """What every kaart dialog shares: Opslaan/Annuleren, busy state, messages."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.errors = FieldErrors()
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        self.notice = QLabel()
        self.notice.setObjectName("warning")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Opslaan")
        self.save_button.setObjectName("kaartSave")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuleren")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

    def footer(self) -> QWidget:
        """Messages and buttons, for the bottom of the layout."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        return box

    def submit(self) -> None:
        """Collect the input and emit it (subclasses)."""
        raise NotImplementedError

    def set_busy(self, busy: bool) -> None:
        """While saving: no second click, and say so."""
        self.save_button.setEnabled(not busy)
        if busy:
            self.message.hide()
            self.notice.setText("Bezig met opslaan…")
            self.notice.show()
        else:
            self.notice.hide()

    def show_errors(self, problems: Mapping[str, str]) -> None:
        """Red messages under the fields; anything without a field goes at the bottom."""
        self.set_busy(False)
        rest = self.errors.show(problems)
        if rest:
            self.show_message(" ".join(rest))
        else:
            self.show_message("Controleer de rood gemelde velden." if problems else "")

    def show_message(self, text: str) -> None:
        """A message at the bottom (or none)."""
        self.set_busy(False)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def show_notice(self, text: str) -> None:
        """Something to know, not an error (a contact who left was someone's deputy)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
