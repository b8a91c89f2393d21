"""Fetching in the background: a real drop folder, the real window, the status bar's words.

A file dropped in the folder is in the Terugkoppeling list after the worker's next turn (and
the letter being read stays in the reading pane); a PDF stored unchecked says "wordt nog
gecontroleerd" until the reading pass after a fetch, then it is previewed; F9 fetches at once;
a folder that is gone shows "Postvak in: ontvangstmap niet te gebruiken, opnieuw om …" and is
tried less often.
Short paces instead of minutes; nothing here measures time. Screenshots go to
/tmp/inbox-shots.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.inbox.store.sources import add_folder_source
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.inbox.fetch_worker import FetchWorker, Pace
from gpdesk.ui.main_window import MainWindow
from gpdesk.ui.tasks import BackgroundTasks
from tests.conftest import dispose_desktop
from tests.gui.signal_gui_support import app_style, main_window
from tests.security_support import make_demo, signed

SHOTS = Path("/tmp/inbox-shots")
QUICK = Pace(tick_ms=200, minute_s=0.5)
"""A source's interval minute lasts half a second; the worker looks five times a second."""
GONE = re.compile(r"^Postvak in: ontvangstmap niet te gebruiken, opnieuw om \d\d:\d\d$")
FETCHED = re.compile(r"^Postvak in: opgehaald \d\d:\d\d$")


def drop(folder: Path, number: int) -> Path:
    """A fictional e-mail from the team, saved by a mail client a minute ago (settled)."""
    path = folder / f"bericht-{number}.eml"
    path.write_bytes(
        (
            "From: Wijkteam Nieuwland <nieuwland@wijkteam.example>\r\n"
            "To: praktijk@desingel.example\r\n"
            f"Subject: Voortgang aanmelding {number}\r\n"
            f"Message-ID: <voortgang-{number}@wijkteam.example>\r\n"
            "Date: Mon, 07 Dec 2026 09:00:00 +0100\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Beste dokter,\r\n\r\nWij hebben contact gehad en plannen een huisbezoek.\r\n"
        ).encode()
    )
    settled = time.time() - 60
    os.utime(path, (settled, settled))
    return path


def add_source(home: Home, folder: Path) -> int:
    """The drop folder as a source, every minute, set up by the beheerder."""
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(f"sqlite:///{home.database_file}")
    try:
        manager = signed(db, "smit")
        with db.session() as session:
            return add_folder_source(
                session, manager.vault, manager.actor, folder, interval_minutes=1
            ).id
    finally:
        db.dispose()


def start(qtbot: QtBot, home: Home, user: str, pace: Pace | None) -> Desktop:
    """The real Desktop, ``user`` signed in, its fetch worker at ``pace``."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)
    shell = Desktop(home, fetch_pace=pace)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText(user)
    shell.login.password.setText(DEMO_PASSWORD)
    qtbot.mouseClick(shell.login.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    window = main_window(shell)
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return shell


def shoot_status_bar(qtbot: QtBot, window: MainWindow, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.resize(1366, 768)
    qtbot.wait(100)
    window.grab().save(str(SHOTS / f"{name}.png"))
    window.statusBar().grab().save(str(SHOTS / f"{name}-statusbalk.png"))


@pytest.fixture
def desktops() -> Iterator[list[Desktop]]:
    """The Desktops a test started, in the program's own style (for the screenshots)."""
    started: list[Desktop] = []
    with app_style():
        yield started
        for shell in started:
            dispose_desktop(shell)


