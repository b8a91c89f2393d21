"""NEN 7513 audit trail: who did what, on whose behalf, to which patient's data, from where.

Each entry is appended in the same transaction as the action it records, so an action without its
entry (or the reverse) cannot be committed. Entries are hash-chained: ``hash`` is SHA-256 over the
previous entry's hash and this entry's canonical JSON. Appending first bumps the single
``audit_head`` row, which takes the write lock (SQLite) or row lock (PostgreSQL), so concurrent
workstations append one after another instead of forking the chain.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import socket
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from gpdesk.models.audit import AuditEntry, AuditHead
from gpdesk.models.base import utcnow
from gpdesk.roles import Role
from gpdesk.security.permissions import Permission

if TYPE_CHECKING:
    from gpdesk.security.accounts import Actor

GENESIS = "0" * 64
WORKSTATION = socket.gethostname()[:128] or "onbekend"


class Action(StrEnum):
    """NEN 7513 action kinds."""

    CREATE = "C"
    READ = "R"
    UPDATE = "U"
    DELETE = "D"
    EXPORT = "E"


EVENT_LABELS = {
    "login": "aangemeld",
    "login.failed": "aanmelden mislukt",
    "logout": "afgemeld",
    "switch_user": "andere gebruiker aangemeld op deze werkplek",
    "lock": "vergrendeld",
    "unlock": "ontgrendeld",
    "patient.open": "patiënt geopend",
    "patient.read": "patiënt opgezocht",
    "patient.store": "patiënt opgeslagen",
    "user.add": "gebruiker toegevoegd",
    "user.disable": "account uitgeschakeld",
    "user.enable": "account weer ingeschakeld",
    "user.reset": "wachtwoord opnieuw ingesteld",
    "user.recover": "toegang hersteld met de herstelsleutel",
    "password.change": "eigen wachtwoord gewijzigd",
    "permission.change": "rechten gewijzigd",
    "audit.export": "logboek geëxporteerd",
    "backup.create": "back-up gemaakt",
    "backup.restore": "back-up teruggezet",
    "practice.init": "praktijk opgezet",
    "kaart.assured": "sociale kaart gecontroleerd",
    "kaart.change": "sociale kaart gewijzigd",
    "kaart.import": "sociale kaart geïmporteerd",
    "kaart.undo": "import sociale kaart ongedaan gemaakt",
}
"""Every event gpdesk records (``record(event=...)``), in the practice's words."""

KAART_OBJECTS = {
    "kaart_service": "voorziening",
    "kaart_organization": "organisatie",
    "kaart_contact": "contactpersoon",
    "kaart_fixed_contact": "vaste contactpersoon bij",
    "kaart_feedback_agreement": "terugkoppelafspraak met",
}
"""What a ``kaart.change`` entry's ``object_type`` is called in the Logboek."""

SERVICE_OBJECTS = frozenset({"kaart_service", "kaart_fixed_contact", "kaart_feedback_agreement"})
"""Object types whose ``object_id`` is a service id (the private layer is kept per service)."""

_KAART_ACTIONS = {"C": "toegevoegd", "U": "gewijzigd", "D": "verwijderd"}


def name_key(object_type: str, object_id: str) -> str:
    """The key under which ``describe`` looks up a name: ``user:smit``, ``kaart_service:<id>``.

    Users are looked up by username; the private layer's objects by the service they belong to.
    """
    kind = "kaart_service" if object_type in SERVICE_OBJECTS else object_type
    return f"{kind}:{object_id}"


