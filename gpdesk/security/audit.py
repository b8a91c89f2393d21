"""NEN 7513 audit trail: who did what, on whose behalf, to which patient's data, from where.

Each entry is appended in the same transaction as the action it records, so an action without its
entry (or the reverse) cannot be committed. Appending first bumps the single ``audit_head`` row,
which takes the write lock (SQLite) or row lock (PostgreSQL), so concurrent workstations append
one after another instead of forking the chain.

What protects the trail, and against whom:

* **The chain.** ``hash`` is SHA-256 over the previous entry's hash and this entry's canonical
  JSON. It shows a change, deletion or insertion by anyone who does not recompute the hashes
  after it; anyone holding the database can recompute them, so the chain alone is not enough.
* **Triggers** in the database refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), from
  gpdesk and from anyone who does not drop them first.
* **The seal** (``audit_head.seal``): HMAC-SHA256 over the tip it vouches for (sequence number,
  hash, time, ``pre_seal_entries``) under a key derived with HKDF from the practice data key.
  Only an unlocked practice has that key, so someone with the database file but without a
  password or the recovery key cannot rewrite, shorten or empty the sealed part and seal the
  result. A seal is extended only after the entries since the previous seal have been checked,
  so a change made in between is never sealed over: the break stays visible.
* **Anchors** outside the database: the tip (count and hash) in every backup manifest and in
  ``audit-anchor.json`` in the gpdesk home of each workstation (``gpdesk.security.anchor``). A
  log shorter than, or different from, the last anchor known is refused. Anchors catch what a
  seal cannot: putting back an older copy of the database (it carries its own valid seal).

Who writes without the key: a failed sign-in (nobody is unlocked yet), "lock" and "logout", the
sociale kaart's changes, and any other entry whose caller does not pass the unlocked vault.
Those entries are chained at once and sealed by the next entry written with the key (a sign-in,
an unlock, a patient stored, opened or looked up, a user managed, a backup). Until then only
the chain, the triggers and the anchors protect them: someone with the file can rewrite what
came after the last seal. Nor does the seal stop someone who has the file *and* a password
or the recovery key: they can derive the key, as they can read every patient. Against them the
anchors (in backups kept elsewhere, and written down from ``gpdesk audit verify``) remain.

A practice set up with seals starts its log with "practice.init", sealed. A log that is empty,
lacks its first entry or lacks its seal while the practice exists is refused, also without a
key. A database upgraded from before seals (migration 0004) records how many entries it held
(``pre_seal_entries``); the first entry written with the key checks the whole chain and seals it
(trust on first use), and until then ``verify`` calls those entries "van voor de verzegeling".
Someone with the file could remove a seal and mark the log as upgraded; the anchors catch that,
which is why every backup and every ``gpdesk audit verify`` compares with them.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import logging
import socket
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import Integer, Table, bindparam, exists, insert, select, update
from sqlalchemy.orm import Session

from gpdesk.models.audit import AuditEntry, AuditHead
from gpdesk.models.base import utcnow
from gpdesk.models.practice import Practice
from gpdesk.models.user import User
from gpdesk.roles import Role
from gpdesk.security.permissions import Permission

if TYPE_CHECKING:
    from gpdesk.security.actor import Actor
    from gpdesk.security.crypto import Vault

log = logging.getLogger(__name__)

GENESIS = "0" * 64
WORKSTATION = socket.gethostname()[:128] or "onbekend"
PRACTICE_INIT = "practice.init"
"""The first entry of every practice set up since seals exist."""
SEAL_PURPOSE = b"gpdesk audit seal v1"


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
    "permission.tampered": "rechten buiten gpdesk om gewijzigd (geven niets extra)",
    "account.tampered": "aanmelden geweigerd: account buiten gpdesk om gewijzigd",
    "account.weak_key": "aanmelden geweigerd: beveiliging van het wachtwoord verlaagd",
    "accounts.seal": "accounts en rechten verzegeld",
    "accounts.state": "stand van accounts vastgelegd",
    "audit.export": "logboek geëxporteerd",
    "backup.create": "back-up gemaakt",
    "backup.restore": "back-up teruggezet",
    "database.check": "database gecontroleerd",
    "transport.set": "verzendinstellingen gewijzigd",
    "team.delivery": "bezorging van een team ingesteld",
    "team.feedback_contact": "terugkoppelcontact van een team ingesteld",
    "outbox.prepare": "bericht klaargemaakt voor verzending",
    "outbox.sent": "bericht verzonden",
    "outbox.retry": "bericht opnieuw in het postvak uit gezet",
    "signal.sent": "signaal verzonden",
    "practice.init": "praktijk opgezet",
    "practice.letterhead": "briefhoofd van de praktijk gewijzigd",
    "kaart.assured": "sociale kaart gecontroleerd",
    "kaart.change": "sociale kaart gewijzigd",
    "kaart.import": "sociale kaart geïmporteerd",
    "kaart.undo": "import sociale kaart ongedaan gemaakt",
    "consent.record": "toestemming vastgelegd",
    "consent.read": "toestemmingen ingezien",
    "consent.withdraw": "toestemming ingetrokken",
    "consent.none": "besloten te delen zonder toestemming",
    "signal.submit": "signaal klaargezet om te verzenden",
    "signal.read": "signaal ingezien",
    "signal.list": "patiënt genoemd in de signalenlijst",
    "signal.status": "status van signaal gewijzigd",
    "letter.receive": "terugkoppeling ontvangen",
    "letter.quarantine": "ontvangen bestand in quarantaine gezet",
    "letter.check": "PDF van terugkoppeling gecontroleerd",
    "letter.list": "terugkoppelingen ingezien",
    "letter.read": "terugkoppeling gelezen",
    "letter.attachment": "bijlage van terugkoppeling bekeken of opgeslagen",
    "letter.file": "terugkoppeling overgenomen in HIS",
    "letter.forget": "inhoud van terugkoppeling verwijderd na de bewaartermijn",
    "letter.assign": "terugkoppeling toegewezen",
    "letter.forward": "terugkoppeling doorgestuurd naar de verwijzer",
    "letter.kind": "soort terugkoppeling bevestigd",
    "letter.link": "terugkoppeling gekoppeld",
    "letter.unlink": "terugkoppeling losgekoppeld",
    "letter.archive": "terugkoppeling gearchiveerd",
    "letter.phone": "telefonische terugkoppeling vastgelegd",
    "letter.copy": "terugkoppeling gekopieerd voor het HIS",
    "letter.match": "patiënten vergeleken met een terugkoppeling",
    "involvement.register": "betrokkenheid van een wijkteam vastgelegd",
    "involvement.end": "betrokkenheid van een wijkteam beëindigd",
    "involvement.read": "betrokkenheid van wijkteams ingezien",
    "letter.answer": "informatieverzoek beantwoord",
    "letter.refuse": "informatieverzoek geweigerd met een brief",
    "letter.request": "informatieverzoek ingezien om te beantwoorden",
    "answer.sent": "antwoord op informatieverzoek verzonden",
    "inbox.source": "bron van terugkoppeling ingesteld",
    "inbox.retention": "bewaartermijn van terugkoppeling gewijzigd",
    "data.tampered": "gegevens geweigerd (buiten gpdesk gewijzigd)",
    "data.rebind": "versleutelde gegevens aan hun plek gebonden",
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
    state: str | None = None
    """Keyed digests of the records this entry wrote (``gpdesk.security.sealed``), or None."""

    def values(self) -> dict[str, Any]:
        """The fields by name; every value is plain (``asdict`` would deep-copy each, slowly)."""
        return {name: getattr(self, name) for name in _AUDIT_FIELDS}

    def hash_fields(self) -> dict[str, Any]:
        """Everything the hash covers, in a canonical form.

        ``state`` is covered only when set, so entries from before it existed verify as before.
        """
        data = self.values()
        data.pop("hash")
        if data["state"] is None:
            data.pop("state")
        data["at"] = self.at.isoformat(timespec="microseconds")
        return data

    @property
    def event_label(self) -> str:
        """Dutch words for the viewer."""
        return EVENT_LABELS.get(self.event, self.event)


_AUDIT_FIELDS: Final = tuple(AuditRecord.__dataclass_fields__)


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
    if event.startswith("consent."):
        return _consent_line(event, label, detail)
    if event in ("kaart.change", "kaart.assured"):
        return _kaart_line(rec, label, detail, names)
    if event in ("kaart.import", "kaart.undo"):
        source = names.get(name_key("kaart_batch", rec.object_id or ""), "")
        if event == "kaart.undo":
            return f"{label} ({source})" if source else label
        return f"{label}{f' uit {source}' if source else ''}{f': {detail}' if detail else ''}"
    return f"{label}: {detail}" if detail else label


def _consent_line(event: str, label: str, detail: str) -> str:
    """What the entry stores says which consent; a decision without one says it was reasoned."""
    line = f"{label} ({detail})" if detail else label
    if event == "consent.none":
        return f"{line}; noodzaak en evenredigheid toegelicht"
    return line


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


# -- the seal -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeadState:
    """The ``audit_head`` row as plain values: the tip, and the seal over an entry up to it."""

    seq: int
    hash: str
    sealed_seq: int | None = None
    sealed_hash: str | None = None
    sealed_at: datetime | None = None
    seal: str | None = None
    pre_seal_entries: int | None = None


def seal_key(vault: Vault) -> bytes:
    """The seal's key: derived from the practice data key, so only an unlocked practice has it."""
    return vault.derive_key(SEAL_PURPOSE)


