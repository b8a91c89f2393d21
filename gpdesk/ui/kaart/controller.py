"""The Sociale kaart's controller: loads the kaart, runs the search, carries out the actions.

What runs where, and why:

- Loading (search documents, result rows, themes, "nu open"/"inloop vandaag" ids) and building
  the ``SearchIndex`` happen in one background unit of work when the page is first shown, and
  again on ``reload()``. The index is immutable, so the GUI thread reads it without locks.
- A keystroke runs ``index.search`` on the GUI thread after a 60 ms pause in typing. A search
  takes well under 5 ms (the benchmark measures it), so a worker round-trip would only add
  latency and ordering problems; the pause just folds fast typing and pastes into one search.
- The clock-bound parts (open now, walk-in today, next walk-in hour, verouderd) are reloaded
  in the background every few minutes, and the filters ask those sets at query time.
- Details, checks ("Gecontroleerd") and everything else touching the database go through
  ``tasks.run``; the core checks permissions again and writes the audit entry.
- A postcode typed alone in the search box is the phone's question "who is responsible here?":
  ``routing.route`` runs through ``tasks.run`` (once per postcode and kaart load), its answer
  stands above the list, and the list holds what serves that postcode, the responsible team
  first.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget
from shiboken6 import isValid

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.correction import build_correction, patient_data_problem, recipient
from gpdesk.kaart.handout import BODY_SIZES, contact_lines, handout_document, save_handout_pdf
from gpdesk.kaart.postcodes import typed_postcode
from gpdesk.kaart.routing import Routing, display_postcode
from gpdesk.kaart.search.index import Found, Hit, SearchFilters, SearchIndex
from gpdesk.kaart.store.queries import ServiceDetail, ServiceRow, local_today
from gpdesk.letters.document import Document
from gpdesk.letters.html import to_html
from gpdesk.patients.context import PatientContext
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission
from gpdesk.ui.kaart.detail import CorrectionDialog, today_label
from gpdesk.ui.kaart.handout_dialog import HandoutDialog, pdf_save_path, print_to
from gpdesk.ui.kaart.models import ResultsModel
from gpdesk.ui.kaart.page import HINT, LOADING, NO_RESULTS, KaartPage
from gpdesk.ui.tasks import TaskRunner

SEARCH_DELAY_MS = 60
DETAIL_DELAY_MS = 80
LIVE_REFRESH_MS = 5 * 60_000
RESULT_LIMIT = 200

CHOOSE = (
    "Kies een voorziening in de lijst. Hier ziet u dan wat ze doet, voor wie, wie u kunt "
    "bellen, en waar en wanneer de patiënt terechtkan."
)


def _text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, GpdeskError) else "Er ging iets mis; probeer opnieuw."


def age_on(birth: date, today: date) -> int:
    """Age in whole years on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def file_name(service: str) -> str:
    """A safe PDF name for a service ("schuldhulpverlening-schiedam.pdf")."""
    slug = re.sub(r"[^a-z0-9]+", "-", service.lower()).strip("-")
    return f"{slug or 'voorziening'}.pdf"


def filters_empty_text(labels: tuple[str, ...], without: int) -> str:
    """The list is empty because of the filters, not the words: say which, and what they hide."""
    text = f"Geen resultaten met deze filters ({', '.join(labels)})."
    if without:
        text += " Zonder filters: 1 resultaat." if without == 1 else f" Zonder filters: {without}."
    return text


def _promoted(hits: list[Hit], first: list[str]) -> list[Hit]:
    """``hits`` with the services in ``first`` (the responsible team) moved to the front."""
    order = {service_id: i for i, service_id in enumerate(first)}
    return sorted(hits, key=lambda h: order.get(h.id, len(order)))


@dataclass(frozen=True)
class LiveData:
    """The clock-bound part of the kaart, reloaded every few minutes."""

    rows: dict[str, ServiceRow]
    open_ids: frozenset[str]
    walk_in_ids: frozenset[str]
    version: str = ""
    """``store.kaart_version`` when loaded: a different one means the index is out of date."""


