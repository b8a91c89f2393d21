"""Shared fixtures: a database on SQLite *and* a real PostgreSQL, homes, a demo practice."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gpdesk.config import Home
from gpdesk.security import crypto
from gpdesk.security.crypto import KdfParams
from tests.dovecot_support import dovecot, dovecot_server, dovecot_without_starttls, imap_pki
from tests.pg_server import PostgresServer, postgres_server, postgresql_url

__all__ = [
    "dovecot",
    "dovecot_server",
    "dovecot_without_starttls",
    "imap_pki",
    "postgres_server",
    "postgresql_url",
]

FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
"""Cheap Argon2id for tests; real accounts use DEFAULT_KDF (a benchmark measures that)."""

PRODUCTION_DEFAULT_KDF = crypto.DEFAULT_KDF
PRODUCTION_KDF_FLOOR = crypto.KDF_FLOOR
"""gpdesk's own figures, as ``crypto.py`` defines them (read before any fixture lowers them)."""

REPO = Path(__file__).resolve().parent.parent

PASSPHRASE = "kast regen tulp vijver"
"""A password the rule accepts (four unrelated words), for tests where someone chooses one."""
OTHER_PASSPHRASE = "fiets lamp wolk tegel appel"
"""A second one, for a change from one chosen password to another."""

# The key cost of the suite. gpdesk refuses an account below ``crypto.KDF_FLOOR`` (64 MiB, 2
# iterations) and makes every new password at ``crypto.DEFAULT_KDF`` (256 MiB): at those figures
# each of the suite's thousands of sign-ins, resets and set-ups would take half a second. So
# the suite lowers both to ``FAST_KDF``: in this process here, before any fixture (module- and
# session-scoped ones make practices too), and in every child process it starts, through
# ``tests/child_site/sitecustomize.py`` on ``PYTHONPATH``. The tests of the floor itself restore
# the real figures (``production_kdf``), and tests/unit/test_key_cost.py holds the real figures
# to the floor the README promises.
crypto.DEFAULT_KDF = FAST_KDF
crypto.KDF_FLOOR = FAST_KDF
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO / "tests" / "child_site"), *filter(None, [os.environ.get("PYTHONPATH")])]
)


@pytest.fixture
def production_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """gpdesk's real default and floor, for the tests of the floor (slow: real Argon2id)."""
    monkeypatch.setattr(crypto, "DEFAULT_KDF", PRODUCTION_DEFAULT_KDF)
    monkeypatch.setattr(crypto, "KDF_FLOOR", PRODUCTION_KDF_FLOOR)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Never touch the developer's real gpdesk data or settings."""
    monkeypatch.setenv("GPDESK_HOME", str(tmp_path / "default-home"))
    monkeypatch.delenv("GPDESK_DATABASE_URL", raising=False)
    monkeypatch.delenv("GPDESK_PASSWORD", raising=False)


MIGRATED_TEMPLATE = "gpdesk_migrated_template"


@pytest.fixture(scope="session")
def migrated_template(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database at the newest schema, cloned per test instead of migrating each."""
    from gpdesk.db import open_database

    database = open_database(postgres_server.create_database(MIGRATED_TEMPLATE))
    database.dispose()
    return MIGRATED_TEMPLATE


@pytest.fixture
def migrated_postgresql_url(
    postgres_server: PostgresServer, migrated_template: str
) -> Iterator[str]:
    """A fresh, already migrated PostgreSQL database for one test."""
    from psycopg import sql

    name = f"t_{secrets.token_hex(6)}"
    with postgres_server.connect() as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(migrated_template)
            )
        )
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each data-layer test runs against SQLite and against a real PostgreSQL server.

    The PostgreSQL database comes already migrated (cloned from a template); opening it still
    runs the migration check, which is then a no-op. Tests of migrating an empty database use
    ``postgresql_url`` directly.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}"
    url: str = request.getfixturevalue("migrated_postgresql_url")
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[object]:
    """An opened, migrated database."""
    from gpdesk.db import open_database

    database = open_database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """An empty, writable gpdesk home."""
    return Home(tmp_path / "home").ensure()


@pytest.fixture
def demo_home(home: Home) -> Home:
    """A home with the demo practice on SQLite (cheap KDF so sign-in is fast in tests)."""
    from gpdesk.db import open_database
    from gpdesk.practice.demo import create_demo

    database = open_database(f"sqlite:///{home.database_file}")
    create_demo(database, kdf=FAST_KDF)
    database.dispose()
    return home


def dispose_desktop(shell: object) -> None:
    """Tear a Desktop down on the GUI thread, so no Qt object is later collected on a worker."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from gpdesk.ui.desktop import Desktop

    assert isinstance(shell, Desktop)
    shell.shutdown()
    for widget in (shell.window, shell.login):
        if widget is not None:
            widget.close()
            widget.deleteLater()
    shell.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