@dataclass(frozen=True)
class Checks:
    """Which checks applied to the access (NEN 7513 ‘controles’); None means not applicable."""

    authorisation: bool = True
    treatment_relationship: bool | None = None
    consent: bool | None = None
    emergency: bool = False

    def to_json(self) -> str:
        """Stable text for storage and hashing."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class AuditRecord:
    """An entry as handed to the viewer, exports and verification (no ORM objects)."""

    seq: int
    at: datetime
    event: str
    action: str
    user_id: int | None
    username: str | None
    role: str | None
    on_behalf_of: str | None
    workstation: str
    patient_ref: str | None
    object_type: str | None
    object_id: str | None
    checks: str
    detail: str | None
    prev_hash: str
    hash: str

    def hash_fields(self) -> dict[str, Any]:
        """Everything the hash covers, in a canonical form."""
        data = asdict(self)
        data.pop("hash")
        data["at"] = self.at.isoformat(timespec="microseconds")
        return data

    @property
    def event_label(self) -> str:
        """Dutch words for the viewer."""
        return EVENT_LABELS.get(self.event, self.event)


def describe(rec: AuditRecord, names: Mapping[str, str] | None = None) -> str:
    """One Dutch line a privacy officer can read: what happened, to whom or to what.

    ``names`` maps ``name_key`` keys to what the practice calls them now (staff names, kaart
    names; never a patient): older entries stored only a username or an id. What an entry
    stores itself (``detail``) comes first, so an export stays readable on its own.
    """
    known = names or {}
    label = EVENT_LABELS.get(rec.event, rec.event)
    detail = rec.detail or ""
    line = _describe_event(rec, label, detail, known)
    if rec.on_behalf_of:
        person = known.get(name_key("user", rec.on_behalf_of), rec.on_behalf_of)
        line += f", namens {person}"
    return line


def _person(rec: AuditRecord, names: Mapping[str, str]) -> str:
    """The account an entry is about: its stored name, else the current name, else the username."""
    if rec.detail and not _legacy_role(rec):
        return rec.detail
    username = rec.object_id or rec.username or "?"
    return names.get(name_key("user", username), username)


def _legacy_role(rec: AuditRecord) -> bool:
    """A ``user.add`` entry from before names were recorded: its detail is "rol huisarts"."""
    return rec.event == "user.add" and (rec.detail or "").startswith("rol ")


def _describe_event(rec: AuditRecord, label: str, detail: str, names: Mapping[str, str]) -> str:
    event = rec.event
    if event == "user.add":
        if _legacy_role(rec):
            return f"{label}: {_person(rec, names)} ({detail.removeprefix('rol ')})"
        return f"{label}: {_person(rec, names)}"
    if event in ("user.disable", "user.enable"):
        return f"{label}: {_person(rec, names)}"
    if event in ("user.reset", "user.recover"):
        return f"{label} voor {_person(rec, names)}"
    if event == "permission.change":
        return f"{label}: {_permission_line(rec.object_id, detail)}"
    if event == "patient.store":
        return "patiënt vastgelegd in gpdesk" if rec.action == "C" else "patiëntgegevens bijgewerkt"
    if event == "practice.init":
        return f"{label} (demopraktijk)" if detail == "demo" else label
    if event in ("audit.export", "backup.create", "backup.restore") and detail:
        return f"{label} ({detail})"
    if event in ("kaart.change", "kaart.assured"):
        return _kaart_line(rec, label, detail, names)
    if event in ("kaart.import", "kaart.undo"):
        source = names.get(name_key("kaart_batch", rec.object_id or ""), "")
        if event == "kaart.undo":
            return f"{label} ({source})" if source else label
        return f"{label}{f' uit {source}' if source else ''}{f': {detail}' if detail else ''}"
    return f"{label}: {detail}" if detail else label


def _permission_line(role_value: str | None, detail: str) -> str:
    """``kaart_edit=aan`` for ``assistant``: "doktersassistent mag nu sociale kaart bewerken"."""
    value, _, state = detail.partition("=")
    try:
        who = Role(role_value or "").label
    except ValueError:
        who = role_value or "?"
    try:
        what = Permission(value).label
    except ValueError:
        what = value
    if state == "aan":
        return f"{who} mag nu {what}"
    if state == "uit":
        return f"{who} mag niet meer {what}"
    return f"{who}: {detail}"


def _kaart_line(rec: AuditRecord, label: str, detail: str, names: Mapping[str, str]) -> str:
    kind = KAART_OBJECTS.get(rec.object_type or "")
    if kind is None:
        return f"{label}: {detail}" if detail else label
    name = names.get(name_key(rec.object_type or "", rec.object_id or ""), "")
    what = f"{kind} {name}" if name else kind
    if rec.event == "kaart.assured" or detail.startswith("gecontroleerd"):
        extra = detail.removeprefix("gecontroleerd").strip()
        return f"sociale kaart gecontroleerd: {what}{f' {extra}' if extra else ''}"
    verb = _KAART_ACTIONS.get(rec.action, "gewijzigd")
    return f"sociale kaart: {what} {verb}{_fields(detail) if rec.action == 'U' else ''}"


def _fields(detail: str) -> str:
    """``3 gewijzigde velden`` as " (3 velden)"; any other detail as it is."""
    count, _, rest = detail.partition(" ")
    if count.isdigit() and rest == "gewijzigde velden":
        return " (1 veld)" if count == "1" else f" ({count} velden)"
    return f" ({detail})" if detail else ""


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the entry, which includes ``prev_hash``."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def ensure_head(session: Session) -> None:
    """Create the chain's tip row once (migration inserts it; this guards restored databases)."""
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        session.flush()


def record(
    session: Session,
    *,
    event: str,
    action: Action,
    actor: Actor | None = None,
    username: str | None = None,
    patient_ref: str | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    checks: Checks | None = None,
    detail: str | None = None,
    on_behalf_of: str | None = None,
) -> int:
    """Append one entry inside the caller's transaction; returns its sequence number.

    ``detail`` and every other field must never contain patient-identifying data: the patient is
    identified only by ``patient_ref`` (the keyed blind index of the BSN).
    """
    bumped = session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.hash)
    ).one_or_none()
    if bumped is None:
        ensure_head(session)
        return record(
            session, event=event, action=action, actor=actor, username=username,
            patient_ref=patient_ref, object_type=object_type, object_id=object_id,
            checks=checks, detail=detail, on_behalf_of=on_behalf_of,
        )  # fmt: skip
    seq, prev_hash = bumped
    entry = AuditRecord(
        seq=seq,
        at=utcnow(),
        event=event,
        action=action.value,
        user_id=None if actor is None else actor.user_id,
        username=(actor.username if actor is not None else username),
        role=None if actor is None else actor.role.value,
        on_behalf_of=on_behalf_of,
        workstation=WORKSTATION,
        patient_ref=patient_ref,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        checks=(checks or Checks()).to_json(),
        detail=detail,
        prev_hash=prev_hash,
        hash="",
    )
    digest = entry_hash(entry.hash_fields())
    values = asdict(entry) | {"hash": digest}
    session.execute(insert(AuditEntry).values(**values))
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=digest))
    return seq


