"""The Signaleren page's controller: the list, one signal's detail, and its status changes.

Every read and write runs through the ``TaskRunner`` (never on the GUI thread), each in its
own short session: the list from ``store.list_signals`` (plain columns, nothing decrypted),
the detail from ``store.signal_detail`` (decrypted and audited, so only when a row is chosen,
and once the cursor rests: moving through the list with the arrow keys does not read every
signal), a status change through ``store.change_status``. A result for a request that was
overtaken (another row, other filters) is dropped.

Each row names its patient (``store.patient_labels``): the list is the practice's work list,
opened on purpose, like a worklist in the HIS. Naming a patient is audited once per opening of
the list (page shown, filters, another patient in the banner); the refresh after the outbox sent
something (``outbox_flushed``) keeps the chosen row and the scroll position, audits only
patients it names for the first time, and reads the open signal again only when the flush
touched it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from PySide6.QtCore import QItemSelection, QObject, QTimer, Signal

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.store.by_signal import SignalLetter
from gpdesk.inbox.store.involvement import InvolvementInfo
from gpdesk.models import MessageKind, SignalStatus
from gpdesk.patients.context import PatientContext
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.signals.store import PatientLabel, SignalRecord, SignalSummary
from gpdesk.ui.signals.page import SignalsPage
from gpdesk.ui.signals.timeline import ReasonDialog, StatusAction
from gpdesk.ui.tasks import TaskRunner

DETAIL_DELAY_MS = 150
"""The cursor rests this long on a row before its detail is read (and audited)."""
UNEXPECTED = "Er ging iets mis; probeer het opnieuw."


def _text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.problems.values())
    return exc.user_text() if isinstance(exc, GpdeskError) else UNEXPECTED


@dataclass(frozen=True, repr=False)
class SignalRows:
    """The list as loaded: the signals, their messages not sent, and who each row is about."""

    rows: list[SignalSummary]
    failed: dict[int, frozenset[MessageKind]] = field(default_factory=dict)
    """Per signal id, the kinds of its messages that were not sent (given up)."""
    patients: dict[int, PatientLabel] = field(default_factory=dict)
    """By patient id; never in a repr or a log."""
    involved: tuple[InvolvementInfo, ...] = ()
    """The banner patient's open registrations (a team already involved)."""

    def __repr__(self) -> str:
        return f"SignalRows({len(self.rows)} rows)"


def load_signals(
    db: Database,
    signed: SignedIn,
    bsn: str | None,
    open_only: bool,
    audited: Collection[int] = (),
    *,
    banner_bsn: str | None = None,
) -> SignalRows:
    """Worker: the practice's signals, or one patient's (``bsn``) when the filter asks for it.

    ``audited``: patients this list already named on screen (see ``store.patient_labels``).
    ``banner_bsn``: the patient in the banner, whose registered teams (betrokkenheid) the page
    shows above the list; read audited unless ``audited`` already holds that patient.
    """
    from sqlalchemy import select

    from gpdesk.models import OutboxMessage, OutboxState, Patient
    from gpdesk.signals.store import list_signals, patient_labels

    with db.session() as session:
        patient_id = None
        if bsn is not None:
            index = signed.vault.blind_index("bsn", bsn)
            patient_id = session.scalar(select(Patient.id).where(Patient.bsn_index == index))
            if patient_id is None:
                return SignalRows([])
        rows = list_signals(
            session, signed.vault, signed.actor, patient_id=patient_id, open_only=open_only
        )
        shown = {r.id for r in rows}
        failed: dict[int, set[MessageKind]] = {}
        for signal_id, kind in session.execute(
            select(OutboxMessage.signal_id, OutboxMessage.kind).where(
                OutboxMessage.state == OutboxState.FAILED
            )
        ):
            if signal_id in shown:
                failed.setdefault(signal_id, set()).add(kind)
        patients = patient_labels(
            session, signed.vault, signed.actor, {r.patient_id for r in rows}, audited=audited
        )
        involved = _involved(session, signed, banner_bsn, audited)
        return SignalRows(rows, {k: frozenset(v) for k, v in failed.items()}, patients, involved)


