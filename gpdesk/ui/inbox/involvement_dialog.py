"""Betrokkenheid vastleggen: a betrokkenheidsmelding becomes "wijkteam X is betrokken sinds D".

Layout only; the inbox controller stores it (``inbox.store.involvement.register_involvement``)
off the GUI thread and closes the dialog when it is stored, or shows the refusal here. The
team comes from the letter (typed only when the letter names none); the day defaults to when
the team wrote. Enter registers, Esc closes without storing anything.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.models.signal import TEAM_NAME_LENGTH
from gpdesk.signals.consent import local_date

TITLE: Final = "Betrokkenheid vastleggen"
ACTION_TEXT: Final = "Betrokkenheid vastleggen…"
"""The reading pane's button for a betrokkenheidsmelding; its key is the letter action's
(``letter_actions.INVOLVE``, Ctrl+Shift+I): every Alt letter in its words is taken on the page."""
EXPLANATION: Final = (
    "Het wijkteam meldt dat het deze patiënt al helpt. gpdesk legt dat vast bij de patiënt: "
    "in Signaleren en in het signaalformulier ziet u dan dat het team betrokken is."
)


def offers_involvement(letter: LetterDetail | None) -> bool:
    """Whether the reading pane offers "Betrokkenheid vastleggen" for this letter."""
    return (
        letter is not None
        and not letter.quarantined
        and letter.kind == LetterKind.INVOLVEMENT.value
    )


def since_of(letter: LetterDetail) -> date:
    """The day the team wrote (else when the letter came in), in the practice's calendar."""
    return local_date(letter.sent_at or letter.received_at)


class InvolvementDialog(QDialog):
    """The team and the day it began; Vastleggen (Enter) or Annuleren (Esc)."""

    def __init__(self, parent: QWidget, letter: LetterDetail, *, today: date) -> None:
        super().__init__(parent)
        self.setObjectName("involvementDialog")
        self.setWindowTitle(TITLE)  # never the patient: titles end up in task bars
        self.letter_id = letter.id
        intro = QLabel(EXPLANATION)
        intro.setWordWrap(True)
        self.team = QLineEdit()
        self.team.setObjectName("involvementTeam")
        self.team.setMaxLength(TEAM_NAME_LENGTH)
        self.team.setAccessibleName("Wijkteam")
        self._team_from_letter = bool(letter.team_name)
        self.team.setText(letter.team_name or letter.sender or "")
        if self._team_from_letter:
            self.team.setReadOnly(True)
            self.team.setToolTip("Het team waar de brief van komt")
        else:
            self.team.setPlaceholderText("De naam van het wijkteam, bijvoorbeeld Wijkteam Oost")
        self.since = QDateEdit()
        self.since.setObjectName("involvementSince")
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("dd-MM-yyyy")
        self.since.setMaximumDate(QDate(today.year, today.month, today.day))
        start = min(since_of(letter), today)
        self.since.setDate(QDate(start.year, start.month, start.day))
        self.since.setAccessibleName("Betrokken sinds")
        form = QFormLayout()
        team_label = QLabel("&Wijkteam:")
        team_label.setBuddy(self.team)
        since_label = QLabel("Betrokken &sinds:")
        since_label.setBuddy(self.since)
        form.addRow(team_label, self.team)
        form.addRow(since_label, self.since)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox()
        self.confirm = buttons.addButton("&Vastleggen", QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm.setObjectName("involvementConfirm")
        self.confirm.setDefault(True)
        self.cancel = buttons.addButton("Annu&leren", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel.setObjectName("involvementCancel")
        self.cancel.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        (self.since if self._team_from_letter else self.team).setFocus(
            Qt.FocusReason.OtherFocusReason
        )

    def team_name(self) -> str | None:
        """The name typed, only when the letter names no team (else the letter's is used)."""
        return None if self._team_from_letter else " ".join(self.team.text().split()) or None

    def since_date(self) -> date:
        """The day chosen."""
        chosen = self.since.date()
        return date(chosen.year(), chosen.month(), chosen.day())

    def set_busy(self, busy: bool) -> None:
        """While it is stored, Vastleggen waits."""
        self.confirm.setEnabled(not busy)

    def show_problem(self, text: str) -> None:
        """Why it was not stored, in the dialog; the user corrects it or cancels."""
        self.set_busy(False)
        self.error.setText(text)
        self.error.show()
