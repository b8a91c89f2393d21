"""The triage dialogs: Toewijzen, Doorsturen naar verwijzer, Soort bevestigen, Koppelen.

Layout only: each dialog asks, emits ``submitted``, and stays open while the inbox controller
does the work off the GUI thread; a problem with what was filled in is shown at the dialog
(what was typed stays), a refusal of the action itself closes it and is told in the pane.
Enter does the default action (the field's own line, or the dialog), Esc cancels, every field
has an Alt letter.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.inbox.store.triage import MAX_NOTE_LENGTH, advice_due_on
from gpdesk.signals.consent import dutch_date
from gpdesk.ui.inbox.triage_work import Assignee, PatientChoice

KIND_TEXTS: Final = {
    LetterKind.CONFIRMATION: "&bevestiging (het team helpt uw patiënt)",
    LetterKind.PROGRESS: "&voortgang",
    LetterKind.ADVICE: "&advies (een taak voor de huisarts)",
    LetterKind.ESCALATION: "&escalatie (crisis, OTS, specialistische zorg)",
    LetterKind.CLOSING: "a&fsluiting",
    LetterKind.INVOLVEMENT: "be&trokkenheidsmelding",
    LetterKind.INFORMATION_REQUEST: "&informatieverzoek",
    LetterKind.OTHER: "ove&rig",
}
"""Each kind's radio button; the Alt letters are unique in the dialog (its buttons have none)."""


def letter_line(letter: LetterDetail) -> str:
    """Which letter the dialog is about: its subject (escaped by the caller's label format)."""
    return letter.subject or "(geen onderwerp)"


