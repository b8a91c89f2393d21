"""The Toestemmingen list's controller: loads the banner patient's consents, withdraws, copies.

What runs where (every database step through the ``TaskRunner``, each in its own session):

- Opening the list finds the patient by the BSN's blind index and reads their consents with
  ``consent.consents_of`` (decrypted, and audited as a read of that patient).
- "Intrekken…" first asks ``store.withdrawal_effects`` what the withdrawal will do to the
  signals on the consent (no change, nothing decrypted), so the confirmation can say it.
- "Intrekken" runs ``consent.withdraw_consent`` with ``store.withdrawal_hook_for(vault)``: the
  same core call and hook as ``gpdesk consent withdraw``, so pending sends stop, notices for
  the teams wait in the outbox, each signal's timeline says so and the audit entry is written,
  all in one transaction. ``withdrawn`` then tells the window: the outbox worker sends the
  notices now and the Signaleren list reloads.
- "Kopieer voor HIS" copies the consent's note (with the withdrawal when there is one) from
  what was loaded; the clipboard empties itself after 30 seconds.

The list belongs to the patient in the banner: another patient (or none) closes it, and a
result that arrives after that is dropped (the dialog owns the reads). A withdrawal already
under way is still reported to the window (``withdrawn``): its notices must go out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.patients.context import PatientContext
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.signals.consent import REASON_FIELD, ConsentRecord, Withdrawal, dutch_date
from gpdesk.signals.store import WithdrawalEffect
from gpdesk.ui.signals.consent_list import ConsentListDialog, WithdrawDialog
from gpdesk.ui.tasks import TaskRunner

UNEXPECTED = "Er ging iets mis; probeer het opnieuw."
NO_PATIENT = (
    "Open eerst een patiënt: vanuit het HIS, of met Plak uit HIS (Ctrl+Shift+V). Daarna toont "
    "Ctrl+Shift+T de toestemmingen."
)


def _text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.problems.values())
    return exc.user_text() if isinstance(exc, GpdeskError) else UNEXPECTED


@dataclass(frozen=True)
class PatientConsents:
    """A patient's consents as loaded, and the moment their state (geldig…) is taken at."""

    records: tuple[ConsentRecord, ...]
    at: datetime


def load_consents(db: Database, signed: SignedIn, bsn: str) -> PatientConsents:
    """Worker: every consent of the patient with ``bsn``, newest first (the read is audited)."""
    from sqlalchemy import select

    from gpdesk.models import Patient, utcnow
    from gpdesk.signals.consent import consents_of

    now = utcnow()
    with db.session() as session:
        index = signed.vault.blind_index("bsn", bsn)
        patient_id = session.scalar(select(Patient.id).where(Patient.bsn_index == index))
        if patient_id is None:  # never opened here: no consent either
            return PatientConsents((), now)
        records = consents_of(session, signed.vault, patient_id, actor=signed.actor)
    return PatientConsents(tuple(records), now)


def load_effects(db: Database, signed: SignedIn, consent_id: int) -> tuple[WithdrawalEffect, ...]:
    """Worker: what withdrawing the consent would do to its signals (changes nothing)."""
    from gpdesk.signals.store import withdrawal_effects

    with db.session() as session:
        return withdrawal_effects(session, signed.actor, consent_id)


def withdraw(db: Database, signed: SignedIn, consent_id: int, reason: str) -> Withdrawal:
    """Worker: the withdrawal with its hook, as ``gpdesk consent withdraw`` does it; committed."""
    from gpdesk.signals.consent import withdraw_consent
    from gpdesk.signals.store import withdrawal_hook_for

    with db.session() as session:
        return withdraw_consent(
            session, signed.vault, signed.actor, consent_id, reason=reason,
            hooks=(withdrawal_hook_for(signed.vault),),
        )  # fmt: skip


