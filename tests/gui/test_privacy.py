"""No patient data in log files, crash reports or window titles, whatever happens."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.crash import scrubbed_report, write_crash_log
from gpdesk.errors import ValidationError
from gpdesk.logs import setup_logging
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.ui.desktop import Desktop
from tests.conftest import dispose_desktop

PATIENT = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118GH",
    phone="0612345678",
)
SECRETS = ("111222333", "Vries", "3118GH", "0612345678", "1970-02-01", "01-02-1970")


def test_crash_report_withholds_exception_messages() -> None:
    try:
        raise ValueError(f"kapot bij patiënt {PATIENT.name} met BSN {PATIENT.bsn}")
    except ValueError:
        exc_type, exc, tb = sys.exc_info()
    assert exc_type is not None and exc is not None
    report = scrubbed_report(exc_type, exc, tb)
    assert "builtins.ValueError" in report
    assert "test_crash_report_withholds_exception_messages" in report
    for secret in SECRETS:
        assert secret not in report


def test_crash_report_keeps_our_own_dutch_messages(tmp_path: object) -> None:
    from pathlib import Path

    exc = ValidationError({"bsn": "Het BSN moet uit 9 cijfers bestaan."})
    path = write_crash_log(Path(str(tmp_path)), type(exc), exc, None)
    assert path is not None
    assert "Het BSN moet uit 9 cijfers bestaan." in path.read_text(encoding="utf-8")


@pytest.fixture
def file_logging(demo_home: Home) -> Iterator[Home]:
    """Log to the demo home's file like the real program does, and undo it afterwards."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    setup_logging(demo_home, "DEBUG")
    yield demo_home
    for handler in root.handlers:
        handler.close()
    root.handlers[:] = before
    root.setLevel(level)


def test_a_working_session_leaves_no_patient_data_in_the_log(
    qtbot: QtBot, file_logging: Home
) -> None:
    demo_home = file_logging
    shell = Desktop(demo_home, idle_minutes=30)
    shell.start()
    qtbot.waitUntil(lambda: shell.login.sign_in_button.isEnabled(), timeout=15_000)
    shell.login.username.setText("bakker")
    shell.login.password.setText(DEMO_PASSWORD)
    shell.login.sign_in_button.click()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=15_000)
    shell.open_patient(PATIENT)
    shell.tasks.wait()
    qtbot.wait(20)
    window = shell.window
    assert window is not None
    titles = [window.windowTitle(), shell.login.windowTitle()]
    window.lock_action.trigger()
    shell.tasks.wait()
    dispose_desktop(shell)
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = "".join(p.read_text(encoding="utf-8") for p in demo_home.log_dir.glob("*.log*"))
    assert "signed in user id" in logged  # the log is really being written
    for secret in SECRETS:
        assert secret not in logged
        assert all(secret not in title for title in titles)
