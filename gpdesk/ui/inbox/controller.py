"""The Terugkoppeling page's controller: the list a page at a time, the letter, and its actions.

Every read and write runs through the ``TaskRunner`` (never on the GUI thread), each in its own
short session: the first page with the count and the teams (``store.listing``), further pages
when the list scrolls near its end, the letter when the cursor rests on a row or Enter is
pressed (``store.detail.letter_detail``, audited), an attachment's bytes when it is chosen or
saved (``letter_part_data``), and "Overgenomen in HIS" (``store.file_letter``). A result for a
request that was overtaken (other filters, another letter) is dropped.

"Kopieer voor HIS" makes the note with ``store.his.his_note`` and puts it on the practice's
sensitive clipboard (cleared after 30 seconds). The triage actions (toewijzen, doorsturen,
soort, koppelen, archiveren) are carried out by ``triage_controller.TriageActions``; after
each one the letter is shown as it is now, its row updated in place and the navigation's
number counted again.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QItemSelection, QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.inbox.store.detail import AttachmentData, AttachmentInfo, LetterDetail
from gpdesk.inbox.store.his import HisNote
from gpdesk.inbox.store.involvement import InvolvementInfo
from gpdesk.inbox.store.listing import PAGE_SIZE, LetterPage, LetterQuery, LetterRow, TeamChoice
from gpdesk.inbox.store.triage import InboxCounts
from gpdesk.models import LetterSource
from gpdesk.patients.context import PatientContext
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.ui.inbox.drop import OpenPathsAsker, ask_open_paths
from gpdesk.ui.inbox.involvement_dialog import InvolvementDialog
from gpdesk.ui.inbox.letter_actions import ANSWER, INVOLVE
from gpdesk.ui.inbox.page import InboxPage
from gpdesk.ui.inbox.phone_dialog import PhoneDialog, PhoneInput
from gpdesk.ui.inbox.triage_controller import TriageActions
from gpdesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from gpdesk.inbox.requests import AnswerRecord

DETAIL_DELAY_MS: Final = 150
"""The cursor rests this long on a row before its letter is opened (and audited)."""
UNEXPECTED: Final = "Er ging iets mis; probeer het opnieuw."
NO_PREVIEW: Final = (
    "Van dit soort bestand toont gpdesk geen voorbeeld. Bewaar het met Bijlage opslaan als… "
    "(Alt+L) om het in het HIS te zetten."
)
_UNSAFE_NAME: Final = re.compile(r"[^\w.\- ]+")

SavePathAsker = Callable[[QWidget, str], Path | None]


def _text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, GpdeskError) else UNEXPECTED


def safe_file_name(name: str) -> str:
    """An attachment's name fit to suggest in a save dialog: no folders, no odd characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")
    return cleaned[:120] or "bijlage"


def ask_save_path(parent: QWidget, suggested: str) -> Path | None:
    """The file dialog "Bijlage opslaan"; None when the user cancels."""
    from gpdesk.ui.kaart.handout_dialog import pdf_save_path

    name, _ = QFileDialog.getSaveFileName(
        parent, "Bijlage opslaan", str(pdf_save_path(safe_file_name(suggested)))
    )
    return Path(name) if name else None


COUNTS_EVERY_MS: Final = 60_000
"""How often the navigation's number is brought up to date while nobody looks at the inbox."""


@dataclass(frozen=True)
class FirstPage:
    """The list as first loaded, with the teams to filter on and the navigation's numbers."""

    total: int
    page: LetterPage
    teams: list[TeamChoice]
    counts: InboxCounts | None = None


def badge_number(counts: InboxCounts) -> int:
    """The navigation's number: what waits for this user, theirs (or their role's) or nobody's.

    A letter from a known team goes to that team's feedback contact on arrival, so it counts
    for that role ("Mijn"), not for everyone.
    """
    return counts.mine + counts.unassigned


