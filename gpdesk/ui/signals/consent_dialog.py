"""Toestemming vastleggen: the patient's consent, provable later, for the patient in the form.

Purposes, organisations (the chosen team's ticked), data items (medische informatie has its own
tick), how it was given (mondeling in de spreekkamer by default; for a child under 12 via the
legal representative), the representative's name and relation, the GP's role, valid until (a
year). The Wgbo's age rule is ``consent.check_draft``: its Dutch messages stand next to the
fields. "Afdrukken" prints the consent text through the one renderer (like the kaart handout),
also before saving: the patient reads it first. Opslaan reports to ``SignalController``, which
records it off the GUI thread.

"Kopieer voor HIS" copies the note that proves the consent in the practice's own record (no
BSN, no patient name). That note says "vastgelegd in gpdesk op … door …", so it is only ever
the note of a consent that *is* recorded: before saving, the button reads "Opslaan en kopieer
voor HIS" and saves first (every rule checked, as Opslaan does), then copies the stored record's
note. A GP who reaches for it has just asked the patient and wants both done in one go; a
disabled button would leave them guessing why, and since Opslaan closes the dialog, copying
would otherwise never be reached from here. After that save the dialog stays open (fields
fixed, Sluiten) so the consent can still be printed.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import ValidationError
from gpdesk.letters.document import Document
from gpdesk.models import utcnow
from gpdesk.models.consent import PURPOSE_LABELS, ConsentMethod, DataItem, GpRole, Purpose
from gpdesk.patients.context import PatientContext
from gpdesk.signals.consent import (
    ADULT_AGE,
    CHILD_AGE,
    CheckedConsent,
    ConsentDraft,
    ConsentRecord,
    OrganisationRef,
    Representative,
    age_on,
    check_draft,
    local_date,
    one_year_after,
)
from gpdesk.signals.consent_text import consent_document, consent_his_note, consent_text
from gpdesk.ui.accessible import announce, named
from gpdesk.ui.sizing import fit_to_screen
from gpdesk.ui.theme import set_tone

TITLE = "Toestemming vastleggen"
CONSENT_ITEMS = (
    DataItem.NAME,
    DataItem.PHONE,
    DataItem.POSTCODE,
    DataItem.BIRTH_DATE,
    DataItem.QUESTION,
)
"""Ticked by default; medische informatie is asked separately."""
SAVE_AND_COPY = "Opslaan en &kopieer voor HIS"
"""Before saving: the note may only describe a recorded consent, so copying saves first."""
COPY = "&Kopieer voor HIS"
PURPOSE_HINTS = {
    Purpose.REFERRAL: "",
    Purpose.FEEDBACK: " (het team mag de huisarts laten weten dat zij helpen)",
}


def _error() -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.hide()
    return label


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("signalCaption")
    set_tone(label, "heading")
    return label


def who_consents(age: int) -> str:
    """The Wgbo's rule for this patient, in a sentence."""
    if age < CHILD_AGE:
        return (
            f"De patiënt is {age} jaar: de ouders of de wettelijk vertegenwoordiger geven "
            "toestemming."
        )
    if age < ADULT_AGE:
        return (
            f"De patiënt is {age} jaar: het kind én de ouders of de wettelijk vertegenwoordiger "
            "geven toestemming."
        )
    return f"De patiënt is {age} jaar en geeft zelf toestemming."