def _involved(
    session: object, signed: SignedIn, bsn: str | None, audited: Collection[int]
) -> tuple[InvolvementInfo, ...]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from gpdesk.inbox.store.involvement import involvements_of
    from gpdesk.models import Patient

    assert isinstance(session, Session)
    if bsn is None:
        return ()
    index = signed.vault.blind_index("bsn", bsn)
    patient_id = session.scalar(select(Patient.id).where(Patient.bsn_index == index))
    if patient_id is None:
        return ()
    found = involvements_of(
        session, signed.vault, signed.actor, patient_id, audited=patient_id in audited
    )
    return tuple(found)


def end_one(db: Database, signed: SignedIn, involvement_id: int) -> InvolvementInfo:
    """Worker: Betrokkenheid beëindigd, by hand; committed with its audit entry."""
    from gpdesk.inbox.store.involvement import end_involvement

    with db.session() as session:
        return end_involvement(session, signed.vault, signed.actor, involvement_id)


@dataclass(frozen=True, repr=False)
class SignalRead:
    """One signal in full, and the letters linked to it (none for someone who reads none)."""

    record: SignalRecord
    letters: tuple[SignalLetter, ...] = ()

    def __repr__(self) -> str:
        return f"SignalRead({self.record.reference}, {len(self.letters)} letters)"


def load_detail(db: Database, signed: SignedIn, reference: str) -> SignalRead:
    """Worker: one signal in full with its letters; each read is audited."""
    from gpdesk.inbox.store.by_signal import letters_of_signal
    from gpdesk.security.permissions import Permission
    from gpdesk.signals.store import signal_detail

    with db.session() as session:
        record = signal_detail(session, signed.vault, signed.actor, reference)
        letters: tuple[SignalLetter, ...] = ()
        if signed.actor.may(Permission.LETTER_READ):
            letters = tuple(letters_of_signal(session, signed.vault, signed.actor, record.id))
        return SignalRead(record, letters)


def move(
    db: Database, signed: SignedIn, reference: str, status: SignalStatus, reason: str
) -> SignalRecord:
    """Worker: a status change, committed with its audit entry."""
    from gpdesk.signals.store import change_status

    with db.session() as session:
        return change_status(session, signed.vault, signed.actor, reference, status, reason=reason)


def retry_failed(db: Database, signed: SignedIn, reference: str) -> SignalRecord:
    """Worker: every message of the signal that was not sent goes back in line (Opnieuw)."""
    from gpdesk.models import OutboxState
    from gpdesk.security.permissions import Permission, require
    from gpdesk.signals import outbox
    from gpdesk.signals.store import signal_detail

    require(signed.actor.permissions, Permission.PATIENT_OPEN)  # as ``gpdesk outbox retry``
    with db.session() as session:
        record = signal_detail(session, signed.vault, signed.actor, reference)
        for entry in outbox.entries(session, signal_id=record.id):
            if entry.state is OutboxState.FAILED:
                outbox.retry_now(session, signed.actor, entry.id)
        session.flush()
        return signal_detail(session, signed.vault, signed.actor, reference)