def counts_text(counts: InboxCounts) -> str:
    """The navigation's tooltip: what waits, in words."""
    parts = [f"{counts.new} nieuw", f"{counts.mine} voor u"]
    if counts.advice_or_escalation:
        parts.append(f"{counts.advice_or_escalation} advies of escalatie")
    if counts.unmatched:
        parts.append(f"{counts.unmatched} niet gekoppeld")
    if counts.quarantined:
        parts.append(f"{counts.quarantined} in quarantaine")
    return "Wacht: " + ", ".join(parts) + "."


def load_counts(db: Database, signed: SignedIn) -> InboxCounts:
    """Worker: the numbers for the navigation (plain columns, not audited)."""
    from gpdesk.inbox.store.triage import counts

    with db.session() as session:
        return counts(session, signed.actor)


def _patient_id(session: object, signed: SignedIn, bsn: str) -> int | None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from gpdesk.models import Patient

    assert isinstance(session, Session)
    index = signed.vault.blind_index("bsn", bsn)
    return session.scalar(select(Patient.id).where(Patient.bsn_index == index))


def load_first(db: Database, signed: SignedIn, query: LetterQuery, bsn: str | None) -> FirstPage:
    """Worker: the count, the first page (audited) and the teams; one patient's with ``bsn``."""
    from dataclasses import replace

    from gpdesk.inbox.store.listing import count_letters, inbox_teams, letter_page
    from gpdesk.inbox.store.triage import counts

    with db.session() as session:
        teams = inbox_teams(session, signed.actor)
        numbers = counts(session, signed.actor)
        if bsn is not None:
            patient_id = _patient_id(session, signed, bsn)
            if patient_id is None:
                return FirstPage(0, LetterPage(0, []), teams, numbers)
            query = replace(query, patient_id=patient_id)
        total = count_letters(session, signed.actor, query)
        page = letter_page(session, signed.vault, signed.actor, query, offset=0)
        return FirstPage(total, page, teams, numbers)


def load_more(
    db: Database, signed: SignedIn, query: LetterQuery, bsn: str | None, offset: int
) -> LetterPage:
    """Worker: the page from ``offset``, audited."""
    from dataclasses import replace

    from gpdesk.inbox.store.listing import letter_page

    with db.session() as session:
        if bsn is not None:
            query = replace(query, patient_id=_patient_id(session, signed, bsn) or -1)
        return letter_page(session, signed.vault, signed.actor, query, offset=offset)


def load_letter(db: Database, signed: SignedIn, letter_id: int) -> LetterDetail:
    """Worker: one letter opened; the read is audited."""
    from gpdesk.inbox.store.detail import letter_detail

    with db.session() as session:
        return letter_detail(session, signed.vault, signed.actor, letter_id)


def load_part(db: Database, signed: SignedIn, letter_id: int, part_id: int) -> AttachmentData:
    """Worker: one safe attachment's bytes, for the preview; audited."""
    from gpdesk.inbox.store.detail import letter_part_data

    with db.session() as session:
        return letter_part_data(session, signed.vault, signed.actor, letter_id, part_id)


def file_one(db: Database, signed: SignedIn, letter_id: int) -> LetterDetail:
    """Worker: Overgenomen in HIS, committed with its audit entry; the letter as it is now."""
    from gpdesk.inbox.store import file_letter

    with db.session() as session:
        file_letter(session, signed.vault, signed.actor, letter_id)
    return load_letter(db, signed, letter_id)


def save_part(db: Database, signed: SignedIn, letter_id: int, part_id: int, target: Path) -> Path:
    """Worker: a safe attachment written to ``target`` (whole, or not at all); audited export."""
    from gpdesk.inbox.store.detail import letter_part_data

    with db.session() as session:
        data = letter_part_data(
            session, signed.vault, signed.actor, letter_id, part_id, export=True
        ).data
        partial = target.with_name(f".{target.name}.gpdesk-deel")
        try:
            with partial.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise GpdeskError(
                "De bijlage kon niet worden opgeslagen op die plek.",
                hint="Kies een andere map, bijvoorbeeld Documenten.",
            ) from exc
    return target


