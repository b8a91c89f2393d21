"""The Desktop controller: sign-in, the main window, the idle lock and the patient in context.

It owns the flow and nothing visual: the login dialog and main window only lay out. Slow work
(opening and migrating the database, Argon2id at sign-in and unlock, saving a patient) goes
through ``BackgroundTasks``. Heavy modules (SQLAlchemy, the main window) are imported inside that
work or after sign-in, so the login window appears as fast as a bare Qt window.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from gpdesk.config import Home, resolve_database_url
from gpdesk.errors import GpdeskError
from gpdesk.patients.context import PatientContext
from gpdesk.patients.validation import format_birth_date, format_postcode
from gpdesk.security.permissions import Permission
from gpdesk.ui.clipboard import SensitiveClipboard
from gpdesk.ui.login import LoginDialog
from gpdesk.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gpdesk.about import AboutFacts
    from gpdesk.db import Database
    from gpdesk.practice.setup import PracticeInfo
    from gpdesk.security.accounts import SignedIn
    from gpdesk.security.actor import Actor
    from gpdesk.ui.about_dialog import AboutDialog
    from gpdesk.ui.beheer.controller import BeheerController
    from gpdesk.ui.inbox.fetch_worker import FetchWorker, Pace
    from gpdesk.ui.kaart.controller import KaartController
    from gpdesk.ui.lock import IdleWatcher, LockGuard
    from gpdesk.ui.main_window import MainWindow
    from gpdesk.ui.signals.controller import SignalController
    from gpdesk.ui.signals.outbox_worker import OutboxWorker

log = logging.getLogger(__name__)

ENV_STARTUP_PROBE = "GPDESK_STARTUP_PROBE"
"""Set by benchmarks/startup.py: report when the login window is shown, then quit."""

UNEXPECTED = (
    "Er ging iets onverwacht mis. Uw gegevens zijn niet verloren gegaan. "
    "Probeer het opnieuw; blijft het gebeuren, neem dan contact op met de beheerder."
)


def _report_shown_and_quit() -> None:
    sys.stdout.write("gpdesk-shown\n")
    sys.stdout.flush()
    QApplication.quit()


def user_message(exc: BaseException) -> str:
    """Dutch text for any failure: our own errors as they are, anything else generic."""
    if isinstance(exc, GpdeskError):
        return exc.user_text()
    return UNEXPECTED


CHOOSE_OWN_FIRST = "U moet eerst een eigen wachtwoord kiezen."


def _ask_own_password(parent: QWidget, words: Sequence[str]) -> str | None:
    """After a one-time password: the new password the user chose, or None if they cancelled."""
    from gpdesk.ui.password_dialog import PasswordChangeDialog

    dialog = PasswordChangeDialog(parent, forced=True, words=words)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.new_password
    finally:
        dialog.deleteLater()


def _with_new_password(db: Database, signed: SignedIn, old: str, new: str) -> SignedIn:
    """Worker: change the password; the practice key stays the one already unlocked."""
    from gpdesk.security.accounts import SignedIn, change_password

    return SignedIn(actor=change_password(db, signed.actor.username, old, new), vault=signed.vault)


def _open(home: Home, url: str) -> tuple[Database, PracticeInfo | None]:
    """Worker: the practice; for a home that never had one nothing is created (first run)."""
    from gpdesk.practice.setup import open_for_window

    return open_for_window(home, url)


def _signal_controller(desktop: Desktop, window: MainWindow) -> SignalController:
    """The signal form's controller for this window: Ctrl+Shift+S, the banner, Signaleren."""
    from gpdesk.ui.signals.controller import SignalController

    assert desktop.db is not None and desktop.practice is not None
    controller = SignalController(
        db=desktop.db,
        tasks=desktop.tasks,
        signed=lambda: desktop.session,
        practice_name=desktop.practice.name,
        copy=desktop.clipboard.copy,
        parent=window,
    )
    window.signal_form_requested.connect(lambda: controller.open_form(desktop.patient))
    desktop.patient_changed.connect(controller.patient_changed)
    _signal_list(desktop, window, controller)
    return controller


