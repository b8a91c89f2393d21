"""The inbox read: a list of letters, newest first, with the subject opened for this user.

The plain columns (state, kind, dates, links) list and filter without unlocking anything; only
the subject is opened, because a letter's subject may name the patient. Reading the list is one
audit entry, not one per letter.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from gpdesk.errors import GpdeskError
from gpdesk.inbox.store.shapes import LetterSummary
from gpdesk.models import Letter, LetterSource, LetterState, Patient, Signal, User
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refusing_tampered

QUARANTINE_SUBJECT = "(in quarantaine: niet geopend)"
FORGOTTEN_SUBJECT = "(inhoud verwijderd na de bewaartermijn)"


def list_letters(
    session: Session,
    vault: Vault,
    actor: Actor,
    *,
    state: LetterState | None = None,
    limit: int | None = None,
) -> list[LetterSummary]:
    """Letters newest first; ``state`` keeps only those in that triage state.

    For the command line: every letter (or ``limit``) at once, its content left unread. The
    screen pages through ``listing.letter_page`` instead.
    """
    require(actor.permissions, Permission.LETTER_READ)
    query = (
        select(Letter, Signal.reference, User.display_name)
        .options(defer(Letter.raw), defer(Letter.body_text), defer(Letter.body_html))
        .outerjoin(Signal, Signal.id == Letter.signal_id)
        .outerjoin(User, User.id == Letter.filed_by_id)
        .order_by(Letter.received_at.desc(), Letter.id.desc())
    )
    if state is not None:
        query = query.where(Letter.state == state)
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    result = []
    with refusing_tampered(session, actor=actor, vault=vault):
        for letter, reference, filed_by in rows:
            result.append(summary(vault, letter, reference, filed_by))
    audit.record(
        session, event="letter.list", action=audit.Action.READ, actor=actor,
        detail=f"{len(result)} terugkoppelingen", vault=vault,
    )  # fmt: skip
    return result


def summary(
    vault: Vault, letter: Letter, reference: str | None, filed_by: str | None
) -> LetterSummary:
    """One list row; the subject opened in its place (a moved or changed one is refused)."""
    if letter.quarantine_reason is not None:
        subject = QUARANTINE_SUBJECT
    elif letter.forgotten_at is not None or letter.subject is None:
        subject = FORGOTTEN_SUBJECT if letter.forgotten_at is not None else ""
    else:
        subject = vault.open("letter", "subject", letter.id, bytes(letter.subject))
    return LetterSummary(
        id=letter.id,
        state=LetterState(letter.state),
        kind=letter.kind,
        source=LetterSource(letter.source),
        received_at=letter.received_at,
        subject=subject,
        sender=letter.sender_name or letter.sender_address,
        signal_reference=reference,
        patient_matched=letter.patient_id is not None and letter.match_confirmed,
        quarantine_reason=letter.quarantine_reason,
        urgent=letter.urgent,
        due_on=letter.due_on,
        filed_at=letter.filed_at,
        filed_by=filed_by,
        forgotten=letter.forgotten_at is not None,
    )


def letter_row(session: Session, letter_id: int) -> Letter:
    """The letter with this number, or a plain refusal."""
    row = session.get(Letter, letter_id)
    if row is None:
        raise GpdeskError(
            f"Er is geen terugkoppeling met nummer {letter_id}.",
            hint="Kijk in de lijst (gpdesk inbox list) welk nummer u bedoelt.",
        )
    return row


def patient_ref_of(session: Session, patient_id: int | None) -> str | None:
    """How the audit trail names the letter's patient (the BSN's blind index), if any."""
    if patient_id is None:
        return None
    patient = session.get(Patient, patient_id)
    return None if patient is None else patient.bsn_index.hex()


def role_words(value: str | None) -> str | None:
    """A stored role as the practice says it (``poh_ggz`` → ``POH-GGZ``); None stays None."""
    if value is None:
        return None
    try:
        return Role(value).label
    except ValueError:  # a role gpdesk no longer knows: its stored name, rather than nothing
        return value
