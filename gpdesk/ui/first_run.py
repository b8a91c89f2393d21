"""First start without a practice: set one up, or look around in the demo practice.

One dialog stands in for the login window until there is a practice. Its pages: the choice,
the set-up form (practice name, first praktijkmanager, password twice) and the recovery key with
[Printen] and a confirmation that must be ticked. ``FirstRun`` decides and does the work on the
Desktop's ``BackgroundTasks``; the rules are the core's, the same ones ``gpdesk init`` and
``gpdesk demo`` follow (``normalise_username``, the password rule of ``security/passwords.py``,
``init_practice``, ``create_demo``).

The recovery key lives only in the dialog's label while it is shown and on the printed sheet:
it is never logged, stored, or put on the clipboard, and the unlocked practice key that set-up
creates stays in the worker.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QFontDatabase, QKeySequence, QPagedPaintDevice
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gpdesk.errors import GpdeskError, PracticeError, ValidationError
from gpdesk.security.accounts import normalise_username
from gpdesk.security.crypto import KdfParams
from gpdesk.security.passwords import own_words
from gpdesk.ui.accessible import announce
from gpdesk.ui.password_hint import PasswordHint
from gpdesk.ui.resources import app_icon

if TYPE_CHECKING:
    from collections.abc import Callable

    from gpdesk.config import Home
    from gpdesk.db import Database
    from gpdesk.practice.setup import PracticeInfo
    from gpdesk.ui.login import LoginDialog
    from gpdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

DEMO_FIRST_USER = "bakker"
"""The demo account the login offers first: the huisarts sees most of gpdesk."""

KEY_GROUPS_PER_LINE = 5


def key_lines(key: str) -> list[str]:
    """The recovery key in lines of five groups, so it can be read aloud and typed back."""
    groups = key.split("-")
    return [
        "-".join(groups[i : i + KEY_GROUPS_PER_LINE])
        for i in range(0, len(groups), KEY_GROUPS_PER_LINE)
    ]


def recovery_sheet_html(practice_name: str, username: str, key: str, day: date) -> str:
    """The printed sheet: what the key is for, the key itself, and where to keep it."""
    lines = "<br>".join(html.escape(line) for line in key_lines(key))
    return (
        "<h1 style='font-size:20pt'>Herstelsleutel gpdesk</h1>"
        f"<p>Praktijk: <b>{html.escape(practice_name)}</b><br>"
        f"Opgezet op {day:%d-%m-%Y}, eerste praktijkmanager: <b>{html.escape(username)}</b></p>"
        "<p style='font-family:monospace; font-size:18pt; font-weight:600; margin:18pt 0'>"
        f"{lines}</p>"
        "<p>Met deze sleutel zet de praktijkmanager een nieuw wachtwoord als alle wachtwoorden "
        "kwijt zijn (<i>gpdesk user recover</i>). Zonder wachtwoord of herstelsleutel zijn de "
        "patiëntgegevens niet meer te lezen.</p>"
        "<p>Typ de sleutel over zoals hij hier staat; hoofdletters, spaties en streepjes maken "
        "niet uit.</p>"
        "<p>Bewaar dit blad op een veilige plek buiten de computer, bijvoorbeeld in de kluis "
        "van de praktijk. Laat het niet liggen, maak er geen foto van en bewaar het niet in "
        "een bestand op deze computer.</p>"
        "<table cellpadding='6' style='margin-top:18pt'>"
        "<tr><td>Bewaard door:</td><td>______________________________</td></tr>"
        "<tr><td>Waar:</td><td>______________________________</td></tr>"
        "<tr><td>Datum:</td><td>______________________________</td></tr>"
        "</table>"
    )


def print_recovery_sheet(sheet_html: str, device: QPagedPaintDevice) -> None:
    """Print the sheet on one A4 page, laid out like the patient handout (GUI thread)."""
    from gpdesk.ui.kaart.handout_dialog import print_to

    print_to(lambda _size: sheet_html, device)


@dataclass(frozen=True)
class PracticeSetUp:
    """What set-up hands the GUI thread: no unlocked practice key, only what is shown once."""

    practice: PracticeInfo
    username: str
    recovery_key: str


def _own_words(username: QLineEdit, full_name: QLineEdit, practice: QLineEdit) -> list[str]:
    """The names typed above the password: the rule refuses a password made of them."""
    return own_words(
        username=username.text(), display_name=full_name.text(), practice_name=practice.text()
    )


class FirstRunDialog(QDialog):
    """The choice, the set-up form and the recovery key; lays out and reports, decides nothing."""

    set_up_requested = Signal(str, str, str, str)
    """Practice name, username, full name, password (already checked here)."""
    demo_requested = Signal()
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, data_place: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("Eerste start")  # the system adds " — gpdesk" (applicationDisplayName)
        self.setWindowIcon(app_icon())
        self.setMinimumWidth(580)
        self._busy = False
        self.pages = QStackedWidget()
        self.choice_page = self._build_choice(data_place)
        self.form_page = self._build_form()
        self.key_page = self._build_key()
        for page in (self.choice_page, self.form_page, self.key_page):
            self.pages.addWidget(page)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(56, 56))
        title = QLabel("gpdesk")
        title.setObjectName("loginTitle")
        self.heading = QLabel()
        self.heading.setObjectName("loginPractice")
        heading = QVBoxLayout()
        heading.addWidget(title)
        heading.addWidget(self.heading)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addLayout(heading, 1)

        self.message = QLabel()
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        self.status = QLabel()
        self.status.setObjectName("pageSummary")
        self.status.hide()

        layout = self._layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.status)
        self.show_choice()

    # -- pages ----------------------------------------------------------------------------

    def _build_choice(self, data_place: str) -> QWidget:
        page = QWidget()
        intro = QLabel("Er is nog geen praktijk in gpdesk. Wat wilt u doen?")
        intro.setWordWrap(True)
        self.place = QLabel(data_place)
        self.place.setObjectName("pageSummary")
        self.place.setWordWrap(True)
        self.place.setVisible(bool(data_place))
        self.new_button = QCommandLinkButton(
            "&Nieuwe praktijk opzetten",
            "Voor het echte werk. U geeft de naam van de praktijk en maakt het eerste account: "
            "dat van de praktijkmanager.",
        )
        self.new_button.setObjectName("firstRunNew")
        self.demo_button = QCommandLinkButton(
            "&Demopraktijk bekijken",
            "Om gpdesk uit te proberen, met verzonnen patiënten en een voorbeeld van de "
            "sociale kaart. Niet voor echte patiënten.",
        )
        self.demo_button.setObjectName("firstRunDemo")
        self.quit_button = QPushButton("&Afsluiten")
        self.new_button.clicked.connect(self.show_form)
        self.demo_button.clicked.connect(self._demo)
        self.quit_button.clicked.connect(self.quit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(intro)
        layout.addSpacing(4)
        layout.addWidget(self.new_button)
        layout.addWidget(self.demo_button)
        layout.addStretch(1)
        layout.addWidget(self.place)
        layout.addLayout(buttons)
        return page

    def _build_form(self) -> QWidget:
        page = QWidget()
        self.practice_name = QLineEdit()
        self.practice_name.setObjectName("practiceName")
        self.practice_name.setPlaceholderText("bijv. Huisartsenpraktijk De Singel")
        self.username = QLineEdit()
        self.username.setObjectName("managerUsername")
        self.username.setPlaceholderText("bijv. smit")
        self.full_name = QLineEdit()
        self.full_name.setObjectName("managerName")
        self.full_name.setPlaceholderText("bijv. R. Smit")
        self.password = QLineEdit()
        self.password.setObjectName("managerPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setObjectName("managerPasswordRepeat")
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        manager = QLabel(
            "<b>Eerste praktijkmanager</b><br>Dit account beheert gebruikers, de sociale kaart "
            "en de instellingen. De andere accounts maakt u daarna aan in Beheer."
        )
        manager.setWordWrap(True)
        names = (self.username, self.full_name, self.practice_name)  # not self: no cycle
        self.password_hint = PasswordHint(self.password, lambda: _own_words(*names))
        form = QFormLayout()
        form.addRow("&Naam van de praktijk", self.practice_name)
        form.addRow(manager)
        form.addRow("&Gebruikersnaam", self.username)
        form.addRow("&Volledige naam", self.full_name)
        form.addRow("&Wachtwoord", self.password)
        form.addRow("", self.password_hint)
        form.addRow("Wachtwoord &herhalen", self.repeat)
        self.back_button = QPushButton("&Terug")
        self.back_button.setObjectName("firstRunBack")
        self.create_button = QPushButton("&Praktijk opzetten")
        self.create_button.setObjectName("firstRunCreate")
        self.back_button.clicked.connect(self.show_choice)
        self.create_button.clicked.connect(self._submit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.create_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _build_key(self) -> QWidget:
        page = QWidget()
        self.key_intro = QLabel()
        self.key_intro.setWordWrap(True)
        self.key_label = QLabel()
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Shown, not selectable: the key must not end up on the clipboard or in a file.
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setWeight(QFont.Weight.DemiBold)
        self.key_label.setFont(font)
        warning = QLabel(
            "Deze sleutel wordt maar één keer getoond. Zonder wachtwoord of herstelsleutel zijn "
            "de patiëntgegevens niet meer te lezen. Print hem en bewaar het blad op een veilige "
            "plek, buiten deze computer."
        )
        warning.setObjectName("warning")
        warning.setWordWrap(True)
        self.print_button = QPushButton("&Printen…")
        self.print_button.setObjectName("firstRunPrint")
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_button.setToolTip("Naar de printer (Ctrl+P)")
        self.print_button.clicked.connect(self.print_requested)
        self.confirm = QCheckBox("&Ik heb de herstelsleutel geprint of veilig bewaard")
        self.confirm.setObjectName("firstRunConfirm")
        self.continue_button = QPushButton("&Verder naar aanmelden")
        self.continue_button.setObjectName("firstRunContinue")
        self.continue_button.setEnabled(False)
        self.confirm.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._finish)
        printing = QHBoxLayout()
        printing.addWidget(self.print_button)
        printing.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.key_intro)
        layout.addWidget(self.key_label)
        layout.addWidget(warning)
        layout.addLayout(printing)
        layout.addSpacing(6)
        layout.addWidget(self.confirm)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _fit(self) -> None:
        """Grow when a message appears, rather than squeeze the wrapped texts of the form."""
        needed = self._layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _show(self, page: QWidget, default: QPushButton, heading: str) -> None:
        self.pages.setCurrentWidget(page)
        self.heading.setText(heading)
        default.setDefault(True)
        self.message.hide()
        self.status.hide()

    def show_choice(self) -> None:
        """Page one: set up a practice, or the demo."""
        self._show(self.choice_page, self.new_button, "Welkom")
        self.new_button.setFocus()

    def show_form(self) -> None:
        """Page two: the practice and its first praktijkmanager."""
        self._show(self.form_page, self.create_button, "Nieuwe praktijk opzetten")
        self.practice_name.setFocus()

    def show_key(self, practice_name: str, username: str, key: str) -> None:
        """Page three: the recovery key, shown once; continuing needs the confirmation."""
        self.password.clear()
        self.repeat.clear()
        self.key_intro.setText(
            f"De praktijk <b>{html.escape(practice_name)}</b> is opgezet, met praktijkmanager "
            f"<b>{html.escape(username)}</b>. Dit is de herstelsleutel van de praktijk:"
        )
        self.key_label.setText("\n".join(key_lines(key)))
        self.confirm.setChecked(False)
        self._show(self.key_page, self.continue_button, "Herstelsleutel")
        self.confirm.setFocus()

    def current_page(self) -> str:
        """``choice``, ``form`` or ``key`` (for the controller and tests)."""
        page = self.pages.currentWidget()
        return "choice" if page is self.choice_page else "form" if page is self.form_page else "key"

    # -- state ----------------------------------------------------------------------------

    def set_busy(self, text: str) -> None:
        """Slow work runs: nothing can be clicked, the text says what happens."""
        self._busy = True
        self.pages.setEnabled(False)
        self.message.hide()
        self.status.setText(text)
        self.status.show()
        self._fit()

    def set_idle(self) -> None:
        """The work is done or failed: the page is usable again."""
        self._busy = False
        self.pages.setEnabled(True)
        self.status.hide()

    def show_error(self, text: str, field: str | None = None) -> None:
        """A problem the user can fix on this page; ``field`` is the core's field name."""
        self.set_idle()
        self.message.setText(text)
        self.message.show()
        self._fit()
        target = {
            "praktijk": self.practice_name,
            "gebruikersnaam": self.username,
            "naam": self.full_name,
            "wachtwoord": self.password,
        }.get(field or "")
        if target is not None:
            target.setFocus()
            target.selectAll()
        elif self.current_page() == "choice":
            self.new_button.setFocus()  # focus went with the disabled page; bring it back
        elif self.current_page() == "form":
            self.create_button.setFocus()

    def show_status(self, text: str) -> None:
        """Printed, or what went wrong with printing."""
        announce(self, text)
        self.status.setText(text)
        self.status.show()
        self._fit()

    # -- actions --------------------------------------------------------------------------

    def _demo(self) -> None:
        if not self._busy:
            self.demo_requested.emit()

    def _submit(self) -> None:
        if self._busy:
            return
        try:
            username = normalise_username(self.username.text())
        except ValidationError as exc:
            self.show_error(exc.user_text(), "gebruikersnaam")
            return
        if not self.password_hint.refresh().acceptable:
            self.message.hide()  # the hint under the field says why, in red
            self.repeat.clear()
            self.password.setFocus()
            self.password.selectAll()
            return
        if self.password.text() != self.repeat.text():
            self.show_error("De twee wachtwoorden zijn niet gelijk.")
            self.repeat.clear()
            self.repeat.setFocus()
            return
        self.set_up_requested.emit(
            self.practice_name.text(), username, self.full_name.text(), self.password.text()
        )

    def _finish(self) -> None:
        if self.confirm.isChecked():
            self.key_label.clear()
            self.accept()

    def quit(self) -> None:
        """Afsluiten on the first page: leave gpdesk."""
        super().reject()

    def reject(self) -> None:
        """Esc: one step back. Never while work runs, and never away from an unconfirmed key."""
        if self._busy:
            return
        page = self.current_page()
        if page == "form":
            self.show_choice()
        elif page == "choice":
            self.quit()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt virtual
        if self._busy or self.current_page() == "key":
            event.ignore()  # the key must be confirmed first; work must finish
            return
        self.quit()