def seal_mac(key: bytes, seq: int, digest: str, at: datetime, pre_seal_entries: int | None) -> str:
    """HMAC-SHA256 over what a seal vouches for; ``pre_seal_entries`` is bound in too."""
    text = "\x00".join(
        (
            SEAL_PURPOSE.decode(),
            str(seq),
            digest,
            at.isoformat(timespec="microseconds"),
            "-" if pre_seal_entries is None else str(pre_seal_entries),
        )
    )
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def seal_is_genuine(key: bytes, head: HeadState) -> bool:
    """Whether the head's seal was made with ``key`` over what the head says it vouches for."""
    if head.seal is None or head.sealed_seq is None or head.sealed_hash is None:
        return False
    if head.sealed_at is None:
        return False
    expected = seal_mac(
        key, head.sealed_seq, head.sealed_hash, head.sealed_at, head.pre_seal_entries
    )
    return hmac.compare_digest(head.seal, expected)


def read_head(session: Session) -> HeadState | None:
    """The tip row, or None when it is missing."""
    row = session.execute(select(AuditHead.__table__).where(AuditHead.id == 1)).mappings().first()
    if row is None:
        return None
    return HeadState(
        seq=row["seq"], hash=row["hash"], sealed_seq=row["sealed_seq"],
        sealed_hash=row["sealed_hash"], sealed_at=row["sealed_at"], seal=row["seal"],
        pre_seal_entries=row["pre_seal_entries"],
    )  # fmt: skip


