"""What the About dialog and a support call need: version, schema, where the data lives.

Kept free of Qt so the facts can be gathered off the GUI thread (asking a PostgreSQL server for
its schema revision is a network round-trip) and tested without a window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gpdesk import __version__

if TYPE_CHECKING:
    from gpdesk.config import Home
    from gpdesk.db import Database

LICENCE = "EUPL-1.2 (European Union Public Licence)"


@dataclass(frozen=True)
class AboutFacts:
    """Everything the About dialog shows; nothing about patients or users."""

    version: str
    schema_head: str
    """The newest schema revision this program ships (Alembic head)."""
    schema_current: str | None
    """The revision the database is at; None when it could not be read."""
    home: str
    database: str
    """The SQLite file, or the PostgreSQL URL without its password."""
    licence: str = LICENCE

    def schema_text(self) -> str:
        """One Dutch line: the database's revision and whether it matches this program."""
        if self.schema_current is None:
            return f"onbekend (deze versie verwacht {self.schema_head})"
        if self.schema_current == self.schema_head:
            return f"{self.schema_current} (bijgewerkt)"
        return f"{self.schema_current} (deze versie verwacht {self.schema_head})"

    def lines(self) -> list[tuple[str, str]]:
        """Label and value, in the order the dialog shows them."""
        return [
            ("Versie", self.version),
            ("Databaseschema", self.schema_text()),
            ("Gegevensmap", self.home),
            ("Database", self.database),
            ("Licentie", self.licence),
        ]

    def text(self) -> str:
        """Plain text to paste into an e-mail to the beheerder or supplier."""
        return "gpdesk\n" + "\n".join(f"{label}: {value}" for label, value in self.lines())


def about_facts(home: Home, db: Database) -> AboutFacts:
    """Gather the facts (reads the database's revision: call it off the GUI thread)."""
    from sqlalchemy.exc import SQLAlchemyError

    from gpdesk.config import redact_url
    from gpdesk.db import current_revision, head_revision, sqlite_file

    try:
        current = current_revision(db.engine)
    except SQLAlchemyError:  # a lost connection must not stop the dialog: it says 'onbekend'
        current = None
    file = sqlite_file(db.url)
    database = f"SQLite: {file}" if file is not None else f"PostgreSQL: {redact_url(db.url)}"
    return AboutFacts(
        version=__version__,
        schema_head=head_revision(),
        schema_current=current,
        home=str(home.path),
        database=database,
    )
