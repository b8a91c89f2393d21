"""Setting up a practice: the first account, the data key and its recovery key.

Also: finding the practice before anything touches the database. Only setting up a practice
(``gpdesk init``, ``gpdesk demo``, the first-run window) and restoring a back-up create a
database; every other command and the window's start look first and create nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from gpdesk.config import Home, redact_url
from gpdesk.db import (
    Database,
    create_db_engine,
    describe_failure,
    migrate,
    open_database,
    refuse_newer_schema,
    sqlite_file,
)
from gpdesk.errors import (
    DatabaseLostError,
    NoPracticeError,
    PracticeError,
    ValidationError,
)
from gpdesk.models import Practice, Role
from gpdesk.security import account_seal, audit
from gpdesk.security.accounts import check_password_strength, create_user
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import (
    KdfParams,
    Vault,
    format_recovery_key,
    new_recovery_key,
    recovery_kek,
)
from gpdesk.security.passwords import own_words


@dataclass(frozen=True)
class PracticeInfo:
    """What the shell shows about the practice: no secrets."""

    name: str
    is_demo: bool


@dataclass(frozen=True)
class NewPractice:
    """Result of set-up; ``recovery_key`` is shown once and never stored in plaintext."""

    practice: PracticeInfo
    manager: Actor
    recovery_key: str
    vault: Vault


class PracticePresence(Enum):
    """Whether a practice is there, judged without creating or changing anything."""

    FOUND = "found"
    NONE = "none"
    """Never a practice here: a new home, a typo in --home, a new (empty) database."""
    LOST = "lost"
    """A practice was used from this home, but its database is missing or empty."""


_SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def _holds_practice(url: str) -> bool:
    """Whether the database has a practice; a missing or empty SQLite file is not even opened.

    Connecting would create a missing SQLite file, and migrating would fill an empty database
    with tables, so neither happens here.
    """
    from alembic.runtime.migration import MigrationContext

    path = sqlite_file(url)
    if path is not None and _untouched_file(path) is not None:
        return False
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())  # a corrupt file fails here
            if (
                Practice.__tablename__ in tables
                and conn.execute(select(Practice.id).limit(1)).first() is not None
            ):
                return True  # opening it refuses a newer schema, as for every database
            if "alembic_version" in tables:
                # A newer gpdesk's database may keep its practice elsewhere: not "no practice".
                refuse_newer_schema(MigrationContext.configure(conn).get_current_revision())
            return False
    except (OperationalError, DBAPIError) as exc:
        raise describe_failure(exc, url) from None
    finally:
        engine.dispose()


def _database_remains(url: str) -> list[Path]:
    """A journal or write-ahead log left next to a missing or zero-length SQLite file.

    Next to a database file that has content they only mean someone has it open.
    """
    path = sqlite_file(url)
    if path is None or _untouched_file(path) is None:
        return []
    sides = (path.with_name(path.name + suffix) for suffix in _SQLITE_SIDECARS)
    return [side for side in sides if side.exists()]


def _untouched_file(path: Path) -> str | None:
    """How a SQLite file shows it holds no database: "ontbreekt", "is leeg", or None.

    Anything else (a file with content, a folder in its place) is opened, which says what is
    wrong with it.
    """
    if not path.exists():
        return "ontbreekt"
    if path.is_file() and path.stat().st_size == 0:
        return "is leeg"
    return None


def find_practice(home: Home, url: str) -> PracticePresence:
    """Is the practice there, never there, or lost? Creates and changes nothing."""
    if _holds_practice(url):
        return PracticePresence.FOUND
    if home.practice_traces() or _database_remains(url):
        return PracticePresence.LOST
    return PracticePresence.NONE


RESTORE_COMMAND = "gpdesk backup restore BESTAND --home NIEUWE-MAP --user GEBRUIKERSNAAM"


def missing_practice(home: Home, url: str, presence: PracticePresence) -> PracticeError:
    """What to tell the user when ``presence`` is not FOUND: set one up, or restore a back-up."""
    path = sqlite_file(url)
    if path is None:
        where = redact_url(url)
        if presence is PracticePresence.LOST:
            return DatabaseLostError(
                f"In de database {where} staat geen praktijk, maar op deze computer werd er "
                "wel een gebruikt. Er is niets gewijzigd.",
                hint="Controleer het database-adres. Klopt het, dan is de praktijk kwijt: zet een "
                "back-up terug met: gpdesk backup restore BESTAND --database-url ADRES "
                "--user GEBRUIKERSNAAM",
            )
        return NoPracticeError(
            f"In de database {where} staat geen praktijk.",
            hint="Controleer het database-adres, of zet er een op met 'gpdesk init' of probeer "
            "'gpdesk demo'.",
        )
    place = home.path if path == home.database_file else path
    if presence is PracticePresence.LOST:
        state = _untouched_file(path) or "bevat geen praktijk"
        return DatabaseLostError(
            f"De database van de praktijk in {place} is kwijt: het bestand {path.name} {state}. "
            "Er is niets gewijzigd.",
            hint=f"Zet een back-up terug in een nieuwe map met: {RESTORE_COMMAND}",
        )
    return NoPracticeError(
        f"Er staat geen praktijk in {place}.",
        hint="Zet er een op met 'gpdesk init' of probeer 'gpdesk demo'.",
    )


def open_practice(home: Home, url: str) -> Database:
    """The practice's database, opened and migrated; with no practice there, nothing is created.

    Raises NoPracticeError or DatabaseLostError before anyone signs in, so a wrong folder is
    never reported as a wrong password.
    """
    presence = find_practice(home, url)
    if presence is not PracticePresence.FOUND:
        raise missing_practice(home, url, presence)
    return open_database(url)


def open_for_window(home: Home, url: str) -> tuple[Database, PracticeInfo | None]:
    """The window's start: the practice, or (never one here) a database not created yet.

    The first-run window's set-up creates that database; closing the window leaves the home as
    it was. A lost database raises, so the window never offers a new practice over it.
    """
    try:
        db = open_practice(home, url)
    except NoPracticeError:
        return Database(engine=create_db_engine(url), url=url), None
    try:
        return db, load_practice(db)
    except BaseException:
        db.dispose()
        raise


def prepare_database(db: Database) -> None:
    """Setting up a practice is what creates its database: bring the schema to this version."""
    migrate(db.engine, db.url)


def load_practice(db: Database) -> PracticeInfo | None:
    """The practice in this database, or None when it is still empty."""
    with db.session() as session:
        row = session.scalar(select(Practice).limit(1))
        return None if row is None else PracticeInfo(name=row.name, is_demo=row.is_demo)


def create_practice(
    session: Session,
    *,
    practice_name: str,
    username: str,
    display_name: str,
    password: str,
    kdf: KdfParams | None = None,
    is_demo: bool = False,
) -> NewPractice:
    """Create the practice and its first praktijkmanager inside the caller's transaction."""
    name = " ".join(practice_name.split())
    if not name:
        raise ValidationError({"praktijk": "Vul de naam van de praktijk in."})
    if session.scalar(select(Practice.id).limit(1)) is not None:
        raise PracticeError(
            "Deze database bevat al een praktijk.",
            hint="Kies een andere map met --home, of meld u aan bij de bestaande praktijk.",
        )
    vault = Vault.create()
    recovery = new_recovery_key()
    session.add(
        Practice(
            name=name, is_demo=is_demo, recovery_wrapped_key=vault.wrap_for(recovery_kek(recovery))
        )
    )
    manager = create_user(
        session,
        vault,
        username=username,
        display_name=display_name,
        role=Role.PRACTICE_MANAGER,
        password=password,
        kdf=kdf,
    )
    audit.ensure_head(session)
    audit.record(
        session,
        event="practice.init",
        action=audit.Action.CREATE,
        actor=manager,
        object_type="practice",
        detail="demo" if is_demo else None,
        vault=vault,  # the first entry is sealed: see gpdesk.security.audit
    )
    # From here on an account or permission row without a seal is a changed one.
    account_seal.record_sealing(
        session, vault, username=manager.username, detail="verzegeld vanaf het opzetten"
    )
    return NewPractice(
        practice=PracticeInfo(name=name, is_demo=is_demo),
        manager=manager,
        recovery_key=format_recovery_key(recovery),
        vault=vault,
    )


def init_practice(
    db: Database,
    *,
    practice_name: str,
    username: str,
    display_name: str,
    password: str,
    kdf: KdfParams | None = None,
) -> NewPractice:
    """``gpdesk init``: an empty database becomes a practice with one praktijkmanager."""
    check_password_strength(
        password,
        own_words(username=username, display_name=display_name, practice_name=practice_name),
    )
    prepare_database(db)
    with db.session() as session:
        return create_practice(
            session,
            practice_name=practice_name,
            username=username,
            display_name=display_name,
            password=password,
            kdf=kdf,
        )