def test_a_dropped_file_is_in_the_list_after_the_next_turn_and_the_letter_read_stays(
    qtbot: QtBot, demo_home: Home, tmp_path: Path, desktops: list[Desktop]
) -> None:
    folder = tmp_path / "ontvangst"
    add_source(demo_home, folder)
    shell = start(qtbot, demo_home, "jansen", QUICK)
    desktops.append(shell)
    window = main_window(shell)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.inbox_page()
    qtbot.waitUntil(lambda: bool(FETCHED.match(window.inbox_label.text())), timeout=15_000)
    assert window.inbox_label.isVisible()
    assert page.model.rowCount() == 0

    drop(folder, 1)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=20_000)
    assert not (folder / "bericht-1.eml").exists()  # stored, then moved to verwerkt/
    assert (folder / "verwerkt" / "bericht-1.eml").exists()
    nav = window.nav.item(2)
    assert nav is not None
    qtbot.waitUntil(lambda: nav.text() == "Terugkoppeling  1", timeout=10_000)

    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Home)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.pane.letter is not None, timeout=10_000)
    assert page.pane.letter is not None
    reading = page.pane.letter.id

    drop(folder, 2)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=20_000)
    qtbot.waitUntil(lambda: nav.text() == "Terugkoppeling  2", timeout=10_000)
    assert page.pane.letter is not None and page.pane.letter.id == reading
    rows = [page.model.row_at(i.row()) for i in page.table.selectionModel().selectedRows()]
    assert [row.id for row in rows if row is not None] == [reading]
    shoot_status_bar(qtbot, window, "ophalen-opgehaald")


def test_f9_fetches_now_rather_than_at_the_next_turn(
    qtbot: QtBot, demo_home: Home, tmp_path: Path, desktops: list[Desktop]
) -> None:
    folder = tmp_path / "ontvangst"
    add_source(demo_home, folder)
    shell = start(qtbot, demo_home, "jansen", None)  # the program's pace: a turn a minute
    desktops.append(shell)
    window = main_window(shell)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.inbox_page()
    qtbot.waitUntil(lambda: bool(FETCHED.match(window.inbox_label.text())), timeout=15_000)
    drop(folder, 3)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=20_000)
    assert ("F9", "Nu ophalen uit postvak en ontvangstmap") in dict(window.shortcut_sections())[
        "Terugkoppeling"
    ]
    assert page.fetch_button.text() == "N&u ophalen"


def test_a_folder_that_is_gone_says_so_in_the_status_bar_and_lock_stops_fetching(
    qtbot: QtBot, demo_home: Home, tmp_path: Path, desktops: list[Desktop]
) -> None:
    folder = tmp_path / "ontvangst"
    source = add_source(demo_home, folder)
    folder.rmdir()  # the network drive is not connected
    shell = start(qtbot, demo_home, "jansen", None)
    desktops.append(shell)
    window = main_window(shell)
    label = window.inbox_label
    qtbot.waitUntil(lambda: bool(GONE.match(label.text())), timeout=15_000)
    assert "bestaat niet of is geen map" in label.toolTip()
    assert str(folder) in label.toolTip()
    assert shell.fetcher is not None and shell.fetcher.schedule.failures(source) == 1
    assert not QApplication.activeModalWidget()  # a line in the status bar, never a popup
    shoot_status_bar(qtbot, window, "ophalen-map-weg")

    shell.lock()
    assert shell.fetcher is None  # the worker holds the key: it goes with the lock


def test_the_practice_manager_fetches_nothing(
    qtbot: QtBot, demo_home: Home, tmp_path: Path, desktops: list[Desktop]
) -> None:
    add_source(demo_home, tmp_path / "ontvangst")
    shell = start(qtbot, demo_home, "smit", QUICK)  # reads no letters (the default rights)
    desktops.append(shell)
    assert shell.fetcher is None
    assert not main_window(shell).inbox_label.isVisible()


# -- the worker on its own, on a made-up clock -------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}")
    make_demo(database)
    yield database
    database.dispose()


@pytest.fixture
def tasks(qtbot: QtBot, tmp_path: Path) -> Iterator[BackgroundTasks]:
    unhandled: list[BaseException] = []
    runner = BackgroundTasks(unhandled.append, crash_dir=tmp_path / "crashes", threads=1)
    yield runner
    runner.wait()
    assert not unhandled


