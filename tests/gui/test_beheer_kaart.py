"""Beheer → Sociale kaart driven through real widgets, and the "Wat is er veranderd" panel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.kaart.changes.digest import ChangeKind, Digest, DigestLine
from gpdesk.kaart.store.queries import service_detail
from gpdesk.models import Contact, FixedContact, KaartChange
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.beheer.kaart.controller import KaartController
from gpdesk.ui.beheer.kaart.editor import ContactDialog, ServiceDialog
from gpdesk.ui.beheer.kaart.import_actions import NOT_AVAILABLE
from gpdesk.ui.beheer.kaart.tab import KaartTab
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.kaart_digest import LINK_TEXT, ChangeDigestPanel
from tests.conftest import dispose_desktop


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
    qtbot.waitUntil(lambda: shell.window is not None and shell.beheer is not None, timeout=15_000)
    return shell


@pytest.fixture
def manager(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    shell = _shell(qtbot, demo_home, "smit")
    yield shell
    dispose_desktop(shell)


def _kaart(qtbot: QtBot, shell: Desktop) -> tuple[KaartTab, KaartController]:
    window = shell.window
    assert window is not None and shell.beheer is not None
    window.resize(1366, 768)
    window.show_area("beheer")
    page = window.practice_page()
    assert page.tabs.isTabVisible(page.tabs.indexOf(page.kaart))
    page.tabs.setCurrentWidget(page.kaart)
    qtbot.waitUntil(lambda: page.kaart.model.rowCount() > 60, timeout=15_000)
    return page.kaart, shell.beheer.kaart


def _open_service(qtbot: QtBot, tab: KaartTab, ctrl: KaartController, name: str) -> ServiceDialog:
    tab.search.setText(name)
    row = next(r for r in tab.model.rows if r.name == name)
    assert row.service_id is not None
    assert tab.select(row.service_id)
    qtbot.mouseClick(tab.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.service_dialog is not None, timeout=15_000)
    dialog = ctrl.service_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _db(home: Home) -> Database:
    return open_database(f"sqlite:///{home.database_file}")


def _phone_changes(home: Home) -> list[KaartChange]:
    db = _db(home)
    try:
        with db.session() as session:
            rows = list(
                session.scalars(
                    select(KaartChange).where(
                        KaartChange.resource_type == "phone", KaartChange.batch_id.is_(None)
                    )
                )
            )
            session.expunge_all()
        return rows
    finally:
        db.dispose()


def test_edit_a_contacts_phone_through_the_dialogs(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    assert "verouderd" in tab.summary.text()
    tab.search.setText("Wijkteam Nieuwland")
    assert 1 <= tab.proxy.rowCount() < 5
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Nieuwland")
    service_id = dialog.service_id
    assert service_id is not None
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_CONTACTS)
    position = next(i for i, c in enumerate(dialog.contacts.rows) if c.name == "Fatma Kaya")
    dialog.contacts_view.selectRow(position)
    qtbot.mouseClick(dialog.edit_contact, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.contact_dialog is not None, timeout=5_000)
    contact = ctrl.contact_dialog
    assert isinstance(contact, ContactDialog)
    assert contact.name.text() == "Fatma Kaya"
    assert contact.deputy.currentText() == "Jeroen Visser"
    contact.phone.clear()
    qtbot.keyClicks(contact.phone, "010 765 43 21")
    qtbot.keyClick(contact.phone, Qt.Key.Key_Return)  # Enter = OK
    qtbot.waitUntil(lambda: ctrl.contact_dialog is None, timeout=5_000)
    kaya = next(c for c in dialog.contacts.rows if c.name == "Fatma Kaya")
    assert kaya.phone == "010-765 43 21"  # tidied as the core stores it
    assert "Fatma Kaya gewijzigd; dit wordt opgeslagen met Opslaan." in (
        dialog.contacts_status.text()
    )
    row = next(i for i, c in enumerate(dialog.contacts.rows) if c.name == "Fatma Kaya")
    assert dialog.contacts.index(row, 0).data().endswith("(gewijzigd)")
    assert _phone_changes(demo_home) == []  # nothing saved before Opslaan
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    assert "'Wijkteam Nieuwland' opgeslagen." in tab.status.text()
    [change] = _phone_changes(demo_home)
    assert (change.replacement_value, change.updated_by) == ("010-765 43 21", "R. Smit")
    db = _db(demo_home)
    try:
        with db.session() as session:
            detail = service_detail(session, service_id)
    finally:
        db.dispose()
    assert next(c for c in detail.contacts if c.name == "Fatma Kaya").phone == "010-765 43 21"


def test_validation_errors_keep_the_dialog_open_in_dutch(qtbot: QtBot, manager: Desktop) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Nieuwland")
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_AREA)
    dialog.postcodes.setText("3118 en Kethel")
    assert "niet herkend" in dialog.postcodes_check.text()  # live, before saving
    dialog.email.setText("info(at)nieuwland")
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_WHEN)
    dialog.rules.add_row()
    last = dialog.rules.rowCount() - 1
    dialog.rules.setData(dialog.rules.index(last, 0), "dinsdag")
    dialog.rules.setData(dialog.rules.index(last, 2), "08:00")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=15_000)
    assert dialog.isVisible()
    assert dialog.errors.text("e-mail") == (
        "Dit e-mailadres klopt niet. Schrijf het als naam@voorbeeld.nl."
    )
    assert dialog.errors.text("werkgebied").startswith("Het werkgebied is niet herkend")
    assert dialog.errors.text("tijden") == "Regel 3: de eindtijd moet na de begintijd liggen."
    assert "Niet opgeslagen" in dialog.message.text()
    assert dialog.tabs.tabText(ServiceDialog.TAB_GENERAL).endswith("⚠")
    assert dialog.postcodes.text() == "3118 en Kethel"  # nothing typed is lost
    assert dialog.email.text() == "info(at)nieuwland"
    assert not dialog.grab().isNull()
    # Fixed, it saves, closes, and the list says so.
    dialog.postcodes.setText("3118-3119")
    dialog.email.setText("nieuwland@wijkteams.voorbeeld-schiedam.nl")
    dialog.rules.remove_row(last)
    dialog.submit()
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    assert "'Wijkteam Nieuwland' opgeslagen." in tab.status.text()


def _contact_names(home: Home, service_id: str) -> set[str]:
    db = _db(home)
    try:
        with db.session() as session:
            return {c.name for c in service_detail(session, service_id).contacts}
    finally:
        db.dispose()


def _departed(home: Home, service_id: str) -> dict[str, str | None]:
    """Who left, with who took over, as the Sociale kaart's detail pane gets it."""
    db = _db(home)
    try:
        with db.session() as session:
            return {
                c.name: None if c.deputy is None else c.deputy.name
                for c in service_detail(session, service_id).contacts
                if c.departed
            }
    finally:
        db.dispose()


