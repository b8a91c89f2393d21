"""The letters of one signal, for its timeline in Signaleren (issue #11: signal → feedback → filed).

A signal's timeline lists its status steps; the letters linked to it (answers, advice, phone
feedback) belong on the same line of time, so whoever looks at a signal sees what came back
and how far each letter got: "Advies ontvangen · toegewezen aan …", "overgenomen in HIS door
… op …". Plain columns say all of that; only the subject is opened (it may name the patient),
in its place, and reading them is one audit entry for the patient, not one per letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.inbox.store.reading import FORGOTTEN_SUBJECT, QUARANTINE_SUBJECT, patient_ref_of
from gpdesk.models import Letter, LetterSource, LetterState, Signal, User
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refusing_tampered

__all__ = ["SignalLetter", "letters_of_signal"]


@dataclass(frozen=True, repr=False)
class SignalLetter:
    """One letter on a signal's timeline: when, from whom, what kind, how far it got."""

    id: int
    received_at: datetime
    source: LetterSource
    team_name: str | None
    sender: str | None
    """The team member or team as the letter names them (for phone feedback: who called)."""
    kind: str | None
    kind_confirmed: bool
    urgent: bool
    state: LetterState
    assignee: str | None
    """A user's name, or a role's label when the letter waits for anyone in that role."""
    filed_at: datetime | None
    filed_by: str | None
    quarantined: bool
    forgotten: bool
    subject: str

    def __repr__(self) -> str:
        return f"SignalLetter({self.id}, {self.state.value})"  # the subject never in a log


def letters_of_signal(
    session: Session, vault: Vault, actor: Actor, signal_id: int
) -> list[SignalLetter]:
    """The letters linked to the signal, oldest first, their subjects opened for this user.

    Refused without ``LETTER_READ``: a practice may let someone open patients but not read
    feedback. A subject moved or changed outside gpdesk is refused (and audited) as in the
    inbox. One audit entry (``letter.list``) for the patient when there is anything to show.
    """
    require(actor.permissions, Permission.LETTER_READ)
    assignee = User.__table__.alias("assignee")
    filer = User.__table__.alias("filer")
    statement = (
        select(
            Letter.id, Letter.received_at, Letter.source, Letter.team_name, Letter.sender_name,
            Letter.sender_address, Letter.kind, Letter.kind_confirmed, Letter.urgent,
            Letter.state, Letter.assignee_role, Letter.filed_at, Letter.quarantine_reason,
            Letter.forgotten_at, Letter.subject,
            assignee.c.display_name.label("assignee_name"),
            filer.c.display_name.label("filer_name"),
        )
        .outerjoin(assignee, assignee.c.id == Letter.assignee_id)
        .outerjoin(filer, filer.c.id == Letter.filed_by_id)
        .where(Letter.signal_id == signal_id)
        .order_by(Letter.received_at, Letter.id)
    )  # fmt: skip
    rows = session.execute(statement).all()
    if not rows:
        return []
    result: list[SignalLetter] = []
    with refusing_tampered(session, actor=actor, vault=vault):
        for r in rows:
            if r.quarantine_reason is not None:
                subject = QUARANTINE_SUBJECT
            elif r.forgotten_at is not None:
                subject = FORGOTTEN_SUBJECT
            elif r.subject is None:
                subject = ""
            else:
                subject = vault.open("letter", "subject", r.id, bytes(r.subject))
            role = None if r.assignee_role is None else f"de {Role(r.assignee_role).label}"
            result.append(
                SignalLetter(
                    id=r.id,
                    received_at=r.received_at,
                    source=LetterSource(r.source),
                    team_name=r.team_name,
                    sender=r.sender_name or r.sender_address,
                    kind=r.kind,
                    kind_confirmed=r.kind_confirmed,
                    urgent=r.urgent,
                    state=LetterState(r.state),
                    assignee=r.assignee_name or role,
                    filed_at=r.filed_at,
                    filed_by=r.filer_name,
                    quarantined=r.quarantine_reason is not None,
                    forgotten=r.forgotten_at is not None,
                    subject=subject,
                )
            )
    patient_id = session.scalar(select(Signal.patient_id).where(Signal.id == signal_id))
    audit.record(
        session, event="letter.list", action=audit.Action.READ, actor=actor,
        patient_ref=patient_ref_of(session, patient_id), object_type="signal",
        object_id=signal_id, detail=f"{len(result)} terugkoppelingen bij een signaal",
        vault=vault,
    )  # fmt: skip
    return result
