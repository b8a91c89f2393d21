"""What the buttons of Beheer → Ontvangen do: load, add, change, turn off, remove, test, fetch.

Everything goes through the core (``gpdesk.inbox.store.sources``, ``.forgetting``,
``.quarantine``), which checks the permission again and writes the audit entry, exactly as the
command line does. Database work runs on Beheer's serial runner; the connection test and
"Nu ophalen" on ``network``, a runner of their own, so a mail server that answers slowly holds
up nothing else. The signed-in user is asked for each time: a locked workstation stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox

from gpdesk.errors import ValidationError
from gpdesk.models import SourceKind
from gpdesk.security.permissions import Permission
from gpdesk.ui.beheer.kaart.save_feedback import alive, report_failure, user_text
from gpdesk.ui.beheer.receiving.source_dialogs import (
    FolderInput,
    FolderSourceDialog,
    ImapSourceDialog,
)

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.inbox.fetching import SourceOutcome
    from gpdesk.inbox.sources.imap import ImapSettings
    from gpdesk.inbox.store.quarantine import QuarantineOverview
    from gpdesk.inbox.store.sources import ImapRequest, SourceView
    from gpdesk.security.accounts import SignedIn
    from gpdesk.ui.beheer.kaart.edit_dialog import EditorDialog
    from gpdesk.ui.beheer.receiving.tab import ReceivingTab
    from gpdesk.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Loaded:
    """What the tab shows, read in one unit of work."""

    sources: list[SourceView]
    retention_days: int
    quarantine: QuarantineOverview


def outcome_text(outcome: SourceOutcome) -> str:
    """One fetch's result in a sentence: how many new, already there, in quarantine; or why not."""
    if outcome.error:
        return f"✘ Ophalen uit {outcome.label} lukte niet. {outcome.error}"
    new = "1 nieuwe brief" if outcome.stored == 1 else f"{outcome.stored} nieuwe brieven"
    return (
        f"✔ Opgehaald uit {outcome.label}: {new}, {outcome.duplicates} al aanwezig, "
        f"{outcome.quarantined} in quarantaine."
    )


