"""The Signaleren list follows the outbox: a real flush to a team's export folder.

A signal stored while the list is on screen "wacht op verzending"; the desktop's own outbox
worker writes it to the export folder, and the list and the open timeline then say
"verzonden" without the user doing anything, with the same row chosen, the list scrolled
where it was and no patient named (audited) twice. Driven by keyboard: j/k, Enter, Alt+D.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from gpdesk.config import Home
from gpdesk.models import AuditEntry, MessageKind, SignalStatus
from gpdesk.signals.store import submit
from gpdesk.signals.store.reading import LIST_EVENT
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.signals.page import SignalsPage
from gpdesk.ui.signals.signal_list import PATIENT_COLUMN, STATUS_COLUMN, status_words
from gpdesk.ui.signals.timeline import step_words
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import PATIENT, database, main_window, ready_home, signed_in
from tests.gui.signal_list_support import OTHER, Seeded, seed_signals
from tests.store_support import NIEUWLAND, deliver_to, open_patient, request, signed

ALT = Qt.KeyboardModifier.AltModifier
PATIENT_LABEL = "J. de Vries · 01-02-1970"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    folder = tmp_path / "export-nieuwland"
    folder.mkdir()
    return folder


@pytest.fixture
def seeded(demo_home: Home, export: Path) -> tuple[Home, Seeded]:
    """The list's signals, and Nieuwland delivered by export folder only (no mail server)."""
    ready_home(demo_home)
    refs = seed_signals(demo_home)
    db = database(demo_home)
    try:
        deliver_to(db, NIEUWLAND, email=None, folder=export)
    finally:
        db.dispose()
    return demo_home, refs


@pytest.fixture
def gp(qtbot: QtBot, seeded: tuple[Home, Seeded]) -> Iterator[Desktop]:
    shell = signed_in(qtbot, seeded[0], "bakker")
    outbox = shell.outbox
    assert outbox is not None
    qtbot.waitUntil(lambda: not outbox.busy, timeout=15_000)  # the flush at sign-in
    outbox.stop()  # no half-minute tick in the test: it flushes when kicked
    yield shell
    dispose_desktop(shell)


def store_signals(home: Home, count: int) -> list[str]:
    """``count`` new signals for PATIENT, committed as the form does, not yet sent."""
    db = database(home)
    try:
        bakker = signed(db, "bakker")
        patient = open_patient(db, bakker, PATIENT)
        now = datetime.now(UTC)
        made = []
        for n in range(count):
            with db.session() as session:
                record = submit(
                    session, bakker.vault, bakker.actor, request(patient),
                    now=now - timedelta(seconds=count - n),
                )  # fmt: skip
                made.append(record.reference)
        return made
    finally:
        db.dispose()


def audited(home: Home, event: str) -> int:
    db = database(home)
    try:
        with db.session() as session:
            return (
                session.scalar(
                    select(func.count()).select_from(AuditEntry).where(AuditEntry.event == event)
                )
                or 0
            )
    finally:
        db.dispose()


def page_on_screen(qtbot: QtBot, shell: Desktop, rows: int) -> SignalsPage:
    window = main_window(shell)
    window.show_area("kaart")
    window.show_area("signals")
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == rows, timeout=10_000)
    return page


def status_of(page: SignalsPage, reference: str) -> str:
    row = page.model.row_of(reference)
    return str(page.model.index(row, STATUS_COLUMN).data()) if row >= 0 else ""


def test_a_flush_to_the_export_folder_shows_in_the_list_and_the_open_timeline(
    qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded], export: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    home, refs = seeded
    [new] = store_signals(home, 1)
    page = page_on_screen(qtbot, gp, 4)  # alleen deze patiënt: 3 seeded and the new one
    model, table = page.model, page.table
    target = model.row_of(new)
    assert status_of(page, new) == "wacht op verzending"  # in postvak uit, not "concept"
    assert model.index(target, PATIENT_COLUMN).data() == PATIENT_LABEL

    qtbot.keyClick(table, Qt.Key.Key_Home)  # the first key chooses the first row
    for _ in range(target):
        qtbot.keyClick(table, Qt.Key.Key_J)
    qtbot.keyClick(table, Qt.Key.Key_K)
    qtbot.keyClick(table, Qt.Key.Key_J)
    assert table.currentIndex().row() == target
    qtbot.keyClick(table, Qt.Key.Key_Return)  # Enter opens the timeline, focus on its action
    detail = page.detail
    qtbot.waitUntil(lambda: detail.record is not None and detail.record.reference == new)
    assert "in postvak uit gezet" in detail.timeline.text()
    assert "Status: <b>wacht op verzending</b>" in detail.status.text()
    assert "Exportmap (signaal): wacht op verzending" in detail.channels.text()
    focused = QApplication.focusWidget()
    assert focused is detail.buttons["cancel"]
    listed, read = audited(home, LIST_EVENT), audited(home, "signal.read")
    assert not list(export.iterdir())

    outbox = gp.outbox
    assert outbox is not None
    outbox.kick()  # what the half-minute tick does
    qtbot.waitUntil(lambda: status_of(page, new) == "verzonden", timeout=30_000)
    qtbot.waitUntil(
        lambda: detail.record is not None and detail.record.status is SignalStatus.SENT,
        timeout=10_000,
    )
    assert list(export.iterdir())  # really written to the team's export folder
    assert detail.record is not None and detail.record.reference == new
    assert "Exportmap (signaal): verzonden" in detail.channels.text()
    timeline = detail.timeline.text()
    assert timeline.index("in postvak uit gezet") < timeline.index("<b>verzonden</b>")
    # The same row is chosen, the focus stayed, nobody was asked to do anything.
    chosen = table.selectionModel().selectedRows()
    assert [index.row() for index in chosen] == [model.row_of(new)]
    assert QApplication.focusWidget() is focused
    # The same patient was named again: no new list entry; the open signal was read once more.
    assert audited(home, LIST_EVENT) == listed
    assert audited(home, "signal.read") == read + 1
    assert model.row_of(refs.overdue) >= 0
    names = (PATIENT.name, "de Vries", PATIENT.bsn, OTHER.name)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert not any(name in logged for name in names)