@dataclass(frozen=True)
class KaartData:
    """Everything the screen needs, loaded and built in one background unit of work."""

    index: SearchIndex
    themes: tuple[str, ...]
    live: LiveData
    changes: int = 0
    """Lines in the "Wat is er veranderd" digest of the last ``CHANGES_DAYS`` days."""


CHANGES_DAYS = 30


def _load_live(db: Database) -> LiveData:
    from gpdesk.kaart.store.queries import (
        kaart_version,
        list_rows,
        open_service_ids,
        walk_in_today_ids,
    )
    from gpdesk.models import utcnow

    now = utcnow()
    with db.session() as session:
        version = kaart_version(session)
        rows = {row.id: row for row in list_rows(session, now=now)}
        open_ids = frozenset(open_service_ids(session, now))
        walk_in_ids = frozenset(walk_in_today_ids(session, now))
    return LiveData(rows, open_ids, walk_in_ids, version)


def _load_version(db: Database) -> str:
    from gpdesk.kaart.store.queries import kaart_version

    with db.session() as session:
        return kaart_version(session)


def _load_all(db: Database) -> KaartData:
    from datetime import timedelta

    from gpdesk.kaart.changes.digest import recent_changes
    from gpdesk.kaart.store.queries import list_themes, search_documents
    from gpdesk.models import utcnow

    live = _load_live(db)  # first, so its version is never newer than the documents
    with db.session() as session:
        documents = search_documents(session)
        themes = tuple(t.name for t in list_themes(session))
        digest = recent_changes(session, since=utcnow() - timedelta(days=CHANGES_DAYS))
    return KaartData(SearchIndex.build(documents), themes, live, len(digest.lines) + digest.more)


