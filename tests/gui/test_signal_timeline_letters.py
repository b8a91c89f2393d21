"""A signal's timeline in Signaleren shows its letters, in time order with the status steps; each
letter's "Openen" (mouse, or Tab and Enter) switches to Terugkoppeling with that letter chosen.

Screenshot at 1366x768: /tmp/form-shots/signal-timeline-letters.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.inbox.store import Incoming, PhoneFeedback, assign, receive, record_phone_feedback
from gpdesk.models import LetterSource
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.inbox.page import InboxPage
from gpdesk.ui.signals.page import SignalsPage
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import (
    PATIENT,
    database,
    main_window,
    ready_home,
    shoot,
    signed_in,
)
from tests.gui.signal_list_support import mark_sent
from tests.store_support import consented, open_patient, request, signed


@dataclass(frozen=True)
class Seeded:
    reference: str
    advice: int
    phone: int


def _seed(home: Home) -> Seeded:
    from gpdesk.signals.store import submit

    db = database(home)
    try:
        now = datetime.now(UTC)
        bakker, jansen = signed(db, "bakker"), signed(db, "jansen")
        patient = open_patient(db, bakker, PATIENT)
        consented(db, bakker, patient, at=now - timedelta(days=10))
        with db.session() as session:
            reference = submit(
                session, bakker.vault, bakker.actor, request(patient), now=now - timedelta(days=6)
            ).reference
        mark_sent(db, bakker, reference, now - timedelta(days=6), 5)
        advice = Incoming(
            source=LetterSource.IMAP, raw=b"From: nieuwland@wijkteam.example\r\n\r\nadvies",
            file_type="e-mail", message_id="<advies-1@wijkteam.example>",
            sender_address="nieuwland@wijkteam.example", sender_name="Wijkteam Nieuwland",
            subject=f"Advies bij {reference}", body_text="Wij adviseren een verwijzing.",
            references=(reference,), kind="advies",
        )  # fmt: skip
        with db.session() as session:
            got = receive(session, jansen.vault, jansen.actor, advice, now=now - timedelta(days=2))
        with db.session() as session:
            assign(
                session, jansen.vault, jansen.actor, got.letter_id,
                user_id=bakker.actor.user_id, now=now - timedelta(days=2),
            )  # fmt: skip
        with db.session() as session:
            phone = record_phone_feedback(
                session, jansen.vault, jansen.actor,
                PhoneFeedback(
                    caller="A. Visser", team="Wijkteam Nieuwland",
                    called_at=now - timedelta(days=1), signal_reference=reference,
                    agreed="Mevrouw komt donderdag naar de inloop.",
                ),
                now=now - timedelta(days=1),
            )  # fmt: skip
        return Seeded(reference, got.letter_id, phone.id)
    finally:
        db.dispose()


@pytest.fixture
def seeded(demo_home: Home) -> tuple[Home, Seeded]:
    ready_home(demo_home)
    return demo_home, _seed(demo_home)


@pytest.fixture
def gp(qtbot: QtBot, seeded: tuple[Home, Seeded]) -> Iterator[Desktop]:
    shell = signed_in(qtbot, seeded[0], "bakker")
    yield shell
    dispose_desktop(shell)


def _opened(qtbot: QtBot, shell: Desktop, reference: str) -> SignalsPage:
    """Signaleren on screen, the signal chosen with the keyboard and read (Enter)."""
    window = main_window(shell)
    window.show_area("kaart")
    window.show_area("signals")
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    qtbot.waitUntil(lambda: page.model.row_of(reference) >= 0, timeout=10_000)
    table = page.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home)
    for _ in range(page.model.row_of(reference)):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    detail = page.detail
    qtbot.waitUntil(
        lambda: detail.record is not None and detail.record.reference == reference,
        timeout=10_000,
    )
    return page


def _inbox_shows(qtbot: QtBot, shell: Desktop, letter_id: int) -> InboxPage:
    window = main_window(shell)
    qtbot.waitUntil(lambda: window.current_area() == "inbox", timeout=10_000)
    page = window.inbox_page()
    pane = page.pane
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.id == letter_id, timeout=10_000)
    qtbot.waitUntil(lambda: page.model.row_of(letter_id) >= 0, timeout=10_000)
    selected = page.table.selectionModel().selectedRows()
    rows = [page.model.row_at(index.row()) for index in selected]
    assert [row.id for row in rows if row is not None] == [letter_id]
    return page


def test_the_letters_show_in_time_order_with_their_state(
    qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded]
) -> None:
    letters = seeded[1]
    page = _opened(qtbot, gp, letters.reference)
    detail = page.detail
    assert detail.letter_links() == [letters.advice, letters.phone]
    text = detail.timeline.text()
    assert text.index("in postvak uit gezet") < text.index("verzonden")
    assert text.index("verzonden") < text.index("Advies ontvangen")
    assert text.index("Advies ontvangen") < text.index("Telefonische terugkoppeling")
    assert "toegewezen aan H. Bakker" in text
    assert "A. Visser (Wijkteam Nieuwland) belde" in text and "nieuw, nog niet toegewezen" in text
    assert text.count(">Openen</a>") == 2
    shoot(qtbot, main_window(gp), "signal-timeline-letters", (1366, 768))


def test_openen_switches_to_terugkoppeling_with_the_letter_chosen(
    qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded]
) -> None:
    letters = seeded[1]
    page = _opened(qtbot, gp, letters.reference)
    page.detail.timeline.linkActivated.emit(f"letter:{letters.advice}")  # a mouse click
    inbox = _inbox_shows(qtbot, gp, letters.advice)
    assert inbox.pane.letter is not None and inbox.pane.letter.subject.startswith("Advies bij")


def test_openen_by_keyboard(qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded]) -> None:
    """Enter on the list puts the keyboard on the first status button; Shift+Tab goes back into
    the timeline, Tab walks its "Openen" links in order, Enter follows one."""
    letters = seeded[1]
    page = _opened(qtbot, gp, letters.reference)
    timeline = page.detail.timeline
    first_action = page.detail.buttons["received"]
    assert QApplication.focusWidget() is first_action
    qtbot.keyClick(first_action, Qt.Key.Key_Backtab)  # Shift+Tab, as Qt delivers it
    assert QApplication.focusWidget() is timeline
    qtbot.keyClick(timeline, Qt.Key.Key_Tab)  # the first letter (advies)
    qtbot.keyClick(timeline, Qt.Key.Key_Tab)  # the second (the phone call)
    assert QApplication.focusWidget() is timeline
    qtbot.keyClick(timeline, Qt.Key.Key_Return)
    _inbox_shows(qtbot, gp, letters.phone)