def test_the_list_keeps_its_scroll_position_and_row_when_a_flush_refreshes_it(
    qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded], export: Path
) -> None:
    home, refs = seeded
    made = store_signals(home, 14)
    window = main_window(gp)
    window.resize(1366, 600)
    page = page_on_screen(qtbot, gp, 17)
    table = page.table
    bar = table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    qtbot.keyClick(table, Qt.Key.Key_Home)  # chooses the first row (verlopen)
    qtbot.waitUntil(lambda: page.detail.record is not None, timeout=10_000)
    bar.setValue(bar.maximum() // 2)  # the user scrolled on, with the wheel
    scrolled = bar.value()
    assert scrolled > 0
    outbox = gp.outbox
    assert outbox is not None
    outbox.kick()
    qtbot.waitUntil(lambda: all(status_of(page, r) == "verzonden" for r in made), timeout=60_000)
    assert bar.value() == scrolled
    assert [i.row() for i in table.selectionModel().selectedRows()] == [
        page.model.row_of(refs.overdue)
    ]
    assert page.detail.record is not None and page.detail.record.reference == refs.overdue
    assert len(list(export.iterdir())) >= len(made)


def test_with_a_patient_in_the_banner_the_list_is_theirs_until_alt_d(
    qtbot: QtBot, gp: Desktop, seeded: tuple[Home, Seeded]
) -> None:
    home, refs = seeded
    page = page_on_screen(qtbot, gp, 3)
    assert page.this_patient.isChecked() and page.this_patient.text() == "Alleen &deze patiënt"
    model = page.model
    assert {model.index(i, PATIENT_COLUMN).data() for i in range(3)} == {PATIENT_LABEL}
    assert gp.tasks.wait()  # every load of the list so far has finished
    before = audited(home, LIST_EVENT)  # one per opening of the list (sign-in, banner, page)
    qtbot.keyClick(page.table, Qt.Key.Key_D, ALT)  # off: the practice's whole work list
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    other = model.row_of(refs.other_patient)
    assert model.index(other, PATIENT_COLUMN).data() == "F. el Amrani · 14-06-1988"
    assert audited(home, LIST_EVENT) == before + 2  # opened anew: both named, both audited
    qtbot.keyClick(page.table, Qt.Key.Key_D, ALT)  # on again
    qtbot.waitUntil(lambda: model.rowCount() == 3)
    gp.open_patient(None)  # nobody in the banner: no filter to offer, the whole list
    assert page.this_patient.isHidden()
    qtbot.waitUntil(lambda: model.rowCount() == 4)


@pytest.mark.parametrize(
    ("status", "failed", "words"),
    [
        (SignalStatus.DRAFT, (), "wacht op verzending"),
        (SignalStatus.DRAFT, (MessageKind.SIGNAL,), "niet verzonden"),
        (SignalStatus.SENT, (), "verzonden"),
        (SignalStatus.SENT, (MessageKind.SIGNAL,), "verzonden · niet via elk kanaal"),
        (
            SignalStatus.CANCELLED,
            (MessageKind.CANCELLATION,),
            "geannuleerd · annulering niet verzonden",
        ),
    ],
)
def test_status_words_say_what_happened_never_concept(
    status: SignalStatus, failed: tuple[MessageKind, ...], words: str
) -> None:
    assert status_words(status, failed) == words
    assert "concept" not in status_words(status, failed)
    assert step_words(SignalStatus.DRAFT) == "in postvak uit gezet"
