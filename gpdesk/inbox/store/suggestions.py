"""Suggested patients for a letter that is not linked yet (issue #11 item 5): ranked, never stored.

The letter's facts (names on "Betreft:"-like lines, labelled birth dates, postcodes, phone
numbers, a labelled BSN) are read from its subject, text and readable attachments
(``gpdesk.inbox.matching.extract_facts``) and compared with every patient of the practice
(``suggest_patients``). The user confirms a suggestion with ``triage.link``; nothing is written
here but one audit entry for the whole comparison (``letter.match``): it opened the letter and
the patients' sealed name, birth date, postcode and phone.

Only what the letter gives is opened: a letter without a phone number never opens a phone, and
a name only when something else already matches (a name alone is never enough). The patients
suggested are checked against the state the audit chain last recorded for them (a
row put back from an older copy is refused), the others are only compared.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.inbox.matching import (
    MIN_SCORE,
    LetterFacts,
    PatientFacts,
    PatientMatch,
    extract_facts,
    suggest_patients,
)
from gpdesk.inbox.store.reading import letter_row, patient_ref_of
from gpdesk.inbox.store.triage import (
    refuse_closed,
    refuse_unless_letter_current,
)
from gpdesk.models import Letter, LetterPart, Patient, utcnow
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refuse_unless_current, refusing_tampered
from gpdesk.signals.consent import local_date

__all__ = ["patient_suggestions"]


def patient_suggestions(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    now: datetime | None = None,
    min_score: int = MIN_SCORE,
) -> list[PatientMatch]:
    """Patients this letter may be about, best first; empty for a letter already linked.

    Audited once (``letter.match``), commits nothing. Needs ``LETTER_READ`` and
    ``PATIENT_OPEN``: it reads the letter and the patients.
    """
    require(actor.permissions, Permission.LETTER_READ)
    require(actor.permissions, Permission.PATIENT_OPEN)
    moment = now or utcnow()
    letter = letter_row(session, letter_id)
    if letter.quarantine_reason is not None:
        refuse_closed(session, letter, "gekoppeld", filed_too=False)
    if letter.forgotten_at is not None or (
        letter.patient_id is not None and letter.match_confirmed
    ):
        return []
    with refusing_tampered(
        session, actor=actor, vault=vault, patient_ref=patient_ref_of(session, letter.patient_id)
    ):
        refuse_unless_letter_current(session, vault, letter.id)
        facts = extract_facts(_text(session, vault, letter), today=local_date(moment))
    compared = 0
    matches: list[PatientMatch] = []
    if not facts.empty:
        with refusing_tampered(session, actor=actor, vault=vault):
            candidates = _candidates(session, vault, facts, name_alone=min_score < MIN_SCORE)
            compared = session.scalar(select(func.count()).select_from(Patient)) or 0
            matches = suggest_patients(facts, candidates, min_score=min_score)
            for match in matches:
                patient = session.get(Patient, match.patient_id)
                assert patient is not None
                refuse_unless_current(
                    session, vault, "patient", patient.id, patient.bsn_index.hex()
                )
    audit.record(
        session, event="letter.match", action=audit.Action.READ, actor=actor,
        object_type="letter", object_id=letter.id, vault=vault,
        detail=f"terugkoppeling {letter.id} vergeleken met {compared} patiënten: "
        f"{len(matches)} suggesties",
    )  # fmt: skip
    return matches


def _text(session: Session, vault: Vault, letter: Letter) -> str:
    """Subject, text and the text of every readable attachment, one after the other."""
    pieces: list[str] = []
    for column in ("subject", "body_text"):
        blob = getattr(letter, column)
        if blob is not None:
            pieces.append(vault.open("letter", column, letter.id, bytes(blob)))
    parts = session.scalars(
        select(LetterPart)
        .where(LetterPart.letter_id == letter.id, LetterPart.safe_to_open)
        .order_by(LetterPart.position)
    )
    for part in parts:
        if part.text is not None:
            pieces.append(vault.open("letter_part", "text", part.id, bytes(part.text)))
    return "\n".join(pieces)


def _candidates(
    session: Session, vault: Vault, facts: LetterFacts, *, name_alone: bool
) -> list[PatientFacts]:
    """The patients worth scoring, with only the fields the letter can be compared with opened.

    A name alone never reaches ``MIN_SCORE`` (``gpdesk.inbox.matching``), so unless
    ``name_alone`` a patient is only scored when the birth date, postcode, phone number or BSN
    is one the letter gives; their name is opened only then. That keeps a practice of a few
    thousand patients well under a second: the name comparison is the costly part.
    """
    want_postcode = bool(facts.postcodes)
    want_phone = bool(facts.phones)
    want_bsn = bool(facts.bsns)
    rows = session.execute(
        select(
            Patient.id, Patient.name, Patient.birth_date, Patient.postcode, Patient.phone,
            Patient.bsn,
        ).order_by(Patient.id)
    )  # fmt: skip
    found: list[PatientFacts] = []
    for pid, name, birth, postcode, phone, bsn in rows:
        born = date.fromisoformat(vault.open("patient", "birth_date", pid, bytes(birth)))
        lives = vault.open("patient", "postcode", pid, bytes(postcode)) if want_postcode else None
        calls = (
            vault.open("patient", "phone", pid, bytes(phone))
            if want_phone and phone is not None
            else None
        )
        number = vault.open("patient", "bsn", pid, bytes(bsn)) if want_bsn else None
        shared = (
            born in facts.birth_dates
            or lives in facts.postcodes
            or calls in facts.phones
            or number in facts.bsns
        )
        if not (shared or name_alone):
            continue
        found.append(
            PatientFacts(
                id=pid,
                name=vault.open("patient", "name", pid, bytes(name)),
                birth_date=born,
                postcode=lives,
                phone=calls,
                bsn=number,
            )
        )
    return found
