"""Beheer's controller: loads the tabs and carries out their buttons, all off the GUI thread.

Every action goes through the core, which checks the permission again and writes the audit
entry; this class only decides what to ask and how to show the answer.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from gpdesk.config import Home
from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.roles import Role
from gpdesk.security.audit import AuditFilter
from gpdesk.security.permissions import LOCKED, Permission
from gpdesk.ui.accessible import announce
from gpdesk.ui.beheer.check_dialog import CheckReportDialog
from gpdesk.ui.beheer.kaart.controller import KaartController
from gpdesk.ui.beheer.kaart.save_feedback import alive
from gpdesk.ui.beheer.models import AuditModel
from gpdesk.ui.beheer.practice_page import PracticePage
from gpdesk.ui.beheer.receiving.controller import ReceivingController
from gpdesk.ui.beheer.sending.controller import SendingController
from gpdesk.ui.tasks import BackgroundTasks, TaskRunner

if TYPE_CHECKING:
    from gpdesk.practice.logbook import LogbookLine
    from gpdesk.practice.overview import PracticeOverview
    from gpdesk.security.accounts import SignedIn
    from gpdesk.security.audit import Verification
    from gpdesk.security.backup import BackupInfo
    from gpdesk.security.check import Report
    from gpdesk.security.users import UserRow

PAGE_SIZE = 200


class CheckProgress(QObject):
    """Carries the check's progress from its worker thread to the page (a queued signal)."""

    moved = Signal(int, int, str)


def _text(exc: BaseException) -> str:
    return exc.user_text() if isinstance(exc, GpdeskError) else "Er ging iets mis; probeer opnieuw."


