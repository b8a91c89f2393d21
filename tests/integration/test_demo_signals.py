"""``gpdesk demo`` shows the signal loop at once: signals in every state, on the consents they
rest on, teams delivering to an export folder in the demo home; ``gpdesk check`` stays clean.

Run as a user runs it (a real process), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.signals.demo import EXPORT_FOLDER
from tests.cli_support import gpdesk
from tests.store_support import NIEUWLAND


def _run(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return gpdesk(*args, "--home", str(home), "--database-url", url, password=DEMO_PASSWORD)


def _json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_fresh_demo_shows_signals_in_every_state(tmp_path: Path, database_url: str) -> None:
    home = tmp_path / "demo"
    made = _run(home, database_url, "demo")
    assert made.returncode == 0, made.stderr

    signals = _json(_run(home, database_url, "signal", "list", "--json", "--user", "bakker"))
    by_status = {s["status"]: s for s in signals}
    assert set(by_status) == {"concept", "verzonden", "ontvangen", "in behandeling", "afgerond"}
    assert by_status["verzonden"]["overdue"] is True
    assert [s["reference"] for s in signals if s["overdue"]] == [
        by_status["verzonden"]["reference"]
    ]
    not_sent = by_status["concept"]
    assert not_sent["not_sent"] is True and not_sent["sent_at"] is None
    assert all(s["sent_at"] and s["expected_by"] for s in signals if s["status"] != "concept")

    failed = _json(
        _run(home, database_url, "signal", "show", not_sent["reference"], "--json", "--user",
             "bakker")
    )  # fmt: skip
    assert [m["state"] for m in failed["outbox"]] == ["niet verzonden"]
    assert "mailserver" in failed["outbox"][0]["error"]

    closed = by_status["afgerond"]["reference"]
    detail = _json(_run(home, database_url, "signal", "show", closed, "--json", "--user", "bakker"))
    assert [e["status"] for e in detail["timeline"]] == [
        "concept", "verzonden", "ontvangen", "in behandeling", "afgerond",
    ]  # fmt: skip
    assert detail["timeline"][-1]["reason"]
    assert isinstance(detail["consent_id"], int)

    folder = home / EXPORT_FOLDER
    assert len(list(folder.glob("*.eml"))) == 4  # the four that went out via the folder
    delivery = _json(
        _run(home, database_url, "team", "delivery", NIEUWLAND, "--json", "--user", "smit")
    )
    assert Path(delivery["export_folder"]) == folder.resolve()

    checked = _run(home, database_url, "check", "--user", "smit")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    again = _run(home, database_url, "demo")
    assert again.returncode == 0 and "bestond al" in again.stdout
    listed = _json(_run(home, database_url, "signal", "list", "--json", "--user", "bakker"))
    assert len(listed) == len(signals)