def _signal_list(desktop: Desktop, window: MainWindow, form: SignalController) -> None:
    """The Signaleren page's list and timeline: reloaded on show, after a send, per patient."""
    from gpdesk.ui.signals.page import SignalsPage
    from gpdesk.ui.signals.tracking import SignalListController

    assert desktop.db is not None
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    tracking = SignalListController(
        db=desktop.db, tasks=desktop.tasks, signed=lambda: desktop.session, page=page, parent=form
    )
    tracking.set_patient(desktop.patient)
    form.submitted.connect(lambda _reference: tracking.refresh())
    desktop.patient_changed.connect(tracking.set_patient)
    tracking.retried.connect(lambda _reference: desktop._kick_outbox())
    desktop.outbox_flushed.connect(tracking.outbox_flushed)
    if page.isVisible():
        tracking.refresh()
    _consent_list(desktop, window, tracking.refresh)


def _inbox(desktop: Desktop, window: MainWindow) -> None:
    """The Terugkoppeling page's list and reading pane: reloaded on show and per patient."""
    from gpdesk.ui.inbox.controller import InboxController, badge_number, counts_text

    assert desktop.db is not None
    page = window.inbox_page()
    inbox = InboxController(
        db=desktop.db, tasks=desktop.tasks, signed=lambda: desktop.session, page=page,
        copy=desktop.clipboard.copy, parent=window,
    )  # fmt: skip
    inbox.set_patient(desktop.patient)
    desktop.patient_changed.connect(inbox.set_patient)
    inbox.start_intake()

    def record_phone() -> None:  # from every screen: the new item shows in Terugkoppeling
        window.show_area("inbox")
        inbox.record_phone()

    window.phone_requested.connect(record_phone)
    desktop.letters_fetched.connect(inbox.letters_arrived)
    desktop.letters_checked.connect(inbox.letters_checked)
    page.fetch_requested.connect(desktop.fetch_now)
    inbox.answered.connect(lambda _record: desktop._kick_outbox())
    inbox.counts_changed.connect(
        lambda numbers: window.set_area_count("inbox", badge_number(numbers), counts_text(numbers))
    )
    if page.isVisible():
        inbox.refresh()
    else:
        inbox.refresh_counts()
    signals_page = window.pages.get("signals")
    if signals_page is not None:  # a signal's timeline: "Openen" on one of its letters
        from gpdesk.ui.signals.page import SignalsPage

        assert isinstance(signals_page, SignalsPage)

        def open_letter(letter_id: int) -> None:
            window.show_area("inbox")
            inbox.open_letter(letter_id)

        signals_page.detail.letter_open_requested.connect(open_letter)


def _consent_list(desktop: Desktop, window: MainWindow, refresh: Callable[[], None]) -> None:
    """Toestemmingen (Ctrl+Shift+T, Signaleren): a withdrawal's notices go out at once."""
    from gpdesk.ui.signals.consents import ConsentListController

    assert desktop.db is not None
    consents = ConsentListController(
        db=desktop.db, tasks=desktop.tasks, signed=lambda: desktop.session,
        copy=desktop.clipboard.copy, parent=window,
    )  # fmt: skip
    window.consents_requested.connect(lambda: consents.open(desktop.patient))
    desktop.patient_changed.connect(consents.patient_changed)
    consents.withdrawn.connect(desktop._kick_outbox)
    consents.withdrawn.connect(refresh)


