"""Choosing a new password: after a one-time password, or when the user wants to."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.password_hint import PasswordHint


class PasswordChangeDialog(QDialog):
    """Two fields and a plain explanation; checks happen before any slow work starts.

    ``words`` are the user's own (``own_words``): the password rule refuses them here exactly as
    the core does after sign-in, so OK never leads to a refusal later.
    """

    def __init__(
        self, parent: QWidget | None = None, *, forced: bool = False, words: Sequence[str] = ()
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle("Nieuw wachtwoord kiezen")
        self.setMinimumWidth(420)
        self.new_password = ""
        intro = QLabel(
            "U bent aangemeld met een eenmalig wachtwoord. Kies nu een eigen wachtwoord."
            if forced
            else "Kies een nieuw wachtwoord."
        )
        intro.setWordWrap(True)
        self.first = QLineEdit()
        self.first.setObjectName("newPassword")
        self.first.setEchoMode(QLineEdit.EchoMode.Password)
        self.second = QLineEdit()
        self.second.setObjectName("repeatPassword")
        self.second.setEchoMode(QLineEdit.EchoMode.Password)
        self.first.installEventFilter(self)
        form = QFormLayout()
        own = tuple(words)
        self.hint = PasswordHint(self.first, lambda: own)
        form.addRow("&Nieuw wachtwoord", self.first)
        form.addRow(self.hint)
        form.addRow("Nog&maals", self.second)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Wachtwoord &opslaan")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Annuleren")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.first.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the first field goes on to "Nogmaals" while that is still empty."""
        if (
            watched is self.first
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not self.second.text()
        ):
            self.second.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _accept(self) -> None:
        if not self.hint.refresh().acceptable:
            self.message.clear()  # the hint under the field says why, in red
            self.second.clear()
            self.first.setFocus()
            self.first.selectAll()
            return
        if self.first.text() != self.second.text():
            self.message.setText("De twee wachtwoorden zijn niet gelijk.")
            self.second.clear()
            self.second.setFocus()
            return
        self.new_password = self.first.text()
        self.accept()
