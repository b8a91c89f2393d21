"""Telefonische terugkoppeling vastleggen: a call from a team, written down as a letter.

Who called (the name and the team: the practice's teams offered, another typed), when (now by
default, never in the future), whom it was about (one of the patient's signals, the patient in
the banner, another patient by BSN, or not yet known: then it waits in "Niet gekoppeld"), what
was agreed, and optionally the kind (else gpdesk suggests it from the text, as for a letter).
The dialog checks what it can at once and puts each message beside its field; Opslaan hands the
input to the inbox controller, which records it off the GUI thread with
``store.phone.record_phone_feedback`` and shows the core's own messages here the same way.

Keys: Enter in a one-line field is Opslaan, Ctrl+Enter anywhere (the text box keeps Enter for
a new line); Esc and Annuleren ask first when something was typed. The lock closes the dialog
with ``reject`` (no question: the lock must not wait).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Final

from PySide6.QtCore import QDateTime, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from gpdesk.db import Database
from gpdesk.errors import ValidationError
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.references import find_references
from gpdesk.inbox.store.phone import (
    AGREED_FIELD,
    CALLED_AT_FIELD,
    CALLER_FIELD,
    CLOCK_SLACK,
    TEAM_FIELD,
    PhoneChoices,
)
from gpdesk.inbox.store.shapes import LetterSummary
from gpdesk.inbox.store.triage import KIND_FIELD, PATIENT_FIELD, SIGNAL_FIELD
from gpdesk.patients.context import PatientContext
from gpdesk.patients.validation import BSN_FIELD, format_birth_date, validate_bsn
from gpdesk.security.accounts import SignedIn
from gpdesk.ui.accessible import announce, named
from gpdesk.ui.sizing import fit_to_screen
from gpdesk.ui.theme import set_tone

TITLE: Final = "Telefonische terugkoppeling vastleggen"
PHONE_TEXT: Final = "Tele&foon vastleggen…"
"""The inbox page's button; Alt+F is free on that page (see ``page.VIEW_CHIPS``)."""
PHONE_KEY: Final = "Ctrl+Shift+B"
"""From every screen ("bellen"); Ctrl+Shift+T is Toestemmingen."""
SAVE_KEYS: Final = ("Ctrl+Return", "Ctrl+Enter")
UNKNOWN_PATIENT: Final = (
    "Deze patiënt is niet bekend in gpdesk. Open de patiënt eerst vanuit het HIS, of kies "
    "'Nog niet bekend'."
)
NO_REFERENCE: Final = (
    "Kies een signaal of vul het kenmerk in, bijvoorbeeld SIG-2026-000123. Weet u het niet, "
    "kies dan 'Nog niet bekend'."
)
FUTURE: Final = "Het tijdstip van het gesprek ligt in de toekomst. Controleer datum en tijd."
SUGGEST: Final = "Laat gpdesk kiezen (uit de tekst)"
WHEN_FORMAT: Final = "dd-MM-yyyy HH:mm"


@dataclass(frozen=True, repr=False)
class PhoneInput:
    """What the dialog holds, checked as far as it can be without the database.

    ``reference`` or ``bsn`` (of the banner's patient, or typed) say whom the call was about;
    neither: not yet known.
    """

    caller: str
    team: str
    called_at: datetime
    reference: str | None
    bsn: str | None
    agreed: str
    kind: LetterKind | None

    def __repr__(self) -> str:
        return "PhoneInput(<redacted>)"  # a repr ends up in logs and tracebacks


def load_choices(db: Database, signed: SignedIn, bsn: str | None) -> PhoneChoices:
    """Worker: the teams, and the signals of the patient with ``bsn`` (the banner's)."""
    from gpdesk.inbox.store.phone import patient_of_bsn, phone_choices

    with db.session() as session:
        patient_id = None if bsn is None else patient_of_bsn(session, signed.vault, bsn)
        return phone_choices(session, signed.actor, patient_id=patient_id)


