"""What the buttons of Beheer → Verzenden do: load, check, store, and test the connection.

Everything goes through the core (``gpdesk.practice.letterhead``, ``gpdesk.transport.config``),
which checks the permission again and writes the audit entry, exactly as the command line does.
Database work runs on Beheer's serial runner; the connection test on ``network``, a runner of
its own, so a mail server that answers slowly holds up nothing else. The signed-in user is asked
for each time: a locked workstation stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from gpdesk.errors import ValidationError
from gpdesk.security.permissions import Permission
from gpdesk.transport.errors import (
    LoginRefusedError,
    MessageRefusedError,
    NoTlsError,
    ServerCertificateError,
    ServerUnreachableError,
    TlsHandshakeError,
)
from gpdesk.ui.beheer.kaart.save_feedback import alive, report_failure, user_text
from gpdesk.ui.beheer.sending.team_dialog import DeliveryInput, TeamDeliveryDialog

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.practice.letterhead import Letterhead
    from gpdesk.security.accounts import SignedIn
    from gpdesk.transport.config import DeliveryView, TeamLine, TransportRequest, TransportView
    from gpdesk.transport.smtp import TransportSettings
    from gpdesk.ui.beheer.sending.tab import SendingTab
    from gpdesk.ui.tasks import TaskRunner


@dataclass(frozen=True)
class Loaded:
    """What the tab shows, read in one unit of work."""

    letterhead: Letterhead
    transport: TransportView | None
    teams: list[TeamLine]


def connection_advice(exc: BaseException) -> str:
    """The connection test's answer for the one setting it up: what went wrong, what to try."""
    if isinstance(exc, NoTlsError):
        tip = "Kies TLS (meestal poort 465) als de server dat biedt, of vraag de leverancier."
    elif isinstance(exc, ServerCertificateError):
        tip = "Heeft de mailserver een eigen CA, kies dan dat bestand bij CA-bestand."
    elif isinstance(exc, TlsHandshakeError):
        tip = "Past de poort bij de beveiliging (587: STARTTLS, 465: TLS)?"
    elif isinstance(exc, LoginRefusedError):
        tip = "Controleer de gebruikersnaam en het wachtwoord."
    elif isinstance(exc, ServerUnreachableError):
        tip = "Controleer de naam van de server, de poort en de internetverbinding."
    elif isinstance(exc, MessageRefusedError):
        tip = "Controleer het afzenderadres."
    else:
        return user_text(exc)
    return f"{getattr(exc, 'message', str(exc))} {tip}"


