"""The mailboxes and drop folders gpdesk fetches letters from: set by the beheerder, audited.

The IMAP password is sealed in its place (``inbox_source.password``) and never shown, logged or
written to the audit trail; the view says only whether one is stored. How far a mailbox was
fetched (``uidvalidity``, ``last_uid``) and the last failure are kept per source, so the next
fetch asks only for what is new and Beheer can say why a source does not work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.sources.imap import ImapMark, ImapSettings
from gpdesk.models import InboxSource, SourceKind, utcnow
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.store.shapes import record_states

MIN_INTERVAL = 1
MAX_INTERVAL = 24 * 60


@dataclass(frozen=True)
class SourceView:
    """A source as Beheer and ``gpdesk inbox source list`` show it: never the password."""

    id: int
    kind: SourceKind
    label: str
    enabled: bool
    interval_minutes: int
    password_stored: bool
    last_fetch_at: datetime | None
    last_error: str | None

    def as_json(self) -> dict[str, object]:
        """For ``--json``."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "label": self.label,
            "enabled": self.enabled,
            "interval_minutes": self.interval_minutes,
            "password_stored": self.password_stored,
            "last_fetch_at": None if self.last_fetch_at is None else self.last_fetch_at.isoformat(),
            "last_error": self.last_error,
        }


def _label(row: InboxSource) -> str:
    if row.kind is SourceKind.FOLDER:
        return f"map {row.path}"
    return f"imap://{row.host}:{row.port}/{row.folder or 'INBOX'}"


def view(row: InboxSource) -> SourceView:
    """What may be shown of a source."""
    return SourceView(
        id=row.id,
        kind=SourceKind(row.kind),
        label=_label(row),
        enabled=row.enabled,
        interval_minutes=row.interval_minutes,
        password_stored=row.password is not None,
        last_fetch_at=row.last_fetch_at,
        last_error=row.last_error,
    )


def _interval(minutes: int) -> int:
    if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise ValidationError(
            {"interval": "Kies hoe vaak gpdesk kijkt: tussen 1 minuut en 24 uur (1440 minuten)."}
        )
    return minutes


def _record(session: Session, vault: Vault, actor: Actor, row: InboxSource, what: str) -> None:
    audit.record(
        session, event="inbox.source", action=audit.Action.UPDATE, actor=actor,
        object_type="inbox_source", object_id=row.id, detail=f"{what}: {_label(row)}",
        vault=vault, state=record_states(session, vault, [("inbox_source", row.id)]),
    )  # fmt: skip


def add_imap_source(
    session: Session,
    vault: Vault,
    actor: Actor,
    settings: ImapSettings,
    *,
    interval_minutes: int = 5,
) -> SourceView:
    """Store a mailbox to fetch from (checked by ``ImapSettings`` itself); commits nothing."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    row = InboxSource(
        kind=SourceKind.IMAP,
        host=settings.host.strip(),
        port=settings.port,
        security=settings.security,
        username=settings.username.strip(),
        folder=settings.folder.strip(),
        ca_file=None if settings.ca_file is None else str(settings.ca_file),
        move_to=settings.move_to if settings.after == "move" else None,
        interval_minutes=_interval(interval_minutes),
        updated_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    row.password = vault.seal("inbox_source", "password", row.id, settings.password)
    _record(session, vault, actor, row, "postvak toegevoegd")
    return view(row)


def add_folder_source(
    session: Session,
    vault: Vault,
    actor: Actor,
    folder: Path,
    *,
    interval_minutes: int = 5,
) -> SourceView:
    """Store a drop folder to read; it must exist and be readable and writable now."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    path = folder.expanduser().resolve()
    if not path.is_dir():
        raise ValidationError({"folder": f"De map {path} bestaat niet. Kies een bestaande map."})
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise ValidationError(
            {
                "folder": f"gpdesk mag niet lezen en schrijven in {path}. Vraag de beheerder "
                "van de computer om die rechten."
            }
        )
    row = InboxSource(
        kind=SourceKind.FOLDER,
        path=str(path),
        interval_minutes=_interval(interval_minutes),
        updated_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    _record(session, vault, actor, row, "map toegevoegd")
    return view(row)


def list_sources(session: Session) -> list[SourceView]:
    """Every source, in the order they were added."""
    rows = session.scalars(select(InboxSource).order_by(InboxSource.id))
    return [view(row) for row in rows]


def source_row(session: Session, source_id: int) -> InboxSource:
    """The source with this number, or a plain refusal."""
    row = session.get(InboxSource, source_id)
    if row is None:
        raise GpdeskError(
            f"Er is geen bron met nummer {source_id}.",
            hint="Kijk in 'gpdesk inbox source list' welk nummer u bedoelt.",
        )
    return row


def imap_settings(vault: Vault, row: InboxSource) -> ImapSettings:
    """The mailbox's settings with its password opened, for one fetch."""
    if row.password is None:
        raise GpdeskError(
            "Voor dit postvak is geen wachtwoord opgeslagen.",
            hint="Stel het postvak opnieuw in (gpdesk inbox source add imap).",
        )
    password = vault.open("inbox_source", "password", row.id, bytes(row.password))
    return ImapSettings(
        host=row.host or "",
        port=row.port or 0,
        security="tls" if row.security == "tls" else "starttls",
        username=row.username or "",
        password=password,
        folder=row.folder or "INBOX",
        ca_file=None if row.ca_file is None else Path(row.ca_file),
        after="move" if row.move_to else "leave",
        move_to=row.move_to,
    )


def mark_of(row: InboxSource) -> ImapMark | None:
    """How far this mailbox was fetched, or None for the first time."""
    if row.uidvalidity is None or row.last_uid is None:
        return None
    return ImapMark(uidvalidity=row.uidvalidity, last_uid=row.last_uid)


def record_fetch(
    session: Session,
    source_id: int,
    *,
    mark: ImapMark | None,
    error: str | None,
    now: datetime | None = None,
) -> None:
    """Keep how far a fetch got and why it stopped (plain columns: no audit entry needed)."""
    row = source_row(session, source_id)
    if mark is not None:
        row.uidvalidity, row.last_uid = mark.uidvalidity, mark.last_uid
    row.last_fetch_at = now or utcnow()
    row.last_error = error