class KaartController(QObject):
    """Drives the Sociale kaart page for one signed-in user."""

    def __init__(
        self,
        *,
        db: Database,
        signed: SignedIn,
        tasks: TaskRunner,
        page: KaartPage,
        practice_name: str,
        patient: PatientContext | None = None,
        open_url: Callable[[QUrl], bool] | None = None,
    ) -> None:
        super().__init__(page)
        self.db, self.tasks, self.page, self.practice_name = db, tasks, page, practice_name
        self._signed: SignedIn | None = signed
        self._may_check = signed.actor.may(Permission.KAART_EDIT)
        self.open_url: Callable[[QUrl], bool] = open_url or QDesktopServices.openUrl
        """Opens the mailto: link; a test puts a recorder here."""
        self._patient: PatientContext | None = None
        self._index: SearchIndex | None = None
        self._live = LiveData({}, frozenset(), frozenset())
        self._loading = False
        self._load_error: str | None = None
        self._selected_id: str | None = None
        self._last_query = ""
        self.result_limit = RESULT_LIMIT
        """How many results the list shows at most; the count says "en nog N" beyond it."""
        self.routing: Routing | None = None
        """The answer for the postcode in the search box, once it has come back."""
        self._route_for: str | None = None
        self._route_generation = 0
        self.detail: ServiceDetail | None = None
        self._detail_generation = 0
        self.handout_dialog: HandoutDialog | None = None

        self.model = ResultsModel()
        page.results.setModel(self.model)
        page.results.selectionModel().currentChanged.connect(self._current_changed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(DETAIL_DELAY_MS)
        self._detail_timer.timeout.connect(self._load_detail)
        self._live_timer = QTimer(self)
        self._live_timer.setInterval(LIVE_REFRESH_MS)
        self._live_timer.timeout.connect(self.refresh_live)

        page.shown.connect(self.activate)
        page.search.textChanged.connect(self._schedule_search)
        page.theme_changed.connect(self._schedule_search)
        page.age.textChanged.connect(self._schedule_search)
        for chip in (
            page.postcode_chip,
            page.open_chip,
            page.walk_in_chip,
            page.capacity_chip,
            page.only_open_chip,
        ):
            chip.toggled.connect(self._schedule_search)
        page.search.open_requested.connect(self.focus_detail)
        page.results.open_requested.connect(self.focus_detail)
        page.results.doubleClicked.connect(self.focus_detail)
        page.reload_requested.connect(self.reload)
        page.answer.service_requested.connect(self.open_service)
        page.answer.link_requested.connect(lambda href: self.open_url(QUrl(href)))
        page.changes_button.clicked.connect(self.open_changes)
        self.changes_dialog: QWidget | None = None
        detail = page.detail
        detail.print_button.clicked.connect(self.open_handout)
        detail.copy_button.clicked.connect(self.copy_contact)
        detail.checked_button.clicked.connect(self.mark_checked)
        detail.correction_button.clicked.connect(self.report_correction)
        self.set_patient(patient)
        if page.isVisible():
            self.activate()

    @property
    def signed(self) -> SignedIn | None:
        """The signed-in user; the Desktop sets None on lock, dropping our key reference."""
        return self._signed

    @signed.setter
    def signed(self, value: SignedIn | None) -> None:
        self._signed = value
        if value is None and self.handout_dialog is not None:
            self.handout_dialog.close()  # it may show the patient's name over the lock page

    def _alive(self) -> bool:
        """False once the window is gone (a colleague took over) while work was under way."""
        return isValid(self.page)

    # -- loading -----------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Whether the search index is built (the list can show results)."""
        return self._index is not None

    def activate(self) -> None:
        """The page is on screen: build the index the first time, rebuild it when stale."""
        if self._index is None and not self._loading:
            self.reload()
            return
        db = self.db
        self.tasks.run(lambda: _load_version(db), self._check_version, lambda _exc: None)

    def _check_version(self, version: str) -> None:
        if self._alive() and version != self._live.version:
            self.reload()  # edited in Beheer, imported, or changed at another workstation

    def reload(self) -> None:
        """Load the kaart again and rebuild the index (after an import or an edit)."""
        if self._loading:
            return
        self._loading = True
        if self._index is None:
            self.page.show_message(LOADING)
        db = self.db
        self.tasks.run(lambda: _load_all(db), self._loaded, self._load_failed)

    def _loaded(self, data: KaartData) -> None:
        if not self._alive():
            return
        self._loading, self._load_error = False, None
        self._index, self._live = data.index, data.live
        self._route_for, self.routing = None, None  # the kaart changed: ask again
        self.page.set_themes(list(data.themes))
        self.page.set_change_count(data.changes)
        self._live_timer.start()
        self.run_search()
        if self.detail is not None:
            self._load_detail(force=True)

    def _load_failed(self, exc: BaseException) -> None:
        if not self._alive():
            return
        self._loading = False
        self._load_error = "De sociale kaart kon niet worden geladen. " + _text(exc)
        if self._index is None:
            self.page.show_message(self._load_error)

    def refresh_live(self) -> None:
        """Reload what changes with the clock: open now, walk-in today, next hour, verouderd."""
        if self.signed is None:
            return  # locked: nobody is looking
        db = self.db
        self.tasks.run(lambda: _load_live(db), self._live_loaded, lambda _exc: None)

    def _live_loaded(self, live: LiveData) -> None:
        if not self._alive():
            return
        if live.version != self._live.version:
            self.reload()
            return
        self._live = live
        if self._route_for is not None:
            self._ask_route(self._route_for, again=True)  # its next walk-in hour moved on
        if self.page.open_chip.isChecked() or self.page.walk_in_chip.isChecked():
            self.run_search()  # who passes these filters changed with the clock
        else:
            self.model.refresh(live.rows, open_ids=live.open_ids, today=local_today())

    # -- patient and search ----------------------------------------------------------------

    def set_patient(self, ctx: PatientContext | None) -> None:
        """Prefill the postcode and age filters from the patient in context (or clear them)."""
        self._patient = ctx
        if ctx is None:
            self.page.set_patient_filters(None, None)
        else:
            self.page.set_patient_filters(ctx.postcode[:4], age_on(ctx.birth_date, local_today()))
        if self.handout_dialog is not None:
            self.handout_dialog.close()
        self._schedule_search()

    def _schedule_search(self) -> None:
        self._search_timer.start()

    def filters(self) -> SearchFilters:
        """The filters as the chips say now."""
        page, live = self.page, self._live
        postcode = (
            self._patient.postcode[:4]
            if self._patient is not None and page.postcode_chip.isChecked()
            else None
        )
        return SearchFilters(
            theme=page.theme(),
            postcode=postcode,
            age=page.age_value(),
            has_capacity=page.capacity_chip.isChecked(),
            open_now=page.open_chip.isChecked(),
            walk_in_today=page.walk_in_chip.isChecked(),
            only_open=page.only_open_chip.isChecked(),
            is_open_now=live.open_ids.__contains__,
            is_walk_in_today=live.walk_in_ids.__contains__,
        )

    def run_search(self) -> None:
        """Search now (the debounce timer calls this); keeps the chosen service selected."""
        self._search_timer.stop()
        page, index = self.page, self._index
        if index is None:
            page.show_message(self._load_error or LOADING)
            return
        query = page.search.text()
        postcode = typed_postcode(query)
        if postcode is not None:
            self._postcode_search(index, postcode)
            return
        self._forget_route()
        filters = self.filters()
        # The patient's postcode and age alone do not make a question: ask for a word first.
        browsing = not query.strip() and not (
            filters.theme or filters.open_now or filters.walk_in_today or filters.has_capacity
        )
        if browsing:
            self._last_query = ""
            self._show_results(Found([], 0), HINT)
            return
        found = index.find(query, filters=filters, limit=self.result_limit)
        labels = filters.labels()
        # Say when filters hide matches, so nobody misses a service behind a chip (< 5 ms).
        without = index.find(query, limit=1).total if labels and query.strip() else 0
        empty = NO_RESULTS
        if labels and (without or not query.strip()):
            empty = filters_empty_text(labels, without)
        # A new word means a new question: the best hit first. A filter or a reload keeps the
        # service the user is reading.
        keep = " ".join(query.split()) == self._last_query
        self._last_query = " ".join(query.split())
        self._show_results(
            found,
            empty,
            keep_selection=keep,
            hidden=max(without - found.total, 0),
            can_clear=empty != NO_RESULTS,
        )

    def _postcode_search(self, index: SearchIndex, postcode: str) -> None:
        """A postcode alone: who is responsible (answer panel) and what serves it (the list).

        The typed postcode stands in for the patient's postcode chip: it is what was asked.
        """
        self._ask_route(postcode)
        chips = replace(self.filters(), postcode=None)
        found = index.find("", filters=replace(chips, postcode=postcode), limit=self.result_limit)
        served = index.find("", filters=SearchFilters(postcode=postcode), limit=1).total
        labels = chips.labels()
        routing = self.routing if self._route_for == postcode else None
        first = [] if routing is None else [t.id for t in routing.teams]
        empty = (
            filters_empty_text(labels, served)
            if labels and served
            else f"Geen voorzieningen van deze sociale kaart voor postcode "
            f"{display_postcode(postcode)}."
        )
        keep = postcode == self._last_query
        self._last_query = postcode
        self._show_results(
            Found(_promoted(found.hits, first), found.total),
            empty,
            keep_selection=keep,
            hidden=max(served - found.total, 0),
            can_clear=bool(labels and served),
        )

    def _ask_route(self, postcode: str, *, again: bool = False) -> None:
        """Ask the kaart who answers for ``postcode``, unless that answer is already here.

        ``again``: the clock moved (next walk-in hour); the answer on screen stays until the
        new one replaces it, and the list keeps its selection.
        """
        if postcode == self._route_for and not again:
            return
        first = postcode != self._route_for or self.routing is None
        self._route_for = postcode
        if first:
            self.routing = None
        self._route_generation += 1
        generation, db = self._route_generation, self.db

        def work() -> Routing:
            from gpdesk.kaart.routing import route

            with db.session() as session:
                return route(session, postcode)

        def done(routing: Routing) -> None:
            if generation != self._route_generation or not self._alive():
                return
            self.routing = routing
            self.page.answer.show_routing(routing)
            if first:
                self._last_query = ""  # a new answer: select the responsible team
                self.run_search()

        def failed(exc: BaseException) -> None:
            if generation == self._route_generation and self._alive():
                self.page.answer.show_text(_text(exc))

        self.tasks.run(work, done, failed)

    def _forget_route(self) -> None:
        """No postcode in the box any more: no answer panel, and a late answer is ignored."""
        if self._route_for is not None:
            self._route_generation += 1
            self._route_for, self.routing = None, None
        self.page.answer.clear_answer()

    def _show_results(
        self,
        found: Found,
        empty_text: str,
        *,
        keep_selection: bool = True,
        hidden: int = 0,
        can_clear: bool = False,
    ) -> None:
        page = self.page
        self.model.set_results(
            found.hits,
            self._live.rows,
            open_ids=self._live.open_ids,
            today=local_today(),
        )
        if self.model.rowCount() == 0:
            # The message itself says what the filters hide ("Zonder filters: 3.").
            page.show_message(empty_text, can_clear=can_clear)
            self._selected_id, self.detail = None, None
            self._detail_generation += 1
            page.detail.show_empty(CHOOSE)
            return
        page.show_list(self.model.rowCount(), hidden=hidden, more=found.more)
        position = (
            self.model.position_of(self._selected_id)
            if keep_selection and self._selected_id is not None
            else None
        )
        current = self.model.index(position or 0, 0)
        page.results.setCurrentIndex(current)
        page.results.scrollTo(current)
        # A reset may keep the view's current row number while the service there changed, and
        # then no currentChanged comes: follow the row explicitly (it ignores no-changes).
        self._current_changed(current, QModelIndex())

    # -- detail --------------------------------------------------------------------------------

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row())
        if row is None:
            return
        self._selected_id = row.id
        if self.detail is not None and self.detail.id == row.id:
            return
        self.page.detail.set_actions_enabled(False)  # never print the previous service
        self._detail_timer.start()

    def _load_detail(self, *, force: bool = False) -> None:
        service_id, db = self._selected_id, self.db
        if service_id is None:
            return
        if not force and self.detail is not None and self.detail.id == service_id:
            return
        self._detail_generation += 1
        generation = self._detail_generation

        def work() -> ServiceDetail:
            from gpdesk.kaart.store.queries import service_detail

            with db.session() as session:
                return service_detail(session, service_id)

        def done(detail: ServiceDetail) -> None:
            # Ignore a detail the user moved past, or one for a window that is gone.
            if generation == self._detail_generation and self._alive():
                self._show_detail(detail)

        def failed(exc: BaseException) -> None:
            if generation == self._detail_generation and self._alive():
                self.page.detail.show_empty(_text(exc))

        self.tasks.run(work, done, failed)

    def _show_detail(self, detail: ServiceDetail) -> None:
        self.detail = detail
        self.page.detail.show_detail(detail, today=local_today(), may_check=self._may_check)

    def _shown(self) -> ServiceDetail | None:
        """The detail on screen, if it is the one selected (the next may still be loading)."""
        detail = self.detail
        return detail if detail is not None and detail.id == self._selected_id else None

    def open_service(self, service_id: str) -> None:
        """Show one service in the detail pane, also when it is not in the current results."""
        self._selected_id = service_id
        self.page.results.clearSelection()
        self.page.detail.set_actions_enabled(False)
        self._load_detail(force=True)

    def open_changes(self) -> None:
        """'Wat is er veranderd': the digest in a small window; 'Bekijk' opens the service."""
        from PySide6.QtWidgets import QVBoxLayout

        from gpdesk.ui.kaart_digest import ChangeDigestPanel, load_digest
        from gpdesk.ui.sizing import fit_to_screen

        dialog = QDialog(self.page)
        dialog.setObjectName("kaartChangesDialog")
        dialog.setWindowTitle("Wat is er veranderd in de sociale kaart")
        fit_to_screen(dialog, 720, 480)
        panel = ChangeDigestPanel(dialog)
        panel.service_requested.connect(self.open_service)
        panel.service_requested.connect(dialog.accept)
        layout = QVBoxLayout(dialog)
        layout.addWidget(panel)
        load_digest(panel, db=self.db, tasks=self.tasks, days=CHANGES_DAYS)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()
        self.changes_dialog = dialog

    def focus_detail(self) -> None:
        """Enter: go to the detail of the chosen service (the first one if none is chosen)."""
        if self.model.rowCount() == 0:
            return
        if not self.page.results.currentIndex().isValid():
            self.page.results.setCurrentIndex(self.model.index(0, 0))
        self._detail_timer.stop()
        self._load_detail()
        self.page.detail.body.setFocus()

    # -- actions -----------------------------------------------------------------------------

    def copy_contact(self) -> None:
        """Copy who to call, phone and e-mail (kaart data only; the normal clipboard)."""
        detail = self._shown()
        if detail is None:
            return
        QGuiApplication.clipboard().setText(contact_lines(detail))
        self.page.detail.show_notice("Contactgegevens gekopieerd.")

    def mark_checked(self) -> None:
        """Record that the user checked this entry today; the core refuses without permission."""
        signed, detail, db = self.signed, self._shown(), self.db
        if signed is None or detail is None or not self._may_check:
            return
        contact_ids: list[str] = []
        for contact in (*detail.fixed_contacts, *detail.contacts):
            contact_ids.append(contact.id)
            if contact.deputy is not None:
                contact_ids.append(contact.deputy.id)
        self.page.detail.set_busy(True)

        def work() -> tuple[ServiceDetail, LiveData]:
            from gpdesk.kaart.store.queries import assure_service, service_detail

            with db.session() as session:
                assure_service(session, signed.actor, detail.id, contact_ids=contact_ids)
            with db.session() as session:
                fresh = service_detail(session, detail.id)
            return fresh, _load_live(db)

        def done(result: tuple[ServiceDetail, LiveData]) -> None:
            fresh, live = result
            if not self._alive():
                return
            self.page.detail.set_busy(False)
            self._live = live
            if self._selected_id == fresh.id:
                self._show_detail(fresh)
            self.model.refresh(live.rows, open_ids=live.open_ids, today=local_today())
            self.page.detail.show_notice(
                f"Vastgelegd: gecontroleerd op {today_label(local_today())} door "
                f"{signed.actor.display_name}."
            )

        def failed(exc: BaseException) -> None:
            if not self._alive():
                return
            self.page.detail.set_busy(False)
            self.page.detail.show_notice(_text(exc), warning=True)

        self.tasks.run(work, done, failed)

    def report_correction(self) -> None:
        """Ask what is wrong, then open the mail client with the prepared message."""
        detail = self._shown()
        if detail is None or self.signed is None:
            return
        dialog = CorrectionDialog(
            self.page, service=detail.name, recipient=recipient(detail), check=patient_data_problem
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.send_correction(dialog.text.toPlainText())

    def send_correction(self, text: str) -> bool:
        """Open the mail client for ``text``; False (and a notice) when that is not possible."""
        detail, signed = self._shown(), self.signed
        if detail is None or signed is None:
            return False
        notice = self.page.detail.show_notice
        problem = patient_data_problem(text) if text.strip() else "Schrijf kort wat er niet klopt."
        if problem:
            notice(problem, warning=True)
            return False
        mail = build_correction(
            detail,
            what_is_wrong=text,
            reporter=signed.actor.display_name,
            practice_name=self.practice_name,
            today=local_today(),
        )
        if mail.to is None:
            notice("Van deze voorziening is geen e-mailadres bekend; bel ze liever.", warning=True)
            return False
        if not self.open_url(QUrl.fromEncoded(mail.mailto_url().encode("ascii"))):
            QGuiApplication.clipboard().setText(
                f"Aan: {mail.to}\nOnderwerp: {mail.subject}\n\n{mail.body}"
            )
            notice(
                f"Er opende geen e-mailprogramma. Het bericht staat op het klembord; mail het "
                f"zelf naar {mail.to}.",
                warning=True,
            )
            return False
        notice(f"Uw e-mailprogramma is geopend met een bericht aan {mail.to}.")
        return True

    # -- handout -----------------------------------------------------------------------------

    def handout(self, body_pt: float = BODY_SIZES[0]) -> Document:
        """The handout for the shown service; the patient's name only when ticked."""
        assert self.detail is not None
        dialog = self.handout_dialog
        with_name = (
            dialog is not None and dialog.include_name.isChecked() and self._patient is not None
        )
        return handout_document(
            self.detail,
            practice_name=self.practice_name,
            today=local_today(),
            patient_name=self._patient.name if with_name and self._patient else None,
            body_pt=body_pt,
        )

    def handout_html(self, body_pt: float = BODY_SIZES[0]) -> str:
        """The handout as the preview shows it and the printer gets it."""
        return to_html(self.handout(body_pt))

    def open_handout(self) -> HandoutDialog | None:
        """Ctrl+P: the preview with "naam patiënt op het blad" (off), print and save."""
        if self._shown() is None:
            return None
        dialog = HandoutDialog(self.page, patient_available=self._patient is not None)
        self.handout_dialog = dialog
        dialog.include_name.toggled.connect(lambda _on: dialog.set_html(self.handout_html()))
        dialog.print_requested.connect(self.print_handout)
        dialog.save_requested.connect(self.choose_pdf)
        dialog.finished.connect(lambda _code: self._handout_closed(dialog))
        dialog.set_html(self.handout_html())
        dialog.open()
        return dialog

    def _handout_closed(self, dialog: HandoutDialog) -> None:
        if self.handout_dialog is dialog:
            self.handout_dialog = None
        dialog.deleteLater()

    def print_handout(self) -> None:
        """The system print dialog, then print (on the GUI thread, as Qt printing requires)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from gpdesk.ui.kaart.handout_dialog import page_layout

        dialog = self.handout_dialog
        if dialog is None or self.detail is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout())
        printer.setDocName(f"Informatie {self.detail.name}")  # no patient data in spool lists
        chooser = QPrintDialog(printer, dialog)
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        print_to(self.handout_html, printer)
        dialog.show_status("Het blad is naar de printer gestuurd.")

    def choose_pdf(self) -> None:
        """Opslaan als PDF: ask where, then save."""
        dialog = self.handout_dialog
        if dialog is None or self.detail is None:
            return
        start = pdf_save_path(file_name(self.detail.name))
        name, _ = QFileDialog.getSaveFileName(dialog, "Opslaan als PDF", str(start), "PDF (*.pdf)")
        if name:
            self.save_handout_pdf(Path(name))

    def save_handout_pdf(self, path: Path) -> Path | None:
        """Start writing the handout as a one-page A4 PDF to ``path``; the file it will be.

        Rendering and writing run in the background, so a slow network folder never freezes
        the screen; the dialog and the detail pane say when it is saved or what went wrong.
        None when there is nothing to save (no service, or the handout is not open).
        """
        dialog = self.handout_dialog
        if self.detail is None or dialog is None:
            return None
        target = path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")
        document = self.handout()  # read on the GUI thread: the tick box, the patient
        dialog.set_saving(True)
        self.tasks.run(
            lambda: save_handout_pdf(document, target),
            lambda saved: self._handout_saved(dialog, saved),
            lambda exc: self._handout_not_saved(dialog, exc),
            owner=dialog,
        )
        return target

    def _handout_saved(self, dialog: HandoutDialog, saved: Path) -> None:
        text = f"Opgeslagen als {saved}."
        dialog.set_saving(False)
        dialog.show_status(text)
        self.page.detail.show_notice(text)

    def _handout_not_saved(self, dialog: HandoutDialog, exc: BaseException) -> None:
        dialog.set_saving(False)
        dialog.show_status(_text(exc))
        self.page.detail.show_notice(_text(exc), warning=True)
