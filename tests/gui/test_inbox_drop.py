"""Files dragged onto Terugkoppeling, and "Brief toevoegen…" (Ctrl+O), against a real database.

A real ``QDropEvent`` with file URLs goes to the page's own handler: the page is highlighted
while dragging; the files go through the intake (one reading process) off the GUI thread; the
page says what happened in Dutch, names the file it could not read, and stores the rest; the
same files dropped again are stored once; a folder is refused. The highlight is rendered to
/tmp/inbox-shots/terugkoppeling-slepen.png.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from gpdesk.config import Home
from gpdesk.models import Letter, LetterSource
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.inbox.controller import InboxController
from gpdesk.ui.inbox.drop import FileOutcome, IntakeOutcome
from gpdesk.ui.inbox.page import InboxPage
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import app_style, database, main_window, ready_home, signed_in

DATA = Path(__file__).resolve().parents[1] / "data" / "inbox"
LETTERS = ("bevestiging-met-pdf.eml", "brief-wijkteam.pdf", "brief-cp1252.txt")
SHOTS = Path("/tmp/inbox-shots")
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def assistant(qtbot: QtBot, demo_home: Home) -> Iterator[Desktop]:
    ready_home(demo_home)
    shell = signed_in(qtbot, demo_home, "jansen", patient=None)
    yield shell
    dispose_desktop(shell)


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """Three letters, a macro workbook (kept, never opened), an empty file (quarantined) and
    one that is gone before it is read."""
    folder = tmp_path / "gesleept"
    folder.mkdir()
    paths = [Path(shutil.copy(DATA / name, folder / name)) for name in LETTERS]
    odd = folder / "werkblad.xlsm"
    odd.write_bytes(b"PK\x03\x04" + b"\x00" * 64 + b"vbaProject.bin")
    empty = folder / "leeg.eml"
    empty.write_bytes(b"")
    return [*paths, odd, empty, folder / "weg.pdf"]


def inbox(qtbot: QtBot, shell: Desktop) -> InboxPage:
    window = main_window(shell)
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    page = window.inbox_page()
    qtbot.waitUntil(lambda: page.count.text() != "", timeout=10_000)
    return page


def mime(paths: list[Path]) -> QMimeData:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    return data


def drag_onto(page: InboxPage, data: QMimeData) -> QDragEnterEvent:
    event = QDragEnterEvent(
        QPoint(300, 300), Qt.DropAction.CopyAction, data,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    page.dragEnterEvent(event)
    return event


def drop_onto(page: InboxPage, data: QMimeData) -> QDropEvent:
    event = QDropEvent(
        QPointF(300, 300), Qt.DropAction.CopyAction, data,
        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
    )  # fmt: skip
    page.dropEvent(event)
    return event


def stored(shell: Desktop) -> dict[LetterSource, int]:
    db = database(shell.home)
    try:
        with db.session() as session:
            rows = session.execute(select(Letter.source, func.count()).group_by(Letter.source))
            return {LetterSource(source): count for source, count in rows}
    finally:
        db.dispose()


def said(qtbot: QtBot, page: InboxPage, text: str) -> str:
    """Wait for the outcome line to contain ``text``; the line."""
    qtbot.waitUntil(lambda: text in page.intake.message.text(), timeout=20_000)
    return page.intake.message.text()


def test_dropped_files_are_stored_once_and_a_lost_one_is_named(
    qtbot: QtBot, assistant: Desktop, files: list[Path]
) -> None:
    page = inbox(qtbot, assistant)
    window = main_window(assistant)
    data = mime(files)
    entered = drag_onto(page, data)
    assert entered.isAccepted() and page.drop_zone.isVisible()
    with app_style():
        window.resize(1366, 768)
        qtbot.wait(100)
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "terugkoppeling-slepen.png"))
    dropped = drop_onto(page, data)
    assert dropped.isAccepted() and not page.drop_zone.isVisible()

    line = said(qtbot, page, "opgeslagen")
    assert line.startswith("4 brieven opgeslagen, 1 in quarantaine.")
    assert "Niet opgeslagen: weg.pdf: het bestand is er niet meer" in line
    assert stored(assistant) == {LetterSource.DROPPED: 5}
    qtbot.waitUntil(lambda: page.model.rowCount() == 5, timeout=10_000)
    pane = page.pane
    qtbot.waitUntil(lambda: pane.letter is not None, timeout=10_000)  # the last one, opened
    nav = window.nav.item(2)
    assert nav is not None
    qtbot.waitUntil(lambda: nav.text() == "Terugkoppeling  4", timeout=10_000)  # not quarantine
    with app_style():
        qtbot.wait(100)
        window.grab().save(str(SHOTS / "terugkoppeling-gesleept.png"))

    page.intake.show_message("")
    drop_onto(page, mime(files[:5]))  # the same again: stored once
    assert said(qtbot, page, "er al") == "5 waren er al."
    assert stored(assistant) == {LetterSource.DROPPED: 5}


def test_a_folder_is_refused_and_other_drags_are_not_taken(
    qtbot: QtBot, assistant: Desktop, files: list[Path]
) -> None:
    page = inbox(qtbot, assistant)
    drop_onto(page, mime([files[0].parent]))
    line = said(qtbot, page, "map")
    assert line.startswith("Een map neemt gpdesk niet over (gesleept).")
    assert stored(assistant) == {}

    text = QMimeData()
    text.setText("zomaar wat tekst")
    web = QMimeData()
    web.setUrls([QUrl("https://wijkteam.example/brief.pdf")])
    for data in (text, web):
        entered = drag_onto(page, data)
        assert not entered.isAccepted() and not page.drop_zone.isVisible()
    drag_onto(page, mime(files[:1]))
    assert page.drop_zone.isVisible()
    page.dragLeaveEvent(QDragLeaveEvent())
    assert not page.drop_zone.isVisible()


def test_brief_toevoegen_by_keyboard(qtbot: QtBot, assistant: Desktop, files: list[Path]) -> None:
    page = inbox(qtbot, assistant)
    [controller] = main_window(assistant).findChildren(InboxController)
    asked: list[object] = []

    def ask(parent: object) -> list[Path]:
        asked.append(parent)
        return [files[1]]

    controller.ask_files = ask
    assert page.intake.add_button.text() == "&Brief toevoegen…"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_O, CTRL)
    assert asked == [page]
    assert said(qtbot, page, "opgeslagen") == "1 brief opgeslagen."
    assert stored(assistant) == {LetterSource.IMPORTED: 1}


def test_the_outcome_line_in_words() -> None:
    new = FileOutcome("a.eml", 1)
    assert IntakeOutcome((new,)).summary() == "1 brief opgeslagen."
    batch = IntakeOutcome(
        (new, FileOutcome("b.pdf", 2), FileOutcome("c.bin", 3, quarantined=True),
         FileOutcome("d.eml", 1, duplicate=True), FileOutcome("e.pdf", problem="weg")),
        folders=("Map",),
    )  # fmt: skip
    assert batch.summary() == (
        "2 brieven opgeslagen, 1 in quarantaine, 1 was er al. Niet opgeslagen: e.pdf: weg. "
        "Een map neemt gpdesk niet over (Map). Sleep de bestanden uit de map, of laat de "
        "beheerder de map als bron instellen."
    )
    assert batch.newest_id == 1 and batch.refused_any
    many = IntakeOutcome(tuple(FileOutcome(f"{n}.pdf", problem="weg") for n in range(7)))
    assert many.summary().endswith("4.pdf: weg; en nog 2 bestanden.")
    assert many.summary().startswith("0 brieven opgeslagen.")