def his_note(record: ConsentRecord) -> str:
    """The consent's note for the HIS, with its withdrawal when there is one; no BSN."""
    from gpdesk.signals.consent_text import consent_his_note

    return consent_his_note(
        record,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,
        withdrawn_at=record.scope.withdrawn_at,
        withdrawn_by=record.withdrawn_by,
    )


def withdrawal_report(withdrawal: Withdrawal, given_on: str) -> str:
    """After the withdrawal: what was done, per signal, and the step left for the HIS."""
    lines = [f"De toestemming van {given_on} is ingetrokken."]
    lines += [f"•  {a.reference}: {a.outcome}." for a in withdrawal.affected]
    if not withdrawal.affected:
        lines.append("Er rustte geen signaal op deze toestemming.")
    lines.append("Zet de intrekking ook in het dossier: Kopieer voor HIS (Alt+K).")
    return "\n".join(lines)


class ConsentListController(QObject):
    """Opens the Toestemmingen list for the banner's patient and carries out what it asks."""

    withdrawn = Signal()
    """A consent was withdrawn: notices may wait in the outbox, signals changed status."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        signed: Callable[[], SignedIn | None],
        copy: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.db, self.tasks, self._signed, self.copy = db, tasks, signed, copy
        self._parent = parent
        self.dialog: ConsentListDialog | None = None
        self.confirmation: WithdrawDialog | None = None
        self.patient: PatientContext | None = None

    def refusal(self, patient: PatientContext | None) -> str | None:
        """Why the list cannot open now, or None when it can."""
        signed = self._signed()
        if signed is None:
            return "gpdesk is vergrendeld."
        if patient is None:
            return NO_PATIENT
        if not signed.actor.may(Permission.PATIENT_OPEN):
            return (
                "U mag geen patiëntgegevens inzien. Vraag de praktijkmanager als u dit nodig hebt."
            )
        return None

    def open(self, patient: PatientContext | None) -> ConsentListDialog | None:
        """Show the list for ``patient`` (the banner's); None, with a message, when it cannot."""
        dialog = self.dialog
        if dialog is not None and isValid(dialog) and dialog.isVisible():
            if patient is not None and self.patient is not None and patient.bsn == self.patient.bsn:
                dialog.raise_()
                dialog.activateWindow()
                return dialog
            dialog.reject()
        refusal = self.refusal(patient)
        if refusal is not None or patient is None:
            self._say(refusal or NO_PATIENT)
            return None
        dialog = ConsentListDialog(self._parent, patient_line=patient.banner_text())
        self.dialog, self.patient = dialog, patient
        dialog.withdraw_requested.connect(lambda consent_id: self._ask(dialog, consent_id))
        dialog.copy_requested.connect(lambda consent_id: self._copy(dialog, consent_id))
        dialog.finished.connect(lambda _code: self._closed(dialog))
        dialog.show()
        dialog.activateWindow()  # the keyboard goes where the user asked to be
        dialog.table.setFocus()
        self._load(dialog)
        return dialog

    def patient_changed(self, patient: PatientContext | None) -> None:
        """Another patient in the banner (or none): the previous patient's list closes."""
        dialog, current = self.dialog, self.patient
        if (
            dialog is None
            or current is None
            or (patient is not None and patient.bsn == current.bsn)
        ):
            return
        if self.confirmation is not None and isValid(self.confirmation):
            self.confirmation.set_busy(False)
            self.confirmation.reject()
        dialog.reject()

    def _say(self, text: str) -> None:
        status = getattr(self._parent, "statusBar", None)
        if text and callable(status):
            status().showMessage(text, 12_000)

    def _closed(self, dialog: ConsentListDialog) -> None:
        if self.dialog is dialog:
            self.dialog, self.patient, self.confirmation = None, None, None
        dialog.deleteLater()

    # -- loading -------------------------------------------------------------------------------

    def _load(self, dialog: ConsentListDialog, *, keep: int | None = None) -> None:
        signed, patient = self._signed(), self.patient
        if signed is None or patient is None:
            return
        dialog.set_loading()
        db, bsn = self.db, patient.bsn

        def done(loaded: PatientConsents) -> None:
            dialog.set_consents(loaded.records, loaded.at, keep=keep)

        def failed(exc: BaseException) -> None:
            dialog.set_consents((), datetime.now().astimezone())
            dialog.show_status(_text(exc), error=True)

        self.tasks.run(lambda: load_consents(db, signed, bsn), done, failed, owner=dialog)

    # -- withdrawing ---------------------------------------------------------------------------

    def _record(self, dialog: ConsentListDialog, consent_id: int) -> ConsentRecord | None:
        row = dialog.model.row_of(consent_id)
        return dialog.model.row_at(row)

    def _ask(self, dialog: ConsentListDialog, consent_id: int) -> None:
        """Intrekken…: look up what it will do, then ask, saying so."""
        signed, record = self._signed(), self._record(dialog, consent_id)
        if signed is None or record is None:
            return
        dialog.set_working("Even kijken welke signalen op deze toestemming rusten…")
        db = self.db

        def ask(effects: tuple[WithdrawalEffect, ...]) -> None:
            dialog.set_working(None)
            confirmation = WithdrawDialog(dialog, record=record, effects=effects)
            self.confirmation = confirmation
            confirmation.confirmed.connect(
                lambda reason: self._withdraw(dialog, confirmation, record, reason)
            )
            confirmation.finished.connect(lambda _code: self._confirmation_closed(confirmation))
            confirmation.show()
            confirmation.activateWindow()  # the keyboard goes where the user asked to be

        def failed(exc: BaseException) -> None:
            dialog.set_working(None)
            dialog.show_status(_text(exc), error=True)

        self.tasks.run(lambda: load_effects(db, signed, consent_id), ask, failed, owner=dialog)

    def _confirmation_closed(self, confirmation: WithdrawDialog) -> None:
        if self.confirmation is confirmation:
            self.confirmation = None
        confirmation.deleteLater()
        dialog = self.dialog
        if dialog is not None and dialog.isVisible():  # without a window manager: nobody would
            dialog.activateWindow()
            dialog.table.setFocus()

    def _withdraw(
        self,
        dialog: ConsentListDialog,
        confirmation: WithdrawDialog,
        record: ConsentRecord,
        reason: str,
    ) -> None:
        """Intrekken: the core call with its hook, off the GUI thread; then reload and say."""
        signed = self._signed()
        if signed is None:
            return
        confirmation.set_busy(True)
        db, consent_id = self.db, record.id

        def done(withdrawal: Withdrawal) -> None:
            self.withdrawn.emit()  # also when the list closed meanwhile: the notices must go
            if isValid(confirmation):
                confirmation.set_busy(False)
                confirmation.accept()
            if isValid(dialog) and dialog is self.dialog:
                report = withdrawal_report(withdrawal, dutch_date(record.scope.given_on))
                dialog.show_status(report)
                self._load(dialog, keep=consent_id)

        def failed(exc: BaseException) -> None:
            if not isValid(confirmation):
                if isValid(dialog) and dialog is self.dialog:
                    dialog.show_status(_text(exc), error=True)
                return
            confirmation.set_busy(False)
            if isinstance(exc, ValidationError):
                message = exc.problems.get(REASON_FIELD) or _text(exc)
            else:
                message = _text(exc)
            confirmation.show_problem(message)

        # Owned by the controller, not the list: once written, the window must hear of it.
        self.tasks.run(lambda: withdraw(db, signed, consent_id, reason), done, failed, owner=self)

    # -- copying -------------------------------------------------------------------------------

    def _copy(self, dialog: ConsentListDialog, consent_id: int) -> None:
        record = self._record(dialog, consent_id)
        if record is None:
            return
        self.copy(his_note(record))
        dialog.show_status(
            "Gekopieerd voor het HIS; plak het in het dossier. Over 30 seconden wordt het "
            "klembord weer leeggemaakt."
        )
