"""The frame every kaart edit dialog shares: Opslaan/Annuleren, the busy state, the messages.

A dialog never closes itself on Opslaan: the controller saves in the background and then either
closes it or hands the Dutch messages back with ``show_errors``, so what was typed stays.
Enter in a one-line field is Opslaan; Esc is Annuleren, and asks first when something was
changed, because Annuleren drops every change made in the dialog.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from gpdesk.ui.accessible import announce, link_buddies
from gpdesk.ui.beheer.kaart.fields import FieldErrors


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
        self.save_button.setDefault(True)  # Enter in a one-line field saves
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annu&leren")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        self.discard_question: QMessageBox | None = None
        self._unchanged: object = None
        self._closing = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Each row's label names its field for a screen reader (not the field's wrapper)."""
        link_buddies(self)
        super().showEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter that a field leaves alone (a one-line field, a list) is Opslaan.

        Qt's own default-button choice drifts to whichever button had focus last on a tab
        page, so Opslaan is pressed here; a focused button still takes its own Enter.
        """
        keypad = event.modifiers() == Qt.KeyboardModifier.KeypadModifier
        plain = event.modifiers() == Qt.KeyboardModifier.NoModifier or keypad
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.save_button.isEnabled() and self.save_button.isVisible():
                self.save_button.click()
            event.accept()
            return
        super().keyPressEvent(event)

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

    def typed(self) -> object:
        """What the fields hold now, comparable with what the dialog opened with (subclasses)."""
        raise NotImplementedError

    def remember_unchanged(self) -> None:
        """Take what the dialog shows now as "nothing changed" (at the end of ``__init__``)."""
        self._unchanged = self.typed()

    def has_changes(self) -> bool:
        """Whether Annuleren would drop something the user did."""
        return self._unchanged is not None and self.typed() != self._unchanged

    def reject(self) -> None:
        """Annuleren, Esc or the window's close button: ask first when there are changes."""
        if self._closing or not self.has_changes():
            self.discard()
            return
        if self.discard_question is not None:
            self.discard_question.raise_()
            return
        box = QMessageBox(self)
        box.setObjectName("discardQuestion")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Wijzigingen niet opslaan?")
        box.setText("U hebt in dit venster iets gewijzigd dat nog niet is opgeslagen.")
        box.setInformativeText("Wilt u het venster sluiten zonder op te slaan?")
        drop = box.addButton("&Niet opslaan", QMessageBox.ButtonRole.DestructiveRole)
        back = box.addButton("&Terug naar het venster", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        box.buttonClicked.connect(lambda button: self._answered(button is drop))
        self.discard_question = box
        box.open()

    def _answered(self, drop: bool) -> None:
        self.discard_question = None
        if drop:
            self.discard()

    def discard(self) -> None:
        """Close without saving and without asking (after the question, or on lock)."""
        self._closing = True
        if self.discard_question is not None:
            self.discard_question.close()
            self.discard_question = None
        super().reject()

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
            self.show_message(" ".join(rest), said="")
        else:
            self.show_message("Controleer de rood gemelde velden." if problems else "", said="")
        announce(self.message, " ".join(problems.values()), urgent=True)  # each problem, once

    def show_message(self, text: str, *, said: str | None = None) -> None:
        """A message at the bottom (or none), said aloud (``said``: what to say instead)."""
        self.set_busy(False)
        self.message.setText(text)
        self.message.setVisible(bool(text))
        announce(self.message, text if said is None else said, urgent=True)

    def show_notice(self, text: str) -> None:
        """Something to know, not an error (a contact who left was someone's deputy)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