class AddUserDialog(QDialog):
    """Username, name and role for a new account; stays open until the account exists."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle("Gebruiker toevoegen")
        self.username = QLineEdit()
        self.username.setObjectName("newUsername")
        self.username.setPlaceholderText("bijv. dekker")
        self.display_name = QLineEdit()
        self.display_name.setObjectName("newDisplayName")
        self.display_name.setPlaceholderText("bijv. P. Dekker")
        self.role = QComboBox()
        self.role.setObjectName("newRole")
        for role in Role:
            # The value, not the enum: a QComboBox hands a StrEnum back as a plain str anyway.
            self.role.addItem(role.label, role.value)
        form = QFormLayout()
        form.addRow("&Gebruikersnaam", self.username)
        form.addRow("&Naam", self.display_name)
        form.addRow("&Rol", self.role)
        self.message = QLabel()
        self.message.setObjectName("fieldError")
        self.message.setWordWrap(True)
        self.message.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.add_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.add_button.setText("&Toevoegen")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Annuleren")
        buttons.accepted.connect(self.submitted)
        buttons.rejected.connect(self.reject)
        explanation = QLabel(
            "gpdesk maakt een eenmalig wachtwoord. Bij de eerste aanmelding kiest de nieuwe "
            "gebruiker een eigen wachtwoord."
        )
        explanation.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explanation)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(400)

    def set_busy(self, busy: bool) -> None:
        """While the account is made: no second click."""
        self.add_button.setEnabled(not busy)
        if busy:
            self.message.hide()

    def show_message(self, text: str) -> None:
        """Why the account was not made; what was typed stays."""
        announce(self, text, urgent=True)
        self.set_busy(False)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def chosen_role(self) -> Role:
        """The role picked in the combo box, as a ``Role`` (its item data is the stored value)."""
        return Role(str(self.role.currentData()))


class BeheerController(QObject):
    """Fills and drives the Beheer tabs for one signed-in user."""

    def __init__(
        self,
        *,
        db: Database,
        home: Home,
        signed: SignedIn,
        tasks: TaskRunner,
        page: PracticePage,
        network: TaskRunner | None = None,
    ) -> None:
        super().__init__(page)
        self.db, self.home, self.tasks, self.page = db, home, tasks, page
        self._signed_in: SignedIn | None = signed
        self.add_user_dialog: AddUserDialog | None = None
        self.message: QMessageBox | None = None
        self._filter = AuditFilter()
        self._filter_generation = 0
        self.audit_model = AuditModel(self._load_audit_page)
        page.audit.set_model(self.audit_model)
        actor = signed.actor
        page.show_tabs(
            users=actor.may(Permission.USERS_MANAGE),
            audit=actor.may(Permission.AUDIT_READ),
            backup=actor.may(Permission.BACKUP),
            kaart=actor.may(Permission.KAART_EDIT),
            check=actor.may(Permission.DATABASE_CHECK),
            sending=actor.may(Permission.SETTINGS_MANAGE),
            receiving=actor.may(Permission.SETTINGS_MANAGE),
        )
        # The kaart tab asks for the signed-in user each time, so a lock (signed = None) stops it.
        self.kaart = KaartController(db=db, tasks=tasks, tab=page.kaart, signed=self._signed)
        # A connection test or a fetch waits on a mail server: its own runner, never the
        # database's.
        self.network = network or BackgroundTasks(self._warn, crash_dir=home.crash_dir, parent=self)
        self.sending = SendingController(
            db=db, tasks=tasks, network=self.network, tab=page.sending, signed=self._signed
        )
        self.receiving = ReceivingController(
            db=db, tasks=tasks, network=self.network, tab=page.receiving, signed=self._signed
        )
        page.tabs.currentChanged.connect(self._tab_changed)
        page.practice.backup_button.clicked.connect(self.make_backup)
        page.practice.check_button.clicked.connect(self.check_database)
        self.report_dialog: CheckReportDialog | None = None
        # Owned by the page: a progress report from a check still running when the page goes
        # fails in the worker, whose outcome is then dropped with the page.
        self.check_progress = CheckProgress(page.practice)
        self.check_progress.moved.connect(page.practice.show_check_progress)
        page.users.add_button.clicked.connect(self.add_user)
        page.users.toggle_button.clicked.connect(self.toggle_user)
        page.users.reset_button.clicked.connect(self.reset_user)
        page.permissions.model.toggled.connect(self.set_permission)
        page.audit.search_button.clicked.connect(self.search_audit)
        page.audit.verify_button.clicked.connect(self.verify_audit)
        page.audit.export_button.clicked.connect(self.export_audit)

    @property
    def signed(self) -> SignedIn | None:
        """The signed-in user; the Desktop sets None on lock and the user again on unlock."""
        return self._signed_in

    @signed.setter
    def signed(self, value: SignedIn | None) -> None:
        self._signed_in = value
        if value is None and hasattr(self, "kaart"):
            # Nothing stays open over a locked screen, least of all a one-time password.
            self.kaart.close_dialogs()
            self.sending.close_dialogs()
            self.receiving.close_dialogs()
            if self.add_user_dialog is not None:
                self.add_user_dialog.reject()
            if self.report_dialog is not None and alive(self.report_dialog):
                self.report_dialog.reject()
            self.close_message()

    def _signed(self) -> SignedIn | None:
        return self.signed

    def _tab_changed(self, index: int) -> None:
        """A tab shows what is true now each time it is opened, not what it showed before."""
        tab = self.page.tabs.widget(index)
        if tab is self.page.kaart:
            self.kaart.refresh()
        elif tab is self.page.sending:
            self.sending.refresh()
        elif tab is self.page.receiving:
            self.receiving.refresh()
        elif tab is self.page.audit and self._may_read_audit():
            self.search_audit()

    def _may_read_audit(self) -> bool:
        signed = self.signed
        return signed is not None and signed.actor.may(Permission.AUDIT_READ)

    # -- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload overview, users and permissions (on entering Beheer and after a change)."""
        db, home, signed = self.db, self.home, self.signed
        vault = None if signed is None else signed.vault  # checks each row's seal

        def work() -> tuple[PracticeOverview, dict[Role, frozenset[Permission]]]:
            from gpdesk.practice.overview import practice_overview
            from gpdesk.security.users import permission_table

            overview = practice_overview(db, home)
            with db.session() as session:
                return overview, permission_table(session, vault)

        self.tasks.run(work, self._show, lambda exc: self.page.show_error(_text(exc)))
        current = self.page.tabs.currentWidget()
        if self._may_read_audit() and (
            current is self.page.audit or self.audit_model.rowCount() == 0
        ):
            self.search_audit()
        if current is self.page.kaart and self.signed is not None:
            self.kaart.refresh()
        if current is self.page.sending and self.signed is not None:
            self.sending.refresh()
        if current is self.page.receiving and self.signed is not None:
            self.receiving.refresh()

    def _show(self, result: tuple[PracticeOverview, dict[Role, frozenset[Permission]]]) -> None:
        overview, table = result
        signed = self.signed
        ask = None
        if signed is not None and not signed.actor.may(Permission.BACKUP):
            from gpdesk.security.users import who_may

            ask = [
                f"{user.display_name} ({user.role.label})"
                for user in who_may(overview.users, table, Permission.BACKUP)
            ]
        self.page.show_overview(overview, ask)
        editable = signed is not None and signed.actor.may(Permission.SETTINGS_MANAGE)
        self.page.permissions.model.set_table(table, editable=editable, locked=set(LOCKED))
        users = self.page.audit.user
        current = users.currentData()
        users.blockSignals(True)
        users.clear()
        users.addItem("Alle gebruikers", None)
        for row in overview.users:
            users.addItem(f"{row.display_name} ({row.username})", row.username)
        index = users.findData(current)
        users.setCurrentIndex(max(index, 0))
        users.blockSignals(False)

    # -- users -------------------------------------------------------------------------------

    def add_user(self) -> None:
        """Ask for the details; the dialog stays open until the account exists or says why not."""
        if self._signed() is None:
            return
        if self.add_user_dialog is not None:
            self.add_user_dialog.raise_()
            return
        dialog = AddUserDialog(self.page)
        dialog.submitted.connect(lambda: self._create_user(dialog))
        dialog.finished.connect(lambda _code: self._forget_add_user(dialog))
        self.add_user_dialog = dialog
        dialog.open()

    def _create_user(self, dialog: AddUserDialog) -> None:
        signed = self._signed()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        db = self.db
        username, name = dialog.username.text(), dialog.display_name.text().strip()
        role = dialog.chosen_role()

        def work() -> tuple[str, str]:
            from gpdesk.security.users import add_user

            actor, password = add_user(
                db, signed, username=username, display_name=name or username, role=role
            )
            return actor.display_name, password

        def done(result: tuple[str, str]) -> None:
            if alive(dialog):
                dialog.accept()
            self.refresh()
            self.inform(
                "Gebruiker toegevoegd",
                f"{result[0]} ({role.label}) kan zich aanmelden met dit eenmalige wachtwoord:",
                result[1],
                "Geef het persoonlijk door; het wordt niet nog eens getoond. Bij de eerste "
                "aanmelding kiest de nieuwe gebruiker een eigen wachtwoord.",
            )

        def failed(exc: BaseException) -> None:
            if alive(dialog):
                dialog.show_message(_text(exc))
            else:
                self._warn(exc)

        dialog.set_busy(True)
        self.tasks.run(work, done, failed)

    def _forget_add_user(self, dialog: AddUserDialog) -> None:
        if self.add_user_dialog is dialog:
            self.add_user_dialog = None
        dialog.deleteLater()

    def inform(
        self,
        title: str,
        text: str,
        secret: str = "",
        note: str = "",
        *,
        icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    ) -> None:
        """A message that does not block the window; a one-time password stands out, selectable."""
        self.close_message()
        box = QMessageBox(self.page)
        box.setObjectName("beheerMessage")
        box.setIcon(icon)
        box.setWindowTitle(title)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(f"{text}\n\n    {secret}" if secret else text)
        if note:
            box.setInformativeText(note)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message = box
        box.open()

    def close_message(self) -> None:
        """Take the last message off the screen (a new one, or a lock)."""
        if self.message is not None and alive(self.message):
            self.message.close()
        self.message = None

    def _selected_user(self) -> UserRow | None:
        row = self.page.users.selected()
        return None if row is None else self.page.users.model.rows[row]

    def toggle_user(self) -> None:
        """Disable or re-enable the selected account."""
        signed, chosen = self._signed(), self._selected_user()
        if signed is None or chosen is None:
            return
        username, active = chosen.username, chosen.active
        db = self.db

        def work() -> None:
            from gpdesk.security.users import set_active

            set_active(db, signed, username, active=not active)

        self.tasks.run(work, lambda _none: self.refresh(), self._warn)

    def reset_user(self) -> None:
        """New one-time password for the selected account, after confirming."""
        signed, chosen = self._signed(), self._selected_user()
        if signed is None or chosen is None:
            return
        username, name = chosen.username, chosen.display_name
        answer = QMessageBox.question(
            self.page,
            "Nieuw wachtwoord",
            f"Een nieuw eenmalig wachtwoord maken voor {name} ({username})? "
            "Het oude wachtwoord werkt daarna niet meer.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        db = self.db

        def work() -> str:
            from gpdesk.security.users import reset_password

            return reset_password(db, signed, username)

        def done(password: str) -> None:
            self.refresh()
            self.inform(
                "Nieuw eenmalig wachtwoord",
                f"Eenmalig wachtwoord voor {name}:",
                password,
                "Geef het persoonlijk door. Bij de volgende aanmelding kiest "
                f"{name} een eigen wachtwoord.",
            )

        self.tasks.run(work, done, self._warn)

    def set_permission(self, role: Role, permission: Permission, allowed: int) -> None:
        """Store one checkbox of the permission table."""
        signed = self._signed()
        if signed is None:
            return
        db = self.db

        def work() -> None:
            from gpdesk.security.users import set_permission

            set_permission(db, signed, role, permission, allowed=bool(allowed))

        self.tasks.run(work, lambda _none: self.refresh(), self._warn)

    # -- audit --------------------------------------------------------------------------------

    def _current_filter(self) -> AuditFilter:
        signed = self._signed()
        bsn_text = self.page.audit.bsn.text().strip()
        patient_ref = None
        if bsn_text:
            from gpdesk.patients.records import patient_ref as ref_of
            from gpdesk.patients.validation import validate_bsn

            if signed is None:
                raise ValidationError({"bsn": "Ontgrendel eerst."})
            patient_ref = ref_of(signed.vault, validate_bsn(bsn_text))
        days = self.page.audit.period.currentData()
        since = None
        if days is not None:
            today = datetime.now(UTC).date()
            since = datetime.combine(today - timedelta(days=days), time.min, tzinfo=UTC)
        return AuditFilter(
            username=self.page.audit.user.currentData(), patient_ref=patient_ref, since=since
        )

    def search_audit(self) -> None:
        """Apply the filters and load the first page."""
        try:
            self._filter = self._current_filter()
        except ValidationError as exc:
            self.page.audit.status.setText(exc.message)
            return
        self._filter_generation += 1
        self.page.audit.status.setText("")
        self.audit_model.reset()
        self.audit_model.fetchMore()

    def _load_audit_page(self, before_seq: int | None) -> None:
        db, flt, generation = self.db, self._filter, self._filter_generation

        def work() -> list[LogbookLine]:
            from gpdesk.practice.logbook import logbook_page

            with db.session() as session:
                return logbook_page(session, flt, before_seq=before_seq, limit=PAGE_SIZE)

        def done(rows: list[LogbookLine]) -> None:
            if generation == self._filter_generation:  # ignore pages of an older search
                self.audit_model.append(rows, page_size=PAGE_SIZE)
                if not self.audit_model.rowCount():
                    self.page.audit.status.setText("Geen regels voor deze filters.")

        self.tasks.run(work, done, lambda exc: self.page.audit.status.setText(_text(exc)))

    def verify_audit(self) -> None:
        """Check chain, seal (with the unlocked key) and this workstation's anchor; say plainly."""
        db, home, signed = self.db, self.home.path, self._signed()
        vault = None if signed is None else signed.vault
        self.page.audit.status.setText("Logboek wordt gecontroleerd…")

        def work() -> Verification:
            from gpdesk.security import anchor
            from gpdesk.security.audit import verify

            known = anchor.load(home, db.url)
            with db.session() as session:
                result = verify(session, vault=vault, anchor=known)
            if result.ok:
                # A home that cannot be written does not change the outcome of the check.
                with suppress(OSError):
                    anchor.remember(home, db.url, result.tip_seq, result.tip_hash)
            return result

        def done(result: Verification) -> None:
            self.page.audit.status.setText(
                f"✔ {result.headline()}\n{result.checks_line()}"
                if result.ok
                else f"⚠ {result.headline()} Meld dit direct bij de praktijkmanager.\n"
                f"{result.checks_line()}"
            )

        self.tasks.run(work, done, lambda exc: self.page.audit.status.setText(_text(exc)))

    def export_audit(self) -> None:
        """Export the filtered period as CSV; the export itself is logged."""
        signed = self._signed()
        if signed is None:
            return
        name, _ = QFileDialog.getSaveFileName(
            self.page, "Logboek exporteren", str(Path.home() / "logboek.csv"), "CSV (*.csv)"
        )
        if not name:
            return
        db, flt, target = self.db, self._filter, Path(name)

        def work() -> int:
            from gpdesk.security import audit
            from gpdesk.security.permissions import require

            require(signed.actor.permissions, Permission.AUDIT_READ)
            start = "begin" if flt.since is None else flt.since.date().isoformat()
            who = f", gebruiker {flt.username}" if flt.username else ""
            with db.session() as session:
                audit.record(
                    session, event="audit.export", action=audit.Action.EXPORT,
                    actor=signed.actor, patient_ref=flt.patient_ref,
                    detail=f"{start} t/m nu (csv{who})", vault=signed.vault,
                )  # fmt: skip
            count = 0
            partial = target.with_name(target.name + ".part")
            try:
                with (
                    db.session() as session,
                    partial.open("w", encoding="utf-8", newline="") as out,
                ):
                    records = audit.iter_records(
                        session, since=flt.since, until=flt.until, username=flt.username,
                        patient_ref=flt.patient_ref,
                    )  # fmt: skip
                    for chunk in audit.to_csv(audit.export_rows(records)):
                        out.write(chunk)
                        count += 1
                partial.replace(target)
            except OSError:
                partial.unlink(missing_ok=True)
                raise GpdeskError(
                    "Het exportbestand kan niet worden geschreven.",
                    hint="Kies een andere map of maak schijfruimte vrij.",
                ) from None
            return max(count - 1, 0)

        self.tasks.run(
            work,
            lambda n: self.page.audit.status.setText(f"{n} regels geëxporteerd naar {target}."),
            lambda exc: self.page.audit.status.setText(_text(exc)),
        )

    # -- backup -----------------------------------------------------------------------------

    def make_backup(self) -> None:
        """Choose a file and write an encrypted backup there in the background."""
        signed = self._signed()
        if signed is None:
            return
        stamp = datetime.now().strftime("%Y-%m-%d")
        name, _ = QFileDialog.getSaveFileName(
            self.page,
            "Back-up maken",
            str(Path.home() / f"gpdesk-backup-{stamp}.gpbak"),
            "gpdesk-back-up (*.gpbak)",
        )
        if not name:
            return
        db, target = self.db, Path(name)
        self.page.practice.status.setText("Back-up wordt gemaakt…")
        self.page.practice.backup_button.setEnabled(False)

        def work() -> BackupInfo:
            from gpdesk.security.backup import create_backup

            return create_backup(db, signed, target)

        def done(info: BackupInfo) -> None:
            self.page.practice.backup_button.setEnabled(True)
            self.refresh()
            warning = "".join(f"\n\nLet op: {text}" for text in info.warnings)
            self.inform(
                "Back-up gemaakt",
                f"De back-up is opgeslagen in\n{info.path}{warning}",
                note="Bewaar hem buiten deze computer. Terugzetten kan met "
                "'gpdesk backup restore'.",
                icon=QMessageBox.Icon.Warning if info.warnings else QMessageBox.Icon.Information,
            )

        def failed(exc: BaseException) -> None:
            self.page.practice.backup_button.setEnabled(True)
            self.page.practice.status.setText("")
            self._warn(exc)

        self.tasks.run(work, done, failed)

    # -- check --------------------------------------------------------------------------------

    def check_database(self) -> None:
        """Run ``gpdesk check`` off the GUI thread, with its progress, and show the report."""
        signed = self._signed()
        if signed is None:
            return
        db, home, page, progress = self.db, self.home.path, self.page.practice, self.check_progress
        page.show_check_progress(0, 1, "Voorbereiden")

        def work() -> Report:
            from gpdesk.security import anchor
            from gpdesk.security.check import check_database

            report = check_database(
                db, signed, anchor=anchor.load(home, db.url), progress=progress.moved.emit
            )
            if report.ok:
                anchor.note_sealed_tip(db, home, signed.vault)
            return report

        def done(report: Report) -> None:
            page.show_check_done(("✔ " if report.ok else "⚠ ") + report.headline())
            if self.signed is None:
                return  # locked meanwhile: the report waits for the next run
            dialog = CheckReportDialog(report, self.page)
            dialog.finished.connect(dialog.deleteLater)
            self.report_dialog = dialog
            dialog.open()

        def failed(exc: BaseException) -> None:
            page.show_check_done("")
            self._warn(exc)

        self.tasks.run(work, done, failed, owner=page)

    def _warn(self, exc: BaseException) -> None:
        self.inform("gpdesk", _text(exc), icon=QMessageBox.Icon.Warning)