def _add_contact(qtbot: QtBot, ctrl: KaartController, dialog: ServiceDialog, name: str) -> None:
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_CONTACTS)
    qtbot.mouseClick(dialog.new_contact, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.contact_dialog is not None, timeout=5_000)
    contact = ctrl.contact_dialog
    assert contact is not None
    qtbot.keyClicks(contact.name, name)
    qtbot.keyClick(contact.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.contact_dialog is None, timeout=5_000)


def test_contact_dialog_shows_a_bad_phone_next_to_the_field(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Oost")
    assert dialog.service_id is not None
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_CONTACTS)
    qtbot.mouseClick(dialog.new_contact, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.contact_dialog is not None, timeout=5_000)
    contact = ctrl.contact_dialog
    assert contact is not None
    qtbot.keyClicks(contact.name, "Sanne de Wit")
    qtbot.keyClicks(contact.phone, "12345")
    contact.submit()
    assert "10 cijfers" in contact.errors.text("telefoon")  # at once, before any saving
    assert contact.isVisible() and contact.name.text() == "Sanne de Wit"
    contact.phone.setText("06-12345678")
    contact.submit()
    qtbot.waitUntil(lambda: ctrl.contact_dialog is None, timeout=5_000)
    assert any(c.name == "Sanne de Wit" for c in dialog.contacts.rows)
    # Annuleren drops the new contact with everything else, after asking.
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    question = dialog.discard_question
    assert question is not None and question.isVisible()
    keep = next(b for b in question.buttons() if "Terug" in b.text())
    qtbot.mouseClick(keep, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.discard_question is None
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    question = dialog.discard_question
    assert question is not None
    drop = next(b for b in question.buttons() if "Niet opslaan" in b.text())
    qtbot.mouseClick(drop, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=5_000)
    assert "Sanne de Wit" not in _contact_names(demo_home, dialog.service_id)


def test_a_contact_who_leaves_shows_whom_it_affects(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Nieuwland")
    service_id = dialog.service_id
    assert service_id is not None
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_CONTACTS)
    fatma = next(c for c in dialog.contacts.rows if c.name == "Fatma Kaya")
    ctrl.remove_contact(dialog, fatma)  # what "Is vertrokken…" does after its question
    status = dialog.contacts_status.text()
    assert (
        "Fatma Kaya is vertrokken en blijft doorgestreept op de kaart staan, met Jeroen Visser "
        "als vervanger; dit wordt opgeslagen met Opslaan." in status
    )
    assert "vaste contactpersoon van de praktijk bij Wijkteam Nieuwland" in status
    assert "Jeroen Visser het aanspreekpunt" in status
    row = next(i for i, c in enumerate(dialog.contacts.rows) if c.name == "Fatma Kaya")
    shown = dialog.contacts.index(row, 0)
    assert shown.data() == "Fatma Kaya (vertrokken)"
    assert shown.data(Qt.ItemDataRole.FontRole).strikeOut()
    general = dialog.fixed.index(0, 1)
    assert general.data() == "(vertrokken — kies een nieuwe)"
    # Nobody who left is offered as the new vaste contactpersoon.
    assert "Fatma Kaya" not in [label for label, _ in dialog.fixed.choices(1)]
    assert _departed(demo_home, service_id) == {}  # not before Opslaan
    dialog.submit()
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    assert "'Wijkteam Nieuwland' opgeslagen." in tab.status.text()
    assert "Fatma Kaya" in _contact_names(demo_home, service_id)  # kept, struck through
    assert _departed(demo_home, service_id) == {"Fatma Kaya": "Jeroen Visser"}
    db = _db(demo_home)
    try:
        with db.session() as session:
            [fixed] = [
                f
                for f in session.scalars(
                    select(FixedContact).where(FixedContact.service_id == service_id)
                )
                if f.taxonomy_term_id is None
            ]
            assert fixed.contact_id is None
            deputy = session.get(Contact, fixed.deputy_contact_id)
            assert deputy is not None and deputy.name == "Jeroen Visser"
    finally:
        db.dispose()


def test_a_new_contact_can_be_the_fixed_contact_in_the_same_save(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Nieuwland")
    service_id = dialog.service_id
    assert service_id is not None
    _add_contact(qtbot, ctrl, dialog, "Sanne de Wit")
    sanne = next(c for c in dialog.contacts.rows if c.name == "Sanne de Wit")
    assert dialog.contacts.index(dialog.contacts.rows.index(sanne), 0).data() == (
        "Sanne de Wit (nieuw)"
    )
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_FIXED)
    assert ("Sanne de Wit", sanne.id) in dialog.fixed.choices(1)
    dialog.fixed.setData(dialog.fixed.index(0, 1), sanne.id, Qt.ItemDataRole.UserRole)
    assert dialog.fixed.index(0, 1).data() == "Sanne de Wit"
    # A wrong e-mail on Algemeen: nothing is saved, the new contact stays in the dialog.
    dialog.email.setText("info(at)nieuwland")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=15_000)
    assert "Sanne de Wit" not in _contact_names(demo_home, service_id)
    assert any(c.name == "Sanne de Wit" for c in dialog.contacts.rows)
    dialog.email.setText("nieuwland@wijkteams.voorbeeld-schiedam.nl")
    qtbot.keyClick(dialog.email, Qt.Key.Key_Return)  # Enter in a one-line field = Opslaan
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    db = _db(demo_home)
    try:
        with db.session() as session:
            new_id = session.scalar(
                select(Contact.id).where(
                    Contact.name == "Sanne de Wit", Contact.service_id == service_id
                )
            )
            general = session.scalar(
                select(FixedContact).where(
                    FixedContact.service_id == service_id, FixedContact.taxonomy_term_id.is_(None)
                )
            )
            assert new_id is not None and general is not None
            assert general.contact_id == new_id
    finally:
        db.dispose()


