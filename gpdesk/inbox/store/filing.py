"""Marking a letter as copied into the patient record ("overgenomen in HIS"): once, by one person.

Two assistants filing the same letter at the same moment file it once: the state moves with a
conditional UPDATE (only while it is not filed yet), so the second finds it already filed and
is told by whom and when instead of writing a second step.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.inbox.store.reading import letter_row, patient_ref_of, summary
from gpdesk.inbox.store.shapes import LetterSummary
from gpdesk.models import Letter, LetterEvent, LetterState, Signal, User, utcnow
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.store.shapes import record_states

FILED_STEP = "overgenomen in HIS"


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%d-%m-%Y %H:%M")


def file_letter(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    now: datetime | None = None,
) -> LetterSummary:
    """Record that ``actor`` copied the letter into the HIS; audited, commits nothing."""
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    row = letter_row(session, letter_id)
    if row.quarantine_reason is not None:
        raise GpdeskError(
            "Een bericht in quarantaine kan niet worden overgenomen in het HIS.",
            hint="Vraag de beheerder het bericht te bekijken.",
        )
    claimed = session.execute(
        update(Letter)
        .where(Letter.id == letter_id, Letter.filed_at.is_(None))
        .values(state=LetterState.FILED, filed_at=moment, filed_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    if not (isinstance(claimed, CursorResult) and claimed.rowcount == 1):
        session.refresh(row)
        who = session.get(User, row.filed_by_id) if row.filed_by_id is not None else None
        name = "iemand anders" if who is None else who.display_name
        when = "" if row.filed_at is None else f" op {_local(row.filed_at)}"
        raise GpdeskError(
            f"Deze terugkoppeling is al overgenomen in het HIS door {name}{when}.",
            hint="U hoeft niets meer te doen.",
        )
    session.refresh(row)
    step = LetterEvent(letter_id=row.id, step=FILED_STEP, at=moment, actor_id=actor.user_id)
    session.add(step)
    session.flush()
    patient_ref = patient_ref_of(session, row.patient_id)
    audit.record(
        session, event="letter.file", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient_ref, object_type="letter", object_id=row.id,
        detail=f"terugkoppeling {row.id} overgenomen in HIS", vault=vault,
        state=record_states(session, vault, [("letter_event", step.id)]),
    )  # fmt: skip
    reference = None
    if row.signal_id is not None:
        signal = session.get(Signal, row.signal_id)
        reference = None if signal is None else signal.reference
    return summary(vault, row, reference, actor.display_name)
