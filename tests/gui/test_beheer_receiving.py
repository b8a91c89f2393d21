"""Beheer → Ontvangen through real widgets: sources, the connection test, retention, quarantine.

The beheerder adds the practice's mailbox by keyboard and tests it against a real Dovecot
(``ssl = required``, the test CA) off the GUI thread: a wrong password is named in Dutch, the
right one works, and after saving the stored password is used without ever being shown. A drop
folder is added, turned off, fetched from ("Nu ophalen") and removed while its letter stays; the
retention period is changed with Enter; the quarantine count leads to the Terugkoppeling area.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.inbox.store import Incoming, Quarantine, receive
from gpdesk.inbox.store.forgetting import retention_days
from gpdesk.inbox.store.listing import LetterView
from gpdesk.inbox.store.sources import SourceView, imap_settings, list_sources, source_row
from gpdesk.models import AuditEntry, Letter, LetterSource
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.roles import Role
from gpdesk.security.accounts import sign_in
from gpdesk.security.permissions import Permission
from gpdesk.security.users import set_permission
from gpdesk.ui.beheer.controller import BeheerController
from gpdesk.ui.beheer.practice_page import PracticePage
from gpdesk.ui.beheer.receiving.source_dialogs import FolderSourceDialog, ImapSourceDialog
from gpdesk.ui.beheer.receiving.tab import ReceivingTab
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop
from tests.dovecot_support import IMAP_PASSWORD, DovecotServer, ImapPki

WAIT = 30_000
SHOTS = os.environ.get("GPDESK_SHOTS")
"""A folder to render the tab and the dialog into (for looking at them), or None."""


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
def database(demo_home: Home) -> Iterator[Database]:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    yield db
    db.dispose()


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def reading_manager(qtbot: QtBot, demo_home: Home, database: Database) -> Iterator[Desktop]:
    """The practice manager in a practice that lets that role read letters too."""
    smit = sign_in(database, "smit", DEMO_PASSWORD)
    set_permission(database, smit, Role.PRACTICE_MANAGER, Permission.LETTER_READ, allowed=True)
    shell = _shell(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def _receiving(qtbot: QtBot, shell: Desktop) -> tuple[ReceivingTab, BeheerController]:
    """Beheer, then Alt+O: the Ontvangen tab, loaded."""
    window = shell.window
    assert window is not None and shell.beheer is not None
    window.resize(1366, 768)
    window.show_area("beheer")
    page = window.practice_page()
    assert isinstance(page, PracticePage)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a mnemonic needs it
    assert page.tabs.tabText(page.tabs.indexOf(page.receiving)) == "&Ontvangen"
    qtbot.keyClick(page.tabs, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentWidget() is page.receiving
    tab = page.receiving
    qtbot.waitUntil(lambda: tab.quarantine.summary.text() != "–", timeout=WAIT)
    return tab, shell.beheer


def _retype(qtbot: QtBot, field: object, text: str) -> None:
    field.clear()  # type: ignore[attr-defined]
    if text:
        qtbot.keyClicks(field, text)


def _alt(qtbot: QtBot, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.AltModifier)


def _dialog(qtbot: QtBot, ctrl: BeheerController, tab: ReceivingTab, key: Qt.Key) -> object:
    window = tab.window()
    window.activateWindow()  # back from a closed dialog: a mnemonic needs the active window
    qtbot.waitUntil(window.isActiveWindow)
    _alt(qtbot, tab, key)
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is not None, timeout=WAIT)
    dialog = ctrl.receiving.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)  # its own Alt keys need that
    return dialog


def _events(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))


def _shot(qtbot: QtBot, widget: QWidget, name: str) -> None:
    if SHOTS:
        qtbot.wait(100)  # the layout settles (a label that just appeared takes its room)
        widget.grab().save(str(Path(SHOTS) / name))


# -- who sees it -------------------------------------------------------------------------------


def test_only_a_beheerder_sees_the_tab(qtbot: QtBot, demo_home: Home) -> None:
    shell = _shell(qtbot, demo_home, "jansen")  # doktersassistent
    try:
        assert shell.window is not None
        page = shell.window.practice_page()
        assert not page.tabs.isTabVisible(page.tabs.indexOf(page.receiving))
    finally:
        dispose_desktop(shell)


# -- a mailbox, by keyboard, against a real Dovecot ----------------------------------------------


def _fill_mailbox(
    qtbot: QtBot, dialog: ImapSourceDialog, server: DovecotServer, pki: ImapPki, password: str
) -> None:
    _alt(qtbot, dialog, Qt.Key.Key_E)  # S&erver
    assert dialog.host.hasFocus()
    _retype(qtbot, dialog.host, server.host)
    _alt(qtbot, dialog, Qt.Key.Key_B)  # &Beveiliging
    assert dialog.security.hasFocus()
    qtbot.keyClick(dialog.security, Qt.Key.Key_Down)  # STARTTLS: the port follows (143)
    assert dialog.security.currentData() == "starttls" and dialog.port.value() == 143
    _alt(qtbot, dialog, Qt.Key.Key_R)  # Poo&rt
    assert dialog.port.hasFocus()
    qtbot.keyClick(dialog.port, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.port, str(server.starttls_port))
    _alt(qtbot, dialog, Qt.Key.Key_G)  # &Gebruikersnaam
    _retype(qtbot, dialog.username, server.user)
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert dialog.password.hasFocus()
    _retype(qtbot, dialog.password, password)
    _alt(qtbot, dialog, Qt.Key.Key_C)  # &CA-bestand
    _retype(qtbot, dialog.ca_file, str(pki.ca.cert_pem))


def _test_connection(qtbot: QtBot, dialog: ImapSourceDialog) -> str:
    _alt(qtbot, dialog, Qt.Key.Key_T)  # Verbinding &testen
    # A mnemonic "animates" the click: it lands a moment later. Then the GUI thread does not
    # wait for the server: the button is off and the status says so until the answer comes.
    qtbot.waitUntil(lambda: dialog.test_status.text() == "Verbinding wordt getest…", timeout=WAIT)
    assert not dialog.test_button.isEnabled()
    qtbot.waitUntil(
        lambda: dialog.test_status.text().startswith(("✔", "✘", "Niet getest")), timeout=WAIT
    )
    return dialog.test_status.text()


def test_a_mailbox_is_added_by_keyboard_and_tested_against_a_real_server(
    qtbot: QtBot, manager: Desktop, database: Database, dovecot: DovecotServer, imap_pki: ImapPki
) -> None:
    tab, ctrl = _receiving(qtbot, manager)
    assert tab.sources.model.rowCount() == 0 and tab.sources.empty.isVisible()
    dialog = _dialog(qtbot, ctrl, tab, Qt.Key.Key_I)  # &IMAP-postvak toevoegen…
    assert isinstance(dialog, ImapSourceDialog)
    assert dialog.security.count() == 2  # TLS and STARTTLS; never plain
    assert {dialog.security.itemData(i) for i in range(2)} == {"tls", "starttls"}
    _fill_mailbox(qtbot, dialog, dovecot, imap_pki, "niet-het-goede")

    said = _test_connection(qtbot, dialog)
    assert said.startswith("✘ Verbinding mislukt.")
    assert "weigert de gebruikersnaam of het wachtwoord" in said
    assert dialog.test_button.isEnabled() and dialog.isVisible()

    _retype(qtbot, dialog.password, IMAP_PASSWORD)
    said = _test_connection(qtbot, dialog)
    assert said.startswith("✔ De verbinding met het postvak werkt: 0 berichten")
    assert IMAP_PASSWORD not in said
    _shot(qtbot, dialog, "receiving-imap-dialog.png")
    _alt(qtbot, dialog, Qt.Key.Key_H)  # Na op&halen: move them to a folder
    qtbot.keyClick(dialog.after, Qt.Key.Key_Down)
    assert dialog.move_to.isEnabled()
    _alt(qtbot, dialog, Qt.Key.Key_P)  # Naar ma&p
    _retype(qtbot, dialog.move_to, "Verwerkt")
    with dovecot.mailbox() as box:
        box.create("Verwerkt")
    qtbot.keyClick(dialog.move_to, Qt.Key.Key_Return)  # Enter = Opslaan
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: tab.sources.model.rowCount() == 1, timeout=WAIT)
    assert "Postvak toegevoegd" in tab.sources.status.text()
    model = tab.sources.model
    assert model.text(0, model.KIND) == "postvak (IMAP)"
    assert model.text(0, model.AFTER) == "naar map Verwerkt"
    assert model.text(0, model.ENABLED) == "aan"
    smit = sign_in(database, "smit", DEMO_PASSWORD)
    [source] = _sources(database)
    with database.session() as session:
        stored = imap_settings(smit.vault, source_row(session, source.id))
    assert (stored.port, stored.security, stored.move_to) == (
        dovecot.starttls_port,
        "starttls",
        "Verwerkt",
    )
    assert stored.password == IMAP_PASSWORD
    assert all(IMAP_PASSWORD not in (e.detail or "") for e in _events(database, "inbox.source"))

    # Changed later: the password field stays empty and the stored one is used and kept.
    tab.sources.view.setFocus()
    qtbot.keyClick(tab.sources.view, Qt.Key.Key_Return)  # Enter on a source = Wijzigen
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is not None, timeout=WAIT)
    dialog = ctrl.receiving.dialog
    assert isinstance(dialog, ImapSourceDialog)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    assert dialog.password.text() == "" and "opgeslagen" in dialog.password.placeholderText()
    assert dialog.host.text() == dovecot.host
    assert _test_connection(qtbot, dialog).startswith("✔")
    _alt(qtbot, dialog, Qt.Key.Key_V)  # Hoe &vaak
    qtbot.keyClick(dialog.interval, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.interval, "15")
    qtbot.keyClick(dialog.interval, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is None, timeout=WAIT)
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.rows[0].interval_minutes == 15)
    assert model.text(0, model.INTERVAL) == "elke 15 min"
    with database.session() as session:
        assert imap_settings(smit.vault, source_row(session, source.id)).password == IMAP_PASSWORD


def _sources(db: Database) -> list[SourceView]:
    with db.session() as session:
        return list_sources(session)


def test_a_wrong_form_says_why_under_its_fields_and_keeps_the_input(
    qtbot: QtBot, manager: Desktop, database: Database, tmp_path: Path
) -> None:
    tab, ctrl = _receiving(qtbot, manager)
    dialog = _dialog(qtbot, ctrl, tab, Qt.Key.Key_I)
    assert isinstance(dialog, ImapSourceDialog)
    _retype(qtbot, dialog.host, "imap.zorgmail.example")
    _retype(qtbot, dialog.ca_file, str(tmp_path / "bestaat-niet.pem"))
    qtbot.keyClick(dialog.host, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.text("ca_file") != "", timeout=WAIT)
    assert "niet te lezen" in dialog.errors.text("ca_file")
    assert "gebruikersnaam" in dialog.errors.text("username")
    assert "wachtwoord" in dialog.errors.text("password")
    assert dialog.isVisible() and dialog.host.text() == "imap.zorgmail.example"
    assert _sources(database) == []
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # something typed: it asks first
    qtbot.waitUntil(lambda: dialog.discard_question is not None, timeout=WAIT)
    question = dialog.discard_question
    assert question is not None
    drop = next(b for b in question.buttons() if b.text() == "&Niet opslaan")
    drop.click()
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is None, timeout=WAIT)


# -- a drop folder, on and off, fetched, removed --------------------------------------------------


def _add_folder(
    qtbot: QtBot, ctrl: BeheerController, tab: ReceivingTab, folder: Path
) -> FolderSourceDialog:
    dialog = _dialog(qtbot, ctrl, tab, Qt.Key.Key_M)  # &Map toevoegen…
    assert isinstance(dialog, FolderSourceDialog)
    _alt(qtbot, dialog, Qt.Key.Key_M)  # &Map
    assert dialog.folder.hasFocus()
    _retype(qtbot, dialog.folder, str(folder))
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)
    return dialog


def test_a_folder_is_added_turned_off_and_removed_while_its_letter_stays(
    qtbot: QtBot, manager: Desktop, database: Database, tmp_path: Path
) -> None:
    tab, ctrl = _receiving(qtbot, manager)
    dialog = _add_folder(qtbot, ctrl, tab, tmp_path / "bestaat-niet")
    qtbot.waitUntil(lambda: dialog.errors.text("folder") != "", timeout=WAIT)
    assert "bestaat niet" in dialog.errors.text("folder")
    folder = tmp_path / "zorgmail-in"
    folder.mkdir()
    _retype(qtbot, dialog.folder, str(folder))
    qtbot.keyClick(dialog.folder, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is None, timeout=WAIT)
    box = tab.sources
    qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=WAIT)
    assert box.model.text(0, box.model.WHERE) == str(folder)
    assert box.model.text(0, box.model.AFTER) == "naar submap verwerkt"
    [source] = _sources(database)
    assert not box.fetch_button.isEnabled()  # smit reads no letters: the core would refuse

    tab.window().activateWindow()
    qtbot.waitUntil(tab.window().isActiveWindow)
    _alt(qtbot, tab, Qt.Key.Key_U)  # &Uitzetten
    qtbot.waitUntil(lambda: bool(box.model.rows) and not box.model.rows[0].enabled, timeout=WAIT)
    assert box.model.text(0, box.model.ENABLED) == "uit"
    assert box.toggle_button.text() == "A&anzetten"
    assert "staat uit" in box.status.text()

    incoming = Incoming(
        source=LetterSource.FOLDER, raw=b"een brief", file_type="onbekend",
        source_id=source.id, quarantine=Quarantine("Het bestand is leeg.", "empty"),
    )  # fmt: skip
    smit = sign_in(database, "smit", DEMO_PASSWORD)
    with database.session() as session:
        letter_id = receive(session, smit.vault, None, incoming).letter_id
    box.view.setFocus()
    qtbot.keyClick(box.view, Qt.Key.Key_Delete)  # Delete = Verwijderen…
    qtbot.waitUntil(lambda: ctrl.receiving.question is not None, timeout=WAIT)
    question = ctrl.receiving.question
    assert isinstance(question, QMessageBox)
    assert "brieven die er al uit kwamen, blijven" in question.informativeText()
    assert question.defaultButton().text() == "&Niet verwijderen"  # Enter keeps it
    remove = next(b for b in question.buttons() if b.text() == "&Verwijderen")
    remove.click()
    qtbot.waitUntil(lambda: box.model.rowCount() == 0, timeout=WAIT)
    assert "is verwijderd" in box.status.text() and box.empty.isVisible()
    assert _sources(database) == []
    with database.session() as session:
        letter = session.get_one(Letter, letter_id)
        assert letter.source_id is None and letter.raw is not None


def test_nu_ophalen_fetches_a_folder_once_off_the_gui_thread(
    qtbot: QtBot, reading_manager: Desktop, database: Database, tmp_path: Path
) -> None:
    tab, ctrl = _receiving(qtbot, reading_manager)
    folder = tmp_path / "zorgmail-in"
    folder.mkdir()
    _add_folder(qtbot, ctrl, tab, folder)
    box = tab.sources
    qtbot.waitUntil(lambda: box.model.rowCount() == 1, timeout=WAIT)
    dropped = folder / "antwoord.txt"
    dropped.write_text("Wij hebben uw aanmelding ontvangen en nemen contact op.\n")
    os.utime(dropped, (time.time() - 60, time.time() - 60))  # written a minute ago
    assert box.fetch_button.isEnabled()
    tab.window().activateWindow()
    qtbot.waitUntil(tab.window().isActiveWindow)
    _alt(qtbot, tab, Qt.Key.Key_N)  # &Nu ophalen
    qtbot.waitUntil(lambda: not box.fetch_button.isEnabled(), timeout=WAIT)  # one at a time
    qtbot.waitUntil(lambda: box.status.text().startswith(("✔", "✘")), timeout=60_000)
    assert box.status.text() == (
        f"✔ Opgehaald uit map {folder}: 1 nieuwe brief, 0 al aanwezig, 0 in quarantaine."
    )
    assert (folder / "verwerkt" / "antwoord.txt").exists()
    qtbot.waitUntil(lambda: box.model.text(0, box.model.LAST_FETCH) != "nog niet", timeout=WAIT)
    assert box.fetch_button.isEnabled()


# -- retention --------------------------------------------------------------------------------


def test_the_retention_period_is_changed_with_enter(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, _ctrl = _receiving(qtbot, manager)
    part = tab.retention
    assert part.days.value() == 90
    _alt(qtbot, tab, Qt.Key.Key_B)  # &Bewaartermijn
    assert part.days.hasFocus()
    qtbot.keyClick(part.days, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(part.days, "180")
    qtbot.keyClick(part.days, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: part.status.text().startswith("✔"), timeout=WAIT)
    assert "180 dagen" in part.status.text()
    with database.session() as session:
        assert retention_days(session) == 180
    [entry] = _events(database, "inbox.retention")
    assert entry.username == "smit" and entry.detail == "bewaartermijn van 90 naar 180 dagen"
    assert (part.days.minimum(), part.days.maximum()) == (30, 3650)


# -- quarantine ----------------------------------------------------------------------------------


def _quarantine(database: Database, number: int) -> None:
    smit = sign_in(database, "smit", DEMO_PASSWORD)
    for n in range(number):
        incoming = Incoming(
            source=LetterSource.FOLDER, raw=f"bestand {n}".encode(), file_type="onbekend",
            quarantine=Quarantine("Het bestand is leeg.", "empty"),
        )  # fmt: skip
        with database.session() as session:
            receive(session, smit.vault, None, incoming)


def test_the_quarantine_is_counted_but_its_letters_stay_behind_letter_read(
    qtbot: QtBot, database: Database, demo_home: Home
) -> None:
    _quarantine(database, 2)
    shell = _shell(qtbot, demo_home, "smit")
    try:
        tab, _ctrl = _receiving(qtbot, shell)
        part = tab.quarantine
        assert part.summary.text().startswith("2 bestanden staan in quarantaine")
        assert part.reasons.text() == "2 × Het bestand is leeg."
        assert not part.open_button.isEnabled()
        assert "terugkoppeling lezen" in part.hint.text()
        _shot(qtbot, tab.window(), "receiving-tab.png")
    finally:
        dispose_desktop(shell)


def test_the_quarantine_button_opens_terugkoppeling_with_its_filter(
    qtbot: QtBot, database: Database, reading_manager: Desktop
) -> None:
    _quarantine(database, 1)
    tab, ctrl = _receiving(qtbot, reading_manager)
    ctrl.receiving.refresh()
    part = tab.quarantine
    qtbot.waitUntil(lambda: part.open_button.isEnabled(), timeout=WAIT)
    assert part.summary.text().startswith("1 bestand staat in quarantaine")
    _alt(qtbot, tab, Qt.Key.Key_Q)  # &Quarantaine bekijken in Terugkoppeling
    window = reading_manager.window
    assert window is not None
    qtbot.waitUntil(lambda: window.current_area() == "inbox", timeout=WAIT)
    inbox = window.inbox_page()
    assert inbox.view() is LetterView.QUARANTINE
    qtbot.waitUntil(lambda: inbox.model.rowCount() == 1, timeout=WAIT)


def test_a_lock_closes_the_dialog_and_drops_a_typed_password(
    qtbot: QtBot, manager: Desktop, database: Database
) -> None:
    tab, ctrl = _receiving(qtbot, manager)
    dialog = _dialog(qtbot, ctrl, tab, Qt.Key.Key_I)
    assert isinstance(dialog, ImapSourceDialog)
    _retype(qtbot, dialog.host, "imap.zorgmail.example")
    _retype(qtbot, dialog.password, "getypt-wachtwoord")
    manager.lock()
    qtbot.waitUntil(lambda: ctrl.receiving.dialog is None, timeout=WAIT)
    assert _sources(database) == []