def _to_record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=row.seq, at=row.at, event=row.event, action=row.action, user_id=row.user_id,
        username=row.username, role=row.role, on_behalf_of=row.on_behalf_of,
        workstation=row.workstation, patient_ref=row.patient_ref, object_type=row.object_type,
        object_id=row.object_id, checks=row.checks, detail=row.detail,
        prev_hash=row.prev_hash, hash=row.hash,
    )  # fmt: skip


@dataclass(frozen=True)
class Verification:
    """Outcome of ``verify``: intact, or the first broken entry and why (in Dutch)."""

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def verify_records(records: Iterable[AuditRecord], head: tuple[int, str] | None) -> Verification:
    """Check sequence, chain and hashes; ``head`` is (seq, hash) of the tip row."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for rec in records:
        count += 1
        if rec.seq != expected_seq:
            missing = expected_seq if rec.seq > expected_seq else rec.seq
            return Verification(False, count, missing, "een regel ontbreekt of is ingevoegd")
        if rec.prev_hash != expected_prev:
            return Verification(False, count, rec.seq, "de keten is onderbroken")
        if entry_hash(rec.hash_fields()) != rec.hash:
            return Verification(False, count, rec.seq, "de inhoud is gewijzigd")
        expected_prev = rec.hash
        expected_seq += 1
    if head is not None:
        head_seq, head_hash = head
        last_seq = expected_seq - 1
        if head_seq > last_seq:
            return Verification(
                False, count, last_seq + 1, "de laatste regels ontbreken of zijn gewijzigd"
            )
        if head_seq < last_seq:
            # Entries after the tip: the first one past it was added around gpdesk.
            return Verification(False, count, head_seq + 1, "er is een regel toegevoegd")
        if head_seq and head_hash != expected_prev:
            return Verification(False, count, head_seq, "de laatste regel is gewijzigd")
    return Verification(True, count)


def iter_records(
    session: Session,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    username: str | None = None,
    patient_ref: str | None = None,
    batch: int = 2000,
) -> Iterator[AuditRecord]:
    """Entries in chain order, streamed in batches so exports of years stay small in memory."""
    last = 0
    while True:
        query = (
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(batch)
        )
        if since is not None:
            query = query.where(AuditEntry.at >= since)
        if until is not None:
            query = query.where(AuditEntry.at < until)
        if username is not None:
            query = query.where(AuditEntry.username == username)
        if patient_ref is not None:
            query = query.where(AuditEntry.patient_ref == patient_ref)
        rows = session.scalars(query).all()
        if not rows:
            return
        for row in rows:
            yield _to_record(row)
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> Verification:
    """Verify the whole chain against the tip row."""
    head = session.get(AuditHead, 1)
    tip = None if head is None else (head.seq, head.hash)
    return verify_records(iter_records(session), tip)


EXPORT_COLUMNS = (
    "seq", "at", "event", "action", "username", "role", "on_behalf_of", "workstation",
    "patient_ref", "object_type", "object_id", "checks", "detail", "prev_hash", "hash",
)  # fmt: skip


def export_rows(records: Iterable[AuditRecord]) -> Iterator[dict[str, Any]]:
    """Flat dicts for CSV/JSON export, timestamps in ISO 8601 UTC."""
    for rec in records:
        row = {col: getattr(rec, col) for col in EXPORT_COLUMNS}
        row["at"] = rec.at.isoformat(timespec="seconds")
        yield row


def to_csv(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, header first, one chunk per row (streamable to a file)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue()


@dataclass(frozen=True)
class AuditFilter:
    """What the Logboek screen narrows on; None means no restriction."""

    username: str | None = None
    patient_ref: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def page(
    session: Session, flt: AuditFilter, *, before_seq: int | None = None, limit: int = 200
) -> list[AuditRecord]:
    """Newest entries first, one page at a time (the viewer loads more as the user scrolls)."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    if flt.username:
        query = query.where(AuditEntry.username == flt.username)
    if flt.patient_ref:
        query = query.where(AuditEntry.patient_ref == flt.patient_ref)
    if flt.since is not None:
        query = query.where(AuditEntry.at >= flt.since)
    if flt.until is not None:
        query = query.where(AuditEntry.at < flt.until)
    return [_to_record(row) for row in session.scalars(query)]