class TriageDialog(QDialog):
    """The common frame: what it is about, the fields, a problem line, OK and Annuleren."""

    submitted = Signal()

    def __init__(self, title: str, ok_text: str, letter: LetterDetail, parent: QWidget | None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.letter_id = letter.id
        self.about = QLabel(f"Brief: {letter_line(letter)}")
        self.about.setObjectName("pageSummary")
        self.about.setTextFormat(Qt.TextFormat.PlainText)
        self.about.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setObjectName("fieldError")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText(ok_text)
        self.ok_button.setDefault(True)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        cancel.setText("Annu&leren")
        for button in (self.ok_button, cancel):  # Enter is always OK, wherever focus went
            button.setAutoDefault(False)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(self.body)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def _submit(self) -> None:
        problem = self.check()
        if problem:
            self.show_problem(problem)
            return
        self.set_busy(True)
        self.submitted.emit()

    def check(self) -> str | None:
        """What is missing before the dialog can be sent (None: nothing)."""
        return None

    def set_busy(self, busy: bool) -> None:
        """While the controller works: no second click, the old problem gone."""
        self.ok_button.setEnabled(not busy)
        if busy:
            self.problem.hide()

    def show_problem(self, text: str) -> None:
        """Why it was not done; what was filled in stays."""
        self.set_busy(False)
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """The core's problems by field, said together (the dialogs are small)."""
        self.show_problem(" ".join(problems.values()))


def _note_field(name: str, placeholder: str) -> QLineEdit:
    """One line: Enter sends the dialog. A short note is what a colleague reads at a glance."""
    note = QLineEdit()
    note.setObjectName(name)
    note.setMaxLength(MAX_NOTE_LENGTH)
    note.setPlaceholderText(placeholder)
    note.setClearButtonEnabled(True)
    return note


def _labelled(layout: QVBoxLayout, text: str, field: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(field)
    layout.addWidget(label)
    layout.addWidget(field)
    return label


class AssignDialog(TriageDialog):
    """Toewijzen: to one colleague or to a role, with an optional note."""

    def __init__(self, letter: LetterDetail, parent: QWidget | None = None) -> None:
        super().__init__("Toewijzen", "&Toewijzen", letter, parent)
        self.setObjectName("assignDialog")
        self.to = QComboBox()
        self.to.setObjectName("assignTo")
        self.to.setPlaceholderText("De lijst wordt geladen…")
        self.to.setEnabled(False)
        self.note = _note_field("assignNote", "bijv. Graag bekijken vóór vrijdag")
        _labelled(self.body, "&Aan:", self.to)
        _labelled(self.body, "&Notitie (niet verplicht; de ontvanger leest hem bij de brief):",
                  self.note)  # fmt: skip
        self.ok_button.setEnabled(False)
        self.to.currentIndexChanged.connect(lambda _i: self.problem.hide())

    def set_choices(self, choices: list[Assignee]) -> None:
        """The people and roles to choose from; nobody chosen yet, so Enter never guesses."""
        self.to.clear()
        for choice in choices:
            self.to.addItem(choice.label, choice)
        self.to.setPlaceholderText("Kies een persoon of een rol")
        self.to.setCurrentIndex(-1)
        self.to.setEnabled(True)
        self.ok_button.setEnabled(True)
        self.to.setFocus()

    def chosen(self) -> Assignee | None:
        """The person or role picked."""
        data = self.to.currentData()
        return data if isinstance(data, Assignee) else None

    def check(self) -> str | None:
        """Someone must be chosen."""
        return None if self.chosen() is not None else "Kies aan wie u de brief toewijst."


class ForwardDialog(TriageDialog):
    """Doorsturen naar verwijzer: to the GP who sent the signal, with a note."""

    def __init__(self, letter: LetterDetail, parent: QWidget | None = None) -> None:
        super().__init__("Doorsturen naar verwijzer", "&Doorsturen", letter, parent)
        self.setObjectName("forwardDialog")
        self.to = QLabel(  # broken by hand: a wrapped label would not make the dialog grow
            f"Naar de huisarts die signaal {letter.signal_reference} stuurde.\n"
            "Hij of zij krijgt de brief toegewezen, met uw notitie."
        )
        self.body.addWidget(self.to)
        self.note = _note_field("forwardNote", "bijv. Mevrouw wil graag een afspraak")
        _labelled(self.body, "&Notitie voor de huisarts:", self.note)
        self.note.setFocus()


class EndInvolvementDialog(TriageDialog):
    """Betrokkenheid beëindigen: the team's closing letter ends its registration."""

    def __init__(self, letter: LetterDetail, parent: QWidget | None = None) -> None:
        super().__init__("Betrokkenheid beëindigen", "&Beëindigen", letter, parent)
        self.setObjectName("endInvolvementDialog")
        ending = letter.ending
        assert ending is not None  # the action is refused without one
        self.involvement_id = ending.id
        self.what = QLabel(  # broken by hand: a wrapped label would not make the dialog grow
            f"{ending.text}.\n"
            "Deze afsluitingsbrief beëindigt die betrokkenheid.\n"
            "Signaleren en het signaalformulier tonen het team\n"
            "daarna niet meer als betrokken."
        )
        self.what.setObjectName("endInvolvementText")
        self.what.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.what)
        self.ok_button.setFocus()


class KindDialog(TriageDialog):
    """Soort bevestigen: gpdesk's suggestion chosen; advies and escalatie say what follows."""

    def __init__(self, letter: LetterDetail, parent: QWidget | None = None) -> None:
        super().__init__("Soort bevestigen", "Bevesti&gen", letter, parent)
        self.setObjectName("kindDialog")
        self.letter = letter
        self.group = QButtonGroup(self)
        self.radios: dict[LetterKind, QRadioButton] = {}
        for kind, text in KIND_TEXTS.items():
            radio = QRadioButton(text)
            radio.setObjectName(f"kind_{kind.name.lower()}")
            if letter.kind == kind.value and not letter.kind_confirmed:
                radio.setText(f"{text} – voorstel van gpdesk")
                radio.setToolTip("gpdesk stelde deze soort voor op grond van de tekst")
            self.group.addButton(radio)
            self.radios[kind] = radio
            self.body.addWidget(radio)
        self.effect = QLabel()
        self.effect.setObjectName("kindEffect")
        self.body.addWidget(self.effect)
        self.setMinimumWidth(500)
        self.group.buttonToggled.connect(lambda _b, _on: self._explain())
        self.group.buttonToggled.connect(lambda _b, _on: self.problem.hide())
        suggested = next((k for k in LetterKind if k.value == letter.kind), None)
        if suggested is not None:
            self.radios[suggested].setChecked(True)
            self.radios[suggested].setFocus()
        self._explain()

    def chosen(self) -> LetterKind | None:
        """The kind picked."""
        return next((k for k, radio in self.radios.items() if radio.isChecked()), None)

    def check(self) -> str | None:
        """A kind must be chosen."""
        return None if self.chosen() is not None else "Kies wat voor brief dit is."

    def _explain(self) -> None:
        """Two lines, broken by hand: a wrapped label would not make the dialog grow."""
        kind = self.chosen()
        letter = self.letter
        who = (
            "de huisarts die het signaal stuurde."
            if letter.signal_reference is not None
            else "de rol huisarts, als niemand hem heeft."
        )
        if kind is LetterKind.ADVICE:
            due = dutch_date(advice_due_on(letter.received_at))
            text = (
                f"Advies is een taak voor de huisarts: beslissen vóór {due}.\n"
                f"gpdesk wijst de brief toe aan {who}"
            )
        elif kind is LetterKind.ESCALATION:
            text = f"⚠ Escalatie: gpdesk markeert de brief als urgent\nen legt hem meteen bij {who}"
        elif kind is None:
            text = "Kies de soort die bij de brief past.\n"
        else:
            text = (
                "Geen taak voor de huisarts: de brief blijft waar hij is.\n"
                "Een termijn of urgentie vervalt."
            )
        self.effect.setText(text)


class LinkDialog(TriageDialog):
    """Koppelen: to a signal by its reference, or to one of the suggested patients."""

    def __init__(
        self, letter: LetterDetail, parent: QWidget | None = None, *, may_open_patients: bool
    ) -> None:
        super().__init__("Koppelen", "&Koppelen", letter, parent)
        self.setObjectName("linkDialog")
        self.reference = QLineEdit()
        self.reference.setObjectName("linkReference")
        self.reference.setPlaceholderText("bijv. SIG-2026-000123")
        self.reference.setText(letter.signal_reference or "")
        _labelled(self.body, "Aan een &signaal, met zijn kenmerk:", self.reference)
        self.patients = QListWidget()
        self.patients.setObjectName("linkPatients")
        self.patients.setAccessibleName("Voorgestelde patiënten")
        self.patients.setMinimumHeight(self.fontMetrics().lineSpacing() * 6)
        self.patients.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.patients.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.patients.setAlternatingRowColors(True)
        self.patients_label = _labelled(
            self.body, "Of aan een voorgestelde &patiënt:",
            self.patients,
        )  # fmt: skip
        self.patients_note = QLabel(
            "Patiënten worden gezocht…"
            if may_open_patients
            else "U mag geen patiënten openen; koppel met het kenmerk van het signaal."
        )
        self.patients_note.setObjectName("pageSummary")
        self.patients_note.setWordWrap(True)
        self.body.addWidget(self.patients_note)
        self.patients.setEnabled(False)
        self.reference.textEdited.connect(lambda _t: self.patients.clearSelection())
        self.patients.itemSelectionChanged.connect(self._patient_chosen)
        self.reference.textEdited.connect(lambda _t: self.problem.hide())
        self.reference.setFocus()

    def set_suggestions(self, choices: list[PatientChoice]) -> None:
        """The suggested patients, best first; none chosen until the user picks one."""
        self.patients.clear()
        for choice in choices:
            why = ", ".join(choice.reasons)
            item = QListWidgetItem(
                f"{choice.name} · {dutch_date(choice.birth_date)} · {choice.score}%\n    {why}"
                + (f" · {choice.tell_apart}" if choice.tell_apart else "")
            )
            item.setData(Qt.ItemDataRole.UserRole, choice.patient_id)
            self.patients.addItem(item)
        self.patients.setEnabled(bool(choices))
        self.patients_note.setText(
            ""
            if choices
            else "gpdesk vond geen patiënt die bij deze brief past. Vul het kenmerk van het "
            "signaal in, of koppel later."
        )
        self.patients_note.setVisible(not choices)

    def suggestions_failed(self, text: str) -> None:
        """No suggestions (no right, or the letter changed): the reference still works."""
        self.patients_note.setText(text)

    def _patient_chosen(self) -> None:
        if self.patients.selectedItems():
            self.reference.clear()

    def chosen_patient(self) -> int | None:
        """The selected suggestion's patient id."""
        items = self.patients.selectedItems()
        data = items[0].data(Qt.ItemDataRole.UserRole) if items else None
        return data if isinstance(data, int) else None

    def chosen_reference(self) -> str | None:
        """The reference typed, if any."""
        text = self.reference.text().strip()
        return text or None

    def check(self) -> str | None:
        """A reference or a patient."""
        if self.chosen_reference() is None and self.chosen_patient() is None:
            return "Vul het kenmerk van een signaal in, of kies een patiënt uit de lijst."
        return None
