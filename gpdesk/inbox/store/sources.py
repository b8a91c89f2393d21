"""The mailboxes and drop folders gpdesk fetches letters from: set by the beheerder, audited.

The IMAP password is sealed in its place (``inbox_source.password``) and never shown, logged or
written to the audit trail; the view says only whether one is stored. How far a mailbox was
fetched (``uidvalidity``, ``last_uid``) and the last failure are kept per source, so the next
fetch asks only for what is new and Beheer can say why a source does not work.

Changing a source (Beheer > Ontvangen, ``gpdesk inbox source``) keeps the stored password when
no new one is typed, but only for the same server and user name: a password typed for one
mailbox is never handed to another server. Removing a source keeps every letter it brought.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.sources.imap import SECURITY_CHOICES, ImapMark, ImapSettings, Security
from gpdesk.models import InboxSource, Letter, SourceKind, utcnow
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.store.shapes import record_states

MIN_INTERVAL = 1
MAX_INTERVAL = 24 * 60


@dataclass(frozen=True)
class SourceView:
    """A source as Beheer and ``gpdesk inbox source list`` show it: never the password.

    The settings (server, folder, drop folder) are there so Beheer can fill its form; a
    mailbox's ``move_to`` None means fetched messages stay, marked as read.
    """

    id: int
    kind: SourceKind
    label: str
    enabled: bool
    interval_minutes: int
    password_stored: bool
    last_fetch_at: datetime | None
    last_error: str | None
    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    folder: str | None = None
    move_to: str | None = None
    ca_file: str | None = None
    path: str | None = None

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
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "username": self.username,
            "folder": self.folder,
            "move_to": self.move_to,
            "ca_file": self.ca_file,
            "path": self.path,
        }


@dataclass(frozen=True)
class ImapRequest:
    """A mailbox's settings as the beheerder typed them; ``password`` None keeps the stored one.

    ``move_to`` None: a fetched message stays in its folder, marked as read.
    """

    host: str
    port: int
    security: str
    username: str
    password: str | None = field(default=None, repr=False)
    folder: str = "INBOX"
    move_to: str | None = None
    ca_file: Path | None = None
    interval_minutes: int = 5


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
        host=row.host,
        port=row.port,
        security=row.security,
        username=row.username,
        folder=row.folder,
        move_to=row.move_to,
        ca_file=row.ca_file,
        path=row.path,
    )


TYPE_IT_AGAIN = (
    "Vul het wachtwoord opnieuw in: de server of de gebruikersnaam is veranderd, en gpdesk "
    "geeft een opgeslagen wachtwoord nooit aan een andere server."
)
INTERVAL_PROBLEM = "Kies hoe vaak gpdesk kijkt: tussen 1 minuut en 24 uur (1440 minuten)."


def _interval(minutes: int) -> int:
    if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise ValidationError({"interval": INTERVAL_PROBLEM})
    return minutes


def _ca_problem(ca_file: Path | None) -> str | None:
    """Why the practice's CA file cannot be used (None when it can, or when there is none).

    Checked when the source is stored, so the beheerder hears it now and not at the first fetch.
    """
    if ca_file is None:
        return None
    from cryptography import x509

    resolved = ca_file.expanduser().resolve()
    try:
        data = resolved.read_bytes()
    except OSError:
        return f"Het CA-bestand ({resolved}) is niet te lezen. Kies een bestaand bestand."
    try:
        found = x509.load_pem_x509_certificates(data)
    except ValueError:
        found = []
    if not found:
        return "Het CA-bestand bevat geen certificaat in PEM-vorm (-----BEGIN CERTIFICATE-----)."
    return None


def _checked_imap(settings: ImapSettings, interval_minutes: int) -> None:
    problems: dict[str, str] = {}
    ca = _ca_problem(settings.ca_file)
    if ca:
        problems["ca_file"] = ca
    if not MIN_INTERVAL <= interval_minutes <= MAX_INTERVAL:
        problems["interval"] = INTERVAL_PROBLEM
    if problems:
        raise ValidationError(problems)


def _record(
    session: Session,
    vault: Vault,
    actor: Actor,
    row: InboxSource,
    what: str,
    *,
    action: audit.Action = audit.Action.UPDATE,
    removed: bool = False,
) -> None:
    records = [] if removed else [("inbox_source", row.id)]
    gone = [("inbox_source", row.id)] if removed else []
    audit.record(
        session, event="inbox.source", action=action, actor=actor,
        object_type="inbox_source", object_id=row.id, detail=f"{what}: {_label(row)}",
        vault=vault, state=record_states(session, vault, records, removed=gone),
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
    _checked_imap(settings, interval_minutes)
    row = InboxSource(
        kind=SourceKind.IMAP,
        host=settings.host.strip(),
        port=settings.port,
        security=settings.security,
        username=settings.username.strip(),
        folder=settings.folder.strip(),
        ca_file=None if settings.ca_file is None else str(settings.ca_file.expanduser().resolve()),
        move_to=settings.move_to if settings.after == "move" else None,
        interval_minutes=_interval(interval_minutes),
        updated_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    row.password = vault.seal("inbox_source", "password", row.id, settings.password)
    _record(session, vault, actor, row, "postvak toegevoegd")
    return view(row)


def _security(value: str) -> Security:
    """The typed security as the one ``ImapSettings`` knows, or a Dutch refusal."""
    for choice in SECURITY_CHOICES:
        if value == choice:
            return choice
    raise ValidationError({"security": "Kies als beveiliging TLS of STARTTLS."})


def _same_account(row: InboxSource, request: ImapRequest) -> bool:
    """Whether the stored password was typed for this server and user name."""
    return (row.host or "").strip().lower() == request.host.strip().lower() and (
        row.username or ""
    ).strip() == request.username.strip()


def imap_settings_for(
    session: Session,
    vault: Vault,
    actor: Actor,
    request: ImapRequest,
    source_id: int | None = None,
) -> ImapSettings:
    """The settings a connection test or a save uses: the typed password, or the stored one.

    The stored password (of ``source_id``) stands in only for the same server and user name;
    otherwise the password must be typed again. Every problem comes back at once, by field
    (host, port, security, username, password, folder, move_to, ca_file, interval).
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    problems: dict[str, str] = {}
    password = request.password or ""
    if not password and source_id is not None:
        row = source_row(session, source_id)
        if SourceKind(row.kind) is not SourceKind.IMAP:
            raise GpdeskError(f"Bron {source_id} is een map, geen postvak.")
        if row.password is not None and _same_account(row, request):
            password = vault.open("inbox_source", "password", row.id, bytes(row.password))
        elif row.password is not None:
            problems["password"] = TYPE_IT_AGAIN
    try:
        security = _security(request.security)
    except ValidationError as error:
        problems.update(error.problems)
        security = "tls"
    move_to = (request.move_to or "").strip() or None
    settings: ImapSettings | None = None
    try:
        settings = ImapSettings(
            host=request.host.strip(),
            port=request.port,
            security=security,
            username=request.username.strip(),
            password=password,
            folder=request.folder.strip(),
            ca_file=None if request.ca_file is None else request.ca_file.expanduser().resolve(),
            after="move" if move_to else "leave",
            move_to=move_to,
        )
    except ValidationError as error:
        for key, text in error.problems.items():
            problems.setdefault(key, text)
    ca = _ca_problem(request.ca_file)
    if ca:
        problems["ca_file"] = ca
    if not MIN_INTERVAL <= request.interval_minutes <= MAX_INTERVAL:
        problems["interval"] = INTERVAL_PROBLEM
    if problems or settings is None:
        raise ValidationError(problems)
    return settings