def ensure_head(session: Session) -> None:
    """Create the chain's tip row once (migration inserts it; this guards restored databases)."""
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, hash=GENESIS))
        session.flush()


_HEAD_COLUMNS = (
    AuditHead.seq, AuditHead.hash, AuditHead.sealed_seq, AuditHead.sealed_hash,
    AuditHead.sealed_at, AuditHead.seal, AuditHead.pre_seal_entries,
)  # fmt: skip

# Built once: building and caching-key them per entry cost more than running them (#11 ingest).
_HEAD_TABLE = cast(Table, AuditHead.__table__)
_BUMP_HEAD = (
    update(_HEAD_TABLE)
    .where(_HEAD_TABLE.c.id == 1)
    .values(seq=_HEAD_TABLE.c.seq + bindparam("entries", type_=Integer))
    .returning(*(_HEAD_TABLE.c[column.key] for column in _HEAD_COLUMNS))
)
_INSERT_ENTRY = insert(cast(Table, AuditEntry.__table__))
_SET_HEAD = update(_HEAD_TABLE).where(_HEAD_TABLE.c.id == 1)
_LOCK_HEAD = select(_HEAD_TABLE.c.seq).where(_HEAD_TABLE.c.id == 1).with_for_update()


def lock_chain(session: Session) -> None:
    """Take the chain's lock first, at the start of a unit of work that writes several entries.

    ``record`` locks the head anyway, but only at its first entry: a unit that looks before it
    writes (is this message stored already?) must hold the lock from its first look, or two
    workstations both look, both write, and one fails at the end. On SQLite that is the
    database's write lock, ``BEGIN IMMEDIATE`` (pysqlite's own transaction handling begins only
    at the first INSERT, so a SAVEPOINT before it would start, and its RELEASE commit, a
    transaction of its own); on PostgreSQL the head row, ``FOR UPDATE``.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        driver = connection.connection.dbapi_connection
        if driver is not None and not getattr(driver, "in_transaction", True):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    connection.execute(_LOCK_HEAD)


@dataclass(frozen=True)
class Entry:
    """One entry to append with ``record_many``: what ``record`` takes, as a value."""

    event: str
    action: Action
    actor: Actor | None = None
    username: str | None = None
    patient_ref: str | None = None
    object_type: str | None = None
    object_id: str | int | None = None
    checks: Checks | None = None
    detail: str | None = None
    on_behalf_of: str | None = None
    state: str | None = None


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
    vault: Vault | None = None,
    state: str | None = None,
) -> int:
    """Append one entry inside the caller's transaction; returns its sequence number.

    ``detail`` and every other field must never contain patient-identifying data: the patient is
    identified only by ``patient_ref`` (the keyed blind index of the BSN). Pass the unlocked
    ``vault`` when there is one: the seal is then moved onto this entry, after checking the
    entries since the previous seal (see the module docstring).
    """
    entry = Entry(
        event=event, action=action, actor=actor, username=username, patient_ref=patient_ref,
        object_type=object_type, object_id=object_id, checks=checks, detail=detail,
        on_behalf_of=on_behalf_of, state=state,
    )  # fmt: skip
    return record_many(session, [entry], vault=vault)[0]


def record_many(
    session: Session, entries: Sequence[Entry], *, vault: Vault | None = None
) -> list[int]:
    """Append several entries at once, in order; their sequence numbers.

    The head is moved once and the entries written in one statement, so a batch of received
    letters (an entry each) costs about what one entry did. The seal moves onto the last one.
    """
    if not entries:
        return []
    session.flush()  # the ORM's pending writes first, as when this went through the ORM
    connection = session.connection()
    count = len(entries)
    bumped = connection.execute(_BUMP_HEAD, {"entries": count}).one_or_none()
    if bumped is None:
        ensure_head(session)
        return record_many(session, entries, vault=vault)
    first: int = bumped.seq - count + 1
    head_hash: str = bumped.hash
    prev_hash = head_hash
    at = utcnow()
    rows: list[dict[str, Any]] = []
    for seq, note in enumerate(entries, start=first):
        actor = note.actor
        entry = AuditRecord(
            seq=seq,
            at=at,
            event=note.event,
            action=note.action.value,
            user_id=None if actor is None else actor.user_id,
            username=(actor.username if actor is not None else note.username),
            role=None if actor is None else actor.role.value,
            on_behalf_of=note.on_behalf_of,
            workstation=WORKSTATION,
            patient_ref=note.patient_ref,
            object_type=note.object_type,
            object_id=None if note.object_id is None else str(note.object_id),
            checks=(note.checks or Checks()).to_json(),
            detail=note.detail,
            prev_hash=prev_hash,
            hash="",
            state=note.state,
        )
        prev_hash = entry_hash(entry.hash_fields())
        rows.append(entry.values() | {"hash": prev_hash})
    connection.execute(_INSERT_ENTRY, rows)
    head_values: dict[str, Any] = {"hash": prev_hash}
    if vault is not None:
        previous = HeadState(
            first - 1, head_hash, sealed_seq=bumped.sealed_seq, sealed_hash=bumped.sealed_hash,
            sealed_at=bumped.sealed_at, seal=bumped.seal, pre_seal_entries=bumped.pre_seal_entries,
        )  # fmt: skip
        last = (first + count - 1, prev_hash)
        head_values |= _sealed(session, seal_key(vault), previous, entries[0].event, last)
    connection.execute(_SET_HEAD, head_values)
    return list(range(first, first + count))


def _sealed(
    session: Session, key: bytes, previous: HeadState, event: str, new: tuple[int, str]
) -> dict[str, Any]:
    """The head's new seal columns, or nothing when the chain since the last seal is broken.

    When the head is exactly as this transaction's own previous entry left it (sealed up to that
    entry), there is nothing between to check: the head row stays locked until the commit, so
    nobody else wrote since. Then the re-read is skipped, which a batch of letters (one
    transaction, an entry each) would otherwise pay per entry.
    """
    seq, digest = new
    transaction = session.get_transaction()
    own = session.info.get(_SEALED_HERE)
    ours = (
        own is not None
        and own[0] is transaction
        and own[1:] == (previous.seq, previous.hash, previous.sealed_seq, previous.seal)
    )
    problem = None if ours else _unsealable(session, key, previous, event)
    if problem is not None:
        # No patient data here: a reason and entry numbers.
        log.warning("audit seal stays at entry %s: %s", previous.sealed_seq, problem)
        session.info.pop(_SEALED_HERE, None)
        return {}
    at = utcnow()
    seal = seal_mac(key, seq, digest, at, previous.pre_seal_entries)
    session.info[_SEALED_HERE] = (transaction, seq, digest, seq, seal)
    return {"sealed_seq": seq, "sealed_hash": digest, "sealed_at": at, "seal": seal}


_SEALED_HERE = "gpdesk.audit.sealed_here"
"""``session.info`` key: (root transaction, seq, hash, sealed seq, seal) of the head as this
transaction's last sealed entry left it."""