def test_escape_without_changes_closes_at_once(qtbot: QtBot, manager: Desktop) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Oost")
    assert not dialog.has_changes()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=5_000)
    assert dialog.discard_question is None


def test_checked_sets_the_date_and_a_lock_closes_the_dialogs(
    qtbot: QtBot, manager: Desktop
) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    row = next(r for r in tab.model.rows if r.name == "Wijkteam Kethel/Spaland")
    assert row.stale and row.service_id is not None
    tab.select(row.service_id)
    qtbot.mouseClick(tab.assure_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "gecontroleerd door R. Smit" in tab.status.text(), timeout=15_000)
    qtbot.waitUntil(
        lambda: not next(r for r in tab.model.rows if r.service_id == row.service_id).stale,
        timeout=15_000,
    )
    dialog = _open_service(qtbot, tab, ctrl, "Wijkteam Nieuwland")
    dialog.tabs.setCurrentIndex(ServiceDialog.TAB_GENERAL)
    assert manager.window is not None
    manager.window.lock_action.trigger()
    assert manager.beheer is not None and manager.beheer.signed is None
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=5_000)


def test_import_buttons_say_when_import_is_not_there(
    qtbot: QtBot, manager: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def missing(name: str, package: str | None = None) -> object:
        if name == "gpdesk.ui.beheer.kaart.import_dialog":
            raise ImportError(name)
        return real(name, package)

    tab, _ctrl = _kaart(qtbot, manager)
    monkeypatch.setattr(importlib, "import_module", missing)
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    assert tab.status.text() == NOT_AVAILABLE


def test_rename_an_organisation(qtbot: QtBot, manager: Desktop) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    row = next(r for r in tab.model.rows if r.name == "Wijkteam Oost")
    assert row.service_id is not None
    tab.select(row.service_id)
    qtbot.mouseClick(tab.organization_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.organization_dialog is not None, timeout=15_000)
    dialog = ctrl.organization_dialog
    assert dialog is not None and dialog.name.text() == "Stichting Wijkteams Schiedam"
    dialog.website.setText("ftp://wijkteams")
    dialog.submit()
    qtbot.waitUntil(lambda: bool(dialog.errors.text("website")), timeout=15_000)
    assert dialog.errors.text("website").startswith("Dit webadres klopt niet")
    dialog.website.setText("wijkteams.voorbeeld-schiedam.nl")
    dialog.name.setText("Stichting Wijkteams Schiedam-Vlaardingen")
    dialog.submit()
    qtbot.waitUntil(lambda: ctrl.organization_dialog is None, timeout=15_000)
    qtbot.waitUntil(
        lambda: any(
            r.organization == "Stichting Wijkteams Schiedam-Vlaardingen" for r in tab.model.rows
        ),
        timeout=15_000,
    )


def test_a_gp_does_not_see_the_kaart_tab(qtbot: QtBot, demo_home: Home) -> None:
    shell = _shell(qtbot, demo_home, "bakker")
    try:
        assert shell.window is not None
        page = shell.window.practice_page()
        assert not page.tabs.isTabVisible(page.tabs.indexOf(page.kaart))
        assert shell.beheer is not None
        # Even with a service selected in the (hidden) list, editing opens nothing for a GP:
        # the selection is there, so only the missing permission stops it.
        ctrl, tab = shell.beheer.kaart, page.kaart
        ctrl.refresh()
        qtbot.waitUntil(lambda: tab.model.rowCount() > 60, timeout=15_000)
        row = next(r for r in tab.model.rows if r.name == "Wijkteam Nieuwland")
        assert row.service_id is not None and tab.select(row.service_id)
        selected = tab.selected()
        assert selected is not None and selected.service_id == row.service_id
        ctrl.edit_selected()
        ctrl.edit_organization()
        assert shell.tasks.wait()  # nothing was loading in the background either
        qtbot.wait(50)  # a result would arrive on the GUI thread
        assert ctrl.service_dialog is None and ctrl.organization_dialog is None
    finally:
        dispose_desktop(shell)


def test_keyboard_selects_a_service_and_opens_it_with_alt_b(qtbot: QtBot, manager: Desktop) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    tab.search.setText("Wijkteam Nieuwland")
    qtbot.waitUntil(lambda: tab.proxy.rowCount() >= 2, timeout=5_000)
    window = manager.window
    assert window is not None
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # a mnemonic needs it; on X11 it comes later
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_End)
    qtbot.keyClick(tab.view, Qt.Key.Key_Home)  # the first line, now selected
    for _ in range(tab.proxy.rowCount()):  # arrow down to the service (an old name is listed too)
        line = tab.selected()
        if line is not None and line.name == "Wijkteam Nieuwland":
            break
        qtbot.keyClick(tab.view, Qt.Key.Key_Down)
    selected = tab.selected()
    assert selected is not None and selected.name == "Wijkteam Nieuwland"
    assert selected.service_id is not None and tab.edit_button.isEnabled()
    qtbot.keyClick(tab.view, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)  # &Bewerken…
    qtbot.waitUntil(lambda: ctrl.service_dialog is not None, timeout=15_000)
    dialog = ctrl.service_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.service_id == selected.service_id  # the selected service, not another
    assert dialog.name.text() == "Wijkteam Nieuwland"
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)  # nothing changed: closes without asking
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=5_000)