def save_phone(db: Database, signed: SignedIn, entry: PhoneInput) -> LetterSummary:
    """Worker: the call kept as a letter (and its kind, when chosen) in one transaction.

    A BSN that gpdesk does not know is a problem beside the patient, with every other problem
    the core finds; nothing is stored then.
    """
    from gpdesk.inbox.store import PhoneFeedback, confirm_kind, record_phone_feedback
    from gpdesk.inbox.store.phone import patient_of_bsn

    with db.session() as session:
        patient_id = None if entry.bsn is None else patient_of_bsn(session, signed.vault, entry.bsn)
        problems = {PATIENT_FIELD: UNKNOWN_PATIENT} if entry.bsn and patient_id is None else {}
        feedback = PhoneFeedback(
            caller=entry.caller, team=entry.team, called_at=entry.called_at,
            signal_reference=entry.reference, patient_id=patient_id, agreed=entry.agreed,
        )  # fmt: skip
        try:
            kept = record_phone_feedback(session, signed.vault, signed.actor, feedback)
        except ValidationError as refused:
            raise ValidationError(refused.problems | problems) from None
        if problems:
            raise ValidationError(problems)  # the session rolls the letter back
        if entry.kind is not None:
            kept = confirm_kind(session, signed.vault, signed.actor, kept.id, entry.kind)
        return kept


def _error() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def _caption(text: str, buddy: QWidget | None = None) -> QLabel:
    label = QLabel(text)
    label.setObjectName("signalCaption")
    set_tone(label, "heading")
    if buddy is not None:
        label.setBuddy(buddy)
    return label


def _line_of(box: QComboBox) -> QLineEdit:
    """An editable combo box's text field (always there once ``setEditable(True)``)."""
    line = box.lineEdit()
    assert line is not None
    return line


def _now() -> QDateTime:
    moment = QDateTime.currentDateTime()
    return moment.addSecs(-moment.time().second())  # whole minutes, as the field shows them


