"""``gpdesk patient open`` (second process) to banner updated in the running window.

Floor: a bare process that makes one QLocalSocket round trip to a bare QLocalServer, measured
in the same run. Target: the ratio of the medians (``TARGET_RATIO``), not milliseconds.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import PYTHON, bench_line, child_env, make_demo_home, median

RUNS = 9
TARGET_RATIO = 1.5
"""Most of a hand-over is the floor's work: starting Python and Qt's network module, one round
trip. Milliseconds do not hold from one machine to the next (one run took 96 ms against a floor
of 91 on an idle machine, 1,085 against 831 on 2 cores under a load of 9); the ratio did (1.05
and 1.31). 1.5 lets gpdesk add half a bare process start for its argument parsing and the
banner, and still catches a hand-over that starts importing heavy modules (SQLAlchemy's ORM
alone took about three times the floor's imports here)."""
SOCKET = f"gpdesk-bench-floor-{os.getpid()}"

BARE_CLIENT = f"""
from PySide6.QtNetwork import QLocalSocket
s = QLocalSocket()
s.connectToServer("{SOCKET}")
assert s.waitForConnected(2000)
s.write(b"ping\\n")
s.waitForBytesWritten(2000)
assert s.waitForReadyRead(5000)
"""

PATIENTS = [
    ("628194821", "J. de Vries", "1970-02-01", "3118AB"),
    ("252760189", "F. el Amrani", "1988-06-14", "3119KL"),
]


def run() -> list[str]:
    """Sign in a real Desktop in this process, then time second-instance hand-overs."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

    from gpdesk.config import Home
    from gpdesk.handover import HandoverServer
    from gpdesk.practice.demo import DEMO_PASSWORD
    from gpdesk.ui.app import create_application
    from gpdesk.ui.desktop import Desktop

    app = create_application()
    app.setQuitOnLastWindowClosed(False)

    def spin_until(condition: object, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():  # type: ignore[operator]
            if time.monotonic() > deadline:
                raise TimeoutError
            app.processEvents()
            time.sleep(0.0005)

    with tempfile.TemporaryDirectory(prefix="gpdesk-bench-") as tmp:
        home = Home(make_demo_home(Path(tmp) / "home"))
        server = HandoverServer(home)
        assert server.listen()
        desktop = Desktop(home)
        server.patient_received.connect(desktop.open_patient)
        desktop.start()
        spin_until(desktop.login.sign_in_button.isEnabled)
        desktop.login.username.setText("bakker")
        desktop.login.password.setText(DEMO_PASSWORD)
        desktop.login.sign_in_button.click()
        spin_until(lambda: desktop.window is not None)
        window = desktop.window
        assert window is not None

        floor_server = QLocalServer()
        QLocalServer.removeServer(SOCKET)
        assert floor_server.listen(SOCKET)
        peers: list[QLocalSocket] = []

        def answer() -> None:
            peer = floor_server.nextPendingConnection()
            peers.append(peer)
            peer.readyRead.connect(lambda p=peer: (p.readAll(), p.write(b"ok\n"), p.flush()))

        floor_server.newConnection.connect(answer)

        env = child_env()
        handover, floor = [], []
        for i in range(RUNS + 1):
            bsn, name, born, postcode = PATIENTS[i % 2]
            start = time.perf_counter()
            proc = subprocess.Popen(
                [PYTHON, "-c", BARE_CLIENT],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            spin_until(lambda p=proc: p.poll() is not None)
            floor_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            proc = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "gpdesk",
                    "patient",
                    "open",
                    "--home",
                    str(home.path),
                    "--bsn",
                    bsn,
                    "--naam",
                    name,
                    "--geboortedatum",
                    born,
                    "--postcode",
                    postcode,
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            spin_until(lambda n=name: n in window.banner.text.text())
            handover_ms = (time.perf_counter() - start) * 1000
            proc.wait(timeout=30)
            if i > 0:  # first round warms caches
                floor.append(floor_ms)
                handover.append(handover_ms)
        server.close()
        floor_server.close()
        desktop.shutdown()
        window.close()
    return [bench_line("patient_handover", median(handover), median(floor), "ms", TARGET_RATIO)]


if __name__ == "__main__":
    print("\n".join(run()))