# --- the digest panel ----------------------------------------------------------------------------


def _digest() -> Digest:
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return Digest(
        since=datetime(2026, 10, 25, tzinfo=UTC),
        lines=(
            DigestLine(
                ChangeKind.CONTACT,
                "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: "
                "Jeroen Visser",
                at,
                "R. Smit",
                "nieuwland",
            ),
            DigestLine(
                ChangeKind.CONTACT,
                "Nieuw telefoonnummer voor Jeroen Visser (Wijkteam Nieuwland): 010-123 45 67",
                at,
                "R. Smit (import)",
                "nieuwland",
            ),
            DigestLine(
                ChangeKind.RENAMED,
                "Wijkteam Oost heet nu Wijkteam Oost-Kethel",
                at,
                "M. Jansen",
                "oost",
            ),
            DigestLine(ChangeKind.REMOVED, "Opgeheven: Buurtkamer De Brug", at, "import", None),
            DigestLine(
                ChangeKind.NEW,
                "Nieuw: Taalcafé Groenoord (Bibliotheek Schiedam)",
                at,
                "R. Smit",
                "taal",
            ),
        ),
        stale_services=17,
        stale_contacts=20,
        more=3,
    )


def test_digest_panel_shows_lines_nudge_and_opens_a_service(qtbot: QtBot) -> None:
    panel = ChangeDigestPanel()
    qtbot.addWidget(panel)
    panel.resize(560, 560)
    panel.show()
    panel.show_digest(_digest())
    assert panel.since.text() == "sinds 25 oktober"
    assert panel.nudge.isVisible()
    assert "17 voorzieningen en 20 contactpersonen" in panel.nudge.text()
    assert panel.more.text() == "En nog 3 wijzigingen."
    assert panel.model.rowCount() == 5
    first = panel.model.index(0, 0)
    assert first.data(Qt.ItemDataRole.AccessibleTextRole).endswith("20 november · R. Smit")
    qtbot.wait(50)
    image = panel.grab().toImage()
    assert image.width() == 560 and not image.isNull()
    rect = panel.list.visualRect(panel.model.index(2, 0))
    link = QPoint(rect.right() - 20, rect.top() + 12)
    with qtbot.waitSignal(panel.service_requested, timeout=2_000) as opened:
        qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=link)
    assert opened.args == ["oost"]
    panel.list.setCurrentIndex(panel.model.index(0, 0))
    with qtbot.waitSignal(panel.service_requested, timeout=2_000) as entered:
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert entered.args == ["nieuwland"]
    # A removed service has nothing to open: no link, no signal.
    with qtbot.assertNotEmitted(panel.service_requested):
        panel.list.setCurrentIndex(panel.model.index(3, 0))
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert LINK_TEXT == "Bekijk ›"