class PhoneDialog(QDialog):
    """One phone call written down; see the module note."""

    save_requested = Signal(object)
    """``PhoneInput``: checked as far as the dialog can; the controller saves it."""

    def __init__(self, parent: QWidget | None, *, patient: PatientContext | None) -> None:
        super().__init__(parent)
        self.setObjectName("phoneDialog")
        self.setWindowTitle(TITLE)  # never the patient's name
        self.setModal(True)
        self._patient = patient
        self.errors: dict[str, QLabel] = {}
        self.summary: LetterSummary | None = None
        self._discarded = False
        self.discard_box: QMessageBox | None = None

        intro = QLabel(
            "Belde iemand van een team met nieuws over een patiënt? Schrijf het hier op: het "
            "komt in Terugkoppeling als een brief, en u zet het in het HIS zoals een brief."
        )
        intro.setWordWrap(True)

        self.caller = QLineEdit()
        self.caller.setObjectName("phoneCaller")
        self.caller.setPlaceholderText("Naam van de medewerker van het team")
        self.caller.setMaxLength(200)
        self.errors[CALLER_FIELD] = _error()
        self.team = QComboBox()
        self.team.setObjectName("phoneTeam")
        self.team.setEditable(True)
        self.team.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        _line_of(self.team).setPlaceholderText("Kies of typ het team of de organisatie")
        self.team.setCurrentIndex(-1)
        self.errors[TEAM_FIELD] = _error()

        self.when = QDateTimeEdit(_now())
        self.when.setObjectName("phoneWhen")
        self.when.setDisplayFormat(WHEN_FORMAT)
        self.when.setCalendarPopup(True)
        self.errors[CALLED_AT_FIELD] = _error()

        self.about = QButtonGroup(self)
        self.by_signal = QRadioButton("&Signaal:")
        self.by_signal.setObjectName("phoneBySignal")
        self.signal = QComboBox()
        self.signal.setObjectName("phoneSignal")
        named(self.signal, "Kenmerk van het signaal")
        self.signal.setEditable(True)
        self.signal.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        _line_of(self.signal).setPlaceholderText("Kenmerk, bijvoorbeeld SIG-2026-000123")
        self.signal.setMinimumContentsLength(24)
        self.signal.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.by_banner = QRadioButton(self._banner_text())
        self.by_banner.setObjectName("phoneByBanner")
        self.by_banner.setVisible(patient is not None)
        self.by_bsn = QRadioButton("Andere patiënt, BS&N:")
        self.by_bsn.setObjectName("phoneByBsn")
        self.bsn = QLineEdit()
        self.bsn.setObjectName("phoneBsn")
        named(self.bsn, "BSN van de patiënt")
        self.bsn.setPlaceholderText("9 cijfers")
        self.bsn.setMaxLength(20)
        self.later = QRadioButton("Nog niet bekend (&later koppelen, bij Niet gekoppeld)")
        self.later.setObjectName("phoneLater")
        for button in (self.by_signal, self.by_banner, self.by_bsn, self.later):
            self.about.addButton(button)
        (self.by_banner if patient is not None else self.by_signal).setChecked(True)
        _line_of(self.signal).textEdited.connect(lambda _t: self.by_signal.setChecked(True))
        self.signal.activated.connect(lambda _i: self.by_signal.setChecked(True))
        self.bsn.textEdited.connect(lambda _t: self.by_bsn.setChecked(True))
        self.by_signal.clicked.connect(self.signal.setFocus)  # Alt+S: type at once
        self.by_bsn.clicked.connect(self.bsn.setFocus)
        for key in (SIGNAL_FIELD, PATIENT_FIELD, BSN_FIELD):
            self.errors[key] = _error()
        signal_row = QHBoxLayout()
        signal_row.addWidget(self.by_signal)
        signal_row.addWidget(self.signal, 1)
        bsn_row = QHBoxLayout()
        bsn_row.addWidget(self.by_bsn)
        bsn_row.addWidget(self.bsn, 1)
        about_box = QVBoxLayout()
        about_box.setSpacing(2)
        about_box.addLayout(signal_row)
        about_box.addWidget(self.errors[SIGNAL_FIELD])
        about_box.addWidget(self.by_banner)
        about_box.addLayout(bsn_row)
        about_box.addWidget(self.errors[BSN_FIELD])
        about_box.addWidget(self.later)
        about_box.addWidget(self.errors[PATIENT_FIELD])

        self.agreed = QPlainTextEdit()
        self.agreed.setObjectName("phoneAgreed")
        self.agreed.setTabChangesFocus(True)
        self.agreed.setPlaceholderText(
            "Bijvoorbeeld: mevrouw krijgt schuldhulp; het team belt over drie weken terug."
        )
        self.agreed.setMinimumHeight(90)
        agreed_hint = QLabel("Enter: nieuwe regel · Ctrl+Enter: opslaan")
        agreed_hint.setObjectName("pageSummary")
        self.errors[AGREED_FIELD] = _error()

        self.kind = QComboBox()
        self.kind.setObjectName("phoneKind")
        self.kind.addItem(SUGGEST, None)
        for kind in LetterKind:
            self.kind.addItem(kind.value, kind)
        self.errors[KIND_FIELD] = _error()

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(4)
        rows: list[tuple[QLabel | None, list[QWidget | QHBoxLayout | QVBoxLayout]]] = [
            (_caption("Naam &beller:", self.caller), [self.caller, self.errors[CALLER_FIELD]]),
            (_caption("&Team:", self.team), [self.team, self.errors[TEAM_FIELD]]),
            (_caption("&Wanneer:", self.when), [self._when_row(), self.errors[CALLED_AT_FIELD]]),
            (_caption("Over:"), [about_box]),
            (
                _caption("Wat is er\n&afgesproken:", self.agreed),
                [self.agreed, agreed_hint, self.errors[AGREED_FIELD]],
            ),
            (_caption("Soo&rt:", self.kind), [self._kind_row(), self.errors[KIND_FIELD]]),
        ]
        row = 0
        for caption, parts in rows:
            if caption is not None:
                grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            for part in parts:
                if isinstance(part, QWidget):
                    grid.addWidget(part, row, 1)
                else:
                    grid.addLayout(part, row, 1)
                row += 1

        self.status = QLabel()
        self.status.setObjectName("fieldError")
        self.status.setWordWrap(True)
        self.status.hide()
        self.cancel_button = QPushButton("Annul&eren")
        self.cancel_button.setObjectName("phoneCancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.close_asking)
        self.save_button = QPushButton("&Opslaan")
        self.save_button.setObjectName("phoneSave")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Bewaren als terugkoppeling (Enter, of Ctrl+Enter)")
        self.save_button.clicked.connect(self._save)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)
        for keys in SAVE_KEYS:
            QShortcut(QKeySequence(keys), self, self._save)
        chain = [
            self.caller, self.team, self.when, self.now_button, self.by_signal, self.signal,
            self.by_banner, self.by_bsn, self.bsn, self.later, self.agreed, self.kind,
            self.cancel_button, self.save_button,
        ]  # fmt: skip
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)  # top to bottom, as the form reads
        fit_to_screen(self, 680, 600)
        self.caller.setFocus()

    def _banner_text(self) -> str:
        if self._patient is None:
            return "&Patiënt in beeld"
        name = self._patient.name.replace("&", "&&")  # a name's "&" is no Alt key
        return f"&Patiënt in beeld: {name} · {format_birth_date(self._patient.birth_date)}"

    def _when_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.when)
        now = self.now_button = QPushButton("N&u")
        now.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        now.setObjectName("phoneNow")
        now.setAutoDefault(False)
        now.setToolTip("Het tijdstip op nu zetten")
        now.clicked.connect(lambda: self.when.setDateTime(_now()))
        row.addWidget(now)
        row.addWidget(QLabel("(niet in de toekomst)"))
        row.addStretch(1)
        return row

    def _kind_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.kind)
        row.addWidget(QLabel("advies: een taak voor de huisarts; escalatie: meteen gemeld"))
        row.addStretch(1)
        return row

    # -- what the controller tells it ----------------------------------------------------------

    def set_choices(self, choices: PhoneChoices) -> None:
        """The teams and the banner patient's signals, once loaded; what was typed stays."""
        typed_team = self.team.currentText()
        self.team.clear()
        self.team.addItems(choices.teams)
        self.team.setCurrentIndex(-1)
        self.team.setEditText(typed_team)
        typed_signal = self.signal.currentText()
        self.signal.clear()
        for choice in choices.signals:
            self.signal.addItem(choice.text, choice.reference)
        if typed_signal:
            self.signal.setEditText(typed_signal)
        elif choices.signals:
            self.signal.setCurrentIndex(0)  # the newest: most calls are about it
            if self.by_banner.isChecked():
                self.by_signal.setChecked(True)
        else:
            self.signal.setCurrentIndex(-1)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; one without a field below the form."""
        self._hide_problems()
        rest = []
        for key, text in problems.items():
            label = self.errors.get(key)
            if label is None:
                rest.append(text)
            else:
                label.setText(text)
                label.show()
        if rest:
            self.show_status(" ".join(rest))
        first = next((key for key in self.errors if key in problems), None)
        focus = {
            CALLER_FIELD: self.caller, TEAM_FIELD: self.team, CALLED_AT_FIELD: self.when,
            SIGNAL_FIELD: self.signal, BSN_FIELD: self.bsn, AGREED_FIELD: self.agreed,
            KIND_FIELD: self.kind,
        }.get(first or "")  # fmt: skip
        if focus is not None:
            focus.setFocus()

    def show_status(self, text: str) -> None:
        """What went wrong that no field explains (or "Bezig met opslaan…")."""
        announce(self, text)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        """While saving: no second save."""
        self.save_button.setEnabled(not busy)
        self.show_status("Bezig met opslaan…" if busy else "")

    def saved(self, summary: LetterSummary) -> None:
        """Kept: the dialog closes; the controller selects the new item in the list."""
        self.summary = summary
        self.set_busy(False)
        self._discarded = True
        self.accept()

    # -- what the user fills in ----------------------------------------------------------------

    def _hide_problems(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.status.hide()

    def called_at(self) -> datetime:
        """The chosen moment as an aware UTC time (the field shows local time)."""
        return datetime.fromtimestamp(self.when.dateTime().toSecsSinceEpoch(), UTC)

    def _reference(self) -> str | None:
        text = self.signal.currentText().strip()
        index = self.signal.findText(text)
        data = self.signal.itemData(index) if index >= 0 else None
        if isinstance(data, str):
            return data
        found = find_references(text)
        return found[0] if found else (text or None)

    def entry(self, now: datetime | None = None) -> PhoneInput | None:
        """The input when it passes the checks the dialog can make; else None, messages shown."""
        moment = now or datetime.now(UTC)
        problems: dict[str, str] = {}
        caller = " ".join(self.caller.text().split())
        if not caller:
            problems[CALLER_FIELD] = "Vul in wie er belde."
        called_at = self.called_at()
        if called_at > moment + CLOCK_SLACK:
            problems[CALLED_AT_FIELD] = FUTURE
        reference = bsn = None
        if self.by_signal.isChecked():
            reference = self._reference()
            if reference is None:
                problems[SIGNAL_FIELD] = NO_REFERENCE
        elif self.by_banner.isChecked() and self._patient is not None:
            bsn = self._patient.bsn
        elif self.by_bsn.isChecked():
            try:
                bsn = validate_bsn(self.bsn.text())
            except ValidationError as refused:
                problems[BSN_FIELD] = next(iter(refused.problems.values()))
        agreed = self.agreed.toPlainText().strip()
        if not agreed:
            problems[AGREED_FIELD] = "Schrijf op wat er is afgesproken."
        if problems:
            self.show_problems(problems)
            return None
        self._hide_problems()
        kind = self.kind.currentData()
        return PhoneInput(
            caller=caller, team=" ".join(self.team.currentText().split()), called_at=called_at,
            reference=reference, bsn=bsn, agreed=agreed,
            kind=kind if isinstance(kind, LetterKind) else None,
        )  # fmt: skip

    def _save(self) -> None:
        entry = self.entry() if self.save_button.isEnabled() else None
        if entry is not None:
            self.save_requested.emit(entry)

    # -- closing -------------------------------------------------------------------------------

    def has_typed_text(self) -> bool:
        """Whether closing would throw away something the user wrote."""
        typed = (self.caller.text(), self.bsn.text(), self.agreed.toPlainText())
        chosen_team = self.team.findText(self.team.currentText()) >= 0
        team_typed = bool(self.team.currentText().strip()) and not chosen_team
        return any(text.strip() for text in typed) or team_typed

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Esc asks before typed text is lost; Enter is the default button (Opslaan)."""
        if event.key() == Qt.Key.Key_Escape and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.close_asking()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """The window's close button asks too, when typed text would be lost."""
        if not self._discarded and self.has_typed_text():
            event.ignore()
            self.close_asking()
            return
        super().closeEvent(event)

    def close_asking(self) -> None:
        """Annuleren or Esc: close; first ask when typed text would be lost."""
        if not self.has_typed_text():
            self.reject()
            return
        if self.discard_box is not None:
            self.discard_box.raise_()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            TITLE,
            "Wat u hebt getypt, gaat verloren. Het telefoongesprek is nog niet vastgelegd.\n\n"
            "Toch sluiten?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("phoneDiscard")
        box.button(QMessageBox.StandardButton.Yes).setText("Sluiten zonder opslaan")
        box.button(QMessageBox.StandardButton.No).setText("Terug naar het gesprek")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda result: self._discard_answered(box, result))
        self.discard_box = box
        box.open()

    def _discard_answered(self, box: QMessageBox, result: int) -> None:
        self.discard_box = None
        box.deleteLater()
        if result == QMessageBox.StandardButton.Yes:
            self._discarded = True
            self.reject()

    def reject(self) -> None:
        """Close without asking (the lock closes dialogs this way)."""
        self._discarded = True
        super().reject()
