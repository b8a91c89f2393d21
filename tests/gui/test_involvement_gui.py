"""Betrokkenheid on screen: a betrokkenheidsmelding's "Betrokkenheid vastleggen" (Ctrl+Shift+I,
Enter), then the line in Signaleren for the patient (ended there with Enter, Esc cancels), and
the quiet notice in the signal form. Keyboard first, against a real database.

Screenshots at 1366x768 in /tmp/form-shots: involvement-dialog, involvement-signaleren,
involvement-form.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.inbox.store import Incoming, link, receive
from gpdesk.inbox.store.involvement import register_involvement
from gpdesk.models import AuditEntry, Involvement, LetterSource
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.inbox.controller import InboxController
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
from tests.store_support import open_patient, signed

TEAM = "Wijkteam Oost"


def _linked_letter(
    home: Home, slug: str, kind: str, subject: str, text: str, ago: timedelta
) -> int:
    """A letter from TEAM (which the practice never signalled) linked to PATIENT: its id."""
    db = database(home)
    try:
        now = datetime.now(UTC)
        jansen = signed(db, "jansen")
        patient = open_patient(db, jansen, PATIENT)
        letter = Incoming(
            source=LetterSource.IMAP, raw=f"From: oost@wijkteam.example\r\n\r\n{slug}".encode(),
            file_type="e-mail", message_id=f"<{slug}-1@wijkteam.example>",
            sender_address="oost@wijkteam.example", sender_name=TEAM,
            sent_at=now - ago - timedelta(days=1), subject=subject, body_text=text, kind=kind,
        )  # fmt: skip
        with db.session() as session:
            letter_id = receive(
                session, jansen.vault, jansen.actor, letter, now=now - ago
            ).letter_id
        with db.session() as session:
            link(session, jansen.vault, jansen.actor, letter_id, patient_id=patient)
        return letter_id
    finally:
        db.dispose()


def _seed(home: Home, *, registered: bool = False) -> int:
    """A betrokkenheidsmelding, linked to PATIENT; ``registered``: and its registration."""
    letter_id = _linked_letter(
        home, "melding", "betrokkenheidsmelding", "Melding betrokkenheid",
        "Wij begeleiden uw patiënt sinds kort bij de schulden.", timedelta(days=2),
    )  # fmt: skip
    if registered:
        db = database(home)
        try:
            jansen = signed(db, "jansen")
            with db.session() as session:
                register_involvement(session, jansen.vault, jansen.actor, letter_id)
        finally:
            db.dispose()
    return letter_id


@pytest.fixture
def ready(demo_home: Home) -> Home:
    ready_home(demo_home)
    return demo_home


@pytest.fixture
def assistant(qtbot: QtBot, ready: Home) -> Iterator[tuple[Desktop, int]]:
    letter_id = _seed(ready)
    shell = signed_in(qtbot, ready, "jansen")
    yield shell, letter_id
    dispose_desktop(shell)


@pytest.fixture
def gp(qtbot: QtBot, ready: Home) -> Iterator[Desktop]:
    _seed(ready, registered=True)
    shell = signed_in(qtbot, ready, "bakker")
    yield shell
    dispose_desktop(shell)


def _inbox(shell: Desktop) -> InboxController:
    found = main_window(shell).findChildren(InboxController)
    assert len(found) == 1
    return found[0]


def test_register_from_the_letter_then_seen_and_ended_in_signaleren(
    qtbot: QtBot, assistant: tuple[Desktop, int]
) -> None:
    shell, letter_id = assistant
    window = main_window(shell)
    window.show_area("inbox")
    page = window.inbox_page()
    qtbot.waitUntil(lambda: page.model.row_of(letter_id) >= 0, timeout=10_000)
    table = page.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home)
    for _ in range(page.model.row_of(letter_id)):
        qtbot.keyClick(table, Qt.Key.Key_J)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    pane = page.pane
    qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.id == letter_id)
    assert pane.involvement_box.isVisible()
    assert pane.involvement_button.text() == "Betrokkenheid vastleggen…"

    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(table, Qt.Key.Key_I, ctrl_shift)  # the letter action's key
    controller = _inbox(shell)
    qtbot.waitUntil(lambda: controller.involvement_dialog is not None)
    dialog = controller.involvement_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.team.text() == TEAM and not dialog.team.isReadOnly()  # no team on the letter
    assert dialog.since_date() == (datetime.now(UTC) - timedelta(days=3)).astimezone().date()
    shoot(qtbot, dialog, "involvement-dialog")
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)  # Esc: nothing
    qtbot.waitUntil(lambda: controller.involvement_dialog is None)
    db = database(shell.home)
    try:
        with db.session() as session:
            assert session.query(Involvement).count() == 0
    finally:
        db.dispose()

    window.activateWindow()  # the offscreen platform does not give it back by itself
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is pane.involvement_button  # back where it was
    qtbot.keyClick(pane.involvement_button, Qt.Key.Key_Space)  # the button itself
    qtbot.waitUntil(lambda: controller.involvement_dialog is not None)
    dialog = controller.involvement_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)  # Enter: Vastleggen
    qtbot.waitUntil(lambda: controller.involvement_dialog is None, timeout=10_000)
    assert f"Vastgelegd: {TEAM} is betrokken sinds" in pane.message.text()
    db = database(shell.home)
    try:
        with db.session() as session:
            (row,) = session.scalars(select(Involvement)).all()
            assert row.letter_id == letter_id and row.ended_at is None
    finally:
        db.dispose()

    window.show_area("signals")
    signals = window.pages["signals"]
    assert isinstance(signals, SignalsPage)
    qtbot.waitUntil(lambda: signals.involved.isVisible(), timeout=10_000)
    assert f"{TEAM} is betrokken sinds" in signals.involved.text()
    assert "beëindigen" in signals.involved.text()
    shoot(qtbot, window, "involvement-signaleren", (1366, 768))

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    signals.involved.setFocus()
    qtbot.keyClick(signals.involved, Qt.Key.Key_Tab)  # onto the link "beëindigen…"
    qtbot.keyClick(signals.involved, Qt.Key.Key_Return)
    assert signals.end_confirm.isVisible() and signals.end_yes.hasFocus()
    qtbot.keyClick(signals.end_yes, Qt.Key.Key_Escape)
    assert not signals.end_confirm.isVisible()
    signals.involved.linkActivated.emit(f"end:{row.id}")  # a mouse click on the link
    qtbot.keyClick(signals.end_yes, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not signals.involved.isVisible(), timeout=10_000)
    assert signals.involved_message.text().startswith(f"Beëindigd: {TEAM} was betrokken")
    db = database(shell.home)
    try:
        with db.session() as session:
            ended = session.get(Involvement, row.id)
            assert ended is not None and ended.ended_at is not None
            events = set(session.scalars(select(AuditEntry.event)))
            assert {"involvement.register", "involvement.end", "involvement.read"} <= events
    finally:
        db.dispose()


def test_the_signal_form_says_the_team_is_involved(qtbot: QtBot, gp: Desktop) -> None:
    window = main_window(gp)
    qtbot.keyClick(
        window,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    form = gp.signals.form if gp.signals is not None else None
    assert form is not None
    qtbot.waitUntil(lambda: form.involved.isVisible(), timeout=10_000)
    text = form.involved.text()
    assert text.startswith(f"{TEAM} is al betrokken bij deze patiënt, sinds ")
    assert form.send_button.isEnabled()  # a notice, not a block
    shoot(qtbot, form, "involvement-form", (940, 700))


def _closing(home: Home) -> int:
    """The team's closing letter for PATIENT, linked, after its registration: the letter id."""
    _seed(home, registered=True)
    return _linked_letter(
        home, "afsluiting", "afsluiting", "Afsluiting ondersteuning",
        "Wij sluiten onze ondersteuning af; de schulden zijn geregeld.", timedelta(hours=2),
    )  # fmt: skip


