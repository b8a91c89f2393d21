"""The password rule at the command line: ``init``, ``user passwd`` and ``user recover``.

A refusal is a usage error (exit 2) with the Dutch reason and the pass-phrase tip, and nothing
changes: no practice is created, the old password stays valid.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from gpdesk.config import Home
from gpdesk.db import open_database
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security.accounts import sign_in
from tests.cli_support import gpdesk
from tests.conftest import PASSPHRASE
from tests.security_support import make_demo

TIP = "kies vier of vijf losse woorden"


def _refused(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("gpdesk: ongeldige invoer: ")
    assert reason in result.stderr
    assert TIP in result.stderr
    assert "password" not in result.stderr.lower()  # no English feedback from zxcvbn


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Welkom01", "minstens 10 tekens"),
        ("Welkom2026!", "veelgebruikt wachtwoord"),
        ("smit123456", "uw naam"),
        ("linde-praktijk-2026", "de naam van de praktijk"),
    ],
)
def test_init_refuses_a_guessable_password_before_creating_anything(
    tmp_path: Path, password: str, reason: str
) -> None:
    home = tmp_path / "praktijk"
    result = gpdesk(
        "init", "--user", "smit", "--praktijk", "De Linde", "--home", str(home),
        password=password,
    )  # fmt: skip
    _refused(result, reason)
    assert not Home(home).database_file.exists()


def test_init_accepts_a_pass_phrase(tmp_path: Path) -> None:
    result = gpdesk("init", "--user", "smit", "--home", str(tmp_path / "p"), password=PASSPHRASE)
    assert result.returncode == 0, result.stderr


def test_passwd_refuses_a_guessable_new_password_and_keeps_the_old(demo_home: Home) -> None:
    home = str(demo_home.path)
    for weak, reason in (("huisarts2026", "uw naam"), ("visser-2026-visser", "uw naam")):
        result = gpdesk(
            "user", "passwd", "--user", "visser", "--home", home,
            password=DEMO_PASSWORD, GPDESK_NEW_PASSWORD=weak,
        )  # fmt: skip
        _refused(result, reason)
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        assert sign_in(db, "visser", DEMO_PASSWORD).actor.username == "visser"
    finally:
        db.dispose()


def test_passwd_knows_the_display_name_after_sign_in(demo_home: Home) -> None:
    """The name is judged only once the old password is right: no way to probe names."""
    home = str(demo_home.path)
    added = gpdesk(
        "user", "add", "famrani", "--role", "huisarts", "--naam", "Fatima el Amrani",
        "--user", "smit", "--home", home, password=DEMO_PASSWORD,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    match = re.search(r"Eenmalig wachtwoord: (\S+)", added.stdout)
    assert match, added.stdout
    refused = gpdesk(
        "user", "passwd", "--user", "famrani", "--home", home,
        password=match.group(1), GPDESK_NEW_PASSWORD="Fatima-Amrani-2026!",
    )  # fmt: skip
    _refused(refused, "uw naam")
    changed = gpdesk(
        "user", "passwd", "--user", "famrani", "--home", home,
        password=match.group(1), GPDESK_NEW_PASSWORD=PASSPHRASE,
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr


def test_recover_refuses_a_guessable_new_password(tmp_path: Path) -> None:
    home = Home(tmp_path / "h").ensure()
    db = open_database(f"sqlite:///{home.database_file}")
    try:
        created = make_demo(db)
    finally:
        db.dispose()
    result = gpdesk(
        "user", "recover", "smit", "--home", str(home.path),
        GPDESK_RECOVERY_KEY=created.recovery_key, GPDESK_NEW_PASSWORD="Welkom2026!",
    )  # fmt: skip
    _refused(result, "veelgebruikt wachtwoord")