class SendingController(QObject):
    """Fills and drives Beheer → Verzenden for a beheerder."""

    def __init__(
        self,
        *,
        db: Database,
        tasks: TaskRunner,
        network: TaskRunner,
        tab: SendingTab,
        signed: Callable[[], SignedIn | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or tab)
        self.db, self.tasks, self.network, self.tab = db, tasks, network, tab
        self._signed = signed
        self.dialog: TeamDeliveryDialog | None = None
        self._testing = False
        tab.letterhead.save_button.clicked.connect(self.save_letterhead)
        tab.server.save_button.clicked.connect(self.save_transport)
        tab.server.test_button.clicked.connect(self.test_connection)
        tab.server.ca_button.clicked.connect(self.choose_ca_file)
        tab.teams.edit_button.clicked.connect(self.edit_delivery)
        tab.teams.view.activated.connect(self.edit_delivery)  # Enter or a double-click on a row

    def _may_manage(self) -> SignedIn | None:
        signed = self._signed()
        if signed is None or not signed.actor.may(Permission.SETTINGS_MANAGE):
            return None
        return signed

    # -- loading ------------------------------------------------------------------------------

    def refresh(self, *, select: str | None = None, status: str = "") -> None:
        """Read letterhead, mail server and teams (on opening the tab and after a change).

        ``status`` is what the tab says once the list is back: the result of the change that
        asked for this refresh (cleared otherwise, so an old message does not linger).
        """
        signed = self._may_manage()
        if signed is None:
            return
        db = self.db
        keep = select or self._selected_team()

        def work() -> Loaded:
            from gpdesk.practice.letterhead import letterhead
            from gpdesk.transport.config import show_transport, team_deliveries

            with db.session() as session:
                return Loaded(
                    letterhead(session),
                    show_transport(session, signed.actor),
                    team_deliveries(session, signed.actor),
                )

        def done(loaded: Loaded) -> None:
            self.tab.show_status(status)
            self.tab.letterhead.show_letterhead(loaded.letterhead)
            self.tab.server.show_settings(loaded.transport)
            self.show_teams(loaded.teams, keep)

        self.tasks.run(work, done, lambda exc: self.tab.show_status(user_text(exc)))

    def show_teams(self, teams: list[TeamLine], select: str | None = None) -> None:
        """Fill the team list, keeping the selection, and say what needs doing."""
        box = self.tab.teams
        box.model.set_rows(teams)
        box.select_team(select)
        box.show_warnings()

    def _selected_team(self) -> str | None:
        row = self.tab.teams.selected_row()
        return None if row is None else self.tab.teams.model.rows[row].team_id

    # -- letterhead ---------------------------------------------------------------------------

    def save_letterhead(self) -> None:
        """Check and store address, phone and AGB code (audited as ``gpdesk letterhead``)."""
        box = self.tab.letterhead
        signed = self._may_manage()
        if signed is None:
            box.status.setText("Alleen de beheerder kan het briefhoofd wijzigen.")
            box.status.show()
            return
        db = self.db
        lines, phone, agb = box.address_lines(), box.phone.text(), box.agb.text()

        def work() -> Letterhead:
            from gpdesk.practice.letterhead import set_letterhead

            with db.session() as session:
                return set_letterhead(
                    session, signed.actor, address_lines=lines, phone=phone, agb_code=agb
                )

        def done(head: Letterhead) -> None:
            box.save_button.setEnabled(True)
            box.show_letterhead(head)
            box.status.setText("✔ Briefhoofd opgeslagen.")
            box.status.show()

        def failed(exc: BaseException) -> None:
            box.save_button.setEnabled(True)
            if isinstance(exc, ValidationError):
                rest = box.errors.show(exc.problems)
                box.status.setText(" ".join(rest) or "Niet opgeslagen: controleer de rode velden.")
            else:
                box.status.setText(f"Niet opgeslagen: {user_text(exc)}")
            box.status.show()

        box.save_button.setEnabled(False)
        box.errors.show({})
        box.status.setText("Bezig met opslaan…")
        box.status.show()
        self.tasks.run(work, done, failed, owner=box)

    # -- mail server --------------------------------------------------------------------------

    def request(self) -> TransportRequest:
        """The form as a request: an empty password field keeps the stored password."""
        from gpdesk.transport.config import TransportRequest

        server = self.tab.server
        username = server.username.text().strip()
        typed = server.password.text()
        ca = server.ca_file.text().strip()
        return TransportRequest(
            host=server.host.text(),
            port=server.port.value(),
            security=str(server.security.currentData()),
            from_address=server.from_address.text(),
            username=username,
            # No user name, no login: a stored password goes with it.
            password="" if not username else (typed or None),
            ca_file=Path(ca) if ca else None,
        )

    def save_transport(self) -> None:
        """Check and store the mail server (audited as ``gpdesk transport set``)."""
        server = self.tab.server
        signed = self._may_manage()
        if signed is None:
            return
        db, request = self.db, self.request()

        def work() -> TransportView:
            from gpdesk.transport.config import save_transport

            with db.session() as session:
                return save_transport(session, signed.vault, signed.actor, request)

        def done(view: TransportView) -> None:
            server.save_button.setEnabled(True)
            server.show_settings(view)
            server.status.setText(
                "✔ Mailserver opgeslagen. Test de verbinding om te zien of verzenden lukt."
            )
            server.status.show()

        def failed(exc: BaseException) -> None:
            server.save_button.setEnabled(True)
            self._show_server_failure(exc, "Niet opgeslagen")

        server.save_button.setEnabled(False)
        server.errors.show({})
        server.status.setText("Bezig met opslaan…")
        server.status.show()
        self.tasks.run(work, done, failed, owner=server)

    def _show_server_failure(self, exc: BaseException, what: str) -> None:
        server = self.tab.server
        if isinstance(exc, ValidationError):
            rest = server.errors.show(exc.problems)
            server.status.setText(f"{what}: " + (" ".join(rest) or "controleer de rode velden."))
        else:
            server.status.setText(f"{what}: {user_text(exc)}")
        server.status.show()

    def choose_ca_file(self) -> None:
        """Pick the gateway's CA file (PEM); checked when saved or tested."""
        server = self.tab.server
        name, _ = QFileDialog.getOpenFileName(
            server,
            "CA-bestand van de mailserver kiezen",
            server.ca_file.text(),
            "Certificaat (*.pem *.crt *.cer);;Alles (*)",
        )
        if name:
            server.ca_file.setText(name)

    def test_connection(self) -> None:
        """Connect as the outbox does (TLS, certificate, login, sender), off the GUI thread."""
        server = self.tab.server
        signed = self._may_manage()
        if signed is None or self._testing:
            return
        db, request = self.db, self.request()

        def settings() -> TransportSettings:
            from gpdesk.transport.config import connection_settings

            with db.session() as session:
                return connection_settings(session, signed.vault, signed.actor, request)

        def failed(exc: BaseException) -> None:
            self._testing = False
            server.test_button.setEnabled(True)
            if isinstance(exc, ValidationError):
                self._show_server_failure(exc, "Niet getest")
                server.show_test("", ok=False)
            else:
                server.show_test(f"✘ Verbinding mislukt. {connection_advice(exc)}", ok=False)

        def connect(chosen: TransportSettings) -> None:
            def work() -> TransportSettings:
                from gpdesk.transport.smtp import check_connection

                check_connection(chosen)
                return chosen

            self.network.run(work, passed, failed, owner=server)

        def passed(chosen: TransportSettings) -> None:
            self._testing = False
            server.test_button.setEnabled(True)
            login = f", ingelogd als {chosen.username}" if chosen.username else ""
            server.show_test(
                f"✔ Verbinding gelukt met {chosen.host}:{chosen.port}: beveiligd "
                f"({chosen.security.upper()}), certificaat vertrouwd{login}, afzender "
                "geaccepteerd. Er is niets verstuurd.",
                ok=True,
            )

        self._testing = True
        server.test_button.setEnabled(False)
        server.errors.show({})
        server.status.hide()
        server.show_test("Verbinding wordt getest…", ok=True)
        self.tasks.run(settings, connect, failed, owner=server)

    # -- a team's delivery --------------------------------------------------------------------

    def edit_delivery(self) -> None:
        """Open the selected team's delivery in a dialog (Enter or double-click on a row)."""
        row = self.tab.teams.selected_row()
        if self._may_manage() is None or row is None:
            return
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        dialog = TeamDeliveryDialog(self.tab.teams.model.rows[row], self.tab)
        dialog.submitted.connect(lambda value: self._save_delivery(dialog, value))
        dialog.finished.connect(lambda _code: self._forget(dialog))
        self.dialog = dialog
        dialog.open()
        dialog.activateWindow()  # without a window manager (X11) nobody else gives it the keys

    def _save_delivery(self, dialog: TeamDeliveryDialog, value: DeliveryInput) -> None:
        signed = self._may_manage()
        if signed is None:
            dialog.show_message("Ontgrendel gpdesk eerst; er is niets opgeslagen.")
            return
        db = self.db

        def work() -> DeliveryView:
            from dataclasses import replace

            from gpdesk.inbox.store.routing import set_feedback_contact
            from gpdesk.transport.config import read_certificate_file, set_team_delivery

            certificate = (
                None
                if value.certificate_file is None
                else read_certificate_file(value.certificate_file)
            )
            with db.session() as session:  # both or neither
                view = set_team_delivery(
                    session, signed.actor, value.team_id,
                    email=value.email or None, certificate=certificate,
                    export_folder=Path(value.export_folder) if value.export_folder else None,
                    keep_certificate=not value.remove_certificate,
                )  # fmt: skip
                contact = set_feedback_contact(
                    session, signed.vault, signed.actor, view.team_id, value.feedback_contact
                )
                return replace(view, feedback_contact=contact)

        def done(view: DeliveryView) -> None:
            name = dialog.line.name if alive(dialog) else "het team"
            if alive(dialog):
                dialog.accept()
            saved = f"✔ Bezorging van {name} opgeslagen."
            self.tab.show_status(saved)
            self.refresh(select=view.team_id, status=saved)

        self.tasks.run(work, done, lambda exc: report_failure(self.tab.show_status, dialog, exc))

    def _forget(self, dialog: TeamDeliveryDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def close_dialogs(self) -> None:
        """Close the delivery dialog without saving and without asking (on lock)."""
        if self.dialog is not None and alive(self.dialog):
            self.dialog.discard()
