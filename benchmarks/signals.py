"""The signal form in a signed-in window: Ctrl+Shift+S to the form with its team; Verstuur.

``signal_form_open``: Ctrl+Shift+S in the main window (a patient in the banner) until the form is
on screen with the team chosen for the patient (one background unit of work: the patient, the
team by postcode, theme and age, the consents). Floor: a shortcut in a bare window that shows a
small dialog (a label and a combo box) and fills it from one trivial query on the same database
through the same background worker. Each round starts once the program has had its idle
moment after the previous form closed (as between two consults): gpdesk builds the next form
in idle time (``SignalController.spare``), so the key press finds it built.
``signal_form_open_cold`` (an INFO line, no limit) is Ctrl+Shift+S at once after a close,
before any idle time: the form is then built on the key press, as before forms were built
ahead. Both INFO lines also give the processor time the program used meanwhile (all its
threads: the GUI thread and the background worker), which a busy machine does not inflate.

``signal_submit``: Verstuur (Ctrl+Enter) on a filled form with consent on file until the form
says the signal is in the outbox (``store.submit`` committed: signal, timeline step, outbox rows,
audit entries). Floor: one row inserted and committed in a SQLite file with the same durability
(WAL, synchronous=FULL) through the same background worker.

Each figure is printed as a ratio to its floor (``FORM_TARGET``, ``SUBMIT_TARGET``), and its
median is checked against ``LIMIT_MS`` (issue #10: both under 150 ms) on a separate line.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Final

from benchmarks.common import bench_line, make_demo_home, median

RUNS: Final = 11
FORM_TARGET: Final = 10.0
"""The form is a dialog of some 140 widgets filled from one unit of work (the team choice over the
kaart and the consents); its floor is a two-widget dialog and one trivial query."""
SUBMIT_TARGET: Final = 30.0
"""A submit writes about a dozen rows (signal, timeline step, outbox rows, consent, counter) with
sealed content and hash-chained audit entries; its floor is one plain row. Set after the first
runs (20-21 on 2 busy cores): a guard against regressions, not a goal; the 150 ms limit is."""
LIMIT_MS: Final = 150.0
NIEUWLAND: Final = "d027d32e-b9d9-5323-950f-83e78ac3169c"
"""Wijkteam Nieuwland in the demo kaart (postcodes 3118 and 3119)."""
QUESTION: Final = "Slaapt slecht door de schulden; graag meekijken."


def _ready_to_send(home_path: Path) -> None:
    """Letterhead, from-address and Nieuwland's delivery address, set as the manager would.

    Through the core's setters, as Beheer, ``gpdesk transport set`` and ``gpdesk team delivery``.
    """
    from gpdesk.config import Home
    from gpdesk.db import open_database
    from gpdesk.practice.demo import DEMO_PASSWORD
    from gpdesk.practice.letterhead import set_letterhead
    from gpdesk.security.accounts import sign_in
    from gpdesk.transport.config import TransportRequest, save_transport, set_team_delivery

    home = Home(home_path)
    db = open_database(f"sqlite:///{home.database_file}")
    try:
        manager = sign_in(db, "smit", DEMO_PASSWORD)
        with db.session() as session:
            set_letterhead(
                session, manager.actor,
                address_lines=["Singel 12", "3112 GS Schiedam"], phone="010 123 45 67",
            )  # fmt: skip
            save_transport(
                session, manager.vault, manager.actor,
                TransportRequest(
                    host="127.0.0.1", port=587, security="starttls",
                    from_address="praktijk@desingel.example",
                ),
            )  # fmt: skip
            set_team_delivery(session, manager.actor, NIEUWLAND, email="wijkteam@voorbeeld.example")
    finally:
        db.dispose()


def limit_line(name: str, value_ms: float) -> str:
    """``LIMIT <name> median=<n>ms limit=150ms ok|TOO-SLOW``."""
    verdict = "ok" if value_ms < LIMIT_MS else "TOO-SLOW"
    return f"LIMIT {name} median={value_ms:.1f}ms limit={LIMIT_MS:g}ms {verdict}"


def run() -> list[str]:
    """Sign a GP in with a patient in the banner, then time form openings and submits."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence, QShortcut
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QVBoxLayout, QWidget
    from sqlalchemy import text

    from gpdesk.config import Home
    from gpdesk.patients.context import PatientContext
    from gpdesk.practice.demo import DEMO_PASSWORD
    from gpdesk.signals.consent import ConsentDraft, ConsentMethod, Purpose, record_consent
    from gpdesk.signals.outgoing import DEFAULT_ITEMS, THEMES
    from gpdesk.ui.app import create_application
    from gpdesk.ui.desktop import Desktop

    app = create_application()
    app.setQuitOnLastWindowClosed(False)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

    def spin_until(condition: object, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError
            app.processEvents()
            time.sleep(0.0005)

    with tempfile.TemporaryDirectory(prefix="gpdesk-bench-") as tmp:
        home = Home(make_demo_home(Path(tmp) / "home"))
        _ready_to_send(home.path)
        desktop = Desktop(home)
        desktop.start()
        spin_until(desktop.login.sign_in_button.isEnabled)
        desktop.login.username.setText("bakker")
        desktop.login.password.setText(DEMO_PASSWORD)
        desktop.login.sign_in_button.click()
        spin_until(lambda: desktop.window is not None and desktop.signals is not None)
        window, signals, db, tasks = desktop.window, desktop.signals, desktop.db, desktop.tasks
        assert window is not None and signals is not None and db is not None
        window.resize(1366, 768)
        window.show()
        desktop.open_patient(
            PatientContext(
                bsn="628194821", name="J. de Vries", birth_date=date(1970, 2, 1),
                postcode="3118AB", phone="0612345678",
            )
        )  # fmt: skip
        assert tasks.wait()

        cpu: dict[bool, list[float]] = {True: [], False: []}

        def open_form(*, settled: bool = True) -> float:
            if settled:  # the idle moment between two consults: the next form is built
                spin_until(lambda: signals.spare is not None)
            window.activateWindow()
            spin_until(window.isActiveWindow)
            start, used = time.perf_counter(), time.process_time()
            QTest.keyClick(window, Qt.Key.Key_S, ctrl_shift)
            spin_until(
                lambda: (
                    signals.form is not None
                    and signals.form.isVisible()
                    and signals.data is not None
                    and signals.form.current_team() is not None
                )
            )
            cpu[settled].append((time.process_time() - used) * 1000)
            return (time.perf_counter() - start) * 1000

        # Consent on file, as for the common path.
        open_form()
        session_ = desktop.session
        assert signals.data is not None and session_ is not None
        draft = ConsentDraft(
            purposes=frozenset(Purpose), organisations=(signals.data.teams[0].organisation,),
            items=DEFAULT_ITEMS, method=ConsentMethod.ORAL,
        )  # fmt: skip
        with db.session() as session:
            record_consent(session, session_.vault, session_.actor, signals.data.patient_id, draft)
        assert signals.form is not None
        signals.form.reject()
        spin_until(lambda: signals.form is None)

        # The floors: a bare dialog filled from one query; one durable insert.
        bare = QWidget()
        bare.resize(400, 300)
        bare.show()
        shown: list[QDialog] = []
        combos: list[QComboBox] = []

        def show_dialog() -> None:
            dialog = QDialog(bare)
            combo = QComboBox()
            layout = QVBoxLayout(dialog)
            layout.addWidget(QLabel("Team"))
            layout.addWidget(combo)
            dialog.show()
            shown.append(dialog)
            combos.append(combo)

            def query() -> int:
                with db.session() as session:
                    return int(session.execute(text("SELECT 1")).scalar_one())

            tasks.run(query, lambda value: combo.addItem(str(value)), owner=dialog)

        shortcut = QShortcut(QKeySequence("Ctrl+Shift+S"), bare)
        shortcut.activated.connect(show_dialog)
        floor_file = Path(tmp) / "floor.sqlite"
        connection = sqlite3.connect(floor_file, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE row_ (id INTEGER PRIMARY KEY, body TEXT)")
        connection.commit()

        def insert() -> None:
            connection.execute("INSERT INTO row_ (body) VALUES (?)", (QUESTION,))
            connection.commit()

        form_ms, form_floor, submit_ms, submit_floor, cold_ms = [], [], [], [], []
        inserted: list[bool] = []
        for i in range(RUNS + 1):
            spin_until(lambda: signals.spare is not None)  # settled before the floor, too
            bare.activateWindow()
            spin_until(bare.isActiveWindow)
            start = time.perf_counter()
            QTest.keyClick(bare, Qt.Key.Key_S, ctrl_shift)
            spin_until(lambda: bool(combos) and combos[-1].count() == 1)
            floor_open = (time.perf_counter() - start) * 1000
            shown.pop().deleteLater()
            combos.clear()

            opened = open_form()
            form = signals.form
            assert form is not None
            QTest.keyClick(form.chips[THEMES[0].code], Qt.Key.Key_Space)
            form.question.selectAll()
            form.question.insertPlainText(QUESTION)
            app.processEvents()

            start = time.perf_counter()
            tasks.run(insert, lambda _none: inserted.append(True))
            spin_until(lambda n=i: len(inserted) == n + 1)
            floor_submit = (time.perf_counter() - start) * 1000

            start = time.perf_counter()
            QTest.keyClick(form.question, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            spin_until(lambda f=form: f.pages.currentWidget() is f.sent_page)
            submitted = (time.perf_counter() - start) * 1000
            form.reject()
            spin_until(lambda: signals.form is None)
            # Cold: Ctrl+Shift+S at once, before the idle moment that builds the next form.
            signals.build_ahead = False
            cold = open_form(settled=False)
            assert signals.form is not None
            signals.form.reject()
            spin_until(lambda: signals.form is None)
            signals.build_ahead = True
            if i > 0:  # the first round warms caches
                form_ms.append(opened)
                form_floor.append(floor_open)
                submit_ms.append(submitted)
                submit_floor.append(floor_submit)
                cold_ms.append(cold)
        connection.close()
        bare.close()
        desktop.shutdown()
        window.close()
    open_median, submit_median = median(form_ms), median(submit_ms)
    return [
        bench_line("signal_form_open", open_median, median(form_floor), "ms", FORM_TARGET),
        limit_line("signal_form_open", open_median),
        f"INFO signal_form_open cpu={median(cpu[True][2:]):.1f}ms (processor time, all threads)",
        f"INFO signal_form_open_cold median={median(cold_ms):.1f}ms "
        f"cpu={median(cpu[False][1:]):.1f}ms (no form built ahead)",
        bench_line("signal_submit", submit_median, median(submit_floor), "ms", SUBMIT_TARGET),
        limit_line("signal_submit", submit_median),
    ]


if __name__ == "__main__":
    print("\n".join(run()))