def test_a_failing_source_waits_twice_as_long_then_comes_back(
    qtbot: QtBot, db: Database, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    folder = tmp_path / "ontvangst"
    folder.mkdir()
    manager = signed(db, "smit")
    with db.session() as session:
        source = add_folder_source(session, manager.vault, manager.actor, folder).id
    folder.rmdir()
    now = [0.0]
    worker = FetchWorker(
        tasks, db, signed(db, "jansen"), pace=Pace(tick_ms=20, minute_s=1.0),
        clock=lambda: now[0], wall=lambda: datetime(2026, 12, 7, 10, 42, 5),
    )  # fmt: skip
    turns: list[str] = []
    worker.status_changed.connect(lambda line, _tip: turns.append(line))

    def turns_pass(count: int) -> None:
        seen = len(turns)
        qtbot.waitUntil(lambda: len(turns) >= seen + count, timeout=10_000)

    worker.start()
    qtbot.waitUntil(lambda: worker.schedule.failures(source) == 1, timeout=10_000)
    turns_pass(1)
    # 5 minutes interval, one failure: ten minutes (of 1 s) before the next try, rounded up.
    assert turns[-1] == "Postvak in: ontvangstmap niet te gebruiken, opnieuw om 10:43"
    assert "bestaat niet" in worker.tooltip
    now[0] = 5 * 1.0 + 0.5  # its plain interval has passed: not yet, it failed
    turns_pass(3)
    assert worker.schedule.failures(source) == 1
    now[0] = 10 * 1.0  # twice the interval
    qtbot.waitUntil(lambda: worker.schedule.failures(source) == 2, timeout=10_000)
    assert worker.schedule.wait_s(source, now[0]) == 20 * 1.0  # and then four times

    folder.mkdir()  # the drive is back
    drop(folder, 4)
    arrived: list[int] = []
    worker.letters_arrived.connect(arrived.append)
    worker.fetch_now()
    assert worker.status == "Postvak in: ophalen…"
    qtbot.waitUntil(lambda: worker.schedule.failures(source) == 0, timeout=20_000)
    turns_pass(1)
    worker.stop()
    assert arrived == [1]
    assert worker.status == "Postvak in: opgehaald 10:42"


def test_a_pdf_stored_unchecked_says_so_and_shows_after_the_reading_pass(
    qtbot: QtBot, demo_home: Home, tmp_path: Path, desktops: list[Desktop]
) -> None:
    from email.message import EmailMessage

    from gpdesk.inbox.fetching import fetch_one
    from gpdesk.inbox.store.sources import set_source_enabled
    from tests.inbox_letters import letter_pdf

    folder = tmp_path / "ontvangst"
    source = add_source(demo_home, folder)
    message = EmailMessage()
    message["From"] = "Wijkteam Nieuwland <nieuwland@wijkteam.example>"
    message["Subject"] = "Brief over uw patiënt"
    message["Message-ID"] = "<brief-pdf@wijkteam.example>"
    message.set_content("Zie de brief in de bijlage.")
    message.add_attachment(
        letter_pdf(["Wij hebben mevrouw gesproken."]), maintype="application", subtype="pdf",
        filename="brief.pdf",
    )  # fmt: skip
    (folder / "brief.eml").write_bytes(message.as_bytes())
    settled = time.time() - 60
    os.utime(folder / "brief.eml", (settled, settled))
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:  # stored, its PDF not yet checked; then nothing to fetch from, so no pass runs yet
        manager, assistant = signed(db, "smit"), signed(db, "jansen")
        assert fetch_one(db, assistant, source, check=False).stored == 1
        with db.session() as session:
            set_source_enabled(session, manager.vault, manager.actor, source, False)
    finally:
        db.dispose()

    shell = start(qtbot, demo_home, "jansen", QUICK)
    desktops.append(shell)
    window = main_window(shell)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.inbox_page()
    pane = page.pane
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=15_000)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Home)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.content.currentWidget() is pane.notice_page, timeout=10_000)
    assert "wordt nog gecontroleerd" in pane.notice.text()
    assert pane.notice.objectName() == "letterNotice"  # not shown as a danger
    part = pane.chosen_part()
    assert part is not None and part.check_pending and not pane.save_button.isEnabled()
    assert "wordt nog gecontroleerd" in pane.parts.currentItem().text()
    shoot_status_bar(qtbot, window, "pdf-wordt-gecontroleerd")

    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        manager = signed(db, "smit")
        with db.session() as session:
            set_source_enabled(session, manager.vault, manager.actor, source, True)
    finally:
        db.dispose()
    qtbot.keyClick(page.table, Qt.Key.Key_F9)  # a fetch, then the reading pass
    qtbot.waitUntil(lambda: pane.content.currentWidget() is pane.pdf_view, timeout=30_000)
    part = pane.chosen_part()
    assert part is not None and part.safe_to_open and not part.check_pending
    assert pane.save_button.isEnabled()