def test_digest_panel_empty_and_loaded_from_the_database(qtbot: QtBot, manager: Desktop) -> None:
    from gpdesk.ui.kaart_digest import load_digest

    panel = ChangeDigestPanel()
    qtbot.addWidget(panel)
    panel.show_digest(Digest(since=datetime(2026, 11, 1, tzinfo=UTC), lines=()))
    assert panel.empty.text() == "Geen wijzigingen in de sociale kaart sinds 1 november."
    assert not panel.list.isVisible() and not panel.nudge.isVisible()
    assert manager.db is not None
    load_digest(panel, db=manager.db, tasks=manager.tasks, since=datetime(2000, 1, 1, tzinfo=UTC))
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=15_000)
    texts = [line.text for line in panel.model.lines]
    assert "WOT Nieuwland heet nu Wijkteam Nieuwland" in texts  # from the demo's history


def _service(home: Home, name: str) -> dict[str, object]:
    from gpdesk.models import Service

    db = _db(home)
    try:
        with db.session() as session:
            found = session.scalar(select(Service).where(Service.name == name))
            assert found is not None
            return {
                "status": found.status.value,
                "alert": found.alert,
                "wait_time": found.wait_time,
                "municipal_contract": found.municipal_contract,
                "former_names": found.former_names,
                "eligibility": found.eligibility_description,
                "application": found.application_process,
            }
    finally:
        db.dispose()


