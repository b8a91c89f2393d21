"""Engine, sessions and schema migrations.

SQLite (one file in the home directory) is the default; PostgreSQL is practice mode, shared by
several workstations. Both run the same Alembic migrations, applied on start. A database whose
schema is newer than this program knows is refused rather than touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from gpdesk.config import redact_url
from gpdesk.errors import DatabaseError, SchemaTooNewError

log = logging.getLogger(__name__)

_PG_MIGRATION_LOCK = 0x67706465736B  # "gpdesk": one migrator at a time across workstations


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Durable and safe settings on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` with gpdesk's connection settings; no connection is made yet."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            "Het database-adres is ongeldig.",
            hint="Gebruik bijvoorbeeld postgresql+psycopg://gebruiker@server/gpdesk.",
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 5})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    raise DatabaseError(
        f"Databasesoort '{backend}' wordt niet ondersteund.",
        hint="Gebruik SQLite (standaard) of PostgreSQL.",
    )


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return None
    if parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def describe_failure(exc: BaseException, url: str) -> DatabaseError:
    """Turn a driver error into one Dutch sentence and what to do, without leaking secrets."""
    detail = str(getattr(exc, "orig", exc)).lower()
    where = redact_url(url)
    if "file is not a database" in detail or "malformed" in detail:
        return DatabaseError(
            "Het databasebestand is beschadigd of is geen gpdesk-database.",
            hint="Er is niets gewijzigd. Zet een back-up terug of vraag de beheerder om hulp.",
        )
    if "database is locked" in detail or "database table is locked" in detail:
        return DatabaseError(
            "De database is bezet door een ander programma.",
            hint="Sluit andere gpdesk-vensters en probeer het over een minuut opnieuw.",
        )
    if any(
        sign in detail
        for sign in ("unable to open database", "readonly", "read-only", "disk i/o error")
    ):
        return DatabaseError(
            "Het databasebestand kan niet worden geopend of beschreven.",
            hint="Controleer de rechten en de vrije schijfruimte van de gpdesk-map.",
        )
    if "disk" in detail and ("full" in detail or "space" in detail):
        return DatabaseError(
            "De schijf is vol; er kon niets worden opgeslagen.",
            hint="Maak ruimte vrij en probeer het opnieuw. Er is niets verloren gegaan.",
        )
    if "password authentication failed" in detail or "authentication" in detail:
        return DatabaseError(
            f"De PostgreSQL-server weigert de aanmelding ({where}).",
            hint="Controleer gebruikersnaam en wachtwoord in het database-adres.",
        )
    if "does not exist" in detail and "database" in detail:
        return DatabaseError(
            f"De database bestaat niet op de PostgreSQL-server ({where}).",
            hint="Laat de beheerder de database aanmaken.",
        )
    if make_url(url).get_backend_name() == "postgresql":
        return DatabaseError(
            f"De PostgreSQL-server is niet bereikbaar ({where}).",
            hint="Controleer of de server aanstaat en het netwerk werkt, en probeer het opnieuw.",
        )
    return DatabaseError(
        "De database kan niet worden gebruikt.",
        hint="Probeer het opnieuw; blijft dit gebeuren, neem dan contact op met de beheerder.",
    )


def _alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(str(files("gpdesk") / "migrations"))))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest schema revision this program ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def refuse_newer_schema(revision: str | None) -> None:
    """A revision this program does not know comes from a newer gpdesk: leave that database be."""
    from alembic.script import ScriptDirectory

    if revision is None:
        return
    script = ScriptDirectory.from_config(_alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise SchemaTooNewError(
            "Deze database is bijgewerkt door een nieuwere versie van gpdesk.",
            hint="Installeer de nieuwste versie van gpdesk; de database is niet gewijzigd.",
        )


def migrate(engine: Engine, url: str) -> None:
    """Bring the schema to this program's head; refuse a database from a newer gpdesk."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    script = ScriptDirectory.from_config(_alembic_config())
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            from alembic.runtime.migration import MigrationContext

            current = MigrationContext.configure(conn).get_current_revision()
            refuse_newer_schema(current)
            if current != script.get_current_head():
                log.info("migrating schema from %s to %s", current, script.get_current_head())
                command.upgrade(_alembic_config(conn), "head")
    except (OperationalError, DBAPIError) as exc:
        raise describe_failure(exc, url) from None
    except CommandError as exc:
        raise DatabaseError(
            "Het bijwerken van de database is mislukt; er is niets gewijzigd.",
            hint=f"Neem contact op met de beheerder ({exc}).",
        ) from None


@dataclass
class Database:
    """An opened, migrated database; hand out one short session per unit of work."""

    engine: Engine
    url: str

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error, driver errors in Dutch."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except (OperationalError, DBAPIError) as exc:
            session.rollback()
            raise describe_failure(exc, self.url) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the single-workstation SQLite mode."""
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        """Close pooled connections (at exit, or before a file is copied)."""
        self.engine.dispose()


def open_database(url: str, *, migrate_schema: bool = True) -> Database:
    """Connect, check and migrate; every failure becomes a DatabaseError with a Dutch message."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            if conn.dialect.name == "sqlite":
                # Reading the schema catches a corrupt or foreign file before we write to it.
                conn.execute(text("SELECT count(*) FROM sqlite_master"))
    except (OperationalError, DBAPIError) as exc:
        engine.dispose()
        raise describe_failure(exc, url) from None
    if migrate_schema:
        try:
            migrate(engine, url)
        except BaseException:
            engine.dispose()
            raise
    return Database(engine=engine, url=url)