def test_a_closing_letter_ends_the_registration_by_keyboard(qtbot: QtBot, ready: Home) -> None:
    letter_id = _closing(ready)
    shell = signed_in(qtbot, ready, "jansen")
    try:
        window = main_window(shell)
        window.show_area("inbox")
        page = window.inbox_page()
        qtbot.waitUntil(lambda: page.model.row_of(letter_id) >= 0, timeout=10_000)
        table = page.table
        table.setFocus()
        qtbot.keyClick(table, Qt.Key.Key_Home)
        for _ in range(page.model.row_of(letter_id)):
            qtbot.keyClick(table, Qt.Key.Key_J)
        qtbot.keyClick(table, Qt.Key.Key_Return)
        pane = page.pane
        qtbot.waitUntil(lambda: pane.letter is not None and pane.letter.id == letter_id)
        assert pane.letter is not None and pane.letter.ending is not None
        assert pane.involvement_box.isVisible() and not pane.involvement_button.isVisible()
        assert f"{TEAM} is betrokken sinds" in pane.involvement_text.text()
        assert pane.primary_button.text().replace("&", "") == "Betrokkenheid beëindigen…"

        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        controller = _inbox(shell)
        qtbot.keyClick(table, Qt.Key.Key_E, ctrl_shift)  # the letter action's key
        qtbot.waitUntil(lambda: controller.triage.dialog is not None)
        dialog = controller.triage.dialog
        assert dialog is not None and dialog.objectName() == "endInvolvementDialog"
        qtbot.waitExposed(dialog)
        shoot(qtbot, dialog, "involvement-end-dialog")
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Escape)  # Esc: nothing
        qtbot.waitUntil(lambda: controller.triage.dialog is None)
        window.activateWindow()  # the offscreen platform does not give it back by itself
        qtbot.waitUntil(window.isActiveWindow)

        qtbot.keyClick(table, Qt.Key.Key_E, ctrl_shift)
        qtbot.waitUntil(lambda: controller.triage.dialog is not None)
        dialog = controller.triage.dialog
        assert dialog is not None
        qtbot.waitExposed(dialog)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return)  # Enter: Beëindigen
        qtbot.waitUntil(
            lambda: pane.letter is not None and pane.letter.ending is None, timeout=10_000
        )
        assert pane.message.text().startswith("Betrokkenheid beëindigd")
        assert not pane.involvement_box.isVisible()
        db = database(shell.home)
        try:
            with db.session() as session:
                (row,) = session.scalars(select(Involvement)).all()
                assert row.ended_at is not None and row.end_letter_id == letter_id
                assert pane.letter is not None and pane.letter.kind_confirmed  # ending confirmed it
        finally:
            db.dispose()

        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
        qtbot.keyClick(table, Qt.Key.Key_E, ctrl_shift)  # again: says why not
        assert "afsluitingsbrief" in pane.message.text()
    finally:
        dispose_desktop(shell)
