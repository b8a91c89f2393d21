"""The Terugkoppeling area, driven by keyboard against a real database with fictional letters.

Open the area with its shortcut, walk the list with j/k, read a letter with Enter (its PDF
previewed with QtPdf), file it with Ctrl+H and Enter, filter with Alt+letter; a quarantined
letter shows only its reason, a program is never opened, the HTML view loads nothing remote.
Screenshots at 1366x768 go to /tmp/inbox-shots.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.inbox.store import file_letter
from gpdesk.models import AuditEntry, Letter, LetterState, User
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.inbox.controller import InboxController, safe_file_name
from gpdesk.ui.inbox.page import InboxPage
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import (
    PATIENT,
    app_style,
    database,
    main_window,
    ready_home,
    signed_in,
)
from tests.inbox_letters import EXE_PROBLEM, QUARANTINE_REASON, SeededInbox, seed_inbox
from tests.store_support import open_patient, signed

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
SHOTS = Path("/tmp/inbox-shots")


@pytest.fixture
def seeded(demo_home: Home) -> tuple[Home, SeededInbox]:
    ready_home(demo_home)
    db = database(demo_home)
    try:
        bakker = signed(db, "bakker")
        letters = seed_inbox(db, bakker, open_patient(db, bakker, PATIENT), datetime.now(UTC))
    finally:
        db.dispose()
    return demo_home, letters


@pytest.fixture
def assistant(qtbot: QtBot, seeded: tuple[Home, SeededInbox]) -> Iterator[Desktop]:
    shell = signed_in(qtbot, seeded[0], "jansen", patient=None)
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def letters(seeded: tuple[Home, SeededInbox]) -> SeededInbox:
    return seeded[1]


def page_of(shell: Desktop) -> InboxPage:
    return main_window(shell).inbox_page()


def controller(shell: Desktop) -> InboxController:
    found = main_window(shell).findChildren(InboxController)
    assert len(found) == 1
    return found[0]


def opened_by_shortcut(qtbot: QtBot, shell: Desktop, rows: int) -> InboxPage:
    """Ctrl+3 from another area; the list loaded with ``rows`` rows, the list has focus."""
    window = main_window(shell)
    window.show_area("kaart")
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    assert window.current_area() == "inbox"
    page = page_of(shell)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10_000)
    page.table.setFocus()
    return page


def go_to(qtbot: QtBot, page: InboxPage, letter_id: int) -> None:
    """j from the top down to ``letter_id``'s row, then Enter reads it."""
    table = page.table
    qtbot.keyClick(table, Qt.Key.Key_Home)
    assert table.currentIndex().row() == 0
    target = page.model.row_of(letter_id)
    for _ in range(target - table.currentIndex().row()):
        qtbot.keyClick(table, Qt.Key.Key_J)
    assert table.currentIndex().row() == target
    qtbot.keyClick(table, Qt.Key.Key_Return)
    pane = page.pane
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.id == letter_id, timeout=10_000)


def shoot(qtbot: QtBot, shell: Desktop, name: str) -> None:
    window = main_window(shell)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with app_style():
        window.resize(1366, 768)
        qtbot.wait(400)  # the PDF's pages are rendered off the GUI thread
        window.grab().save(str(SHOTS / f"{name}.png"))


