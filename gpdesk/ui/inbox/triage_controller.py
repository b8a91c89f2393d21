"""Carries out the letter actions of the reading pane: a dialog, the work off the GUI thread.

The pane asks for an action by key (``letter_actions``); ``handlers`` maps each key to the
method that asks what is needed (a dialog, or nothing) and runs the worker
(``triage_work``) through the ``TaskRunner``. Afterwards the inbox controller shows the letter
as it is now, updates its row and the navigation's number (``changed``); a refusal (someone
else acted meanwhile, no right, the letter already filed) is said in the pane, with the letter
read again (``refused``). A note typed for a refused action is kept for the next try.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.store.detail import LetterDetail
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.signals.consent import dutch_date
from gpdesk.ui.inbox import triage_work as work
from gpdesk.ui.inbox.letter_actions import (
    ARCHIVE,
    ASSIGN,
    END_INVOLVEMENT,
    FORWARD,
    KIND,
    LINK,
    UNLINK,
)
from gpdesk.ui.inbox.triage_dialogs import (
    AssignDialog,
    EndInvolvementDialog,
    ForwardDialog,
    KindDialog,
    LinkDialog,
    TriageDialog,
)
from gpdesk.ui.inbox.triage_work import Assignee, PatientChoice
from gpdesk.ui.tasks import TaskRunner

UNEXPECTED: Final = "Er ging iets mis; probeer het opnieuw."
NOTE_KEPT: Final = "Uw notitie is niet opgeslagen; hier is hij, om over te nemen:"
LOCKED: Final = "Ontgrendel gpdesk eerst; er is niets opgeslagen."

Changed = Callable[[LetterDetail, str], None]
Refused = Callable[[int, str], None]


def _text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, GpdeskError) else UNEXPECTED


def _alive(widget: QObject | None) -> bool:
    return widget is not None and shiboken6.isValid(widget)


def done_text(key: str, letter: LetterDetail) -> str:
    """What happened, in one line under the letter."""
    who = letter.assignee or "niemand"
    if key == ASSIGN:
        return f"Toegewezen aan {who}."
    if key == FORWARD:
        return f"Doorgestuurd naar {who}; de brief staat nu bij hem of haar."
    if key == KIND:
        extra = ""
        if letter.due_on is not None:
            extra = f" De huisarts beslist vóór {dutch_date(letter.due_on)}."
        elif letter.urgent:
            extra = " Urgent: de brief ligt bij de huisarts."
        return f"Soort vastgelegd: {letter.kind}.{extra}"
    if key == LINK:
        where = letter.signal_reference or "de gekozen patiënt"
        return f"Gekoppeld aan {where}."
    if key == UNLINK:
        return "Ontkoppeld: de brief staat weer bij Niet gekoppeld."
    if key == ARCHIVE:
        return "Gearchiveerd. De brief staat nu onder Stand: Gearchiveerd."
    if key == END_INVOLVEMENT:
        return "Betrokkenheid beëindigd; Signaleren toont het team niet meer als betrokken."
    return "Vastgelegd."


class TriageActions(QObject):
    """The letter actions' flow, for the inbox controller; one dialog at a time."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        signed: Callable[[], SignedIn | None],
        parent_widget: QWidget,
        changed: Changed,
        refused: Refused,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.tasks, self._signed = db, tasks, signed
        self._widget, self._changed, self._refused = parent_widget, changed, refused
        self.dialog: TriageDialog | None = None
        self._drafts: dict[tuple[str, int], str] = {}
        self.handlers: dict[str, Callable[[LetterDetail], None]] = {
            ASSIGN: self.ask_assign,
            FORWARD: self.ask_forward,
            KIND: self.ask_kind,
            LINK: self.ask_link,
            UNLINK: self.unlink,
            ARCHIVE: self.archive,
            END_INVOLVEMENT: self.ask_end_involvement,
        }
        """Key → what to do; one more letter action is one more entry (and one in the list)."""

    def act(self, key: str, letter: LetterDetail) -> None:
        """The pane asked for ``key`` on ``letter`` (already checked as allowed)."""
        handler = self.handlers.get(key)
        if handler is not None:
            handler(letter)

    # -- dialogs ---------------------------------------------------------------------------------

    def close_dialog(self) -> None:
        """Another letter, a lock: a dialog about the previous one goes (nothing was done)."""
        if _alive(self.dialog):
            assert self.dialog is not None
            self.dialog.reject()
        self.dialog = None

    def _open(
        self,
        key: str,
        dialog: TriageDialog,
        make_work: Callable[[SignedIn], Callable[[], LetterDetail]],
        note: Callable[[], str] | None = None,
    ) -> None:
        self.close_dialog()
        self.dialog = dialog
        dialog.submitted.connect(lambda: self._submitted(key, dialog, make_work, note))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        dialog.open()

    def _forget(self, dialog: TriageDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _submitted(
        self,
        key: str,
        dialog: TriageDialog,
        make_work: Callable[[SignedIn], Callable[[], LetterDetail]],
        note: Callable[[], str] | None,
    ) -> None:
        signed = self._signed()
        if signed is None:
            dialog.show_problem(LOCKED)
            return
        self._run(key, dialog.letter_id, make_work(signed), dialog, note() if note else "")

    def _run(
        self,
        key: str,
        letter_id: int,
        job: Callable[[], LetterDetail],
        dialog: TriageDialog | None = None,
        note: str = "",
    ) -> None:
        def done(letter: LetterDetail) -> None:
            self._drafts.pop((key, letter_id), None)
            if _alive(dialog):
                assert dialog is not None
                dialog.accept()
            self._changed(letter, done_text(key, letter))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError) and _alive(dialog):
                assert dialog is not None
                dialog.show_problems(exc.problems)
                return
            text = _text(exc)
            if note.strip():
                self._drafts[(key, letter_id)] = note  # and back in the dialog next time
                text = f"{text}\n{NOTE_KEPT} “{note.strip()}”"
            if _alive(dialog):
                assert dialog is not None
                dialog.reject()
            self._refused(letter_id, text)

        self.tasks.run(job, done, failed, owner=self._widget)

    def _draft(self, key: str, letter_id: int) -> str:
        return self._drafts.get((key, letter_id), "")

    # -- each action -----------------------------------------------------------------------------

    def ask_assign(self, letter: LetterDetail) -> None:
        """Toewijzen: the dialog, its people and roles loaded off the GUI thread."""
        signed = self._signed()
        if signed is None:
            return
        dialog = AssignDialog(letter, self._widget)
        dialog.note.setText(self._draft(ASSIGN, letter.id))
        db = self.db

        def make(who: SignedIn) -> Callable[[], LetterDetail]:
            to = dialog.chosen()
            assert to is not None  # the dialog checked
            text = dialog.note.text()
            return lambda: work.assign_to(db, who, letter.id, to, text)

        self._open(ASSIGN, dialog, make, dialog.note.text)

        def loaded(choices: list[Assignee]) -> None:
            if _alive(dialog):
                dialog.set_choices(choices)

        def failed(exc: BaseException) -> None:
            if _alive(dialog):
                dialog.show_problem(_text(exc))

        self.tasks.run(lambda: work.load_assignees(db, signed), loaded, failed, owner=dialog)

    def ask_forward(self, letter: LetterDetail) -> None:
        """Doorsturen naar verwijzer, with a note."""
        dialog = ForwardDialog(letter, self._widget)
        dialog.note.setText(self._draft(FORWARD, letter.id))
        db = self.db

        def make(who: SignedIn) -> Callable[[], LetterDetail]:
            text = dialog.note.text()
            return lambda: work.forward(db, who, letter.id, text)

        self._open(FORWARD, dialog, make, dialog.note.text)

    def ask_kind(self, letter: LetterDetail) -> None:
        """Soort bevestigen, gpdesk's suggestion chosen."""
        dialog = KindDialog(letter, self._widget)
        db = self.db

        def make(who: SignedIn) -> Callable[[], LetterDetail]:
            kind = dialog.chosen()
            assert kind is not None  # the dialog checked
            return lambda: work.confirm(db, who, letter.id, kind)

        self._open(KIND, dialog, make)

    def ask_link(self, letter: LetterDetail) -> None:
        """Koppelen: a reference, or a suggested patient (the suggestions load off the thread)."""
        signed = self._signed()
        if signed is None:
            return
        may_open = signed.actor.may(Permission.PATIENT_OPEN)
        dialog = LinkDialog(letter, self._widget, may_open_patients=may_open)
        db = self.db

        def make(who: SignedIn) -> Callable[[], LetterDetail]:
            reference, patient = dialog.chosen_reference(), dialog.chosen_patient()
            if reference is not None:
                return lambda: work.link_to(db, who, letter.id, signal_reference=reference)
            return lambda: work.link_to(db, who, letter.id, patient_id=patient)

        self._open(LINK, dialog, make)
        if not may_open:
            return

        def loaded(choices: list[PatientChoice]) -> None:
            if _alive(dialog):
                dialog.set_suggestions(choices)

        def failed(exc: BaseException) -> None:
            if _alive(dialog):
                dialog.suggestions_failed(_text(exc))

        self.tasks.run(
            lambda: work.load_suggestions(db, signed, letter.id), loaded, failed, owner=dialog
        )

    def ask_end_involvement(self, letter: LetterDetail) -> None:
        """Betrokkenheid beëindigen: what ends, confirmed with Enter (Esc: nothing changes)."""
        dialog = EndInvolvementDialog(letter, self._widget)
        db, involvement_id = self.db, dialog.involvement_id

        def make(who: SignedIn) -> Callable[[], LetterDetail]:
            return lambda: work.end_involvement_by_letter(db, who, letter.id, involvement_id)

        self._open(END_INVOLVEMENT, dialog, make)

    def unlink(self, letter: LetterDetail) -> None:
        """Ontkoppelen: at once (linking again undoes it)."""
        signed, db = self._signed(), self.db
        if signed is not None:
            self._run(UNLINK, letter.id, lambda: work.unlink_letter(db, signed, letter.id))

    def archive(self, letter: LetterDetail) -> None:
        """Archiveren, confirmed in the pane."""
        signed, db = self._signed(), self.db
        if signed is not None:
            self._run(ARCHIVE, letter.id, lambda: work.archive_letter(db, signed, letter.id))
