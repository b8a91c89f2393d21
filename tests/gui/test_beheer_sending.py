"""Beheer → Verzenden through real widgets: briefhoofd, mail server with its test, team delivery.

Each screen is filled by keyboard, saved with Enter, and read back through the core; wrong input
gives a Dutch message and keeps what was typed. The connection test runs against a real aiosmtpd
server (STARTTLS, AUTH, the test CA) off the GUI thread; a server without STARTTLS is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.models import AuditEntry
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.practice.letterhead import letterhead
from gpdesk.security.accounts import sign_in
from gpdesk.transport import config
from gpdesk.ui.beheer.controller import BeheerController
from gpdesk.ui.beheer.practice_page import PracticePage
from gpdesk.ui.beheer.sending.tab import SendingTab
from gpdesk.ui.beheer.sending.team_dialog import TeamDeliveryDialog
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop
from tests.transport_support import SMTP_PASSWORD, SMTP_USER, MailServers, Pki, issue, make_pki

WAIT = 20_000


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def servers() -> Iterator[MailServers]:
    started = MailServers()
    yield started
    started.stop_all()


def _shell(qtbot: QtBot, home: Home, user: str) -> Desktop:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText(user)
    shell.login.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.beheer is not None, timeout=WAIT)
    return shell


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def database(demo_home: Home) -> Iterator[Database]:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    yield db
    db.dispose()


def _sending(qtbot: QtBot, shell: Desktop) -> tuple[SendingTab, BeheerController]:
    window = shell.window
    assert window is not None and shell.beheer is not None
    window.resize(1366, 768)
    window.show_area("beheer")
    page = window.practice_page()
    assert isinstance(page, PracticePage)
    page.tabs.setCurrentWidget(page.sending)
    tab = page.sending
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a mnemonic needs it
    qtbot.waitUntil(lambda: tab.teams.model.rowCount() > 0, timeout=WAIT)
    qtbot.waitUntil(lambda: tab.letterhead.name.text() != "–", timeout=WAIT)
    return tab, shell.beheer


def _retype(qtbot: QtBot, field: object, text: str) -> None:
    field.clear()  # type: ignore[attr-defined]
    if text:
        qtbot.keyClicks(field, text)


def _events(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))


# -- who sees it -------------------------------------------------------------------------------


def test_only_a_beheerder_sees_the_tab(qtbot: QtBot, demo_home: Home) -> None:
    shell = _shell(qtbot, demo_home, "bakker")  # huisarts
    try:
        assert shell.window is not None
        page = shell.window.practice_page()
        assert not page.tabs.isTabVisible(page.tabs.indexOf(page.sending))
    finally:
        dispose_desktop(shell)


def test_the_tab_shows_what_is_stored_never_the_password(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, _ctrl = _sending(qtbot, manager)
    page = manager.window.practice_page()  # type: ignore[union-attr]
    assert page.tabs.tabText(page.tabs.indexOf(page.sending)) == "&Verzenden"
    with database.session() as session:
        head = letterhead(session)
    assert tab.letterhead.phone.text() == head.phone
    assert tab.letterhead.address_lines() == list(head.address_lines)
    server = tab.server
    assert server.password.text() == ""
    assert server.password.placeholderText() in {"opgeslagen", "niet ingesteld"}
    assert server.security.count() == 2  # STARTTLS and TLS; no plain option
    assert {server.security.itemData(i) for i in range(2)} == {"starttls", "tls"}
    names = [line.name for line in tab.teams.model.rows]
    assert names and all(name for name in names)


# -- briefhoofd -------------------------------------------------------------------------------


def test_letterhead_is_saved_with_enter_and_audited(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, _ctrl = _sending(qtbot, manager)
    box = tab.letterhead
    qtbot.keyClick(tab, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # &Adres
    assert box.address.hasFocus()
    box.address.clear()
    qtbot.keyClicks(box.address, "Lindelaan 4")
    qtbot.keyClick(box.address, Qt.Key.Key_Return)  # Enter: a new line of the address
    qtbot.keyClicks(box.address, "3118 AB Schiedam")
    qtbot.keyClick(box.address, Qt.Key.Key_Tab)
    assert box.phone.hasFocus()
    _retype(qtbot, box.phone, "010 765 43 21")
    qtbot.keyClick(box.phone, Qt.Key.Key_Tab)
    _retype(qtbot, box.agb, "12345678")
    qtbot.keyClick(box.agb, Qt.Key.Key_Return)  # Enter = Briefhoofd opslaan
    qtbot.waitUntil(lambda: "opgeslagen" in box.status.text(), timeout=WAIT)
    with database.session() as session:
        head = letterhead(session)
    assert head.address_lines == ("Lindelaan 4", "3118 AB Schiedam")
    assert (head.phone, head.agb_code) == ("010 765 43 21", "12345678")
    assert _events(database, "practice.letterhead")[-1].username == "smit"


def test_a_wrong_letterhead_says_why_in_dutch_and_keeps_the_input(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, _ctrl = _sending(qtbot, manager)
    box = tab.letterhead
    with database.session() as session:
        before = letterhead(session)
    _retype(qtbot, box.agb, "123")
    _retype(qtbot, box.phone, "bel maar")
    qtbot.keyClick(box.phone, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.errors.text("agb") != "", timeout=WAIT)
    assert "8 cijfers" in box.errors.text("agb")
    assert box.errors.text("telefoon")
    assert (box.agb.text(), box.phone.text()) == ("123", "bel maar")
    assert box.save_button.isEnabled()
    with database.session() as session:
        assert letterhead(session) == before


# -- e-mailserver -------------------------------------------------------------------------------


def _fill_server(qtbot: QtBot, tab: SendingTab, pki: Pki, port: int, password: str) -> None:
    server = tab.server
    qtbot.keyClick(tab, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)  # S&erver
    assert server.host.hasFocus()
    _retype(qtbot, server.host, "127.0.0.1")
    server.port.setValue(port)
    server.security.setCurrentIndex(server.security.findData("starttls"))
    qtbot.keyClick(tab, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)  # Gebr&uikersnaam
    assert server.username.hasFocus()
    _retype(qtbot, server.username, SMTP_USER)
    qtbot.keyClick(server.username, Qt.Key.Key_Tab)
    assert server.password.hasFocus()
    _retype(qtbot, server.password, password)
    _retype(qtbot, server.from_address, "praktijk@example.org")
    _retype(qtbot, server.ca_file, str(pki.ca.cert_pem))


def test_mail_server_is_saved_with_enter_and_the_password_stays_unseen(
    qtbot: QtBot, manager: Desktop, database: Database, pki: Pki
) -> None:
    tab, _ctrl = _sending(qtbot, manager)
    server = tab.server
    _fill_server(qtbot, tab, pki, 2525, SMTP_PASSWORD)
    qtbot.keyClick(server.password, Qt.Key.Key_Return)  # Enter = Mailserver opslaan
    qtbot.waitUntil(lambda: "opgeslagen" in server.status.text(), timeout=WAIT)
    assert server.password.text() == "" and server.password.placeholderText() == "opgeslagen"
    signed = sign_in(database, "smit", DEMO_PASSWORD)
    with database.session() as session:
        stored = config.load_transport(session, signed.vault)
    assert stored is not None
    assert (stored.host, stored.port, stored.security) == ("127.0.0.1", 2525, "starttls")
    assert (stored.username, stored.password) == (SMTP_USER, SMTP_PASSWORD)
    assert stored.ca_file == pki.ca.cert_pem.resolve()
    [*_, entry] = _events(database, "transport.set")
    assert entry.username == "smit" and SMTP_PASSWORD not in (entry.detail or "")
    # Saving again with the field left empty keeps the stored password.
    _retype(qtbot, server.host, "localhost")
    qtbot.keyClick(server.host, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(_events(database, "transport.set")) == 2, timeout=WAIT)
    with database.session() as session:
        again = config.load_transport(session, signed.vault)
    assert again is not None and (again.host, again.password) == ("localhost", SMTP_PASSWORD)


def test_wrong_server_settings_say_why_in_dutch_and_keep_the_input(
    qtbot: QtBot, manager: Desktop, database: Database, pki: Pki
) -> None:
    tab, _ctrl = _sending(qtbot, manager)
    server = tab.server
    before = len(_events(database, "transport.set"))
    _retype(qtbot, server.host, "")
    _retype(qtbot, server.from_address, "praktijk-zonder-apenstaart")
    _retype(qtbot, server.ca_file, str(pki.folder / "bestaat-niet.pem"))
    qtbot.keyClick(server.from_address, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: server.errors.text("mailserver") != "", timeout=WAIT)
    assert "naam van de mailserver" in server.errors.text("mailserver")
    assert "naam@voorbeeld.nl" in server.errors.text("afzender")
    assert server.from_address.text() == "praktijk-zonder-apenstaart"
    assert "Niet opgeslagen" in server.status.text()
    assert len(_events(database, "transport.set")) == before


def test_connection_test_passes_against_a_real_gateway_and_sends_nothing(
    qtbot: QtBot, manager: Desktop, pki: Pki, servers: MailServers
) -> None:
    gateway = servers.gateway(pki)
    tab, _ctrl = _sending(qtbot, manager)
    server = tab.server
    _fill_server(qtbot, tab, pki, gateway.port, SMTP_PASSWORD)
    qtbot.keyClick(tab, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # Ver&binding testen
    qtbot.waitUntil(lambda: server.test_status.text().startswith("✔"), timeout=WAIT)
    assert "certificaat vertrouwd" in server.test_status.text()
    assert f"ingelogd als {SMTP_USER}" in server.test_status.text()
    assert server.test_button.isEnabled()
    assert gateway.inbox.logins == 1 and gateway.inbox.messages == []


def test_connection_test_uses_the_stored_password_and_names_a_wrong_one(
    qtbot: QtBot, manager: Desktop, pki: Pki, servers: MailServers
) -> None:
    gateway = servers.gateway(pki)
    tab, _ctrl = _sending(qtbot, manager)
    server = tab.server
    _fill_server(qtbot, tab, pki, gateway.port, "niet het goede")
    qtbot.mouseClick(server.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: server.test_status.text().startswith("✘"), timeout=WAIT)
    assert "weigert de gebruikersnaam of het wachtwoord" in server.test_status.text()
    assert "Controleer de gebruikersnaam en het wachtwoord" in server.test_status.text()
    # Stored, then tested with the field empty: the stored (right) password is used.
    _retype(qtbot, server.password, SMTP_PASSWORD)
    qtbot.keyClick(server.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: server.password.placeholderText() == "opgeslagen", timeout=WAIT)
    qtbot.mouseClick(server.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: server.test_status.text().startswith("✔"), timeout=WAIT)


def test_a_server_without_starttls_is_refused(
    qtbot: QtBot, manager: Desktop, pki: Pki, servers: MailServers
) -> None:
    plain = servers.start(auth_require_tls=False)
    tab, _ctrl = _sending(qtbot, manager)
    server = tab.server
    _fill_server(qtbot, tab, pki, plain.port, SMTP_PASSWORD)
    qtbot.mouseClick(server.test_button, Qt.MouseButton.LeftButton)
    # The click returns at once: the GUI thread does not wait for the server.
    assert not server.test_button.isEnabled()
    assert server.test_status.text() == "Verbinding wordt getest…"
    qtbot.waitUntil(lambda: server.test_status.text().startswith("✘"), timeout=WAIT)
    assert "geen beveiligde verbinding (STARTTLS)" in server.test_status.text()
    assert plain.inbox.logins == 0 and plain.inbox.messages == []


def test_an_untrusted_certificate_and_a_closed_port_are_named(
    qtbot: QtBot, manager: Desktop, pki: Pki, servers: MailServers
) -> None:
    stranger = servers.start(
        tls_context=pki.server_context(pki.stranger_server), require_starttls=True
    )
    tab, _ctrl = _sending(qtbot, manager)
    server = tab.server
    _fill_server(qtbot, tab, pki, stranger.port, SMTP_PASSWORD)
    qtbot.mouseClick(server.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: server.test_status.text().startswith("✘"), timeout=WAIT)
    assert "certificaat van de mailserver is niet te vertrouwen" in server.test_status.text()
    servers.stop_all()  # nobody listens there any more
    qtbot.mouseClick(server.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "neemt niet op" in server.test_status.text(), timeout=WAIT)


# -- wijkteams ---------------------------------------------------------------------------------


def _open_dialog(qtbot: QtBot, tab: SendingTab, ctrl: BeheerController) -> TeamDeliveryDialog:
    window = tab.window()
    window.activateWindow()  # back from a closed dialog: a mnemonic needs the active window
    qtbot.waitUntil(window.isActiveWindow)
    tab.teams.view.setFocus()
    tab.teams.view.selectRow(0)
    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.AltModifier)  # Be&zorging instellen…
    qtbot.waitUntil(lambda: ctrl.sending.dialog is not None, timeout=WAIT)
    dialog = ctrl.sending.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    # Its Alt keys work once it is the active window; on a busy machine that comes later.
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    return dialog


def test_team_delivery_is_edited_in_a_dialog_and_stored(
    qtbot: QtBot, manager: Desktop, database: Database, pki: Pki, tmp_path: Path
) -> None:
    tab, ctrl = _sending(qtbot, manager)
    dialog = _open_dialog(qtbot, tab, ctrl)
    team_id, name = dialog.line.team_id, dialog.line.name
    qtbot.keyClick(dialog, Qt.Key.Key_E, Qt.KeyboardModifier.AltModifier)  # &E-mailadres
    assert dialog.email.hasFocus()
    _retype(qtbot, dialog.email, "team@gemeente")  # no domain ending
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.text("e-mail") != "", timeout=WAIT)
    assert "naam@voorbeeld.nl" in dialog.errors.text("e-mail")
    assert dialog.isVisible() and dialog.email.text() == "team@gemeente"
    before = len(_events(database, "team.delivery"))

    _retype(qtbot, dialog.email, "wijkteam@example.org")
    dialog.choose_certificate(pki.team.cert_pem)
    folder = tmp_path / "export"
    folder.mkdir()
    _retype(qtbot, dialog.folder, str(folder))
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)  # Enter = Opslaan
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: f"Bezorging van {name} opgeslagen" in tab.status.text(), timeout=WAIT)
    with database.session() as session:
        view = config.get_team_delivery(session, team_id)
    assert view is not None and view.email == "wijkteam@example.org"
    assert view.export_folder == str(folder.resolve())
    until = pki.team.certificate.not_valid_after_utc.date()
    assert view.certificate_valid_until == until
    assert len(_events(database, "team.delivery")) == before + 1
    qtbot.waitUntil(
        lambda: any(
            line.team_id == team_id and line.delivery == view for line in tab.teams.model.rows
        ),
        timeout=WAIT,
    )
    row = next(i for i, line in enumerate(tab.teams.model.rows) if line.team_id == team_id)
    model = tab.teams.model
    assert model.index(row, model.CERTIFICATE).data() == f"tot {until:%d-%m-%Y}"

    # Saved again without choosing a file: the certificate stays.
    dialog = _open_dialog(qtbot, tab, ctrl)
    assert dialog.line.team_id == team_id
    assert f"geldig tot {until:%d-%m-%Y}" in dialog.certificate.text()
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)
    with database.session() as session:
        again = config.get_team_delivery(session, team_id)
    assert again is not None and again.certificate_valid_until == until


def test_an_expired_certificate_is_refused_and_one_ending_soon_is_flagged(
    qtbot: QtBot, manager: Desktop, database: Database, pki: Pki, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    expired = issue(
        tmp_path, "verlopen", issuer=pki.ca, email="wijkteam@example.org",
        valid_from=now - timedelta(days=400), valid_until=now - timedelta(days=5),
    )  # fmt: skip
    soon = issue(
        tmp_path, "bijna", issuer=pki.ca, email="wijkteam@example.org",
        valid_until=now + timedelta(days=10),
    )  # fmt: skip
    tab, ctrl = _sending(qtbot, manager)
    dialog = _open_dialog(qtbot, tab, ctrl)
    team_id = dialog.line.team_id
    _retype(qtbot, dialog.email, "wijkteam@example.org")
    dialog.choose_certificate(expired.cert_pem)
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.text("certificaat") != "", timeout=WAIT)
    end = expired.certificate.not_valid_after_utc
    assert f"verlopen op {end:%d-%m-%Y}" in dialog.errors.text("certificaat")
    assert dialog.isVisible() and dialog.email.text() == "wijkteam@example.org"

    dialog.choose_certificate(soon.cert_pem)
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)
    until = soon.certificate.not_valid_after_utc.date()
    model = tab.teams.model

    def flagged() -> bool:
        rows = [i for i, line in enumerate(model.rows) if line.team_id == team_id]
        return bool(rows) and model.index(rows[0], model.CERTIFICATE).data() == (
            f"⚠ verloopt op {until:%d-%m-%Y}"
        )

    qtbot.waitUntil(flagged, timeout=WAIT)
    assert tab.teams.warning.isVisible()
    assert f"certificaat verloopt op {until:%d-%m-%Y}" in tab.teams.warning.text()


def test_escape_closes_the_dialog_and_asks_first_when_something_changed(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, ctrl = _sending(qtbot, manager)
    before = len(_events(database, "team.delivery"))
    dialog = _open_dialog(qtbot, tab, ctrl)
    qtbot.keyClick(dialog.email, Qt.Key.Key_Escape)  # nothing changed: closes at once
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)

    dialog = _open_dialog(qtbot, tab, ctrl)
    qtbot.keyClicks(dialog.email, "x")
    qtbot.keyClick(dialog.email, Qt.Key.Key_Escape)
    question = dialog.discard_question
    assert isinstance(question, QMessageBox) and dialog.isVisible()
    drop = next(b for b in question.buttons() if "Niet opslaan" in b.text())
    qtbot.mouseClick(drop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)
    assert len(_events(database, "team.delivery")) == before


def test_a_lock_closes_the_dialog_without_saving(qtbot: QtBot, manager: Desktop) -> None:
    tab, ctrl = _sending(qtbot, manager)
    dialog = _open_dialog(qtbot, tab, ctrl)
    qtbot.keyClicks(dialog.email, "x")
    manager.lock()
    qtbot.waitUntil(lambda: ctrl.sending.dialog is None, timeout=WAIT)
