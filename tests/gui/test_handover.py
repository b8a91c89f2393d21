"""Single instance: a second ``gpdesk`` process hands its patient to the running one."""

from __future__ import annotations

import os
import subprocess
import sys

from pytestqt.qtbot import QtBot

from gpdesk.config import Home
from gpdesk.handover import HandoverServer, send_to_running


def _start(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPDESK_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.Popen(
        [sys.executable, "-m", "gpdesk", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _communicate(qtbot: QtBot, proc: subprocess.Popen[str]) -> tuple[str, str]:
    # Keep our event loop running while the other process talks to our server.
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=30_000)
    finally:
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate()
    return out, err


def _finish(qtbot: QtBot, proc: subprocess.Popen[str]) -> tuple[int, str]:
    _, err = _communicate(qtbot, proc)
    return proc.returncode, err


def test_second_start_hands_over_patient(qtbot: QtBot, home: Home) -> None:
    server = HandoverServer(home)
    assert server.listen()
    received: list[object] = []
    server.patient_received.connect(received.append)
    activated: list[bool] = []
    server.activate_requested.connect(lambda: activated.append(True))
    proc = _start(
        "patient",
        "open",
        "--home",
        str(home.path),
        "--bsn",
        "111222333",
        "--naam",
        "J. de Vries",
        "--geboortedatum",
        "01-02-1970",
        "--postcode",
        "3118 ab",
        "--telefoon",
        "06-12345678",
    )
    code, err = _finish(qtbot, proc)
    server.close()
    assert code == 0, err
    assert len(received) == 1
    ctx = received[0]
    assert ctx.bsn == "111222333"  # type: ignore[attr-defined]
    assert ctx.postcode == "3118AB"  # type: ignore[attr-defined]
    assert ctx.phone == "0612345678"  # type: ignore[attr-defined]
    assert activated


def test_url_form_is_handed_over(qtbot: QtBot, home: Home) -> None:
    server = HandoverServer(home)
    assert server.listen()
    received: list[object] = []
    server.patient_received.connect(received.append)
    url = (
        "gpdesk://patient?bsn=111222333&naam=J.%20de%20Vries&geboortedatum=1970-02-01"
        "&postcode=3118AB&telefoon=0612345678"
    )
    code, err = _finish(qtbot, _start(url, "--home", str(home.path)))
    server.close()
    assert code == 0, err
    assert received[0].name == "J. de Vries"  # type: ignore[attr-defined]


def test_plain_second_start_brings_window_forward(qtbot: QtBot, home: Home) -> None:
    server = HandoverServer(home)
    assert server.listen()
    activated: list[bool] = []
    server.activate_requested.connect(lambda: activated.append(True))
    code, err = _finish(qtbot, _start("--home", str(home.path)))
    server.close()
    assert code == 0, err
    assert activated


def test_other_home_is_another_instance(qtbot: QtBot, home: Home, tmp_path: object) -> None:
    from pathlib import Path

    server = HandoverServer(home)
    assert server.listen()
    other = Home(Path(str(tmp_path)) / "andere-praktijk").ensure()
    assert send_to_running(other, {"action": "activate"}) is False
    server.close()


def test_only_one_server_per_home_and_stale_socket_is_taken_over(home: Home) -> None:
    first = HandoverServer(home)
    assert first.listen()
    second = HandoverServer(home)
    assert not second.listen()
    first.close()
    assert second.listen()
    second.close()


HOSTILE_CLIENT = """
import json, sys
from pathlib import Path
from gpdesk.config import Home
from gpdesk.handover import HandoverError, send_to_running
home = Home(Path(sys.argv[1]))
messages = {
    "bad_bsn": {"action": "patient", "fields": {"bsn": "123456789", "naam": "X",
                "geboortedatum": "1970-01-01", "postcode": "3118AB"}},
    "wrong_types": {"action": "patient", "fields": {"bsn": 111222333}},
    "unknown": {"action": "format_disk"},
}
outcomes = {}
for name, message in messages.items():
    try:
        send_to_running(home, message)
        outcomes[name] = "accepted"
    except HandoverError as exc:
        outcomes[name] = str(exc)
print(json.dumps(outcomes))
"""


def test_invalid_messages_are_refused(qtbot: QtBot, home: Home) -> None:
    """A hostile or broken client gets a refusal, and the window receives nothing."""
    import json

    server = HandoverServer(home)
    assert server.listen()
    received: list[object] = []
    server.patient_received.connect(received.append)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOSTILE_CLIENT, str(home.path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = _communicate(qtbot, proc)
    server.close()
    assert proc.returncode == 0, err
    outcomes = json.loads(out)
    assert received == []
    assert "elfproef" in outcomes["bad_bsn"]
    assert "123456789" not in outcomes["bad_bsn"]
    assert outcomes["wrong_types"] == "Onvolledige patiëntgegevens."
    assert outcomes["unknown"] == "Onbekende opdracht."