def test_keyboard_from_the_list_to_overgenomen_in_his(
    qtbot: QtBot, assistant: Desktop, letters: SeededInbox
) -> None:
    nav = main_window(assistant).nav.item(2)
    assert nav is not None
    # Nobody's yet: the advice and the escalation. The linked letter came from a known team and
    # went to its feedback contact (POH-GGZ) on arrival; the quarantined file is the beheerder's.
    qtbot.waitUntil(lambda: nav.text() == "Terugkoppeling  2", timeout=10_000)
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    table, pane = page.table, page.pane
    assert page.count.text() == "4 brieven"
    rows = [page.model.row_at(i) for i in range(4)]
    assert [r.id for r in rows if r is not None] == [
        letters.quarantined,
        letters.escalation,
        letters.advice,
        letters.linked,
    ]
    qtbot.keyClick(table, Qt.Key.Key_J)
    qtbot.keyClick(table, Qt.Key.Key_J)
    assert table.currentIndex().row() == 1
    qtbot.keyClick(table, Qt.Key.Key_K)
    assert table.currentIndex().row() == 0

    go_to(qtbot, page, letters.linked)
    letter = pane.letter
    assert letter is not None and letter.signal_reference == letters.reference
    assert "geverifieerd" in pane.facts.text() and letters.reference in pane.facts.text()
    qtbot.waitUntil(lambda: pane.content.currentWidget() is pane.pdf_view, timeout=10_000)
    assert pane.pdf_document.pageCount() == 1
    assert table.hasFocus()  # j/k go on from here
    window = main_window(assistant)
    assert letter.subject not in window.windowTitle()
    shoot(qtbot, assistant, "terugkoppeling-pdf")

    qtbot.keyClick(table, Qt.Key.Key_H, CTRL)
    assert pane.confirm.isVisible() and pane.confirm_yes.hasFocus()
    shoot(qtbot, assistant, "terugkoppeling-bevestigen")
    qtbot.keyClick(pane.confirm_yes, Qt.Key.Key_Escape)
    assert not pane.confirm.isVisible()
    qtbot.keyClick(pane.file_button, Qt.Key.Key_H, CTRL)
    qtbot.keyClick(pane.confirm_yes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.filed_at is not None)
    assert "door M. Jansen" in pane.filed.text() and not pane.file_button.isVisible()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10_000)  # te doen: one fewer
    nav = window.nav.item(2)
    assert nav is not None
    qtbot.waitUntil(lambda: "1 in quarantaine" in nav.toolTip())
    assert nav.text() == "Terugkoppeling  2"  # the filed letter was the POH-GGZ's
    db = database(assistant.home)
    try:
        with db.session() as session:
            row = session.get(Letter, letters.linked)
            assert row is not None and row.state is LetterState.FILED
            who = session.get(User, row.filed_by_id)
            assert who is not None and who.username == "jansen"
    finally:
        db.dispose()


def test_filters_by_keyboard(qtbot: QtBot, assistant: Desktop, letters: SeededInbox) -> None:
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    window = main_window(assistant)
    qtbot.keyClick(window, Qt.Key.Key_Q, ALT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10_000)
    assert page.chips[page.view()].text() == "&Quarantaine"
    qtbot.keyClick(window, Qt.Key.Key_K, ALT)  # niet gekoppeld
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_M, ALT)  # mijn: nothing assigned yet
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    assert page.empty.isVisible() and "Alt+A" in page.empty.text()
    qtbot.keyClick(window, Qt.Key.Key_A, ALT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_S, ALT)  # the state box
    assert page.state.hasFocus()
    page.state.setCurrentIndex(page.state.count() - 1)  # Alle standen
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    assert page.model.row_of(letters.filed) == 4  # filed after every new one
    qtbot.keyClick(window, Qt.Key.Key_T, ALT)
    assert page.team.hasFocus() and page.team.count() == 2  # Alle teams, Wijkteam Nieuwland


def test_a_quarantined_letter_shows_only_its_reason(
    qtbot: QtBot, assistant: Desktop, letters: SeededInbox
) -> None:
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    go_to(qtbot, page, letters.quarantined)
    pane = page.pane
    assert pane.heading.text() == "In quarantaine: niet geopend"
    assert QUARANTINE_REASON in pane.quarantine.text()
    for hidden in (pane.parts, pane.content, pane.file_button, pane.save_button):
        assert not hidden.isVisible()
    assert page.model.data(page.model.index(0, 1)) == "quarantaine"
    shoot(qtbot, assistant, "terugkoppeling-quarantaine")


def test_a_program_is_never_opened_and_remote_content_never_loaded(
    qtbot: QtBot, assistant: Desktop, letters: SeededInbox
) -> None:
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    assert page.model.data(page.model.index(1, 1)) == "⚠ escalatie"
    go_to(qtbot, page, letters.escalation)
    pane = page.pane
    assert pane.parts.count() == 3  # the text, the program, the note
    pane.parts.setFocus()
    qtbot.keyClick(pane.parts, Qt.Key.Key_Down)
    assert pane.content.currentWidget() is pane.notice_page
    assert f"niet geopend: {EXE_PROBLEM}" in pane.notice.text()
    assert not pane.save_button.isEnabled()
    shoot(qtbot, assistant, "terugkoppeling-programma")
    qtbot.keyClick(pane.parts, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: "4 december" in pane.browser.toPlainText(), timeout=10_000)
    assert pane.save_button.isEnabled()

    page.table.setFocus()
    go_to(qtbot, page, letters.advice)
    assert "adviseren" in pane.browser.toPlainText()
    browser = pane.browser
    for url in ("https://volg.example/pixel.png", "file:///etc/passwd", "qrc:/x.png"):
        assert (
            browser.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl(url)) is None
        )
    assert not browser.openLinks() and not browser.openExternalLinks()
    shoot(qtbot, assistant, "terugkoppeling-advies")


