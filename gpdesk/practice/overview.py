"""What Beheer shows about the installation: plain facts, no secrets, no patient details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from gpdesk.config import Home, redact_url
from gpdesk.db import Database, current_revision
from gpdesk.errors import PracticeError
from gpdesk.models import Practice, utcnow
from gpdesk.patients.records import count_patients
from gpdesk.security.accounts import practice_name
from gpdesk.security.users import UserRow, list_users


@dataclass(frozen=True)
class PracticeOverview:
    """A snapshot for the Beheer screen."""

    practice_name: str
    database_kind: str
    database_location: str
    home: str
    schema_revision: str | None
    users: tuple[UserRow, ...]
    patient_count: int
    last_backup_at: datetime | None
    backup_due: bool
    """No backup yet, or the last one is older than ``BACKUP_WARN_AFTER``."""


BACKUP_WARN_AFTER = timedelta(days=7)


def practice_overview(db: Database, home: Home) -> PracticeOverview:
    """Gather the snapshot in one short session."""
    with db.session() as session:
        name = practice_name(session)
        if name is None:
            raise PracticeError(
                "Deze database bevat nog geen praktijk.", hint="Voer gpdesk init uit."
            )
        users = tuple(list_users(session))
        patients = count_patients(session)
        last_backup = session.scalar(select(Practice.last_backup_at).limit(1))
    return PracticeOverview(
        practice_name=name,
        database_kind=(
            "SQLite (alleen deze computer)"
            if db.is_sqlite
            else "PostgreSQL (gedeeld in de praktijk)"
        ),
        database_location=redact_url(db.url),
        home=str(home.path),
        schema_revision=current_revision(db.engine),
        users=users,
        patient_count=patients,
        last_backup_at=last_backup,
        backup_due=last_backup is None or utcnow() - last_backup > BACKUP_WARN_AFTER,
    )
