"""Without any display, ``gpdesk`` says so in one Dutch line instead of Qt's core dump.

A running gpdesk still takes the HIS's patient from a process without a display: handing over
needs no screen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.handover import HandoverServer

PATIENT = (
    "--bsn", "111222333", "--naam", "J. de Vries", "--geboortedatum", "1970-02-01",
    "--postcode", "3118AB",
)  # fmt: skip

NO_DISPLAY_VARIABLES = (
    "DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XDG_SESSION_TYPE", "XDG_RUNTIME_DIR",
)  # fmt: skip


def _headless_env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if k not in NO_DISPLAY_VARIABLES and not k.startswith("GPDESK_")
    }


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gpdesk", *args],
        capture_output=True,
        text=True,
        env=_headless_env(),
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _one_dutch_line(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 1, result.stderr  # not a signal (a Qt abort is -6)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gpdesk heeft een beeldscherm nodig:")


def test_gpdesk_without_a_display_says_so(tmp_path: Path) -> None:
    _one_dutch_line(_run("--home", str(tmp_path / "home")))


def test_patient_open_without_a_display_says_so(tmp_path: Path) -> None:
    _one_dutch_line(_run("patient", "open", "--home", str(tmp_path / "home"), *PATIENT))


def test_patient_url_without_a_display_says_so(tmp_path: Path) -> None:
    url = "gpdesk://patient?bsn=111222333&naam=J.%20de%20Vries&geboortedatum=1970-02-01&postcode=3118AB"
    _one_dutch_line(_run(url, "--home", str(tmp_path / "home")))


def test_hand_over_to_a_running_gpdesk_needs_no_display(qtbot: QtBot, home: Home) -> None:
    server = HandoverServer(home)
    assert server.listen()
    received: list[object] = []
    server.patient_received.connect(received.append)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gpdesk", "patient", "open", "--home", str(home.path), *PATIENT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_headless_env(),
    )
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)  # our server answers
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate()
        server.close()
    assert proc.returncode == 0, err
    assert len(received) == 1