class ConsentDialog(QDialog):
    """Record one consent; see the module note."""

    save_requested = Signal()
    print_requested = Signal()
    copy_requested = Signal(str)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        patient: PatientContext,
        organisations: list[OrganisationRef],
        chosen: OrganisationRef | None,
        gp_name: str,
        practice_name: str,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consentDialog")
        self.setWindowTitle(TITLE)  # never the patient's name
        self.setModal(True)
        self._patient = patient
        self._gp_name, self._practice = gp_name, practice_name
        self.today = today or local_date(utcnow())
        self.age = age_on(patient.birth_date, self.today)
        self.record: ConsentRecord | None = None
        self._copy_when_saved = False
        self.errors: dict[str, QLabel] = {}

        intro = QLabel(
            "Vraag de patiënt of u deze gegevens mag delen, en waarvoor. Geef de tekst mee of "
            "lees hem voor (Afdrukken). " + who_consents(self.age)
        )
        intro.setWordWrap(True)

        self.purposes: dict[Purpose, QCheckBox] = {}
        purposes_box = QVBoxLayout()
        purposes_box.setSpacing(2)
        for purpose in Purpose:
            box = QCheckBox(PURPOSE_LABELS[purpose] + PURPOSE_HINTS[purpose])
            box.setObjectName(f"consentPurpose_{purpose.value}")
            box.setChecked(True)
            self.purposes[purpose] = box
            purposes_box.addWidget(box)
        self.errors["doelen"] = _error()

        self.organisations: list[tuple[OrganisationRef, QCheckBox]] = []
        orgs_box = QVBoxLayout()
        orgs_box.setSpacing(2)
        for index, org in enumerate(organisations):
            box = QCheckBox(org.name)
            box.setObjectName(f"consentOrganisation_{index}")
            box.setChecked(chosen is not None and org.same_as(chosen))
            self.organisations.append((org, box))
            orgs_box.addWidget(box)
        if not organisations:
            orgs_box.addWidget(QLabel("Er is nog geen team gekozen."))
        self.errors["organisaties"] = _error()

        self.items: dict[DataItem, QCheckBox] = {}
        items_row = QHBoxLayout()
        for item in CONSENT_ITEMS:
            box = QCheckBox(item.label)
            box.setObjectName(f"consentItem_{item.value}")
            box.setChecked(True)
            self.items[item] = box
            items_row.addWidget(box)
        items_row.addStretch(1)
        medical = QCheckBox("ook medische informatie (alleen wat nodig is voor de hulpvraag)")
        medical.setObjectName("consentItem_medische_informatie")
        self.items[DataItem.MEDICAL] = medical
        self.errors["gegevens"] = _error()

        self.methods: dict[ConsentMethod, QRadioButton] = {}
        self.method_group = QButtonGroup(self)
        methods_row = QHBoxLayout()
        for method in ConsentMethod:
            button = QRadioButton(method.label)
            button.setObjectName(f"consentMethod_{method.value}")
            self.methods[method] = button
            self.method_group.addButton(button)
            methods_row.addWidget(button)
            button.toggled.connect(lambda _on: self._representative_visibility())
        methods_row.addStretch(1)
        self.errors["wijze"] = _error()

        self.representative_name = QLineEdit()
        self.representative_name.setObjectName("consentRepresentativeName")
        self.representative_name.setPlaceholderText("Naam")
        self.representative_relation = QLineEdit()
        self.representative_relation.setObjectName("consentRepresentativeRelation")
        self.representative_relation.setPlaceholderText("Relatie, bijv. moeder, voogd, mentor")
        self.incapable = QCheckBox("De patiënt kan hier zelf niet over beslissen")
        self.incapable.setObjectName("consentIncapable")
        self.incapable.toggled.connect(lambda _on: self._representative_visibility())
        self.incapable.setVisible(self.age >= CHILD_AGE)
        self.representative_row = QWidget()
        rep_layout = QHBoxLayout(self.representative_row)
        rep_layout.setContentsMargins(0, 0, 0, 0)
        rep_layout.addWidget(self.representative_name, 3)
        rep_layout.addWidget(self.representative_relation, 2)
        self.errors["vertegenwoordiger"] = _error()

        self.roles: dict[GpRole, QRadioButton] = {}
        self.role_group = QButtonGroup(self)
        roles_row = QHBoxLayout()
        role_text = {
            GpRole.REFERRER: "verwijzer (de huisarts meldt aan)",
            GpRole.INFORMANT: "informant (de huisarts geeft informatie)",
        }
        for role in GpRole:
            button = QRadioButton(role_text[role])
            button.setObjectName(f"consentRole_{role.value}")
            self.roles[role] = button
            self.role_group.addButton(button)
            roles_row.addWidget(button)
        roles_row.addStretch(1)
        self.roles[GpRole.REFERRER].setChecked(True)

        self.valid_until = QDateEdit()
        self.valid_until.setObjectName("consentValidUntil")
        named(self.valid_until, "Geldig tot en met", "Hoogstens een jaar")
        self.valid_until.setCalendarPopup(True)
        self.valid_until.setDisplayFormat("dd-MM-yyyy")
        longest = one_year_after(self.today)
        self.valid_until.setDateRange(
            QDate(self.today.year, self.today.month, self.today.day),
            QDate(longest.year, longest.month, longest.day),
        )
        self.valid_until.setDate(QDate(longest.year, longest.month, longest.day))
        valid_row = QHBoxLayout()
        valid_row.addWidget(self.valid_until)
        valid_row.addWidget(QLabel("(hoogstens een jaar)"))
        valid_row.addStretch(1)
        self.errors["geldig_tot"] = _error()
        self.errors["datum"] = _error()

        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(4)
        row = 0

        def put(caption: str | None, *parts: QWidget | QHBoxLayout | QVBoxLayout) -> QLabel:
            nonlocal row
            label = _caption(caption or "")
            if caption is not None:
                grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            for part in parts:
                if isinstance(part, QWidget):
                    grid.addWidget(part, row, 1)
                else:
                    grid.addLayout(part, row, 1)
                row += 1
            return label

        put("Waarvoor:", purposes_box, self.errors["doelen"])
        put("Aan wie:", orgs_box, self.errors["organisaties"])
        put("Welke gegevens:", items_row, medical, self.errors["gegevens"])
        put("Hoe gegeven:", methods_row, self.incapable, self.errors["wijze"])
        self.representative_caption = put("Vertegenwoordiger:", self.representative_row)
        put(None, self.errors["vertegenwoordiger"])
        put("Rol huisarts:", roles_row)
        put("Geldig tot en met:", valid_row, self.errors["geldig_tot"], self.errors["datum"])

        self.status = QLabel()
        self.status.setObjectName("consentStatus")
        self.status.setWordWrap(True)
        self.status.hide()
        self.print_button = QPushButton("&Afdrukken…")
        self.print_button.setObjectName("consentPrint")
        self.print_button.setToolTip("De toestemmingstekst om mee te geven of te laten tekenen")
        self.print_button.setAutoDefault(False)
        self.copy_button = QPushButton(SAVE_AND_COPY)
        self.copy_button.setObjectName("consentCopy")
        self.copy_button.setToolTip(
            "Slaat de toestemming op en kopieert een notitie voor het dossier in het HIS "
            "(zonder BSN)"
        )
        self.copy_button.setAutoDefault(False)
        self.cancel_button = QPushButton("Annu&leren")
        self.cancel_button.setObjectName("consentCancel")
        self.cancel_button.setAutoDefault(False)
        self.save_button = QPushButton("&Opslaan")
        self.save_button.setObjectName("consentSave")
        self.save_button.setDefault(True)
        self.print_button.clicked.connect(self._print)
        self.copy_button.clicked.connect(self._copy)
        self.cancel_button.clicked.connect(self.reject)
        self.save_button.clicked.connect(self._save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(buttons)
        default = ConsentMethod.REPRESENTATIVE if self.age < CHILD_AGE else ConsentMethod.ORAL
        self.methods[default].setChecked(True)
        self._representative_visibility()
        fit_to_screen(self, 780, 560)
        self.save_button.setFocus()

    # -- what the user fills in ----------------------------------------------------------------

    def _method(self) -> ConsentMethod:
        return next((m for m, b in self.methods.items() if b.isChecked()), ConsentMethod.ORAL)

    def _representative_visibility(self) -> None:
        """The representative's row, caption included, only when one consents (no empty row)."""
        needed = (
            self.age < ADULT_AGE
            or self._method() is ConsentMethod.REPRESENTATIVE
            or self.incapable.isChecked()
        )
        self.representative_row.setVisible(needed)
        self.representative_caption.setVisible(needed)

    def draft_unchecked(self) -> ConsentDraft:
        """What the dialog holds now, as the consent core takes it."""
        representative = None
        name = self.representative_name.text().strip()
        relation = self.representative_relation.text().strip()
        if self.representative_row.isVisibleTo(self) and (name or relation):
            representative = Representative(name, relation)
        until = self.valid_until.date()
        return ConsentDraft(
            purposes=frozenset(p for p, box in self.purposes.items() if box.isChecked()),
            organisations=tuple(org for org, box in self.organisations if box.isChecked()),
            items=frozenset(i for i, box in self.items.items() if box.isChecked()),
            method=self._method(),
            gp_role=next(r for r, b in self.roles.items() if b.isChecked()),
            representative=representative,
            patient_incapable=self.incapable.isChecked(),
            given_on=self.today,
            valid_until=date(until.year(), until.month(), until.day()),
        )

    def terms(self) -> CheckedConsent | None:
        """The consent as checked by the age rule and the others; None (messages shown) if not."""
        self._hide_problems()
        try:
            return check_draft(self.draft_unchecked(), self._patient.birth_date, self.today)
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return None

    def draft(self) -> ConsentDraft | None:
        """The draft to save, when it passes every rule."""
        return self.draft_unchecked() if self.terms() is not None else None

    def document(self, with_name: bool) -> Document:
        """The printable consent text; the patient's name and birth date only when asked."""
        terms = self.record if self.record is not None else self.terms()
        assert terms is not None
        text = consent_text(
            terms,
            practice_name=self._practice,
            gp_name=self._gp_name,
            patient_name=self._patient.name if with_name else None,
            patient_birth_date=self._patient.birth_date if with_name else None,
        )
        return consent_document(text, practice_name=self._practice, today=self.today)

    def his_note(self) -> str | None:
        """The recorded consent's note for the HIS; None while nothing is recorded.

        Who, when, how, what, to whom, how long; never the BSN. Without a record there is no
        note: it says "vastgelegd in gpdesk", and that must be true.
        """
        if self.record is None:
            return None
        return consent_his_note(
            self.record, recorded_by=self.record.recorded_by, recorded_at=self.record.recorded_at
        )

    def _print(self) -> None:
        if self.terms() is not None:
            self.print_requested.emit()

    def _copy(self) -> None:
        """Copy the recorded consent's note; not recorded yet: save first, then copy."""
        note = self.his_note()
        if note is not None:
            self.copy_requested.emit(note)
        elif self.terms() is not None:
            self._copy_when_saved = True
            self.save_requested.emit()

    def _save(self) -> None:
        if self.record is not None:
            self.accept()
        elif self.terms() is not None:
            self.save_requested.emit()

    # -- what the controller tells it ----------------------------------------------------------

    def _hide_problems(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.status.hide()

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each rule's message next to its field (the age rule at 'Hoe gegeven')."""
        rest = []
        for key, text in problems.items():
            label = self.errors.get(key)
            if label is None:
                rest.append(text)
                continue
            label.setText(text)
            label.show()
        if rest:
            self.show_status(" ".join(rest), error=True)

    def show_status(self, text: str, *, error: bool = False) -> None:
        """Saved, copied, or what went wrong."""
        announce(self, text, urgent=error)
        self.status.setObjectName("fieldError" if error else "consentStatus")
        set_tone(self.status, "" if error else "success")
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def set_busy(self, busy: bool) -> None:
        """While saving: no second save (nor a save through Kopieer)."""
        self.save_button.setEnabled(not busy)
        self.copy_button.setEnabled(not busy)
        if busy:
            self.show_status("Bezig met opslaan…")
        else:
            self._copy_when_saved = self._copy_when_saved and self.record is not None

    def saved(self, record: ConsentRecord) -> None:
        """Recorded: the dialog closes and the form shows the new consent.

        When Kopieer asked for the save, it stays open instead, fields fixed, and copies.
        """
        self.record = record
        copy = self._copy_when_saved
        self.set_busy(False)
        if not copy:
            self.accept()
            return
        for box in (*self.purposes.values(), *self.items.values(), self.incapable):
            box.setEnabled(False)
        for _org, box in self.organisations:
            box.setEnabled(False)
        for button in (*self.methods.values(), *self.roles.values()):
            button.setEnabled(False)
        for field in (self.representative_name, self.representative_relation):
            field.setReadOnly(True)
        self.valid_until.setEnabled(False)
        self.copy_button.setText(COPY)
        self.copy_button.setToolTip("Nog eens kopiëren voor het dossier in het HIS (zonder BSN)")
        self.cancel_button.hide()  # nothing left to cancel: it is recorded
        self.save_button.setText("&Sluiten")
        self.save_button.setFocus()
        self._copy()

    def show_copied(self) -> None:
        """The note is on the clipboard: say so, and that the consent was saved first."""
        saved = "Opgeslagen en gekopieerd" if self._copy_when_saved else "Gekopieerd"
        self._copy_when_saved = False
        self.show_status(
            f"{saved} voor het HIS; plak het in het dossier. Over 30 seconden wordt het "
            "klembord weer leeggemaakt."
        )