class Desktop(QObject):
    """Runs the program's screens for one workstation session."""

    signed_in = Signal()
    patient_changed = Signal(object)
    outbox_flushed = Signal(object)
    """``OutboxWorker.flushed`` of whichever worker runs now: the references a flush tried."""
    letters_fetched = Signal(int)
    """``FetchWorker.letters_arrived`` of whichever worker runs now: how many were stored."""
    letters_checked = Signal(object)
    """``FetchWorker.letters_checked``: the letters whose PDFs the reading pass checked."""
    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        home: Home,
        *,
        database_url: str | None = None,
        idle_minutes: float | None = None,
        idle_clock: Callable[[], float] = time.monotonic,
        fetch_pace: Pace | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.home = home
        self._cli_url = database_url
        self._idle_minutes = idle_minutes
        self._idle_clock = idle_clock  # a test's fake clock lets the idle minutes pass at once
        self._fetch_pace = fetch_pace  # a test's pace fetches in milliseconds, not minutes
        self.tasks = BackgroundTasks(self._unexpected, crash_dir=home.crash_dir, parent=self)
        self.state = QSettings(str(home.window_state_file), QSettings.Format.IniFormat)
        self.clipboard = SensitiveClipboard(self)
        self.db: Database | None = None
        self.practice: PracticeInfo | None = None
        self.session: SignedIn | None = None
        self.locked_actor: Actor | None = None
        self.patient: PatientContext | None = None
        self.window: MainWindow | None = None
        self.about_dialog: AboutDialog | None = None
        self.beheer: BeheerController | None = None
        self.kaart: KaartController | None = None
        self.signals: SignalController | None = None
        self.outbox: OutboxWorker | None = None
        self.outbox_tasks = BackgroundTasks(self._unexpected, crash_dir=home.crash_dir, parent=self)
        """The outbox's own runner: a slow mail server holds up only the outbox, never a click."""
        self.fetcher: FetchWorker | None = None
        self.fetch_tasks = BackgroundTasks(self._unexpected, crash_dir=home.crash_dir, parent=self)
        """Fetching's own runner: a slow IMAP server holds up only the fetching."""
        self.idle: IdleWatcher | None = None
        self.guard: LockGuard | None = None
        self._patient_waiting = False
        """The HIS handed over a patient while locked: shown to whoever unlocks or signs in."""
        self.login = LoginDialog()
        self.login.submitted.connect(self._sign_in)
        self.login.retry_requested.connect(self._open_database)
        self.login.rejected.connect(self._quit_from_login)

    # -- start and sign-in ------------------------------------------------------------------

    def start(self) -> None:
        """Show the login window at once, then open the database behind it."""
        self.login.show()
        if os.environ.get(ENV_STARTUP_PROBE):
            QTimer.singleShot(0, _report_shown_and_quit)
        # One event-loop turn later, so the worker's imports don't compete with the first paint.
        QTimer.singleShot(0, self._open_database)

    def _open_database(self) -> None:
        self.login.set_opening()
        try:
            url = resolve_database_url(self.home, self._cli_url)
        except GpdeskError as exc:
            self.login.show_blocking_error(exc.user_text())
            return
        home = self.home
        self.tasks.run(lambda: _open(home, url), self._database_opened, self._database_failed)

    def _database_opened(self, result: tuple[Database, PracticeInfo | None]) -> None:
        self.db, self.practice = result
        if self.practice is None:
            self._first_run(self.db)
            return
        self.login.set_ready(
            self.practice.name,
            str(self.state.value("login/last_user", "")),
            demo=self.practice.is_demo,
        )
        self.login.set_pending_patient(self.patient is not None)

    def _first_run(self, db: Database) -> None:
        """No practice yet: set one up or make the demo in the first-run window, then sign in."""
        from gpdesk.ui.first_run import FirstRun

        first_run = FirstRun(
            db, self.tasks, self.login, home=self.home, unexpected=self._unexpected, parent=self
        )
        first_run.practice_ready.connect(self._practice_ready)
        first_run.start()

    def _practice_ready(self, practice: PracticeInfo, username: str) -> None:
        self.practice = practice
        self.login.set_ready(practice.name, username, demo=practice.is_demo)
        self.login.set_pending_patient(self.patient is not None)

    def _database_failed(self, exc: BaseException) -> None:
        self.login.show_blocking_error(user_message(exc))

    def _sign_in(self, username: str, password: str) -> None:
        db, home = self.db, self.home.path
        if db is None:
            return

        def work() -> SignedIn:
            from gpdesk.security.accounts import sign_in
            from gpdesk.security.anchor import note_sealed_tip

            signed = sign_in(db, username, password)
            note_sealed_tip(db, home, signed.vault)  # the audit trail's anchor, outside
            return signed

        self.tasks.run(
            work,
            lambda signed: self._after_sign_in(signed, password),
            lambda exc: self.login.show_error(user_message(exc)),
        )

    def _after_sign_in(self, signed: SignedIn, password: str) -> None:
        """A one-time password must be replaced before anything else."""
        if not signed.actor.must_change_password:
            self._enter(signed)
            return
        new = _ask_own_password(self.login, self._own_words(signed.actor))
        if new is None:
            self.login.show_error(CHOOSE_OWN_FIRST)
            return
        db = self.db
        assert db is not None

        def work() -> SignedIn:
            return _with_new_password(db, signed, password, new)

        self.login.set_busy("Wachtwoord wordt gewijzigd…")
        self.tasks.run(work, self._enter, lambda exc: self.login.show_error(user_message(exc)))

    def _own_words(self, actor: Actor) -> list[str]:
        """What the password rule refuses for ``actor``: their names and the practice's."""
        from gpdesk.security.passwords import own_words

        practice = "" if self.practice is None else self.practice.name
        return own_words(
            username=actor.username, display_name=actor.display_name, practice_name=practice
        )

    def _enter(self, signed: SignedIn) -> None:
        """Build the main window for ``signed`` (first sign-in or a colleague at a locked one)."""
        from gpdesk.ui.beheer.controller import BeheerController
        from gpdesk.ui.kaart.controller import KaartController
        from gpdesk.ui.lock import IdleWatcher, LockGuard
        from gpdesk.ui.main_window import MainWindow

        assert self.db is not None and self.practice is not None
        previous = self.window
        self.session, self.locked_actor = signed, None
        self.state.setValue("login/last_user", signed.actor.username)
        log.info("signed in user id %s", signed.actor.user_id)
        window = MainWindow(
            actor=signed.actor,
            practice_name=self.practice.name,
            database_kind="SQLite · deze computer" if self.db.is_sqlite else "PostgreSQL · gedeeld",
            window_state=self.state,
        )
        self.window = window
        window.paste_requested.connect(self.paste_patient)
        window.close_patient_requested.connect(lambda: self.open_patient(None))
        window.copy_patient_requested.connect(self.copy_patient)
        window.lock_requested.connect(self.lock)
        window.password_change_requested.connect(self.change_own_password)
        window.about_requested.connect(self.show_about)
        window.lock_page.unlock_requested.connect(self._unlock)
        window.lock_page.switch_requested.connect(self._switch_user)
        window.area_changed.connect(self._area_changed)
        self.beheer = BeheerController(
            db=self.db, home=self.home, signed=signed, tasks=self.tasks, page=window.practice_page()
        )
        self.kaart = KaartController(
            db=self.db,
            signed=signed,
            tasks=self.tasks,
            page=window.kaart_page(),
            practice_name=self.practice.name,
            patient=self.patient,
        )
        self.signals = _signal_controller(self, window)
        self.signals.submitted.connect(self._kick_outbox)
        _inbox(self, window)
        self._start_outbox(signed)
        self._start_fetching(signed)
        if previous is None:
            self.login.rejected.disconnect(self._quit_from_login)
            self.login.accept()
            if self.patient is not None:
                self.open_patient(self.patient)
        else:
            previous.hide()
            previous.deleteLater()
        window.show()
        if window.current_area() == "beheer":
            self.beheer.refresh()
        if self.guard is None:
            self.guard = LockGuard(self)
            self.guard.lock_requested.connect(self.lock)
        self.guard.locked = False
        if self.idle is None:
            minutes = self._idle_minutes
            if minutes is None:
                try:
                    minutes = self.home.load_settings().idle_lock_minutes
                except GpdeskError:
                    minutes = 5
            self.idle = IdleWatcher(minutes, self, clock=self._idle_clock)
            self.idle.idle.connect(self.lock)
        self.idle.start()
        self.signed_in.emit()

    # -- outbox -------------------------------------------------------------------------------

    def _start_outbox(self, signed: SignedIn) -> None:
        """Send what waits in the outbox, now and every half minute, while someone is signed in.

        The worker holds the unlocked key, so it lives exactly as long as the session: a lock
        stops it and drops it, an unlock or a colleague's sign-in starts a new one.
        """
        from gpdesk.ui.signals.outbox_worker import OutboxWorker

        self._stop_outbox()
        assert self.db is not None and self.window is not None
        worker = OutboxWorker(self.outbox_tasks, self.db, signed.vault, parent=self)
        worker.status_changed.connect(self.window.show_outbox_status)
        worker.flushed.connect(self.outbox_flushed)
        self.outbox = worker
        worker.start()

    def _stop_outbox(self) -> None:
        if self.outbox is not None:
            self.outbox.stop()
            self.outbox.deleteLater()  # a flush that runs reports to no one
            self.outbox = None

    def _kick_outbox(self) -> None:
        """A signal was just put in the outbox: send it now rather than at the next half minute."""
        if self.outbox is not None:
            self.outbox.kick()

    # -- fetching -----------------------------------------------------------------------------

    def _start_fetching(self, signed: SignedIn) -> None:
        """Fetch from the mailboxes and drop folders, each at its interval, while signed in.

        Only for a role that may read letters (as ``gpdesk inbox fetch``). Like the outbox
        worker it holds the unlocked key: a lock stops and drops it, an unlock starts a new one.
        """
        from gpdesk.ui.inbox.fetch_worker import FetchWorker

        self._stop_fetching()
        assert self.db is not None and self.window is not None
        self.window.show_inbox_status("")
        if not signed.actor.may(Permission.LETTER_READ):
            return
        worker = FetchWorker(self.fetch_tasks, self.db, signed, pace=self._fetch_pace, parent=self)
        worker.status_changed.connect(self.window.show_inbox_status)
        worker.letters_arrived.connect(self.letters_fetched)
        worker.letters_checked.connect(self.letters_checked)
        self.fetcher = worker
        worker.start()

    def _stop_fetching(self) -> None:
        if self.fetcher is not None:
            self.fetcher.stop()
            self.fetcher.deleteLater()  # a fetch that runs reports to no one
            self.fetcher = None

    def fetch_now(self) -> None:
        """Nu ophalen (F9 in Terugkoppeling): every source now rather than at its next turn."""
        if self.fetcher is not None:
            self.fetcher.fetch_now()

    def show_about(self) -> None:
        """Help > Over gpdesk: the facts read off the GUI thread, then the dialog (not modal)."""
        db, home = self.db, self.home
        if db is None:
            return

        def work() -> AboutFacts:
            from gpdesk.about import about_facts

            return about_facts(home, db)

        def show(facts: AboutFacts) -> None:
            from gpdesk.ui.about_dialog import AboutDialog

            if self.window is None:
                return
            if self.about_dialog is not None:
                self.about_dialog.close()
            self.about_dialog = AboutDialog(facts, self.window)
            self.about_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.about_dialog.destroyed.connect(self._about_closed)
            self.about_dialog.open()

        self.tasks.run(work, show)

    def _about_closed(self) -> None:
        self.about_dialog = None

    def _quit_from_login(self) -> None:
        QApplication.quit()

    # -- lock ---------------------------------------------------------------------------------

    def lock(self) -> None:
        """Hide everything and drop the unlocked practice key until the password is given.

        Every other window of the program (dialogs, message boxes, menus) is closed first, so
        nothing stays on screen; dialogs are rejected, and the code after their ``exec()``
        does nothing. Called by Ctrl+L from any window and by the idle watcher.
        """
        if self.window is None or self.session is None:
            return
        from gpdesk.ui.lock import close_other_windows

        actor, db = self.session.actor, self.db
        self.locked_actor = actor
        self.session = None  # with the lines below, the only references to the unlocked key
        self._patient_waiting = False
        if self.guard is not None:
            self.guard.locked = True
        if self.beheer is not None:
            self.beheer.signed = None  # also closes its edit dialogs without asking
        if self.kaart is not None:
            self.kaart.signed = None
        self._stop_outbox()
        self._stop_fetching()
        close_other_windows(keep=self.window)
        self.clipboard.clear()
        if self.idle is not None:
            self.idle.stop()
        self.window.lock()
        self.locked.emit()
        if db is not None:

            def work() -> None:
                from gpdesk.security import audit

                with db.session() as session:
                    audit.record(session, event="lock", action=audit.Action.READ, actor=actor)

            self.tasks.run(work, lambda _none: None)

    def _unlock(self, password: str) -> None:
        db, actor, home = self.db, self.locked_actor, self.home.path
        if db is None or actor is None or self.window is None:
            return
        page = self.window.lock_page

        def work() -> SignedIn:
            from gpdesk.security.accounts import unlock
            from gpdesk.security.anchor import note_sealed_tip

            signed = unlock(db, actor, password)
            note_sealed_tip(db, home, signed.vault)
            return signed

        self.tasks.run(
            work,
            lambda signed: self._unlock_with_own_password(signed, password),
            lambda exc: page.show_error(user_message(exc)),
        )

    def _unlock_with_own_password(self, signed: SignedIn, password: str) -> None:
        """The practice manager may have reset the password while locked: replace it first."""
        db, window = self.db, self.window
        if db is None or window is None:
            return
        if not signed.actor.must_change_password:
            self._unlocked(signed)
            return
        page = window.lock_page
        new = _ask_own_password(page, self._own_words(signed.actor))
        if new is None:
            page.show_error(CHOOSE_OWN_FIRST)
            return

        def work() -> SignedIn:
            return _with_new_password(db, signed, password, new)

        self.tasks.run(work, self._unlocked, lambda exc: page.show_error(user_message(exc)))

    def _unlocked(self, signed: SignedIn) -> None:
        assert self.window is not None
        self.session, self.locked_actor = signed, None
        self._patient_waiting = False
        if self.guard is not None:
            self.guard.locked = False
        self.window.unlock()
        self.open_patient(self.patient)
        if self.beheer is not None:
            self.beheer.signed = signed
        if self.kaart is not None:
            self.kaart.signed = signed
        self._start_outbox(signed)
        self._start_fetching(signed)
        if self.idle is not None:
            self.idle.start()
        self.unlocked.emit()

    def _switch_user(self, username: str, password: str) -> None:
        """Andere gebruiker: a colleague signs in at the locked workstation."""
        db, window, previous = self.db, self.window, self.locked_actor
        if db is None or window is None or previous is None:
            return
        page = window.lock_page

        def work() -> SignedIn:
            from gpdesk.security.accounts import switch_user

            return switch_user(db, previous, username, password)

        def done(signed: SignedIn) -> None:
            if signed.actor.user_id == previous.user_id:
                self._unlock_with_own_password(signed, password)
            elif not signed.actor.must_change_password:
                self._take_over(signed)
            else:
                self._take_over_with_own_password(signed, password, previous)

        self.tasks.run(work, done, lambda exc: page.show_error(user_message(exc)))

    def _take_over_with_own_password(
        self, signed: SignedIn, password: str, previous: Actor
    ) -> None:
        """A colleague with a one-time password chooses their own here, then takes over."""
        db, window = self.db, self.window
        if db is None or window is None:
            return
        page = window.lock_page
        new = _ask_own_password(page, self._own_words(signed.actor))
        if new is None:
            page.show_error(CHOOSE_OWN_FIRST)
            return
        username = signed.actor.username

        def work() -> SignedIn:
            from gpdesk.security.accounts import change_password, switch_user

            change_password(db, username, password, new)
            return switch_user(db, previous, username, new)

        self.tasks.run(work, self._take_over, lambda exc: page.show_error(user_message(exc)))

    def _take_over(self, signed: SignedIn) -> None:
        """A fresh window for the colleague who signed in at the locked workstation.

        The previous user's patient goes with them; a patient the HIS handed over while locked
        stays, as at the login window: it is this workstation's consult now.
        """
        if not self._patient_waiting:
            self.patient = None
        self._patient_waiting = False
        self._enter(signed)
        if self.patient is not None:
            self.open_patient(self.patient)
        self.unlocked.emit()

    def change_own_password(self) -> None:
        """Gpdesk > Wachtwoord wijzigen: current password, then the new one twice."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        from gpdesk.ui.password_dialog import PasswordChangeDialog

        window, db, signed = self.window, self.db, self.session
        if window is None or db is None or signed is None:
            return
        current, ok = QInputDialog.getText(
            window, "Wachtwoord wijzigen", "Huidig wachtwoord:", QLineEdit.EchoMode.Password
        )
        if not ok or not current:
            return
        dialog = PasswordChangeDialog(window, words=self._own_words(signed.actor))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        new = dialog.new_password

        def work() -> SignedIn:
            return _with_new_password(db, signed, current, new)

        def done(fresh: SignedIn) -> None:
            if self.session is None or self.window is not window:
                return  # locked meanwhile: the key stays dropped until the user unlocks
            self.session = fresh
            if self.beheer is not None:
                self.beheer.signed = fresh
            if self.kaart is not None:
                self.kaart.signed = fresh
            window.statusBar().showMessage("Uw wachtwoord is gewijzigd.", 8000)

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(window, "gpdesk", user_message(exc))

        self.tasks.run(work, done, failed)

    # -- patient context ----------------------------------------------------------------------

    def open_patient(self, ctx: PatientContext | None) -> None:
        """Make ``ctx`` the patient in context (None closes it); stored encrypted when signed in."""
        self.patient = ctx
        if self.window is None or self.db is None:
            self.login.set_pending_patient(ctx is not None)
            return
        if self.session is None:
            # Locked: kept until someone unlocks, then shown and logged. The lock page only says
            # that a patient is waiting, never who.
            self._patient_waiting = ctx is not None
            self.window.lock_page.set_pending_patient(ctx is not None)
            return
        if ctx is not None and not self.session.actor.may(Permission.PATIENT_OPEN):
            self.patient = None
            self.window.statusBar().showMessage(
                "Er kwam een patiënt uit het HIS, maar u hebt geen toestemming om patiënten te "
                "openen. Vraag de praktijkmanager als u dit nodig hebt.",
                15000,
            )
            return
        self.window.set_patient(ctx)
        if self.kaart is not None:
            self.kaart.set_patient(ctx)
        self.patient_changed.emit(ctx)
        if ctx is None:
            return
        db, signed = self.db, self.session

        def work() -> int:
            from gpdesk.patients.records import open_from_his

            return open_from_his(db, signed, ctx)

        self.tasks.run(work, lambda _id: None, self._patient_not_saved)

    def _patient_not_saved(self, exc: BaseException) -> None:
        if self.window is not None:
            self.window.statusBar().showMessage(
                "De patiënt staat in beeld maar kon niet worden opgeslagen: " + user_message(exc),
                15000,
            )

    def copy_patient(self) -> None:
        """Copy the banner's patient line; it leaves the clipboard after 30 seconds."""
        ctx = self.patient
        if ctx is None or self.window is None:
            return
        self.clipboard.copy(
            f"{ctx.name}, {format_birth_date(ctx.birth_date)}, {format_postcode(ctx.postcode)}"
        )
        self.window.statusBar().showMessage(
            "Gekopieerd; over 30 seconden wordt het klembord weer leeggemaakt.", 5000
        )

    def paste_patient(self) -> None:
        """Plak uit HIS."""
        from gpdesk.ui.paste_dialog import PasteDialog

        dialog = PasteDialog(self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.context is not None:
            self.open_patient(dialog.context)

    def bring_forward(self) -> None:
        """The HIS or a second start wants our window in front."""
        if self.window is not None:
            self.window.bring_forward()
            return
        target: QWidget = self.login
        target.show()
        target.raise_()
        target.activateWindow()

    # -- areas --------------------------------------------------------------------------------

    def _area_changed(self, key: str) -> None:
        if key == "beheer" and self.beheer is not None:
            self.beheer.refresh()

    # -- failures and shutdown ----------------------------------------------------------------

    def _unexpected(self, exc: BaseException) -> None:
        parent = self.window if self.window is not None else self.login
        QMessageBox.warning(parent, "gpdesk", user_message(exc))

    def shutdown(self) -> None:
        """Record the sign-out, let queued work finish, clear our clipboard, close the database."""
        self.clipboard.clear()
        self._stop_outbox()
        self._stop_fetching()
        actor = self.session.actor if self.session is not None else self.locked_actor
        db = self.db
        self.session = self.locked_actor = None
        if actor is not None and db is not None:

            def work() -> None:
                from gpdesk.security.accounts import sign_out

                try:
                    sign_out(db, actor)
                except Exception as exc:  # at exit nobody is left to tell; the log says it
                    log.warning("sign-out not recorded: %s", type(exc).__name__)

            self.tasks.run(work, lambda _none: None)
        self.tasks.wait()
        self.outbox_tasks.wait()
        self.fetch_tasks.wait()
        if self.db is not None:
            self.db.dispose()
