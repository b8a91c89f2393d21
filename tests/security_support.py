"""Shared set-up for the security tests: a demo practice, sign-ins, tampering, the CLI."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from gpdesk.db import Database
from gpdesk.patients.context import PatientContext
from gpdesk.practice.demo import DEMO_PASSWORD, create_demo, demo_patients
from gpdesk.practice.setup import NewPractice
from gpdesk.security.accounts import SignedIn, sign_in
from tests.conftest import FAST_KDF

EXTRA_PATIENT = PatientContext(
    bsn="111222333",
    name="K. Verhoeven-Smits",
    birth_date=date(1963, 7, 19),
    postcode="3118GH",
    phone="0612398745",
)
"""Opened through the HIS by a GP after the demo was made."""


def make_demo(db: Database) -> NewPractice:
    """The demo practice with cheap key derivation."""
    return create_demo(db, kdf=FAST_KDF)


def signed(db: Database, username: str, password: str = DEMO_PASSWORD) -> SignedIn:
    """Sign in a demo user."""
    return sign_in(db, username, password)


def all_patients() -> list[PatientContext]:
    """Every patient the demo and the tests put into a database."""
    return [*demo_patients(), EXTRA_PATIENT]


def drop_audit_triggers(engine: Engine) -> None:
    """What someone with database access would do first to change the audit trail."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_entry_append_only ON audit_entry"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))


def db_args(url: str, home: Path) -> list[str]:
    """CLI options that point a child process at ``url`` (with its own home for logs)."""
    return ["--home", str(home), "--database-url", url]


def dbname_of(url: str) -> str:
    """The PostgreSQL database name in ``url``."""
    name = make_url(url).database
    assert name
    return name


def assert_one_dutch_line(result: subprocess.CompletedProcess[str], code: int = 1) -> None:
    """A clean refusal: the exit code, one line on stderr, no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("gpdesk: ")
    assert result.stderr.count("\n") == 1, result.stderr