def _unsealable(session: Session, key: bytes, previous: HeadState, event: str) -> str | None:
    """Why the entries up to ``previous.seq`` may not be sealed now; None when they may."""
    if previous.seal is None:
        if previous.pre_seal_entries is None:
            # Sealed from its first entry on: only the set-up of a practice starts a seal.
            if previous.seq == 0 and event == PRACTICE_INIT:
                return None
            return "het zegel ontbreekt"
        walk = _Walk(())  # an upgraded database, sealed for the first time: the whole chain
        records = _iter_rows(session, after=0, upto=previous.seq)
    else:
        if not seal_is_genuine(key, previous):
            return "het zegel klopt niet"
        assert previous.sealed_seq is not None
        records = _iter_rows(session, after=previous.sealed_seq - 1, upto=previous.seq)
        first = next(records, None)
        if (
            first is None
            or first.seq != previous.sealed_seq
            or first.hash != previous.sealed_hash
            or entry_hash(first.hash_fields()) != first.hash
        ):
            return "de verzegelde regel is gewijzigd"
        walk = _Walk((), first_seq=first.seq + 1, prev=first.hash)
    for rec in records:
        if not walk.add(rec):
            return walk.reason
    if walk.last_seq != previous.seq or walk.prev != previous.hash:
        return "de laatste regels ontbreken of zijn gewijzigd"
    return None