def test_beheer_edits_closing_wait_time_contract_and_former_names_by_keyboard(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    tab, ctrl = _kaart(qtbot, manager)
    dialog = _open_service(qtbot, tab, ctrl, "Mantelzorgsteunpunt Schiedam")
    assert dialog.alert.text() == "" and dialog.contract.currentIndex() == 0  # niet bekend
    # Algemeen: closed for a while, with the reason, and the name it had before.
    dialog.status.setFocus()
    dialog.status.setCurrentIndex(dialog.status.findData("temporarily closed"))
    qtbot.keyClicks(dialog.alert, "Dicht tot 1 februari; bel zolang het Sociale Plein.")
    qtbot.keyClicks(dialog.former_names, "Steunpunt Mantelzorg; Mantelzorgpunt")
    # Voor wie: the wait, the contract (chosen with the arrow keys), what happens after.
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_W, Qt.KeyboardModifier.AltModifier)  # "Voor &wie"
    assert dialog.tabs.currentIndex() == ServiceDialog.TAB_WHO
    dialog.contract.setFocus()
    qtbot.keyClick(dialog.contract, Qt.Key.Key_Down)
    assert dialog.contract.currentText() == "ja, gecontracteerd door de gemeente"
    qtbot.keyClicks(dialog.eligibility, " Ook voor jonge mantelzorgers.")
    qtbot.keyClicks(dialog.wait_time, "ongeveer 2 weken")
    qtbot.keyClick(dialog.wait_time, Qt.Key.Key_Return)  # Enter in a one-line field = Opslaan
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    assert "'Mantelzorgsteunpunt Schiedam' opgeslagen." in tab.status.text()
    saved = _service(demo_home, "Mantelzorgsteunpunt Schiedam")
    assert saved["status"] == "temporarily closed"
    assert saved["alert"] == "Dicht tot 1 februari; bel zolang het Sociale Plein."
    assert saved["former_names"] == "Steunpunt Mantelzorg; Mantelzorgpunt"
    assert saved["municipal_contract"] is True
    assert saved["wait_time"] == "ongeveer 2 weken"
    assert str(saved["eligibility"]).endswith("Ook voor jonge mantelzorgers.")
    # Opened again, the dialog shows what was saved, and nothing counts as changed.
    dialog = _open_service(qtbot, tab, ctrl, "Mantelzorgsteunpunt Schiedam")
    assert dialog.contract.currentText() == "ja, gecontracteerd door de gemeente"
    assert dialog.former_names.text() == "Steunpunt Mantelzorg; Mantelzorgpunt"
    assert not dialog.has_changes()
    # Renaming puts the old name among the former ones by itself.
    dialog.name.setText("Steunpunt Mantelzorg Schiedam")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    renamed = _service(demo_home, "Steunpunt Mantelzorg Schiedam")
    assert renamed["former_names"] == (
        "Steunpunt Mantelzorg; Mantelzorgpunt; Mantelzorgsteunpunt Schiedam"
    )
    # Contract back to "niet bekend" is stored as unknown, not as "no".
    qtbot.waitUntil(
        lambda: any(r.name == "Steunpunt Mantelzorg Schiedam" for r in tab.model.rows),
        timeout=15_000,
    )
    dialog = _open_service(qtbot, tab, ctrl, "Steunpunt Mantelzorg Schiedam")
    dialog.contract.setCurrentIndex(0)
    dialog.submit()
    qtbot.waitUntil(lambda: ctrl.service_dialog is None, timeout=15_000)
    assert _service(demo_home, "Steunpunt Mantelzorg Schiedam")["municipal_contract"] is None


def test_the_organisation_dialog_edits_former_names(
    qtbot: QtBot, manager: Desktop, demo_home: Home
) -> None:
    from gpdesk.models import Organization

    tab, ctrl = _kaart(qtbot, manager)
    tab.search.setText("Basis-GGZ jeugd")
    row = next(r for r in tab.model.rows if r.name == "Basis-GGZ jeugd")
    assert row.service_id is not None and tab.select(row.service_id)
    qtbot.mouseClick(tab.organization_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ctrl.organization_dialog is not None, timeout=15_000)
    dialog = ctrl.organization_dialog
    assert dialog is not None
    assert dialog.alternate_name.text() == "Centrum voor Jeugd en Gezin Schiedam"
    qtbot.keyClicks(dialog.former_names, "Bureau Jeugdzorg Schiedam")
    qtbot.keyClick(dialog.former_names, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ctrl.organization_dialog is None, timeout=15_000)
    db = _db(demo_home)
    try:
        with db.session() as session:
            cjg = session.scalar(select(Organization).where(Organization.name == "CJG Schiedam"))
            assert cjg is not None and cjg.former_names == "Bureau Jeugdzorg Schiedam"
    finally:
        db.dispose()
