"""Storing a batch of received letters at once: what ``receive`` does, without a flush per letter.

A drop folder hands letters fifty at a time (``gpdesk.inbox.fetching``). Storing each through the
ORM cost about five milliseconds: a flush for its id, another for its parts and first step,
the sealed values written in an UPDATE of their own, the record states read back, the audit head
moved. Here a batch costs a few statements per table: one look for duplicates, one for the
signals its references name, the ids reserved, the rows written whole (sealed values bound to
those ids included) in one executemany, and one audit entry per letter appended together
(``audit.record_many``), each with the states of the records it wrote, computed from the values
written rather than read back.

It gives the same letters, steps, routing and audit entries as ``receive`` letter by letter,
and commits nothing. A one-click answer still moves its signal through ``add_event`` (rare).
A failure (e.g. another workstation stored one of these letters between our look and our
insert, which the write lock taken by ``audit.lock_chain`` makes unlikely) raises: the caller
rolls the batch back and stores it letter by letter, which finds the one that failed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, cast

from sqlalchemy import Table, func, insert, or_, select, text
from sqlalchemy.orm import Session

from gpdesk.inbox.store.reading import patient_ref_of
from gpdesk.inbox.store.receiving import (
    QUARANTINED_STEP,
    RECEIVED_STEP,
    apply_reply,
    contact_note,
    content_hash,
    describe_receipt,
    message_key,
    short,
)
from gpdesk.inbox.store.routing import routed_role
from gpdesk.inbox.store.shapes import MAX_SUBJECT, Incoming, Received
from gpdesk.inbox.store.triage import ASSIGNED_STEP
from gpdesk.models import Letter, LetterEvent, LetterPart, LetterState, Signal
from gpdesk.models.base import utcnow
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.sealed import sealed_table, state_digest, state_json, state_key

log = logging.getLogger(__name__)

_LETTER = cast(Table, Letter.__table__)
_PART = cast(Table, LetterPart.__table__)
_EVENT = cast(Table, LetterEvent.__table__)
_NEXT_IDS: Final = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
)
_LOOKUP_CHUNK: Final = 400
"""Values per IN list: well below SQLite's and PostgreSQL's parameter limits."""


@dataclass(frozen=True)
class _Link:
    """The signal a letter's reference names, as the letter row needs it."""

    id: int
    reference: str
    patient_id: int | None
    team_id: str | None
    team_name: str | None


@dataclass
class _New:
    """One letter of the batch that is stored now."""

    index: int
    incoming: Incoming
    digest: str
    message_id: str | None
    link: _Link | None
    role: Role | None
    row: dict[str, Any] = field(default_factory=dict)
    id: int = 0
    records: list[tuple[str, int, str]] = field(default_factory=list)
    """(table, id, state) of what this letter wrote, for its audit entry."""


def receive_batch(
    session: Session,
    vault: Vault,
    actor: Actor | None,
    items: Sequence[Incoming],
    *,
    now: datetime | None = None,
) -> list[Received]:
    """``receive`` for each of ``items``, in order, in the caller's transaction.

    Takes the write lock first (``audit.lock_chain``; a no-op when the caller holds it): the
    look for duplicates and the ids reserved must hold until the commit.
    """
    audit.lock_chain(session)
    moment = now or utcnow()
    keyed = [(item, content_hash(item.raw), message_key(item.message_id)) for item in items]
    results: list[Received | None] = [None] * len(items)
    fresh, repeats = _sort_out(session, keyed, results)
    links = _signals(session, [item for _, item, _, _ in fresh if item.quarantine is None])
    roles: dict[str | None, Role | None] = {}
    new: list[_New] = []
    for index, item, digest, message_id in fresh:
        link = None
        if item.quarantine is None:
            link = next((links[r.upper()] for r in item.references if r.upper() in links), None)
        role = None
        if link is not None and item.reply_status is None:
            if link.team_id not in roles:
                roles[link.team_id] = routed_role(session, vault, link.team_id)
            role = roles[link.team_id]
        new.append(_New(index, item, digest, message_id, link, role))
    if new:
        _insert_letters(session, vault, new, moment)
        _insert_parts(session, vault, new)
        _insert_steps(session, vault, actor, new, moment)
        _record(session, vault, actor, new)
    for letter in new:
        item = letter.incoming
        changed = False
        if letter.link is not None and item.reply_status is not None:
            signal = session.get(Signal, letter.link.id)
            assert signal is not None
            changed = apply_reply(session, vault, signal, item, letter_id=letter.id, at=moment)
        if item.quarantine is not None:
            # The reason is gpdesk's own words about the file; never its content.
            log.warning("letter %s quarantined: %s", letter.id, item.quarantine.code)
        results[letter.index] = Received(
            letter_id=letter.id,
            duplicate=False,
            signal_reference=None if letter.link is None else letter.link.reference,
            status_changed=changed,
            quarantined=item.quarantine is not None,
        )
    for index, first in repeats.items():
        stored = results[first]
        assert stored is not None
        results[index] = Received(letter_id=stored.letter_id, duplicate=True)
    return [r for r in results if r is not None]


