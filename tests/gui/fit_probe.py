"""Run as ``python -m tests.gui.fit_probe OUTDIR`` with ``QT_SCALE_FACTOR=1.5``: the 150 % check.

Builds a demo practice, signs in, walks the main states at the size a maximised window has on
a 1366×768 screen at 150 %, saves a screenshot of each and prints one line of JSON: the screen,
its pixel ratio, the states and what did not fit (``tests/gui/fit_check.py``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path


def main(outdir: Path) -> int:
    """Walk the states; 0 when the probe itself ran (the JSON says what fitted)."""
    from PySide6.QtWidgets import QApplication

    from gpdesk.config import Home
    from gpdesk.db import open_database
    from gpdesk.patients.context import PatientContext
    from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
    from gpdesk.security.crypto import KdfParams
    from gpdesk.ui.app import create_application
    from gpdesk.ui.desktop import Desktop
    from tests.gui.fit_check import LAPTOP_150, problems

    app = create_application()  # with the program's style sheet
    app.setQuitOnLastWindowClosed(False)

    def wait(condition: Callable[[], object]) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not get ready")
            QApplication.processEvents()
            time.sleep(0.01)

    found: dict[str, list[str]] = {}
    states: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gpdesk-fit-") as tmp:
        home = Home(Path(tmp)).ensure()
        db = open_database(f"sqlite:///{home.database_file}")
        create_demo(db, kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1))
        db.dispose()
        desktop = Desktop(home)
        desktop.start()
        wait(desktop.login.sign_in_button.isEnabled)
        desktop.login.username.setText("jansen")
        desktop.login.password.setText(DEMO_PASSWORD)
        desktop.login.sign_in_button.click()
        wait(lambda: desktop.window is not None and desktop.kaart is not None)
        window, kaart = desktop.window, desktop.kaart
        assert window is not None and kaart is not None
        window.show()

        def check(state: str) -> None:
            states.append(state)
            assert window is not None
            trouble = problems(window, LAPTOP_150)
            if trouble:
                found[state] = trouble
            window.grab().save(str(outdir / f"scaled-{state}.png"))

        desktop.open_patient(
            PatientContext(
                bsn="628194821",
                name="A.B.C. van den Bergh-Oudshoorn de Wit-Zwanenburg",
                birth_date=date(1946, 2, 1),
                postcode="3118AB",
                phone="0612345678",
            )
        )
        window.show_area("signals")
        check("signaleren")
        window.show_area("kaart")
        wait(lambda: kaart.ready)
        page = window.kaart_page()
        page.search.setText("schuld")
        kaart.run_search()
        wait(lambda: kaart.detail is not None)
        check("sociale-kaart")
        window.show_area("beheer")
        check("beheer")
        window.lock_action.trigger()
        check("vergrendeld")
        screen = app.primaryScreen()
        report = {
            "screen": list(screen.availableGeometry().size().toTuple()),
            "dpr": screen.devicePixelRatio(),
            "states": states,
            "problems": found,
        }
        desktop.shutdown()
        window.close()
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
