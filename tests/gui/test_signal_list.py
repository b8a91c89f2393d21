"""The Signaleren list and timeline, driven by keyboard against a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.models import AuditEntry, MessageKind, OutboxMessage, Signal, SignalStatus
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals.page import SignalsPage
from gpdesk.ui.signals.timeline import ReasonDialog
from gpdesk.ui.signals.tracking import SignalListController
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import PATIENT, database, main_window, ready_home, signed_in
from tests.gui.signal_list_support import NOT_SENT_REASON, OTHER, Seeded, seed_signals
from tests.store_support import PRIVATE_NOTE

ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def seeded(demo_home: Home) -> tuple[Home, Seeded]:
    ready_home(demo_home)
    return demo_home, seed_signals(demo_home)


@pytest.fixture
def gp(qtbot: QtBot, seeded: tuple[Home, Seeded]) -> Iterator[Desktop]:
    shell = signed_in(qtbot, seeded[0], "bakker")
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def refs(seeded: tuple[Home, Seeded]) -> Seeded:
    return seeded[1]


def page_of(shell: Desktop) -> SignalsPage:
    page = main_window(shell).pages["signals"]
    assert isinstance(page, SignalsPage)
    return page


def tracking(shell: Desktop) -> SignalListController:
    found = main_window(shell).findChildren(SignalListController)
    assert len(found) == 1
    return found[0]


def references(page: SignalsPage) -> list[str]:
    rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
    return [r.reference for r in rows if r is not None]


def shown_list(qtbot: QtBot, shell: Desktop, rows: int) -> SignalsPage:
    """The Signaleren page on screen with ``rows`` rows loaded."""
    window = main_window(shell)
    window.show_area("kaart")
    window.show_area("signals")
    page = page_of(shell)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10_000)
    return page


def choose(qtbot: QtBot, page: SignalsPage, reference: str) -> None:
    """Walk the list with the arrow keys to ``reference``; Enter opens it."""
    table = page.table
    target = page.model.row_of(reference)
    assert target >= 0
    qtbot.keyClick(table, Qt.Key.Key_Home)  # the first key chooses the first row
    for _ in range(target):
        qtbot.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == target
    qtbot.keyClick(table, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: page.detail.record is not None and page.detail.record.reference == reference,
        timeout=10_000,
    )


def test_overdue_first_then_newest_and_the_list_has_focus(
    qtbot: QtBot, gp: Desktop, refs: Seeded
) -> None:
    page = shown_list(qtbot, gp, 3)  # alleen open, alleen deze patiënt: 3 of the 5
    assert references(page) == [refs.overdue, refs.urgent_waiting, refs.recent]
    model = page.model
    assert model.index(0, 0).data() == "J. de Vries · 01-02-1970"
    assert model.index(0, 3).data() == "verzonden · verlopen"
    assert model.index(1, 1).data() == f"{refs.urgent_waiting} · urgent"
    assert model.index(1, 3).data() == "niet verzonden"
    assert model.index(2, 3).data() == "verzonden"
    assert model.index(1, 4).data() == "–"  # no answer expected before it is sent
    assert model.index(0, 2).data() == "Nieuwland"  # under the header "Wijkteam"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Patiënt"
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Antwoord voor"
    assert page.count.text() == "3 signalen"
    assert QApplication.focusWidget() is page.table
    assert page.detail.record is None  # nothing about a patient until a signal is chosen


def test_detail_shows_the_timeline_outbox_question_and_private_note(
    qtbot: QtBot, gp: Desktop, refs: Seeded
) -> None:
    page = shown_list(qtbot, gp, 3)
    choose(qtbot, page, refs.overdue)
    detail = page.detail
    timeline = detail.timeline.text()
    assert "concept" not in timeline  # a GP reads it as "not sent by me"
    assert timeline.index("in postvak uit gezet") < timeline.index("verzonden")
    assert "H. Bakker (huisarts)" in timeline and "gpdesk" in timeline
    assert "verlopen" in detail.status.text()
    assert "E-mail (signaal): verzonden" in detail.channels.text()
    assert "slaapt slecht" in detail.question.text()
    assert not detail.note_box.isHidden() and detail.note.text() == PRIVATE_NOTE
    # Enter put the focus on the first action; only what TRANSITIONS allows from verzonden.
    assert QApplication.focusWidget() is detail.buttons["received"]
    assert detail.visible_actions() == [
        "received", "in_progress", "completed", "rejected", "not_reached", "no_show", "cancel",
    ]  # fmt: skip


def test_not_sent_shows_the_reason_and_opnieuw_puts_it_back(
    qtbot: QtBot, gp: Desktop, refs: Seeded
) -> None:
    page = shown_list(qtbot, gp, 3)
    row = page.model.row_of(refs.urgent_waiting)
    assert page.model.index(row, 3).data() == "niet verzonden"
    choose(qtbot, page, refs.urgent_waiting)
    detail = page.detail
    assert detail.visible_actions() == ["cancel"]  # never sent: it can only be cancelled
    assert f"E-mail (signaal): niet verzonden: {NOT_SENT_REASON}" in detail.channels.text()
    assert "urgent" in detail.status.text()
    assert not detail.retry_button.isHidden()
    qtbot.keyClick(detail.buttons["cancel"], Qt.Key.Key_E, ALT)  # Opni&euw versturen
    qtbot.waitUntil(lambda: "weer klaar" in detail.message.text())
    assert "Status: <b>wacht op verzending</b>" in detail.status.text()
    assert "wacht op verzending" in detail.channels.text() and detail.retry_button.isHidden()
    db = database(gp.home)
    try:
        with db.session() as session:
            retried = session.scalars(
                select(AuditEntry.event).where(AuditEntry.event == "outbox.retry")
            ).all()
    finally:
        db.dispose()
    assert len(retried) == 1  # one message, audited (the worker may be trying it already)


def _status(shell: Desktop, reference: str) -> SignalStatus:
    db = database(shell.home)
    try:
        with db.session() as session:
            row = session.scalars(select(Signal).where(Signal.reference == reference)).one()
            return row.status
    finally:
        db.dispose()


def _reason_dialog(qtbot: QtBot, shell: Desktop) -> ReasonDialog:
    controller = tracking(shell)
    qtbot.waitUntil(
        lambda: controller.reason_dialog is not None and controller.reason_dialog.isVisible()
    )
    dialog = controller.reason_dialog
    assert dialog is not None
    return dialog


def test_close_and_reopen_by_keyboard_the_reason_is_required(
    qtbot: QtBot, gp: Desktop, refs: Seeded
) -> None:
    page = shown_list(qtbot, gp, 3)
    choose(qtbot, page, refs.recent)
    detail = page.detail
    qtbot.keyClick(detail.buttons["received"], Qt.Key.Key_F, ALT)  # A&fgerond
    qtbot.waitUntil(
        lambda: detail.record is not None and detail.record.status is SignalStatus.COMPLETED
    )
    assert _status(gp, refs.recent) is SignalStatus.COMPLETED
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)  # alleen open: it left the list
    assert detail.visible_actions() == ["reopen"]  # its detail stays: the user chose it

    qtbot.waitUntil(lambda: QApplication.focusWidget() is detail.buttons["reopen"])
    qtbot.keyClick(detail.buttons["reopen"], Qt.Key.Key_O, ALT)  # Her&openen
    dialog = _reason_dialog(qtbot, gp)
    assert dialog.windowTitle() == "Signaal heropenen"
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.reason)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # no reason: it stays open and says why
    assert dialog.isVisible() and "waarom" in dialog.error.text()
    qtbot.keyClicks(dialog.reason, "team belde, wil toch hulp")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: detail.record is not None and detail.record.status is SignalStatus.IN_PROGRESS
    )
    assert "team belde, wil toch hulp" in detail.timeline.text()
    assert _status(gp, refs.recent) is SignalStatus.IN_PROGRESS
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)


def test_cancel_asks_why_esc_goes_back_and_the_team_is_told(
    qtbot: QtBot, gp: Desktop, refs: Seeded
) -> None:
    page = shown_list(qtbot, gp, 3)
    choose(qtbot, page, refs.recent)
    detail = page.detail
    qtbot.keyClick(detail.buttons["received"], Qt.Key.Key_A, ALT)  # &Annuleren…
    dialog = _reason_dialog(qtbot, gp)
    assert dialog.windowTitle() == "Signaal annuleren"
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "Het team krijgt een bericht dat het signaal is geannuleerd." in texts
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tracking(gp).reason_dialog is None)
    assert _status(gp, refs.recent) is SignalStatus.SENT
    window = main_window(gp)
    window.activateWindow()  # what the window manager does when the dialog has gone
    qtbot.waitUntil(window.isActiveWindow)

    qtbot.keyClick(detail.buttons["received"], Qt.Key.Key_A, ALT)
    dialog = _reason_dialog(qtbot, gp)
    qtbot.keyClicks(dialog.reason, "dubbel aangemeld")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: detail.record is not None and detail.record.status is SignalStatus.CANCELLED
    )
    assert "Het team krijgt een bericht" in detail.message.text()
    assert detail.visible_actions() == []
    db = database(gp.home)
    try:
        with db.session() as session:
            kinds = session.scalars(
                select(OutboxMessage.kind).join(Signal).where(Signal.reference == refs.recent)
            ).all()
    finally:
        db.dispose()
    assert MessageKind.CANCELLATION in kinds


def test_filters_open_only_and_this_patient(qtbot: QtBot, gp: Desktop, refs: Seeded) -> None:
    page = shown_list(qtbot, gp, 3)
    # A patient is in the banner: the list is about them first.
    assert page.open_only.isChecked() and page.this_patient.isChecked()
    assert not page.this_patient.isHidden()
    qtbot.keyClick(page.table, Qt.Key.Key_L, ALT)  # A&lleen open off
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    assert refs.completed in references(page)
    qtbot.keyClick(page.table, Qt.Key.Key_D, ALT)  # Alleen &deze patiënt off
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)
    assert refs.other_patient in references(page)
    gp.open_patient(OTHER)  # another patient: the filter is on again, for them
    qtbot.waitUntil(lambda: references(page) == [refs.other_patient])
    assert page.this_patient.isChecked()
    gp.open_patient(None)
    assert page.this_patient.isHidden() and not page.this_patient.isChecked()
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)


def test_a_sent_signal_reloads_the_list(qtbot: QtBot, gp: Desktop, refs: Seeded) -> None:
    page = shown_list(qtbot, gp, 3)
    qtbot.keyClick(page.table, Qt.Key.Key_L, ALT)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)
    page.model.set_rows([])
    assert gp.signals is not None
    gp.signals.submitted.emit(refs.recent)
    qtbot.waitUntil(lambda: page.model.rowCount() == 4)


def test_no_patient_data_in_window_titles(qtbot: QtBot, gp: Desktop, refs: Seeded) -> None:
    page = shown_list(qtbot, gp, 3)
    choose(qtbot, page, refs.recent)
    qtbot.keyClick(page.detail.buttons["received"], Qt.Key.Key_A, ALT)
    dialog = _reason_dialog(qtbot, gp)
    words = [PATIENT.name, PATIENT.bsn, PATIENT.postcode, "de Vries", "1970", PATIENT.phone or ""]
    for widget in QApplication.topLevelWidgets():
        title = widget.windowTitle()
        assert not any(word and word in title for word in words), title
    dialog.reject()


@pytest.mark.parametrize("status", list(SignalStatus))
def test_buttons_offer_exactly_what_transitions_allow(status: SignalStatus) -> None:
    from gpdesk.signals.store import CLOSED, TRANSITIONS
    from gpdesk.ui.signals.timeline import actions_for

    actions = actions_for(status)
    targets = {a.target for a in actions}
    assert targets <= TRANSITIONS[status]
    if status in CLOSED and TRANSITIONS[status]:
        assert [a.name for a in actions] == ["reopen"] and actions[0].reason == "heropenen"
    else:
        assert targets == TRANSITIONS[status]
    assert all(a.reason is not None for a in actions if a.target is SignalStatus.CANCELLED)