class ReceivingController(QObject):
    """Fills and drives Beheer → Ontvangen for a beheerder."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        network: TaskRunner,
        tab: ReceivingTab,
        signed: Callable[[], SignedIn | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or tab)
        self.db, self.tasks, self.network, self.tab = db, tasks, network, tab
        self._signed = signed
        self.dialog: EditorDialog | None = None
        self.question: QMessageBox | None = None
        self._testing = False
        box = tab.sources
        box.add_imap_button.clicked.connect(lambda: self.open_imap(None))
        box.add_folder_button.clicked.connect(lambda: self.open_folder(None))
        box.edit_button.clicked.connect(self.edit_selected)
        box.view.activated.connect(self.edit_selected)  # Enter or a double-click on a row
        box.toggle_button.clicked.connect(self.toggle_selected)
        box.remove_button.clicked.connect(self.ask_remove)
        box.fetch_button.clicked.connect(self.fetch_selected)
        tab.retention.save_button.clicked.connect(self.save_retention)

    def _may_manage(self) -> SignedIn | None:
        signed = self._signed()
        if signed is None or not signed.actor.may(Permission.SETTINGS_MANAGE):
            return None
        return signed

    # -- loading ------------------------------------------------------------------------------

    def refresh(self, *, select: int | None = None) -> None:
        """Read sources, retention and quarantine (on opening the tab and after a change)."""
        signed = self._may_manage()
        if signed is None:
            return
        db = self.db
        chosen = self.tab.sources.selected()
        keep = select if select is not None else (None if chosen is None else chosen.id)

        def work() -> Loaded:
            from gpdesk.inbox.store.forgetting import retention_days
            from gpdesk.inbox.store.quarantine import quarantine_overview
            from gpdesk.inbox.store.sources import list_sources

            with db.session() as session:
                return Loaded(
                    list_sources(session),
                    retention_days(session),
                    quarantine_overview(session, signed.actor),
                )

        def done(loaded: Loaded) -> None:
            may_read = signed.actor.may(Permission.LETTER_READ)
            self.tab.show_status("")
            self.tab.sources.set_may_fetch(may_read)
            self.tab.sources.show_sources(loaded.sources, keep)
            self.tab.retention.show_days(loaded.retention_days)
            self.tab.quarantine.show_overview(loaded.quarantine, may_read=may_read)

        self.tasks.run(work, done, lambda exc: self.tab.show_status(user_text(exc)), owner=self.tab)

    # -- one dialog at a time -----------------------------------------------------------------

    def _show(self, dialog: EditorDialog) -> None:
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        dialog.activateWindow()  # without a window manager (X11) nobody else gives it the keys

    def _busy(self) -> bool:
        if self.dialog is not None and alive(self.dialog):
            self.dialog.raise_()
            self.dialog.activateWindow()
            return True
        return False

    def _forget(self, dialog: EditorDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self._testing = False
        dialog.deleteLater()

    def close_dialogs(self) -> None:
        """Close an open dialog or question without saving and without asking (on lock)."""
        if self.dialog is not None and alive(self.dialog):
            self.dialog.discard()
        if self.question is not None and alive(self.question):
            self.question.reject()
        self.question = None

    def edit_selected(self) -> None:
        """Open the chosen source in its dialog (Wijzigen, Enter, double-click)."""
        source = self.tab.sources.selected()
        if source is None:
            return
        if source.kind is SourceKind.FOLDER:
            self.open_folder(source)
        else:
            self.open_imap(source)

    # -- a mailbox ----------------------------------------------------------------------------

    def open_imap(self, source: SourceView | None) -> None:
        """Add a mailbox (``source`` None) or change one."""
        if self._may_manage() is None or self._busy():
            return
        dialog = ImapSourceDialog(source, self.tab)
        dialog.submitted.connect(lambda request: self._save_imap(dialog, request))
        dialog.test_requested.connect(lambda request: self._test_imap(dialog, request))
        self._show(dialog)

    def _save_imap(self, dialog: ImapSourceDialog, request: ImapRequest) -> None:
        signed = self._may_manage()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        db, source_id = self.db, None if dialog.source is None else dialog.source.id

        def work() -> SourceView:
            from gpdesk.inbox.store.sources import (
                add_imap_source,
                imap_settings_for,
                update_imap_source,
            )

            with db.session() as session:
                if source_id is not None:
                    return update_imap_source(
                        session, signed.vault, signed.actor, source_id, request
                    )
                settings = imap_settings_for(session, signed.vault, signed.actor, request)
                return add_imap_source(
                    session, signed.vault, signed.actor, settings,
                    interval_minutes=request.interval_minutes,
                )  # fmt: skip

        def done(view: SourceView) -> None:
            if alive(dialog):
                dialog.accept()
            verb = "toegevoegd" if source_id is None else "gewijzigd"
            self.tab.sources.show_status(f"✔ Postvak {verb}: {view.label}.")
            self.refresh(select=view.id)

        self.tasks.run(
            work, done, lambda exc: report_failure(self.tab.sources.show_status, dialog, exc)
        )

    def _test_imap(self, dialog: ImapSourceDialog, request: ImapRequest) -> None:
        """Connect as a fetch would (TLS, certificate, login, folder), off the GUI thread."""
        signed = self._may_manage()
        if signed is None or self._testing:
            if signed is None:
                dialog.test_done("Ontgrendel gpdesk eerst.", ok=False)
            return
        db, source_id = self.db, None if dialog.source is None else dialog.source.id

        def settings() -> ImapSettings:
            from gpdesk.inbox.store.sources import imap_settings_for

            with db.session() as session:
                return imap_settings_for(session, signed.vault, signed.actor, request, source_id)

        def failed(exc: BaseException) -> None:
            self._testing = False
            if not alive(dialog):
                return
            if isinstance(exc, ValidationError):
                rest = dialog.errors.show(exc.problems)
                dialog.test_done(
                    "Niet getest: " + (" ".join(rest) or "controleer de rode velden."), ok=False
                )
            else:
                dialog.test_done(f"✘ Verbinding mislukt. {user_text(exc)}", ok=False)

        def connect(chosen: ImapSettings) -> None:
            def work() -> str:
                from gpdesk.inbox.sources.imap import check_connection

                return check_connection(chosen)

            self.network.run(work, passed, failed, owner=dialog)

        def passed(text: str) -> None:
            self._testing = False
            if alive(dialog):
                dialog.test_done(f"✔ {text} Er is niets opgehaald.", ok=True)

        self._testing = True
        self.tasks.run(settings, connect, failed, owner=dialog)

    # -- a drop folder ------------------------------------------------------------------------

    def open_folder(self, source: SourceView | None) -> None:
        """Add a drop folder (``source`` None) or change one."""
        if self._may_manage() is None or self._busy():
            return
        dialog = FolderSourceDialog(source, self.tab)
        dialog.submitted.connect(lambda value: self._save_folder(dialog, value))
        self._show(dialog)

    def _save_folder(self, dialog: FolderSourceDialog, value: FolderInput) -> None:
        signed = self._may_manage()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        if not value.folder:
            dialog.show_errors({"folder": "Kies de map waarin het mailprogramma brieven zet."})
            return
        db = self.db

        def work() -> SourceView:
            from gpdesk.inbox.store.sources import add_folder_source, update_folder_source

            folder = Path(value.folder)
            with db.session() as session:
                if value.source_id is None:
                    return add_folder_source(
                        session, signed.vault, signed.actor, folder,
                        interval_minutes=value.interval_minutes,
                    )  # fmt: skip
                return update_folder_source(
                    session, signed.vault, signed.actor, value.source_id, folder,
                    interval_minutes=value.interval_minutes,
                )  # fmt: skip

        def done(view: SourceView) -> None:
            if alive(dialog):
                dialog.accept()
            verb = "toegevoegd" if value.source_id is None else "gewijzigd"
            self.tab.sources.show_status(f"✔ Map {verb}: {view.path}.")
            self.refresh(select=view.id)

        self.tasks.run(
            work, done, lambda exc: report_failure(self.tab.sources.show_status, dialog, exc)
        )

    # -- on, off, gone ------------------------------------------------------------------------

    def toggle_selected(self) -> None:
        """Turn the chosen source off (or on again); its settings and letters stay."""
        signed = self._may_manage()
        source = self.tab.sources.selected()
        if signed is None or source is None:
            return
        db, enabled = self.db, not source.enabled

        def work() -> SourceView:
            from gpdesk.inbox.store.sources import set_source_enabled

            with db.session() as session:
                return set_source_enabled(session, signed.vault, signed.actor, source.id, enabled)

        def done(view: SourceView) -> None:
            said = (
                "staat aan: gpdesk haalt er weer uit op"
                if view.enabled
                else "staat uit: gpdesk haalt er niets uit op tot u hem weer aanzet"
            )
            self.tab.sources.show_status(f"✔ {view.label} {said}.")
            self.refresh(select=view.id)

        self.tasks.run(work, done, self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.tab.sources.show_status(f"✘ {user_text(exc)}", ok=False)

    def ask_remove(self) -> None:
        """Ask first: a removed source is gone with its settings (its letters stay)."""
        source = self.tab.sources.selected()
        if self._may_manage() is None or source is None or self.question is not None:
            return
        box = QMessageBox(self.tab)
        box.setObjectName("removeSourceQuestion")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Bron verwijderen")
        box.setText(f"{source.label} verwijderen?")
        box.setInformativeText(
            "gpdesk haalt er daarna niets meer uit op; de instellingen en het wachtwoord "
            "verdwijnen. De brieven die er al uit kwamen, blijven. Alleen tijdelijk stoppen? "
            "Kies dan Uitzetten."
        )
        remove = box.addButton("&Verwijderen", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("&Niet verwijderen", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.buttonClicked.connect(lambda button: self._answered(source, button is remove))
        self.question = box
        box.open()

    def _answered(self, source: SourceView, remove: bool) -> None:
        self.question = None
        if remove:
            self.remove(source)

    def remove(self, source: SourceView) -> None:
        """Remove ``source`` (after the question)."""
        signed = self._may_manage()
        if signed is None:
            return
        db = self.db

        def work() -> SourceView:
            from gpdesk.inbox.store.sources import remove_source

            with db.session() as session:
                return remove_source(session, signed.vault, signed.actor, source.id)

        def done(view: SourceView) -> None:
            self.tab.sources.show_status(
                f"✔ {view.label} is verwijderd. De brieven die er al uit kwamen, blijven."
            )
            self.refresh()

        self.tasks.run(work, done, self._failed)

    # -- fetch now ----------------------------------------------------------------------------

    def fetch_selected(self) -> None:
        """Fetch from the chosen source once, now, off the GUI thread (as the schedule would)."""
        signed = self._signed()
        source = self.tab.sources.selected()
        box = self.tab.sources
        if signed is None or source is None or box.fetching:
            return
        if not signed.actor.may(Permission.LETTER_READ):
            box.show_status(
                "✘ Nu ophalen kan alleen wie terugkoppeling mag lezen (Beheer > Rechten).",
                ok=False,
            )
            return
        db, source_id = self.db, source.id

        def work() -> SourceOutcome:
            from gpdesk.inbox.fetching import fetch_one

            return fetch_one(db, signed, source_id)

        def finish() -> None:
            box.fetching = False
            box.selection_changed()

        def done(outcome: SourceOutcome) -> None:
            finish()
            box.show_status(outcome_text(outcome), ok=outcome.error is None)
            self.refresh(select=source_id)

        def failed(exc: BaseException) -> None:
            finish()
            self._failed(exc)

        box.fetching = True
        box.selection_changed()
        box.show_status(f"Bezig met ophalen uit {source.label}…")
        self.network.run(work, done, failed, owner=self.tab)

    # -- retention ----------------------------------------------------------------------------

    def save_retention(self) -> None:
        """Store the retention period (audited as ``inbox.retention``)."""
        signed = self._may_manage()
        if signed is None:
            return
        part = self.tab.retention
        db, days = self.db, part.days.value()

        def work() -> int:
            from gpdesk.inbox.store.forgetting import set_retention_days

            with db.session() as session:
                return set_retention_days(session, signed.vault, signed.actor, days)

        def done(stored: int) -> None:
            part.save_button.setEnabled(True)
            part.show_days(stored)
            part.status.setText(
                f"✔ Bewaartermijn opgeslagen: {stored} dagen na overnemen in het HIS."
            )
            part.status.show()

        def failed(exc: BaseException) -> None:
            part.save_button.setEnabled(True)
            if isinstance(exc, ValidationError):
                rest = part.errors.show(exc.problems)
                part.status.setText("Niet opgeslagen. " + " ".join(rest))
            else:
                part.status.setText(f"Niet opgeslagen: {user_text(exc)}")
            part.status.show()

        part.save_button.setEnabled(False)
        part.errors.show({})
        part.status.setText("Bezig met opslaan…")
        part.status.show()
        self.tasks.run(work, done, failed, owner=part)