def make_his_note(db: Database, signed: SignedIn, letter_id: int, summary: str | None) -> HisNote:
    """Worker: the text for the HIS (audited as a read, ``letter.copy``)."""
    from gpdesk.inbox.store.his import his_note

    with db.session() as session:
        return his_note(session, signed.vault, signed.actor, letter_id, summary=summary)


def row_of(letter: LetterDetail) -> LetterRow:
    """The list's line for a letter just read: its row updates without reloading the list."""
    return LetterRow(
        id=letter.id, received_at=letter.received_at, state=letter.state, kind=letter.kind,
        kind_confirmed=letter.kind_confirmed, urgent=letter.urgent, sender=letter.sender,
        team_name=letter.team_name, signal_reference=letter.signal_reference,
        signal_status=letter.signal_status, patient_matched=letter.patient_matched,
        quarantined=letter.quarantined, forgotten=letter.forgotten, assignee=letter.assignee,
        subject=letter.subject,
    )  # fmt: skip


def text_of(data: bytes) -> str:
    """A text attachment's characters: UTF-8, else Windows-1252 as Dutch mail clients send it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class InboxController(QObject):
    """Keeps the Terugkoppeling page's list and reading pane current and carries out actions."""

    counts_changed = Signal(object)
    """``InboxCounts`` for the navigation, after each load of the list and every minute."""
    answered = Signal(object)
    """An information request was answered or refused (``AnswerRecord``): the outbox has work."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        signed: Callable[[], SignedIn | None],
        page: InboxPage,
        copy: Callable[[str], None],
        ask_path: SavePathAsker = ask_save_path,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.tasks, self._signed, self.page = db, tasks, signed, page
        self.ask_path = ask_path
        self._copy = copy
        self.patient: PatientContext | None = None
        self._list_generation = 0
        self._detail_generation = 0
        self._part_generation = 0
        self._chosen: int | None = None
        self._query = LetterQuery()
        self._bsn: str | None = None
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._load_letter)
        page.shown.connect(self.refresh)
        page.filters_changed.connect(self.refresh)
        page.model.more_wanted.connect(self._load_more)
        page.table.selectionModel().selectionChanged.connect(self._selection_changed)
        page.table.opened.connect(self._open_chosen)
        page.pane.part_chosen.connect(self._show_part)
        page.pane.file_confirmed.connect(self.file)
        page.pane.save_requested.connect(self.save)
        page.pane.his_requested.connect(self.his_note)
        page.pane.involvement_requested.connect(self.open_involvement)
        self.involvement_dialog: InvolvementDialog | None = None
        self._counts_timer = QTimer(self)
        self._counts_timer.setInterval(COUNTS_EVERY_MS)
        self._counts_timer.timeout.connect(self.refresh_counts)
        self._counts_timer.start()
        self.triage = TriageActions(
            db=db, tasks=tasks, signed=signed, parent_widget=page,
            changed=self._letter_changed, refused=self._letter_refused, parent=self,
        )  # fmt: skip
        self.triage.handlers[INVOLVE] = self._involve
        self.triage.handlers[ANSWER] = self._answer
        page.pane.action_requested.connect(self._letter_action)
        who = signed()
        if who is not None:
            page.pane.set_permissions(who.actor.permissions, who.actor.role)
        page.pane.set_may_file(who is not None and who.actor.may(Permission.LETTER_FILE))

    # -- the list --------------------------------------------------------------------------------

    def set_patient(self, patient: PatientContext | None) -> None:
        """Another patient in the banner: "van deze patiënt" follows, the list reloads if shown."""
        other = patient is None or self.patient is None or patient.bsn != self.patient.bsn
        if other and self.page.patient_filter():
            self._forget_letter()  # nothing of the previous patient stays on screen
        self.patient = patient
        self.page.set_patient_open(patient is not None)
        if self.page.isVisible() and self.page.patient_filter():
            self.refresh()

    def _current_query(self) -> LetterQuery:
        page = self.page
        state, all_states = page.state_filter()
        return LetterQuery(
            view=page.view(), state=state, all_states=all_states, team_id=page.team_filter()
        )

    def refresh(self) -> None:
        """Load the list again with the page's filters, off the GUI thread."""
        signed = self._signed()
        if signed is None:
            return
        page = self.page
        query = self._current_query()
        bsn = self.patient.bsn if self.patient is not None and page.patient_filter() else None
        self._query, self._bsn = query, bsn
        self._list_generation += 1
        generation, db = self._list_generation, self.db

        def done(first: FirstPage) -> None:
            if generation == self._list_generation:
                self._show_first(first)

        def failed(exc: BaseException) -> None:
            if generation == self._list_generation:
                page.model.reset([], page_size=PAGE_SIZE)
                page.show_count(0, _text(exc))

        self.tasks.run(lambda: load_first(db, signed, query, bsn), done, failed, owner=page)

    def refresh_counts(self) -> None:
        """The navigation's numbers, off the GUI thread (the list's load brings them too)."""
        signed = self._signed()
        if signed is None:
            return
        db = self.db
        self.tasks.run(
            lambda: load_counts(db, signed), self.counts_changed.emit, lambda _exc: None,
            owner=self.page,
        )  # fmt: skip

    def letters_arrived(self, _count: int = 0) -> None:
        """A fetch stored letters: the list reloads when on screen, else only the numbers.

        The letter being read stays in the reading pane and stays chosen (``_show_first``).
        """
        if self.page.isVisible():
            self.refresh()
        else:
            self.refresh_counts()

    def letters_checked(self, letter_ids: list[int]) -> None:
        """The reading pass checked these letters' PDFs: the list loads again.

        The letter being read loads again when it is one of them: its PDF now previewed, or
        the problem that keeps it closed shown.
        """
        self.letters_arrived(len(letter_ids))
        pane = self.page.pane
        if (
            self._chosen in letter_ids
            and pane.letter is not None
            and pane.letter.id == self._chosen
            and not self._detail_timer.isActive()
        ):
            self._load_letter()

    def _show_first(self, first: FirstPage) -> None:
        if first.counts is not None:
            self.counts_changed.emit(first.counts)
        page = self.page
        table = page.table
        page.set_teams(first.teams)
        table.selectionModel().blockSignals(True)
        page.model.reset(first.page.rows, page_size=PAGE_SIZE)
        row = page.model.row_of(self._chosen) if self._chosen is not None else -1
        if row >= 0:
            table.selectRow(row)
        elif page.model.rowCount() > 0 and not table.currentIndex().isValid():
            table.setCurrentIndex(page.model.index(0, 0))  # the cursor, without opening
            table.clearSelection()
        table.selectionModel().blockSignals(False)
        page.show_count(first.total)

    def _load_more(self, offset: int) -> None:
        signed = self._signed()
        if signed is None:
            return
        generation, db, query, bsn = self._list_generation, self.db, self._query, self._bsn
        model = self.page.model

        def done(more: LetterPage) -> None:
            if generation == self._list_generation:
                model.append(more.offset, more.rows, page_size=PAGE_SIZE)

        def failed(exc: BaseException) -> None:
            if generation == self._list_generation:
                model.page_failed()
                self.page.show_count(model.rowCount(), _text(exc))

        self.tasks.run(
            lambda: load_more(db, signed, query, bsn, offset), done, failed, owner=self.page
        )

    def _forget_letter(self) -> None:
        self._chosen = None
        self._detail_timer.stop()
        self._detail_generation += 1
        self.page.table.clearSelection()
        self.page.pane.show_letter(None)

    # -- the letter ------------------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {index.row() for index in selected.indexes()}
        row = self.page.model.row_at(min(rows)) if rows else None
        if row is None:
            return
        self._chosen = row.id
        self.page.pane.show_letter(None, busy="De brief wordt geopend…")
        self._detail_timer.start()

    def _open_chosen(self) -> None:
        """Enter on the list: the letter now, not after the pause."""
        if self._detail_timer.isActive() or self.page.pane.letter is None:
            self._detail_timer.stop()
            self._load_letter()

    def _load_letter(self) -> None:
        signed, letter_id = self._signed(), self._chosen
        if signed is None or letter_id is None:
            return
        self._detail_generation += 1
        generation, db, pane = self._detail_generation, self.db, self.page.pane

        def done(letter: LetterDetail) -> None:
            if generation == self._detail_generation:
                pane.show_letter(letter)

        def failed(exc: BaseException) -> None:
            if generation == self._detail_generation:
                pane.show_letter(None, busy=_text(exc))

        self.tasks.run(lambda: load_letter(db, signed, letter_id), done, failed, owner=pane)

    def _show_part(self, part: AttachmentInfo) -> None:
        """A safe attachment chosen: a PDF previewed, text shown, anything else described."""
        signed, letter = self._signed(), self.page.pane.letter
        pane = self.page.pane
        if signed is None or letter is None:
            return
        if part.part_kind not in ("pdf", "text"):
            pane.show_notice(f"{part.filename}: {NO_PREVIEW}")
            return
        self._part_generation += 1
        generation, db, letter_id = self._part_generation, self.db, letter.id

        def done(data: AttachmentData) -> None:
            if generation != self._part_generation:
                return
            if part.part_kind == "pdf":
                pane.show_pdf(part.id, data.data)
            else:
                pane.show_attachment_text(part.id, text_of(data.data))

        def failed(exc: BaseException) -> None:
            if generation == self._part_generation:
                pane.show_notice(_text(exc))

        self.tasks.run(lambda: load_part(db, signed, letter_id, part.id), done, failed, owner=pane)

    # -- triage ----------------------------------------------------------------------------------

    def _letter_action(self, key: str, letter_id: int) -> None:
        letter = self.page.pane.letter
        if letter is not None and letter.id == letter_id:
            self.triage.act(key, letter)

    def _letter_changed(self, letter: LetterDetail, text: str) -> None:
        """An action was done: the letter as it is now, its row, the navigation's number."""
        self.page.model.replace_row(row_of(letter))
        self.refresh_counts()
        pane = self.page.pane
        if self._chosen == letter.id or (pane.letter is not None and pane.letter.id == letter.id):
            self._detail_generation += 1  # a read still under way would show the old state
            pane.show_letter(letter)
            pane.show_message(text, info=True)
            self.page.table.setFocus()

    def _letter_refused(self, letter_id: int, text: str) -> None:
        """An action was refused: read the letter again (it may have changed), then say why."""
        signed = self._signed()
        pane = self.page.pane
        if signed is None or self._chosen != letter_id:
            pane.show_message(text)
            return
        self._detail_generation += 1
        generation, db = self._detail_generation, self.db

        def done(letter: LetterDetail) -> None:
            if generation == self._detail_generation:
                pane.show_letter(letter)
                pane.action_refused(text)
                self.page.model.replace_row(row_of(letter))
                self.refresh_counts()

        def failed(_exc: BaseException) -> None:
            if generation == self._detail_generation:
                pane.action_refused(text)

        self.tasks.run(lambda: load_letter(db, signed, letter_id), done, failed, owner=pane)

    # -- actions ---------------------------------------------------------------------------------

    def file(self, letter_id: int) -> None:
        """Overgenomen in HIS (confirmed in the pane): once; someone else's filing is named."""
        signed = self._signed()
        if signed is None:
            return
        self._detail_generation += 1
        generation, db, pane = self._detail_generation, self.db, self.page.pane

        def done(letter: LetterDetail) -> None:
            if generation != self._detail_generation:
                return
            pane.show_letter(letter)
            pane.show_message("Vastgelegd: overgenomen in het HIS.", info=True)
            self.page.table.setFocus()
            self.refresh()

        def failed(exc: BaseException) -> None:
            if generation == self._detail_generation:
                pane.file_refused(_text(exc))

        self.tasks.run(lambda: file_one(db, signed, letter_id), done, failed, owner=pane)

    def his_note(self, letter_id: int, summary: str | None) -> None:
        """Kopieer voor HIS: the note shown (summary None) or, with the summary, copied."""
        signed = self._signed()
        if signed is None:
            return
        db, pane, copy = self.db, self.page.pane, self._copy

        def done(note: HisNote) -> None:
            if summary is not None:
                copy(note.text)
            pane.show_his(letter_id, note.text, note.summary, copied=summary is not None)

        def failed(exc: BaseException) -> None:
            pane.show_message(_text(exc))

        self.tasks.run(
            lambda: make_his_note(db, signed, letter_id, summary), done, failed, owner=pane
        )

    def save(self, part: AttachmentInfo) -> None:
        """Bijlage opslaan als…: the dialog here, the reading and writing off the GUI thread."""
        signed, letter = self._signed(), self.page.pane.letter
        if signed is None or letter is None or not part.safe_to_open:
            return
        target = self.ask_path(self.page, part.filename)
        if target is None:
            return
        db, pane, letter_id = self.db, self.page.pane, letter.id

        def done(path: Path) -> None:
            pane.show_message(f"Opgeslagen als {path.name}.", info=True)

        def failed(exc: BaseException) -> None:
            pane.show_message(_text(exc))

        self.tasks.run(
            lambda: save_part(db, signed, letter_id, part.id, target), done, failed, owner=pane
        )

    # -- letters added by hand and calls written down (drop.py, phone_dialog.py) ---------------

    def start_intake(self, ask_files: OpenPathsAsker = ask_open_paths) -> None:
        """Wire "Brief toevoegen…", dropped files and "Telefoon vastleggen…"; per permission."""
        self.ask_files = ask_files
        self.phone_dialog: PhoneDialog | None = None
        who = self._signed()
        may_add = who is not None and who.actor.may(Permission.LETTER_READ)
        may_phone = who is not None and who.actor.may(Permission.LETTER_FILE)
        page = self.page
        page.intake.set_allowed(may_add=may_add, may_phone=may_phone)
        page.drop_zone.enabled = may_add
        page.intake.add_requested.connect(self.choose_files)
        page.intake.phone_requested.connect(self.record_phone)
        page.drop_zone.dropped.connect(self.take_in_files)

    def choose_files(self) -> None:
        """Brief toevoegen… (Ctrl+O): the file dialog here, the reading off the GUI thread."""
        if self._signed() is None or not self.page.intake.add_button.isEnabled():
            return
        paths = self.ask_files(self.page)
        if paths:
            self.take_in_files(paths, LetterSource.IMPORTED)

    def take_in_files(self, paths: list[Path], source: LetterSource = LetterSource.DROPPED) -> None:
        """Files dropped or chosen: stored through the intake, the outcome said on the page."""
        from gpdesk.ui.inbox.drop import IntakeOutcome, take_in_paths

        signed = self._signed()
        if signed is None or not paths:
            return
        intake, db, batch = self.page.intake, self.db, list(paths)
        intake.show_busy(len(batch))

        def done(outcome: IntakeOutcome) -> None:
            intake.show_message(outcome.summary(), problem=outcome.refused_any)
            self.show_new(outcome.newest_id)

        def failed(exc: BaseException) -> None:
            intake.show_message(_text(exc), problem=True)

        self.tasks.run(
            lambda: take_in_paths(db, signed, batch, source), done, failed, owner=self.page
        )

    def show_new(self, letter_id: int | None) -> None:
        """A letter just added: the list reloaded with it chosen and opened, the count updated.

        Filters that would hide it are put back to the default (te doen, alle teams).
        """
        from gpdesk.inbox.store.listing import LetterView

        if letter_id is None:
            self.refresh()
            return
        page = self.page
        if page.filtered():
            widgets = (page.views, page.state, page.team, page.this_patient)
            for widget in widgets:
                widget.blockSignals(True)
            page.chips[LetterView.ALL].setChecked(True)
            page.state.setCurrentIndex(0)
            page.team.setCurrentIndex(0)
            page.this_patient.setChecked(False)
            for widget in widgets:
                widget.blockSignals(False)
        self._chosen = letter_id
        self.refresh()
        self._detail_timer.start()

    def record_phone(self) -> None:
        """Telefoon vastleggen…: the dialog, its choices loaded and its input saved off-thread."""
        from gpdesk.ui.inbox.phone_dialog import load_choices

        signed = self._signed()
        if signed is None or not self.page.intake.phone_button.isEnabled():
            return
        if self.phone_dialog is not None:
            self.phone_dialog.raise_()
            self.phone_dialog.activateWindow()
            return
        dialog = PhoneDialog(self.page, patient=self.patient)
        self.phone_dialog = dialog
        db, bsn = self.db, None if self.patient is None else self.patient.bsn
        dialog.save_requested.connect(self._save_phone)
        dialog.finished.connect(self._phone_closed)
        self.tasks.run(
            lambda: load_choices(db, signed, bsn), dialog.set_choices,
            lambda exc: dialog.show_status(_text(exc)), owner=dialog,
        )  # fmt: skip
        dialog.open()

    def _save_phone(self, entry: PhoneInput) -> None:
        from gpdesk.errors import ValidationError
        from gpdesk.inbox.store.shapes import LetterSummary
        from gpdesk.ui.inbox.phone_dialog import save_phone

        signed, dialog = self._signed(), self.phone_dialog
        if signed is None or dialog is None:
            return
        db = self.db
        dialog.set_busy(True)

        def done(kept: LetterSummary) -> None:
            dialog.saved(kept)
            self.page.intake.show_message(
                "De telefonische terugkoppeling is vastgelegd. Zet die in het HIS zoals een "
                "brief: Kopieer voor HIS, dan Overgenomen in HIS."
            )
            self.show_new(kept.id)

        def failed(exc: BaseException) -> None:
            dialog.set_busy(False)
            if isinstance(exc, ValidationError):
                dialog.show_problems(exc.problems)
            else:
                dialog.show_status(_text(exc))

        self.tasks.run(lambda: save_phone(db, signed, entry), done, failed, owner=dialog)

    def _phone_closed(self, _result: int) -> None:
        dialog, self.phone_dialog = self.phone_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if self.page.isVisible():
            self.page.table.setFocus()

    # -- from elsewhere -------------------------------------------------------------------------

    def open_letter(self, letter_id: int) -> None:
        """Show this letter, asked for from another area (a signal's timeline: "Openen").

        The letter is read at once (audited as any read); its row is chosen when the list holds
        it, now or once the list has loaded (a filed letter may be filtered away: it is shown
        all the same).
        """
        self._chosen = letter_id
        self._detail_timer.stop()
        table = self.page.table
        row = self.page.model.row_of(letter_id)
        table.selectionModel().blockSignals(True)
        if row >= 0:
            table.selectRow(row)
        else:
            table.clearSelection()
        table.selectionModel().blockSignals(False)
        self.page.pane.show_letter(None, busy="De brief wordt geopend…")
        self._load_letter()

    # -- betrokkenheid (a betrokkenheidsmelding) ------------------------------------------------

    def _involve(self, letter: LetterDetail) -> None:
        """The letter action (Ctrl+Shift+I, the Meer menu): the same dialog as the button."""
        self.open_involvement(letter.id)

    def open_involvement(self, letter_id: int) -> InvolvementDialog | None:
        """Betrokkenheid vastleggen: the dialog; Vastleggen stores it off the GUI thread."""
        from gpdesk.models import utcnow
        from gpdesk.signals.consent import local_date

        letter = self.page.pane.letter
        if letter is None or letter.id != letter_id or self._signed() is None:
            return None
        dialog = InvolvementDialog(self.page, letter, today=local_date(utcnow()))
        self.involvement_dialog = dialog
        dialog.confirm.clicked.connect(lambda: self._register(dialog))
        dialog.finished.connect(lambda _code: self._involvement_closed(dialog))
        dialog.open()
        return dialog

    def _involvement_closed(self, dialog: InvolvementDialog) -> None:
        if self.involvement_dialog is dialog:
            self.involvement_dialog = None
            self.page.pane.involvement_button.setFocus()
        dialog.deleteLater()

    def _register(self, dialog: InvolvementDialog) -> None:
        signed = self._signed()
        if signed is None:
            return
        db, pane, letter_id = self.db, self.page.pane, dialog.letter_id
        since, team = dialog.since_date(), dialog.team_name()
        dialog.set_busy(True)

        def done(info: InvolvementInfo) -> None:
            dialog.accept()
            if pane.letter is not None and pane.letter.id == letter_id:
                pane.show_message(
                    f"Vastgelegd: {info.text}. U ziet dit in Signaleren bij de patiënt en in "
                    "het signaalformulier.",
                    info=True,
                )

        def failed(exc: BaseException) -> None:
            dialog.show_problem(_problem_text(exc))

        self.tasks.run(
            lambda: register_one(db, signed, letter_id, since, team), done, failed, owner=dialog
        )

    # -- informatieverzoek (request_dialog.py) --------------------------------------------------

    def _answer(self, letter: LetterDetail) -> None:
        """The letter action (Ctrl+Shift+R, the Meer menu, the main button for a GP)."""
        self.answer(letter.id)

    def answer(self, letter_id: int) -> None:
        """Informatieverzoek beantwoorden: the dialog; afterwards the letter as it is now."""
        from gpdesk.ui.inbox.request_dialog import RequestAnswering, sent_text

        answering = RequestAnswering(
            db=self.db, tasks=self.tasks, signed=self._signed, parent_widget=self.page,
            parent=self,
        )  # fmt: skip

        def done(record: AnswerRecord) -> None:
            self.answered.emit(record)
            self._detail_generation += 1
            generation, db, pane = self._detail_generation, self.db, self.page.pane
            signed = self._signed()
            self.refresh()
            if signed is None:
                return

            def shown(letter: LetterDetail) -> None:
                if generation == self._detail_generation:
                    pane.show_letter(letter)
                    pane.show_message(sent_text(record), info=True)

            self.tasks.run(lambda: load_letter(db, signed, letter_id), shown, owner=pane)

        answering.answered.connect(done)
        dialog = answering.open(letter_id)
        if dialog is None:
            answering.deleteLater()
        else:
            dialog.finished.connect(lambda _result: answering.deleteLater())


def _problem_text(exc: BaseException) -> str:
    from gpdesk.errors import ValidationError

    if isinstance(exc, ValidationError):
        return " ".join(exc.problems.values())
    return _text(exc)


def register_one(
    db: Database, signed: SignedIn, letter_id: int, since: date, team: str | None
) -> InvolvementInfo:
    """Worker: the letter's team registered as involved with its patient; committed, audited."""
    from gpdesk.inbox.store.involvement import register_involvement

    with db.session() as session:
        return register_involvement(
            session, signed.vault, signed.actor, letter_id, since=since, team_name=team
        )
