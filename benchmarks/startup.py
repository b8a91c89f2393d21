"""Process start to login window shown, against a bare PySide6 window (target: ratio <= 2)."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import PYTHON, bench_line, child_env, make_demo_home, median

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow()
w.show()
def done():
    sys.stdout.write("gpdesk-shown\\n"); sys.stdout.flush(); app.quit()
QTimer.singleShot(0, done)
app.exec()
"""

RUNS = 9


def _time_to_shown(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    shown = time.perf_counter()
    _, err = proc.communicate(timeout=60)
    if "gpdesk-shown" not in line:
        raise RuntimeError(f"no window shown: {err[-2000:]}")
    return (shown - start) * 1000


def run() -> list[str]:
    """Alternate bare and gpdesk runs so machine noise hits both alike."""
    with tempfile.TemporaryDirectory(prefix="gpdesk-bench-") as tmp:
        home = make_demo_home(Path(tmp) / "home")
        env = child_env(GPDESK_STARTUP_PROBE="1")
        bare_cmd = [PYTHON, "-c", BARE]
        app_cmd = [PYTHON, "-m", "gpdesk", "--home", str(home)]
        _time_to_shown(bare_cmd, env)  # warm the file cache once for both
        _time_to_shown(app_cmd, env)
        bare, app = [], []
        for _ in range(RUNS):
            bare.append(_time_to_shown(bare_cmd, env))
            app.append(_time_to_shown(app_cmd, env))
    return [bench_line("startup_to_login", median(app), median(bare), "ms", 2)]


if __name__ == "__main__":
    print("\n".join(run()))