def _sort_out(
    session: Session,
    keyed: Sequence[tuple[Incoming, str, str | None]],
    results: list[Received | None],
) -> tuple[list[tuple[int, Incoming, str, str | None]], dict[int, int]]:
    """The items to store now, and for a repeat within the batch the index of its first.

    An item already stored gets its ``Received`` (duplicate) in ``results`` here.
    """
    known = _stored(session, keyed)
    earlier: dict[tuple[str, str], int] = {}
    repeats: dict[int, int] = {}
    fresh: list[tuple[int, Incoming, str, str | None]] = []
    for index, (item, digest, message_id) in enumerate(keyed):
        keys = [("h", digest), *([("m", message_id)] if message_id else [])]
        hits = [known[key] for key in keys if key in known]
        if hits:
            results[index] = Received(letter_id=min(hits), duplicate=True)
            continue
        first = next((earlier[key] for key in keys if key in earlier), None)
        if first is not None:
            repeats[index] = first  # the same message twice in one batch: stored once
            continue
        for key in keys:
            earlier[key] = index
        fresh.append((index, item, digest, message_id))
    return fresh, repeats


def _stored(
    session: Session, keyed: Sequence[tuple[Incoming, str, str | None]]
) -> dict[tuple[str, str], int]:
    """The letters already stored with any of these hashes or Message-IDs, by key."""
    digests = sorted({digest for _, digest, _ in keyed})
    message_ids = sorted({m for _, _, m in keyed if m})
    found: dict[tuple[str, str], int] = {}
    for start in range(0, max(len(digests), len(message_ids)), _LOOKUP_CHUNK):
        some_digests = digests[start : start + _LOOKUP_CHUNK]
        some_ids = message_ids[start : start + _LOOKUP_CHUNK]
        query = select(_LETTER.c.id, _LETTER.c.content_hash, _LETTER.c.message_id).where(
            or_(_LETTER.c.content_hash.in_(some_digests), _LETTER.c.message_id.in_(some_ids))
        )
        for letter_id, digest, message_id in session.execute(query):
            for key in (("h", digest), ("m", message_id)):
                if key[1] is not None and (key not in found or letter_id < found[key]):
                    found[key] = letter_id
    return found


def _signals(session: Session, items: Sequence[Incoming]) -> dict[str, _Link]:
    """The signals named by the references in ``items``, by reference."""
    references = sorted({r.upper() for item in items for r in item.references})
    table = cast(Table, Signal.__table__)
    links: dict[str, _Link] = {}
    for start in range(0, len(references), _LOOKUP_CHUNK):
        query = select(
            table.c.id, table.c.reference, table.c.patient_id, table.c.team_id, table.c.team_name
        ).where(table.c.reference.in_(references[start : start + _LOOKUP_CHUNK]))
        for row in session.execute(query):
            links[row.reference] = _Link(
                row.id, row.reference, row.patient_id, row.team_id, row.team_name
            )
    return links


def _insert_letters(session: Session, vault: Vault, new: list[_New], at: datetime) -> None:
    table = sealed_table("letter")
    key = state_key(vault)
    for letter, letter_id in zip(new, _reserve_ids(session, _LETTER, len(new)), strict=True):
        item, link, quarantine = letter.incoming, letter.link, letter.incoming.quarantine
        letter.id = letter_id
        letter.row = {
            "id": letter_id,
            "received_at": at, "source": item.source, "source_id": item.source_id,
            "message_id": letter.message_id, "content_hash": letter.digest,
            "size": len(item.raw), "file_type": item.file_type,
            "sender_address": short(item.sender_address, 255),
            "sender_name": short(item.sender_name, 200), "sent_at": item.sent_at,
            "state": LetterState.NEW if letter.role is None else LetterState.ASSIGNED,
            "assignee_role": None if letter.role is None else letter.role.value,
            "kind": None if quarantine else item.kind,
            "urgent": bool(item.urgent and not quarantine), "signature": item.signature,
            "quarantine_reason": None if quarantine is None else quarantine.reason,
            "quarantine_code": None if quarantine is None else quarantine.code,
            "signal_id": None if link is None else link.id,
            "patient_id": None if link is None else link.patient_id,
            "match_confirmed": link is not None,
            "team_id": None if link is None else link.team_id,
            "team_name": None if link is None else link.team_name,
        }  # fmt: skip
        values: dict[str, Any] = {
            "raw": vault.seal_bytes("letter", "raw", letter_id, item.raw),
            "subject": None, "body_text": None, "body_html": None,
        }  # fmt: skip
        if item.quarantine is None:
            subject = item.subject[:MAX_SUBJECT]
            values["subject"] = vault.seal("letter", "subject", letter_id, subject)
            values["body_text"] = vault.seal("letter", "body_text", letter_id, item.body_text)
            if item.body_html:
                values["body_html"] = vault.seal("letter", "body_html", letter_id, item.body_html)
        letter.row |= values
        letter.records.append(
            ("letter", letter_id, state_digest(key, table, letter_id, letter.row))
        )
    _insert(session, _LETTER, [letter.row for letter in new])