# -- reading and checking -------------------------------------------------------------------


def _to_record(row: AuditEntry) -> AuditRecord:
    return AuditRecord(
        seq=row.seq, at=row.at, event=row.event, action=row.action, user_id=row.user_id,
        username=row.username, role=row.role, on_behalf_of=row.on_behalf_of,
        workstation=row.workstation, patient_ref=row.patient_ref, object_type=row.object_type,
        object_id=row.object_id, checks=row.checks, detail=row.detail,
        prev_hash=row.prev_hash, hash=row.hash, state=row.state,
    )  # fmt: skip


def _iter_rows(
    session: Session, *, after: int = 0, upto: int | None = None, batch: int = 2000
) -> Iterator[AuditRecord]:
    """Entries in chain order as plain records, without touching the caller's ORM objects."""
    table = AuditEntry.__table__
    last = after
    while True:
        query = select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        if upto is not None:
            query = query.where(table.c.seq <= upto)
        rows = session.execute(query).mappings().all()
        if not rows:
            return
        for row in rows:
            yield AuditRecord(**{name: row[name] for name in _AUDIT_FIELDS})
        last = rows[-1]["seq"]


@dataclass(frozen=True)
class Anchor:
    """The tip as someone outside the database last saw it: a count and the hash at that entry."""

    seq: int
    hash: str
    noted: str = ""
    """Where or when it was taken, for the report (e.g. "back-up van 2026-05-03")."""


NOT_CHECKED_NO_KEY = "niet gecontroleerd (geen aanmelding)"
NO_ANCHOR = "geen anker bekend"


@dataclass(frozen=True)
class Verification:
    """Outcome of ``verify``: intact, or the first problem and where (in Dutch).

    ``chain``, ``key`` and ``anchor`` say in a few words what each check found, so the report
    shows which checks were done: "ketting: in orde; sleutel: niet gecontroleerd (…); anker: …".
    """

    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""
    chain: str = "in orde"
    key: str = NOT_CHECKED_NO_KEY
    anchor: str = NO_ANCHOR
    tip_seq: int = 0
    tip_hash: str = GENESIS

    def headline(self) -> str:
        """One Dutch line: in order with the count, or what is wrong and where."""
        if self.ok:
            return f"Logboek in orde: {self.checked} regels gecontroleerd."
        where = f"regel {self.broken_seq}: " if self.broken_seq is not None else ""
        return f"Logboek NIET in orde: {where}{self.reason}."

    def checks_line(self) -> str:
        """Which checks were done and what each found."""
        return f"ketting: {self.chain}; sleutel: {self.key}; anker: {self.anchor}"

    def tip_line(self) -> str:
        """The anchor to write down or compare: count and hash of the last entry."""
        return f"Anker: {self.tip_seq} regels, laatste hash {self.tip_hash}"