def test_kopieer_voor_his_by_keyboard_with_a_shorter_summary(
    qtbot: QtBot, assistant: Desktop, letters: SeededInbox
) -> None:
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    go_to(qtbot, page, letters.linked)
    pane = page.pane
    qtbot.keyClick(page.table, Qt.Key.Key_K, CTRL)
    qtbot.waitUntil(lambda: pane.content.currentWidget() is pane.his, timeout=10_000)
    text = pane.his.preview.text()
    assert f"Kenmerk signaal: {letters.reference}" in text
    assert "Soort correspondentie: bevestiging" in text and "Episode (suggestie): Z" in text
    assert pane.his.copy_button.hasFocus()
    shoot(qtbot, assistant, "terugkoppeling-kopieer-voor-his")
    pane.his.summary.setPlainText("Team helpt met schulden; belt over zes weken terug.")
    qtbot.keyClick(pane.his.copy_button, Qt.Key.Key_Return)
    qtbot.waitUntil(pane.message.isVisible, timeout=10_000)
    copied = QApplication.clipboard().text()
    assert "Samenvatting: Team helpt met schulden; belt over zes weken terug." in copied
    assert copied == pane.his.preview.text() and "30 seconden" in pane.message.text()
    qtbot.keyClick(pane.his.summary, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: pane.content.currentWidget() is pane.pdf_view, timeout=10_000)
    db = database(assistant.home)
    try:
        with db.session() as session:
            events = session.scalars(
                select(AuditEntry.event).where(AuditEntry.object_id == str(letters.linked))
            ).all()
    finally:
        db.dispose()
    assert events.count("letter.copy") == 2  # shown, then copied: each a read of the letter


def test_filed_by_someone_else_meanwhile_is_refused_by_name(
    qtbot: QtBot, assistant: Desktop, letters: SeededInbox
) -> None:
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    go_to(qtbot, page, letters.linked)
    db = database(assistant.home)
    try:
        bakker = signed(db, "bakker")
        with db.session() as session:
            file_letter(session, bakker.vault, bakker.actor, letters.linked)
    finally:
        db.dispose()
    pane = page.pane
    qtbot.keyClick(page.table, Qt.Key.Key_H, CTRL)
    qtbot.keyClick(pane.confirm_yes, Qt.Key.Key_Return)
    qtbot.waitUntil(pane.message.isVisible, timeout=10_000)
    assert "al overgenomen in het HIS door H. Bakker" in pane.message.text()
    assert pane.file_button.isEnabled()


def test_a_safe_attachment_is_saved_off_the_gui_thread(
    qtbot: QtBot, assistant: Desktop, letters: SeededInbox, tmp_path: Path
) -> None:
    page = opened_by_shortcut(qtbot, assistant, rows=4)
    target = tmp_path / "brief.pdf"
    asked: list[str] = []

    def ask(_parent: object, name: str) -> Path:
        asked.append(name)
        return target

    controller(assistant).ask_path = ask
    go_to(qtbot, page, letters.linked)
    qtbot.waitUntil(lambda: page.pane.content.currentWidget() is page.pane.pdf_view)
    qtbot.keyClick(page.table, Qt.Key.Key_L, ALT)
    qtbot.waitUntil(target.exists, timeout=10_000)
    assert asked == ["brief wijkteam.pdf"] and target.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: "Opgeslagen als brief.pdf" in page.pane.message.text())
    assert safe_file_name("../../etc/pass wd") == "pass wd"
    assert safe_file_name("..") == "bijlage"


def test_the_overview_lists_the_inbox_keys(assistant: Desktop) -> None:
    sections = dict(main_window(assistant).shortcut_sections())
    assert ("Ctrl+3", "Terugkoppeling") in sections["Overal"]
    inbox = dict(sections["Terugkoppeling"])
    assert inbox["Ctrl+H"].startswith("Overgenomen in HIS")
    assert inbox["Alt+L"] == "Bijlage opslaan als"
    assert inbox["Ctrl+K"].startswith("Kopieer voor HIS")
    assert "Alt+A, M, N, K, D, V, Q" in inbox
    assert inbox["Ctrl+T"].startswith("Toewijzen")
    assert inbox["Ctrl+D"].startswith("Doorsturen naar verwijzer")
    assert inbox["Ctrl+B"].startswith("Soort bevestigen")
    assert inbox["Ctrl+Shift+K"].startswith("Koppelen")
    assert inbox["Ctrl+Shift+A"].startswith("Archiveren")
    assert inbox["Alt+E"].startswith("Meer")
