"""Storing what came in: once, sealed, with its audit entry, before the source may forget it.

``receive`` works in the caller's session and commits nothing; the caller commits, and only
then tells the source (the IMAP server, the drop folder) that the message is safe. A crash in
between means the source hands it again, and the unique ``message_id`` and ``content_hash``
make the second time a duplicate, not a second letter. Two workstations storing the same
message at once meet at the same unique index: the second one's insert fails inside a
savepoint and it reports the first one's letter as the duplicate.

A reference found in the letter links it to its signal (and so to the patient and team) at
once. A one-click answer (``SIG-2026-000123 ontvangen``) also moves that signal's status, as
the wijkteam's own step on the timeline, when the move is one the timeline allows: a late
"ontvangen" after "afgerond" changes nothing. Any other letter from that team is assigned to
the team's feedback contact (a role, ``routing``), by gpdesk, as a step of its own.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Final

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpdesk.inbox.store.reading import patient_ref_of
from gpdesk.inbox.store.routing import routed_role
from gpdesk.inbox.store.shapes import MAX_SUBJECT, Incoming, Received
from gpdesk.inbox.store.triage import ASSIGNED_STEP
from gpdesk.models import (
    EventSource,
    Letter,
    LetterEvent,
    LetterPart,
    LetterSource,
    LetterState,
    Signal,
    SignalStatus,
    utcnow,
)
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.signals.replies import ReplyStatus
from gpdesk.signals.store import CLOSED, TRANSITIONS, add_event
from gpdesk.signals.store.shapes import record_states

log = logging.getLogger(__name__)

RECEIVED_STEP: Final = "ontvangen"
QUARANTINED_STEP: Final = "in quarantaine"
REPLY_LABEL: Final = "wijkteam via antwoordlink"

_REPLY_TARGET: Final = {
    ReplyStatus.RECEIVED: SignalStatus.RECEIVED,
    ReplyStatus.IN_PROGRESS: SignalStatus.IN_PROGRESS,
    ReplyStatus.COMPLETED: SignalStatus.COMPLETED,
    ReplyStatus.NOT_REACHED: SignalStatus.NOT_REACHED,
}

_SOURCE_WORDS: Final = {
    LetterSource.IMAP: "uit de mailbox",
    LetterSource.FOLDER: "uit de map",
    LetterSource.DROPPED: "gesleept",
    LetterSource.IMPORTED: "ingelezen",
    LetterSource.PHONE: "telefonisch",
}


def content_hash(raw: bytes) -> str:
    """SHA-256 of the bytes as received: the same file twice is the same letter."""
    return hashlib.sha256(raw).hexdigest()


def stored_as(session: Session, digest: str | None, message_id: str | None) -> int | None:
    """The letter already stored with this content or Message-ID, if any."""
    clauses = []
    if digest is not None:
        clauses.append(Letter.content_hash == digest)
    if message_id:
        clauses.append(Letter.message_id == message_id)
    if not clauses:
        return None
    return session.scalar(select(Letter.id).where(or_(*clauses)).order_by(Letter.id).limit(1))


def receive(
    session: Session,
    vault: Vault,
    actor: Actor | None,
    incoming: Incoming,
    *,
    now: datetime | None = None,
) -> Received:
    """Store ``incoming`` once as a letter, sealed and audited; commits nothing.

    ``actor`` is the signed-in user whose workstation fetched it (None: gpdesk itself, e.g. a
    scheduled fetch from the command line). Returns the existing letter, marked duplicate,
    when the same bytes or Message-ID were stored before.
    """
    moment = now or utcnow()
    digest = content_hash(incoming.raw)
    message_id = message_key(incoming.message_id)
    known = stored_as(session, digest, message_id)
    if known is not None:
        return Received(letter_id=known, duplicate=True)
    try:
        with session.begin_nested():
            letter = _insert(
                session, vault, actor, incoming, digest=digest, message_id=message_id, at=moment
            )
    except IntegrityError:
        # Another workstation stored it between our look and our insert.
        known = stored_as(session, digest, message_id)
        if known is None:
            raise
        return Received(letter_id=known, duplicate=True)
    reference = None
    changed = False
    if letter.signal_id is not None:
        signal = session.get(Signal, letter.signal_id)
        assert signal is not None
        reference = signal.reference
        changed = apply_reply(session, vault, signal, incoming, letter_id=letter.id, at=moment)
    return Received(
        letter_id=letter.id,
        duplicate=False,
        signal_reference=reference,
        status_changed=changed,
        quarantined=incoming.quarantine is not None,
    )


def message_key(value: str | None) -> str | None:
    """The Message-ID as a key: without spaces and angle brackets, None when unusable."""
    if not value:
        return None
    text = "".join(value.split()).strip("<>")
    return text[:255] or None


def signal_for(session: Session, references: Sequence[str]) -> Signal | None:
    """The first reference in the letter that names a signal of this practice."""
    for reference in references:
        signal = session.scalar(select(Signal).where(Signal.reference == reference.upper()))
        if signal is not None:
            return signal
    return None


def _insert(
    session: Session,
    vault: Vault,
    actor: Actor | None,
    incoming: Incoming,
    *,
    digest: str,
    message_id: str | None,
    at: datetime,
) -> Letter:
    """The letter, its parts and first step, sealed, and the audit entry with their states."""
    quarantine = incoming.quarantine
    signal = None if quarantine else signal_for(session, incoming.references)
    letter = Letter(
        received_at=at,
        source=incoming.source,
        source_id=incoming.source_id,
        message_id=message_id,
        content_hash=digest,
        size=len(incoming.raw),
        file_type=incoming.file_type,
        sender_address=short(incoming.sender_address, 255),
        sender_name=short(incoming.sender_name, 200),
        sent_at=incoming.sent_at,
        state=LetterState.NEW,
        kind=None if quarantine else incoming.kind,
        urgent=bool(incoming.urgent and not quarantine),
        signature=incoming.signature,
        quarantine_reason=None if quarantine is None else quarantine.reason,
        quarantine_code=None if quarantine is None else quarantine.code,
        signal_id=None if signal is None else signal.id,
        patient_id=None if signal is None else signal.patient_id,
        match_confirmed=signal is not None,
        team_id=None if signal is None else signal.team_id,
        team_name=None if signal is None else signal.team_name,
    )
    session.add(letter)
    session.flush()
    letter.raw = vault.seal_bytes("letter", "raw", letter.id, incoming.raw)
    if not quarantine:
        letter.subject = vault.seal("letter", "subject", letter.id, incoming.subject[:MAX_SUBJECT])
        letter.body_text = vault.seal("letter", "body_text", letter.id, incoming.body_text)
        if incoming.body_html:
            letter.body_html = vault.seal("letter", "body_html", letter.id, incoming.body_html)
    records: list[tuple[str, int]] = [("letter", letter.id)]
    rows = [
        LetterPart(
            letter_id=letter.id, position=position, content_type=part.content_type[:128],
            size=len(part.data), sha256=part.sha256, part_kind=part.part_kind,
            safe_to_open=part.safe_to_open, problem=part.problem,
            check_pending=part.check_pending,
        )
        for position, part in enumerate(() if quarantine else incoming.parts)
    ]  # fmt: skip
    step = LetterEvent(
        letter_id=letter.id,
        step=QUARANTINED_STEP if quarantine else RECEIVED_STEP,
        at=at,
        actor_id=None if actor is None else actor.user_id,
        actor_label=None if actor is not None else "gpdesk",
    )
    session.add_all([*rows, step])
    session.flush()  # one flush for the parts and the first step: their ids place the seals
    for row, part in zip(rows, incoming.parts, strict=False):
        row.filename = vault.seal("letter_part", "filename", row.id, part.filename)
        row.data = vault.seal_bytes("letter_part", "data", row.id, part.data)
        if part.text:
            row.text = vault.seal("letter_part", "text", row.id, part.text)
        records.append(("letter_part", row.id))
    records.append(("letter_event", step.id))
    contact = None
    if signal is not None and incoming.reply_status is None:
        contact = to_feedback_contact(session, vault, letter, signal, at=at)
        if contact is not None:
            records.append(("letter_event", contact[1]))
    patient_ref = patient_ref_of(session, letter.patient_id)
    reference = None if signal is None else signal.reference
    detail = describe_receipt(incoming, reference, None if contact is None else contact[0])
    audit.record(
        session, event="letter.quarantine" if quarantine else "letter.receive",
        action=audit.Action.CREATE, actor=actor,
        username=None if actor is not None else "systeem", patient_ref=patient_ref,
        object_type="letter", object_id=letter.id, detail=detail, vault=vault,
        state=record_states(session, vault, records),
    )  # fmt: skip
    if quarantine:
        # The reason is gpdesk's own words about the file; never its content.
        log.warning("letter %s quarantined: %s", letter.id, quarantine.code)
    return letter


def to_feedback_contact(
    session: Session, vault: Vault, letter: Letter, signal: Signal, *, at: datetime
) -> tuple[Role, int] | None:
    """A letter from a known team goes to that team's feedback contact (``routing``).

    Assigned by gpdesk itself, as a step of its own; returns the role and the step's id, or
    None when the contact's role may not read letters (then it stays unassigned).
    """
    role = routed_role(session, vault, signal.team_id)
    if role is None:
        return None
    letter.state = LetterState.ASSIGNED
    letter.assignee_role = role.value
    step = LetterEvent(
        letter_id=letter.id, step=ASSIGNED_STEP, at=at, actor_id=None, actor_label="gpdesk"
    )
    session.add(step)
    session.flush()
    step.note = vault.seal("letter_event", "note", step.id, contact_note(role))
    return role, step.id


def contact_note(role: Role) -> str:
    """The note of gpdesk's own assignment to a team's feedback contact."""
    return f"aan {role.label} (terugkoppelcontact van het team)"


def describe_receipt(incoming: Incoming, reference: str | None, routed: Role | None) -> str:
    """The audit detail of a received letter: what it was, from where, where it went; no content."""
    detail = f"{incoming.file_type} {_SOURCE_WORDS[incoming.source]}"
    if incoming.quarantine:
        detail += f"; quarantaine: {incoming.quarantine.code}"
    elif reference is not None:
        detail += f"; bij {reference}"
        if routed is not None:
            detail += f"; toegewezen aan rol {routed.label}"
    else:
        detail += "; niet gekoppeld"
    return detail


def apply_reply(
    session: Session,
    vault: Vault,
    signal: Signal,
    incoming: Incoming,
    *,
    letter_id: int,
    at: datetime,
) -> bool:
    """A one-click answer moves its signal, as the team's step; True when it did."""
    if incoming.reply_status is None:
        return False
    try:
        target = _REPLY_TARGET[ReplyStatus(incoming.reply_status)]
    except ValueError:
        return False
    if signal.status in CLOSED or target not in TRANSITIONS[signal.status]:
        return False  # a late answer never reopens: that takes a user and a reason
    add_event(
        session, vault, signal, target, source=EventSource.REPLY, at=at,
        actor_label=REPLY_LABEL, event="signal.status",
        detail=f"{signal.reference}: {signal.status.value} -> {target.value}; antwoordlink "
        f"(terugkoppeling {letter_id})",
    )  # fmt: skip
    return True


def short(value: str | None, length: int) -> str | None:
    """A header value on one line, cut to its column's length; None when nothing is left."""
    if value is None:
        return None
    text = " ".join(value.split())
    return text[:length] or None