class _Walk:
    """One pass along the chain: the first break, and the hashes of the entries asked for."""

    def __init__(self, watch: Collection[int], *, first_seq: int = 1, prev: str = GENESIS) -> None:
        self.expected_seq = first_seq
        self.prev = prev
        self.count = 0
        self.watch = set(watch)
        self.seen: dict[int, str] = {}
        self.first_event: str | None = None
        self.broken_seq: int | None = None
        self.reason = ""

    @property
    def last_seq(self) -> int:
        """The last entry that fitted the chain."""
        return self.expected_seq - 1

    def add(self, rec: AuditRecord) -> bool:
        """Check one entry; False (and the reason kept) once the chain breaks."""
        self.count += 1
        if rec.seq != self.expected_seq:
            missing = self.expected_seq if rec.seq > self.expected_seq else rec.seq
            return self._broken(missing, "een regel ontbreekt of is ingevoegd")
        if rec.prev_hash != self.prev:
            return self._broken(rec.seq, "de keten is onderbroken")
        if entry_hash(rec.hash_fields()) != rec.hash:
            return self._broken(rec.seq, "de inhoud is gewijzigd")
        if self.first_event is None:
            self.first_event = rec.event
        if rec.seq in self.watch:
            self.seen[rec.seq] = rec.hash
        self.prev = rec.hash
        self.expected_seq += 1
        return True

    def _broken(self, seq: int, reason: str) -> bool:
        self.broken_seq, self.reason = seq, reason
        return False


def _tip_problem(walk: _Walk, head: tuple[int, str]) -> tuple[int, str] | None:
    head_seq, head_hash = head
    last_seq = walk.last_seq
    if head_seq > last_seq:
        return last_seq + 1, "de laatste regels ontbreken of zijn gewijzigd"
    if head_seq < last_seq:
        # Entries after the tip: the first one past it was added around gpdesk.
        return head_seq + 1, "er is een regel toegevoegd"
    if head_seq and head_hash != walk.prev:
        return head_seq, "de laatste regel is gewijzigd"
    return None


def verify_records(records: Iterable[AuditRecord], head: tuple[int, str] | None) -> Verification:
    """Check sequence, chain and hashes; ``head`` is (seq, hash) of the tip row."""
    walk = _Walk(())
    for rec in records:
        if not walk.add(rec):
            return Verification(False, walk.count, walk.broken_seq, walk.reason)
    problem = None if head is None else _tip_problem(walk, head)
    if problem is not None:
        return Verification(False, walk.count, *problem)
    return Verification(True, walk.count)


Problem = tuple[int | None, str]


def check_trail(
    records: Iterable[AuditRecord],
    head: HeadState | None,
    *,
    practice_exists: bool,
    key: bytes | None = None,
    anchor: Anchor | None = None,
) -> Verification:
    """Every check on a whole log: chain and tip, its beginning and seal, the key, the anchor.

    ``practice_exists``: the database holds a practice (or accounts), so its log cannot be
    empty. ``key`` (from ``seal_key``) checks the seal; without it that check is reported as
    not done. ``anchor`` is the last tip known outside the database.
    """
    watch = [s for s in (head and head.sealed_seq, anchor and anchor.seq) if s]
    walk = _Walk(watch)
    for rec in records:
        if not walk.add(rec):
            break
    intact = walk.broken_seq is None
    problems: list[Problem] = []
    if not intact:
        problems.append((walk.broken_seq, walk.reason))
    elif head is not None and (tip := _tip_problem(walk, (head.seq, head.hash))) is not None:
        problems.append(tip)
    problems += _structure_problems(walk, head, practice_exists=practice_exists)
    chain = "in orde" if not problems else "NIET in orde"
    key_text, key_problem = _key_check(walk, head, key, practice_exists=practice_exists)
    anchor_text, anchor_problem = _anchor_check(walk, anchor)
    problems += [p for p in (key_problem, anchor_problem) if p is not None]
    first = problems[0] if problems else None
    return Verification(
        ok=first is None, checked=walk.count,
        broken_seq=None if first is None else first[0], reason="" if first is None else first[1],
        chain=chain, key=key_text, anchor=anchor_text, tip_seq=walk.last_seq, tip_hash=walk.prev,
    )  # fmt: skip