class SignalListController(QObject):
    """Keeps the Signaleren page's list and detail current and carries out its actions."""

    retried = Signal(str)
    """Opnieuw put a signal's messages back in the outbox (its reference): send them now."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        signed: Callable[[], SignedIn | None],
        page: SignalsPage,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.tasks, self._signed, self.page = db, tasks, signed, page
        self.patient: PatientContext | None = None
        self.reason_dialog: ReasonDialog | None = None
        self._list_generation = 0
        self._detail_generation = 0
        self._chosen: str | None = None
        self._named: tuple[int | None, frozenset[int]] = (None, frozenset())
        """(user id, patients) the list on screen named and audited since it was opened."""
        self._opening = False
        """A load that opens the list (audits every patient it names) has not come back yet."""
        self._focus_wanted = False
        """Enter asked for the detail's first action; its read has not come back yet."""
        self._reread = False
        """The outbox touched the open signal while a status change was being stored."""
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._load_detail)
        page.shown.connect(self.refresh)
        page.filters_changed.connect(self.refresh)
        page.table.selectionModel().selectionChanged.connect(self._selection_changed)
        page.table.opened.connect(self._open_chosen)
        page.detail.action_requested.connect(self.act)
        page.detail.retry_requested.connect(self.retry)
        page.involvement_end_requested.connect(self.end_involvement)

    # -- the list --------------------------------------------------------------------------------

    def set_patient(self, patient: PatientContext | None) -> None:
        """Another patient in the banner: "alleen deze patiënt" goes on, the list reloads if shown.

        The same patient again (the HIS sends the context twice) leaves the filter as the user
        set it.
        """
        same = patient is not None and self.patient is not None and patient.bsn == self.patient.bsn
        if not same:
            self._forget_detail()  # nothing of the previous patient stays on screen
        self.patient = patient
        self.page.set_patient_open(patient is not None, only_this=None if same else True)
        if self.page.isVisible() and not same:
            self.refresh()

    def refresh(self) -> None:
        """Load the list again with the page's filters, off the GUI thread.

        The list is opened anew: every patient it names is audited.
        """
        self._load(again=False)

    def outbox_flushed(self, references: Collection[str]) -> None:
        """The outbox sent (or gave up on) something: show it, keeping the row and the scroll.

        The open signal is read again only when the flush touched it.
        """
        if not self.page.isVisible():
            return  # coming on screen loads the list anyway
        self._load(again=True)
        detail = self.page.detail
        record = detail.record
        if record is None or record.reference not in references:
            return
        if self._chosen != record.reference:
            return
        if detail.busy:  # a status change is stored now: read it again once that is done
            self._reread = True
        else:
            self._load_detail(focus=self._focus_wanted, quiet=True)

    def _reread_if_touched(self) -> None:
        if self._reread:
            self._reread = False
            self._load_detail(quiet=True)

    def _load(self, *, again: bool) -> None:
        signed = self._signed()
        if signed is None:
            return
        page = self.page
        bsn = self.patient.bsn if self.patient is not None and page.patient_filter() else None
        banner = self.patient.bsn if self.patient is not None else None
        open_only = page.open_only.isChecked()
        user, named = self._named
        opening = self._opening = not again or self._opening  # a refresh does not overtake it
        audited = named if not opening and user == signed.actor.user_id else frozenset()
        self._list_generation += 1
        generation, db = self._list_generation, self.db

        def done(loaded: SignalRows) -> None:
            if generation == self._list_generation:
                self._opening = False
                self._named = (signed.actor.user_id, audited | frozenset(loaded.patients))
                self._show_rows(loaded, keep_scroll=not opening)

        def failed(exc: BaseException) -> None:
            if generation == self._list_generation:
                self._opening = False
                page.model.set_rows([])
                page.show_empty(0, _text(exc))

        def work() -> SignalRows:
            return load_signals(db, signed, bsn, open_only, audited, banner_bsn=banner)

        self.tasks.run(work, done, failed, owner=page)

    def _show_rows(self, loaded: SignalRows, *, keep_scroll: bool = False) -> None:
        """New rows; the chosen row stays chosen (and, ``keep_scroll``, the list where it was)."""
        page = self.page
        chosen = self._chosen
        table = page.table
        scroll = table.verticalScrollBar().value()
        table.selectionModel().blockSignals(True)
        page.model.set_rows(loaded.rows, loaded.failed, loaded.patients)
        row = page.model.row_of(chosen) if chosen is not None else -1
        if row >= 0:
            table.selectRow(row)
        table.selectionModel().blockSignals(False)
        if keep_scroll:
            table.verticalScrollBar().setValue(scroll)
        page.show_empty(page.model.rowCount())
        signed = self._signed()
        page.show_involved(
            list(loaded.involved),
            may_end=signed is not None and signed.actor.may(Permission.LETTER_FILE),
        )
        # A signal filtered away (just marked afgerond, say) keeps its detail: the user chose it.

    def _forget_detail(self) -> None:
        self._chosen = None
        self._detail_timer.stop()
        self._detail_generation += 1
        self.page.table.clearSelection()
        self.page.detail.show_record(None)

    # -- the detail ------------------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {index.row() for index in selected.indexes()}
        summary = self.page.model.row_at(min(rows)) if rows else None
        if summary is None:
            return
        self._chosen = summary.reference
        self.page.detail.show_record(None, busy=f"{summary.reference} wordt geopend…")
        self._detail_timer.start()

    def _open_chosen(self) -> None:
        """Enter on the list: the detail now (not after the pause), then its first action."""
        if self._detail_timer.isActive():
            self._detail_timer.stop()
            self._load_detail(focus=True)
        elif not self.page.detail.focus_actions() and self.page.detail.record is None:
            self._load_detail(focus=True)

    def _load_detail(self, focus: bool = False, quiet: bool = False) -> None:
        """Read the chosen signal, off the GUI thread.

        ``quiet``: a refresh of the one on screen, which stays put (its message and scroll
        position too) and says nothing when the read fails.
        """
        signed, reference = self._signed(), self._chosen
        if signed is None or reference is None:
            return
        self._detail_generation += 1
        generation, db, detail = self._detail_generation, self.db, self.page.detail
        self._focus_wanted = focus

        def done(read: SignalRead) -> None:
            if generation == self._detail_generation:
                self._focus_wanted = False
                detail.show_record(read.record, keep=quiet, letters=read.letters)
                if focus:
                    detail.focus_actions()

        def failed(exc: BaseException) -> None:
            if generation == self._detail_generation:
                self._focus_wanted = False
                if not quiet:
                    detail.show_record(None, busy=_text(exc))

        self.tasks.run(lambda: load_detail(db, signed, reference), done, failed, owner=detail)

    # -- status actions --------------------------------------------------------------------------

    def act(self, action: StatusAction) -> None:
        """A status button: at once, or after the reason dialog for reopening and cancelling."""
        record = self.page.detail.record
        if record is None:
            return
        if action.reason is None:
            self._move(record.reference, action.target, "")
            return
        dialog = ReasonDialog(
            self.page, action=action, reference=record.reference, sent=record.sent_at is not None
        )
        self.reason_dialog = dialog
        reference = record.reference
        dialog.accepted.connect(lambda: self._move(reference, action.target, dialog.text()))
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: ReasonDialog) -> None:
        if self.reason_dialog is dialog:
            self.reason_dialog = None
        dialog.deleteLater()

    def _move(self, reference: str, status: SignalStatus, reason: str) -> None:
        signed = self._signed()
        if signed is None:
            return
        detail, db = self.page.detail, self.db
        detail.set_busy(True)
        self._detail_generation += 1
        generation = self._detail_generation

        def done(record: SignalRecord) -> None:
            if generation != self._detail_generation:
                return
            detail.show_record(record)
            if status is SignalStatus.CANCELLED:
                detail.show_message(
                    "Geannuleerd. Het team krijgt een bericht dat het signaal is geannuleerd."
                    if record.sent_at is not None
                    else "Geannuleerd. Het signaal wordt niet verstuurd.",
                    info=True,
                )
            if not detail.focus_actions():
                self.page.table.setFocus()
            self._load(again=True)  # the same list on screen: no one is named anew
            self._reread_if_touched()

        def failed(exc: BaseException) -> None:
            detail.set_busy(False)
            detail.show_message(_text(exc))

        self.tasks.run(
            lambda: move(db, signed, reference, status, reason), done, failed, owner=detail
        )

    def retry(self) -> None:
        """Opnieuw: what was not sent is tried again at once by the outbox worker."""
        record, signed = self.page.detail.record, self._signed()
        if record is None or signed is None:
            return
        detail, db, reference = self.page.detail, self.db, record.reference
        detail.set_busy(True)
        self._detail_generation += 1
        generation = self._detail_generation

        def done(fresh: SignalRecord) -> None:
            if generation != self._detail_generation:
                return
            detail.show_record(fresh)
            detail.show_message(
                "Staat weer klaar in postvak uit; gpdesk probeert het meteen opnieuw.", info=True
            )
            self.retried.emit(reference)
            self._load(again=True)  # the same list on screen: no one is named anew
            self._reread_if_touched()

        def failed(exc: BaseException) -> None:
            detail.set_busy(False)
            detail.show_message(_text(exc))

        self.tasks.run(lambda: retry_failed(db, signed, reference), done, failed, owner=detail)

    # -- betrokkenheid ---------------------------------------------------------------------------

    def end_involvement(self, involvement_id: int) -> None:
        """Betrokkenheid beëindigd (confirmed on the page): stored, then the list read again."""
        signed = self._signed()
        if signed is None:
            return
        db, page = self.db, self.page

        def done(info: InvolvementInfo) -> None:
            page.show_involved_message(f"Beëindigd: {info.text}.")
            self._load(again=True)

        def failed(exc: BaseException) -> None:
            page.show_involved_message(_text(exc))

        self.tasks.run(lambda: end_one(db, signed, involvement_id), done, failed, owner=page)
