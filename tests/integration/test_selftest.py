"""``gpdesk selftest`` from the checkout: every step passes; a missing part is named, exit 1.

The bundle runs the same command in ``make test`` (installer/bundle_selftest.sh), frozen.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gpdesk.inbox.parsing import Parsed, process
from gpdesk.inbox.parsing.child import CHILD_FLAG
from gpdesk.tools import selftest


def test_selftest_passes_from_the_checkout(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GPDESK_", "QT_QPA"))}
    env["TMPDIR"] = str(tmp_path)  # its throwaway home, removed again afterwards
    result = subprocess.run(
        [sys.executable, "-m", "gpdesk", "selftest"],
        capture_output=True, text=True, env=env, timeout=240, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        f"in orde  {title}" for title, _ in selftest.STEPS
    ]
    assert lines[-1].startswith("Zelftest geslaagd")
    assert "Terugkoppeling" in result.stdout  # the screens were drawn (offscreen, set by itself)
    assert list(tmp_path.iterdir()) == []  # nothing left behind


def test_a_missing_resource_is_named_and_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # run_selftest sets it; restored after
    monkeypatch.setattr(selftest, "RESOURCE_FILES", (*selftest.RESOURCE_FILES, "inbox/weg.json"))
    out = io.StringIO()
    assert selftest.run_selftest(out) == 1
    assert out.getvalue() == (
        "MISLUKT  bestanden en migraties: bestanden ontbreken in gpdesk/resources: inbox/weg.json\n"
    )


def test_a_missing_qt_part_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setattr(selftest, "QT_MODULES", ("QtCore", "QtBestaatNiet"))
    out = io.StringIO()
    assert selftest.run_selftest(out) == 1
    assert (
        out.getvalue()
        .splitlines()[-1]
        .startswith(
            "MISLUKT  Qt-onderdelen en bibliotheken: het Qt-onderdeel QtBestaatNiet ontbreekt"
        )
    )


def test_frozen_the_child_is_the_program_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert process.child_command(300) == [sys.executable, CHILD_FLAG, "--memory-mb", "300"]


def test_the_entry_point_serves_as_the_parsing_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the bundle runs (``gpdesk --inbox-parser-child``), here through ``python -m gpdesk``."""
    monkeypatch.setattr(
        process,
        "child_command",
        lambda memory_mb: [
            sys.executable,
            "-m",
            "gpdesk",
            CHILD_FLAG,
            "--memory-mb",
            str(memory_mb),
        ],
    )
    result = process.parse_file("brief.txt", b"Beste huisarts, tot ziens.")
    assert isinstance(result, Parsed)
    assert result.body_text == "Beste huisarts, tot ziens."
