"""Opening, migrating and refusing databases, on SQLite and a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from gpdesk.db import Database, current_revision, head_revision, migrate, open_database
from gpdesk.errors import DatabaseError, SchemaTooNewError
from gpdesk.models import Base


def test_migrations_create_every_table(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert {"practice", "user_account", "patient", "alembic_version"} <= tables
    assert current_revision(db.engine) == head_revision()


def test_models_and_migrations_agree(db: Database) -> None:
    """A model change without a migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_opening_again_is_harmless(database_url: str) -> None:
    open_database(database_url).dispose()
    again = open_database(database_url)
    assert current_revision(again.engine) == head_revision()
    again.dispose()


def test_newer_schema_is_refused_and_left_untouched(db: Database, database_url: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.dispose()
    with pytest.raises(SchemaTooNewError) as info:
        open_database(database_url)
    assert "nieuwere versie van gpdesk" in info.value.message
    probe = open_database(database_url, migrate_schema=False)
    assert current_revision(probe.engine) == "9999_future"
    probe.dispose()


def test_migrate_is_a_no_op_at_head(db: Database) -> None:
    migrate(db.engine, db.url)
    assert current_revision(db.engine) == head_revision()


def test_sqlite_pragmas(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()


def test_corrupt_sqlite_file_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "kapot.sqlite3"
    junk = b"dit is geen database " * 500
    path.write_bytes(junk)
    with pytest.raises(DatabaseError) as info:
        open_database(f"sqlite:///{path}")
    assert "beschadigd" in info.value.message
    assert path.read_bytes() == junk


def test_sqlite_in_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError) as info:
        open_database(f"sqlite:///{tmp_path / 'bestaat-niet' / 'x.sqlite3'}")
    assert "kan niet worden geopend" in info.value.message


def test_locked_sqlite_database_gives_clear_message(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "bezet.sqlite3"
    open_database(f"sqlite:///{path}").dispose()
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        from gpdesk.db import create_db_engine, describe_failure

        engine = create_db_engine(f"sqlite:///{path}")
        with pytest.raises(Exception) as raw, engine.connect() as conn:
            conn.execute(text("PRAGMA busy_timeout=0"))
            conn.execute(text("SELECT count(*) FROM practice"))
        mapped = describe_failure(raw.value, str(engine.url))
        assert "bezet" in mapped.message
        engine.dispose()
    finally:
        holder.rollback()
        holder.close()


def test_unreachable_postgresql_gives_clear_message() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DatabaseError) as info:
        open_database(f"postgresql+psycopg://gp:geheim@127.0.0.1:{port}/gpdesk")
    assert "niet bereikbaar" in info.value.message
    assert "geheim" not in info.value.user_text()


def test_unsupported_database_kind() -> None:
    with pytest.raises(DatabaseError) as info:
        open_database("mysql://x@y/z")
    assert "niet ondersteund" in info.value.message


def test_invalid_url() -> None:
    with pytest.raises(DatabaseError):
        open_database("dit is geen url")


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_migrated_from_scratch(postgresql_url: str) -> None:
    """The shared fixtures clone a migrated template; this one starts truly empty."""
    database = open_database(postgresql_url)
    try:
        assert current_revision(database.engine) == head_revision()
        assert {"practice", "audit_entry", "kaart_service"} <= set(
            inspect(database.engine).get_table_names()
        )
    finally:
        database.dispose()