def update_imap_source(
    session: Session,
    vault: Vault,
    actor: Actor,
    source_id: int,
    request: ImapRequest,
) -> SourceView:
    """Change a mailbox; commits nothing. No password typed: the stored one stays (same server).

    Another server, user name or folder is another mailbox: fetching starts there from the
    beginning (the store's dedupe keeps what was fetched before from coming in twice). The last
    error goes, since it was about the old settings.
    """
    settings = imap_settings_for(session, vault, actor, request, source_id)
    row = source_row(session, source_id)
    other_mailbox = not _same_account(row, request) or (row.folder or "INBOX") != settings.folder
    row.host = settings.host
    row.port = settings.port
    row.security = settings.security
    row.username = settings.username
    row.folder = settings.folder
    row.ca_file = None if settings.ca_file is None else str(settings.ca_file)
    row.move_to = settings.move_to if settings.after == "move" else None
    row.interval_minutes = request.interval_minutes
    row.updated_by_id = actor.user_id
    row.last_error = None
    if other_mailbox:
        row.uidvalidity = row.last_uid = None
    if request.password:
        row.password = vault.seal("inbox_source", "password", row.id, request.password)
    session.flush()
    what = "postvak gewijzigd" + (", nieuw wachtwoord" if request.password else "")
    _record(session, vault, actor, row, what)
    return view(row)


def _checked_folder(folder: Path) -> Path:
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
    return path


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
    path = _checked_folder(folder)
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


def update_folder_source(
    session: Session,
    vault: Vault,
    actor: Actor,
    source_id: int,
    folder: Path,
    *,
    interval_minutes: int,
) -> SourceView:
    """Point a drop-folder source at another folder or change how often it is read."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    row = source_row(session, source_id)
    if SourceKind(row.kind) is not SourceKind.FOLDER:
        raise GpdeskError(f"Bron {source_id} is een postvak, geen map.")
    path = _checked_folder(folder)
    row.path = str(path)
    row.interval_minutes = _interval(interval_minutes)
    row.updated_by_id = actor.user_id
    row.last_error = None
    session.flush()
    _record(session, vault, actor, row, "map gewijzigd")
    return view(row)


def set_source_enabled(
    session: Session, vault: Vault, actor: Actor, source_id: int, enabled: bool
) -> SourceView:
    """Turn fetching from a source on or off; its settings and letters stay."""
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    row = source_row(session, source_id)
    if row.enabled != enabled:
        row.enabled = enabled
        row.updated_by_id = actor.user_id
        session.flush()
        _record(session, vault, actor, row, "aangezet" if enabled else "uitgezet")
    return view(row)


def remove_source(session: Session, vault: Vault, actor: Actor, source_id: int) -> SourceView:
    """Stop fetching from a source for good: its settings and password go, its letters stay.

    The letters it brought keep everything but the pointer to the source (``source_id``),
    which says no more than their own ``source`` column (imap, map) already does.
    Returns the source as it was, for the message.
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    row = source_row(session, source_id)
    was = view(row)
    session.execute(update(Letter).where(Letter.source_id == source_id).values(source_id=None))
    _record(session, vault, actor, row, "verwijderd", action=audit.Action.DELETE, removed=True)
    session.delete(row)
    session.flush()
    return was


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