class FirstRun(QObject):
    """Runs the first start: shows the dialog in place of the login, does the work, hands back.

    ``practice_ready(practice, username)`` is emitted when the login can be used.
    """

    practice_ready = Signal(object, str)

    kdf: KdfParams | None = None
    """Argon2id parameters for the new accounts: None is today's ``crypto.DEFAULT_KDF``."""

    def __init__(
        self,
        db: Database,
        tasks: TaskRunner,
        login: LoginDialog,
        *,
        home: Home,
        unexpected: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._home = home.path
        self._tasks = tasks
        self._login = login
        self._unexpected = unexpected
        self._sheet = ""
        place = (
            f"De gegevens komen op deze computer, in {home.path}."
            if db.is_sqlite
            else "De gegevens komen in de gedeelde PostgreSQL-database van de praktijk."
        )
        self.dialog = FirstRunDialog(login, data_place=place)
        self.dialog.set_up_requested.connect(self._set_up)
        self.dialog.demo_requested.connect(self._demo)
        self.dialog.print_requested.connect(self.print_sheet)
        self.dialog.accepted.connect(self._key_confirmed)
        self.dialog.rejected.connect(login.reject)  # Afsluiten: as on the login
        self._done: PracticeSetUp | None = None

    def start(self) -> None:
        """Show the choice where the login window was."""
        self.dialog.show()
        self._login.hide()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _set_up(self, practice_name: str, username: str, full_name: str, password: str) -> None:
        db, kdf = self._db, self.kdf

        def work() -> PracticeSetUp:
            from gpdesk.practice.setup import init_practice

            created = init_practice(
                db,
                practice_name=practice_name,
                username=username,
                display_name=full_name,
                password=password,
                kdf=kdf,
            )
            # Only what the GUI shows leaves the worker; the unlocked practice key stays here.
            return PracticeSetUp(created.practice, created.manager.username, created.recovery_key)

        self.dialog.set_busy("De praktijk wordt opgezet…")
        self._tasks.run(work, self._set_up_done, self._failed)

    def _set_up_done(self, done: PracticeSetUp) -> None:
        self._done = PracticeSetUp(done.practice, done.username, "")
        self._sheet = recovery_sheet_html(
            done.practice.name, done.username, done.recovery_key, date.today()
        )
        self.dialog.set_idle()
        self.dialog.show_key(done.practice.name, done.username, done.recovery_key)
        log.info("practice set up from the first-run window")

    def _demo(self) -> None:
        db, kdf, home = self._db, self.kdf, self._home

        def work() -> PracticeInfo:
            from gpdesk.practice.demo import create_demo

            return create_demo(db, kdf=kdf, home=home).practice  # as ``gpdesk demo``

        self.dialog.set_busy("De demopraktijk wordt gemaakt… (een paar seconden)")
        self._tasks.run(work, self._demo_done, self._failed)

    def _demo_done(self, practice: PracticeInfo) -> None:
        from gpdesk.practice.demo import DEMO_PASSWORD

        log.info("demo practice created from the first-run window")
        self.dialog.set_idle()
        self.dialog.hide()
        # Demo data only: the documented password may show where it is typed.
        self._login.password.setPlaceholderText(f"demo: {DEMO_PASSWORD}")
        self._hand_over(practice, DEMO_FIRST_USER)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            field = next(iter(exc.problems), None)
            self.dialog.show_error(exc.user_text(), field)
        elif isinstance(exc, PracticeError):
            self.dialog.show_error(f"{exc.message} Start gpdesk opnieuw om u aan te melden.")
        elif isinstance(exc, GpdeskError):
            self.dialog.show_error(exc.user_text())
        else:
            self.dialog.set_idle()
            self._unexpected(exc)  # crash log and the usual message

    def print_sheet(self) -> None:
        """[Printen…]: the system print dialog, then the sheet (GUI thread, as Qt requires)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from gpdesk.ui.kaart.handout_dialog import page_layout

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout())
        printer.setDocName("gpdesk herstelsleutel")  # the key never goes in a spool list
        chooser = QPrintDialog(printer, self.dialog)
        if chooser.exec() != QDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, device: QPagedPaintDevice) -> None:
        """Print the sheet on ``device`` (a printer, or a PDF writer in tests)."""
        if not self._sheet:
            return
        print_recovery_sheet(self._sheet, device)
        self.dialog.show_status("Het blad is naar de printer gestuurd.")

    def _key_confirmed(self) -> None:
        self._sheet = ""  # the key leaves memory with the dialog
        done, self._done = self._done, None
        if done is not None:
            self._hand_over(done.practice, done.username)

    def _hand_over(self, practice: PracticeInfo, username: str) -> None:
        self._login.show()
        self._login.raise_()
        self._login.activateWindow()
        self.practice_ready.emit(practice, username)
        self.dialog.deleteLater()