def _insert_parts(session: Session, vault: Vault, new: list[_New]) -> None:
    rows: list[dict[str, Any]] = []
    owners: list[tuple[_New, int]] = []
    for letter in new:
        if letter.incoming.quarantine is not None:
            continue
        for position, part in enumerate(letter.incoming.parts):
            row = {
                "letter_id": letter.id, "position": position,
                "content_type": part.content_type[:128], "size": len(part.data),
                "sha256": part.sha256, "part_kind": part.part_kind,
                "safe_to_open": part.safe_to_open, "problem": part.problem,
                "check_pending": part.check_pending,
            }  # fmt: skip
            rows.append(row)
            owners.append((letter, position))
    if not rows:
        return
    table = sealed_table("letter_part")
    key = state_key(vault)
    ids = _reserve_ids(session, _PART, len(rows))
    for row, (letter, position), part_id in zip(rows, owners, ids, strict=True):
        part = letter.incoming.parts[position]
        row |= {
            "id": part_id,
            "filename": vault.seal("letter_part", "filename", part_id, part.filename),
            "data": vault.seal_bytes("letter_part", "data", part_id, part.data),
            "text": vault.seal("letter_part", "text", part_id, part.text) if part.text else None,
        }
        letter.records.append(("letter_part", part_id, state_digest(key, table, part_id, row)))
    _insert(session, _PART, rows)


def _insert_steps(
    session: Session, vault: Vault, actor: Actor | None, new: list[_New], at: datetime
) -> None:
    """Each letter's first step, and for one routed to a feedback contact the assignment."""
    rows: list[dict[str, Any]] = []
    owners: list[tuple[_New, Role | None]] = []
    for letter in new:
        first = {
            "letter_id": letter.id,
            "step": QUARANTINED_STEP if letter.incoming.quarantine else RECEIVED_STEP,
            "at": at, "actor_id": None if actor is None else actor.user_id,
            "actor_label": None if actor is not None else "gpdesk", "to_user_id": None,
        }  # fmt: skip
        rows.append(first)
        owners.append((letter, None))
        if letter.role is not None:
            rows.append(first | {"step": ASSIGNED_STEP, "actor_id": None, "actor_label": "gpdesk"})
            owners.append((letter, letter.role))
    table = sealed_table("letter_event")
    key = state_key(vault)
    ids = _reserve_ids(session, _EVENT, len(rows))
    for row, (letter, role), step_id in zip(rows, owners, ids, strict=True):
        note = None
        if role is not None:
            note = vault.seal("letter_event", "note", step_id, contact_note(role))
        row |= {"id": step_id, "note": note}
        letter.records.append(("letter_event", step_id, state_digest(key, table, step_id, row)))
    _insert(session, _EVENT, rows)


def _record(session: Session, vault: Vault, actor: Actor | None, new: list[_New]) -> None:
    """One audit entry per letter, with the states of the records it wrote."""
    patients: dict[int | None, str | None] = {}
    entries: list[audit.Entry] = []
    for letter in new:
        item, link = letter.incoming, letter.link
        patient_id = None if link is None else link.patient_id
        if patient_id not in patients:
            patients[patient_id] = patient_ref_of(session, patient_id)
        states: dict[str, dict[int, str]] = {}
        for table, record_id, state in letter.records:
            states.setdefault(table, {})[record_id] = state
        entry = audit.Entry(
            event="letter.quarantine" if item.quarantine else "letter.receive",
            action=audit.Action.CREATE, actor=actor,
            username=None if actor is not None else "systeem",
            patient_ref=patients[patient_id], object_type="letter", object_id=letter.id,
            detail=describe_receipt(item, None if link is None else link.reference, letter.role),
            state=state_json(states),
        )  # fmt: skip
        entries.append(entry)
    audit.record_many(session, entries, vault=vault)


def _reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """Ids for ``count`` new rows of ``table``, known before they are written.

    The sealed values are bound to their row's id; knowing the ids first lets each row be
    written once, whole, in one statement for the batch. PostgreSQL hands them out from the
    table's own sequence; on SQLite they follow the highest id, which nobody else can take
    meanwhile: the caller holds the write lock (``audit.lock_chain``), and should someone
    have written anyway, the insert fails on the primary key and nothing of the batch stays.
    """
    if count == 0:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        reserved = connection.execute(
            text(
                "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
            ),
            {"table": table.name, "n": count},
        )
        return sorted(int(value) for value in reserved.scalars())
    highest = connection.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(highest + 1, highest + 1 + count))


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write whole rows, ids and sealed values included, in one executemany."""
    session.connection().execute(insert(table), rows)