def _structure_problems(
    walk: _Walk, head: HeadState | None, *, practice_exists: bool
) -> list[Problem]:
    """What a practice's log must look like, checked without a key."""
    if not practice_exists:
        return []
    if head is None:
        return [(None, "de kop van het logboek (audit_head) ontbreekt")]
    upgraded = head.pre_seal_entries is not None
    problems: list[Problem] = []
    if walk.count == 0 and walk.broken_seq is None:
        if not upgraded:
            return [(None, "het logboek is leeg, maar de praktijk bestaat al")]
    elif walk.broken_seq != 1 and not upgraded and walk.first_event != PRACTICE_INIT:
        problems.append(
            (1, "de eerste regels ontbreken (het logboek begint niet bij het opzetten)")
        )
    if head.seal is None:
        if not upgraded:
            problems.append((None, "het zegel ontbreekt"))
    elif walk.broken_seq is None or (head.sealed_seq or 0) < walk.broken_seq:
        sealed_seq = head.sealed_seq or 0
        if sealed_seq > walk.last_seq or walk.seen.get(sealed_seq) != head.sealed_hash:
            problems.append((sealed_seq, "het zegel past niet meer bij deze regel"))
    return problems


def _key_check(
    walk: _Walk, head: HeadState | None, key: bytes | None, *, practice_exists: bool
) -> tuple[str, Problem | None]:
    if key is None:
        return NOT_CHECKED_NO_KEY, None
    if head is None:
        return "niet gecontroleerd (de kop ontbreekt)", None
    pre = head.pre_seal_entries
    if head.seal is None:
        if pre is not None:
            return f"nog niet verzegeld ({pre} regels van voor de verzegeling)", None
        if not practice_exists:
            return "in orde (nog geen praktijk)", None
        return "NIET in orde (het zegel ontbreekt)", None  # named by the structure check
    if not seal_is_genuine(key, head):
        return "NIET in orde", (
            None,
            "het zegel is niet met de sleutel van deze praktijk gezet; "
            "het logboek is buiten gpdesk om gewijzigd",
        )
    sealed_seq = head.sealed_seq or 0
    if walk.seen.get(sealed_seq) != head.sealed_hash:
        return "NIET in orde (de verzegelde regels zijn gewijzigd)", None
    newer = walk.last_seq - sealed_seq
    parts = [f"verzegeld t/m regel {sealed_seq}"]
    if newer > 0:
        parts.append(f"{newer} nieuwere regels nog niet")
    if pre:
        parts.append(f"{pre} regels van voor de verzegeling")
    return f"in orde ({'; '.join(parts)})", None


def _anchor_check(walk: _Walk, anchor: Anchor | None) -> tuple[str, Problem | None]:
    if anchor is None:
        return NO_ANCHOR, None
    which = f"het anker ({anchor.noted})" if anchor.noted else "het anker"
    if walk.broken_seq is not None and walk.broken_seq <= anchor.seq:
        return "niet gecontroleerd (de ketting is eerder onderbroken)", None
    if anchor.seq > walk.last_seq:
        return "NIET in orde", (
            None,
            f"het logboek is korter dan {which}: {walk.last_seq} regels, "
            f"het anker noemt regel {anchor.seq}",
        )
    if anchor.seq and walk.seen.get(anchor.seq) != anchor.hash:
        return "NIET in orde", (anchor.seq, f"deze regel wijkt af van {which}")
    noted = f", {anchor.noted}" if anchor.noted else ""
    return f"in orde (regel {anchor.seq}{noted})", None


def practice_exists(session: Session) -> bool:
    """Whether this database holds a practice or accounts: then its log cannot be empty."""
    return bool(
        session.scalar(select(exists().select_from(Practice)))
        or session.scalar(select(exists().select_from(User)))
    )


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


def verify(
    session: Session, *, vault: Vault | None = None, anchor: Anchor | None = None
) -> Verification:
    """Verify the whole log against its head, the seal's key and the last anchor.

    Chain, tip, beginning and seal always; the seal's key when ``vault`` is given; and the last
    ``anchor`` known outside the database.
    """
    return check_trail(
        _iter_rows(session),
        read_head(session),
        practice_exists=practice_exists(session),
        key=None if vault is None else seal_key(vault),
        anchor=anchor,
    )


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
