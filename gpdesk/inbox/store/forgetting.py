"""Forgetting safely (issue #11 item 8): after filing and the retention period, only a stub stays.

A quarantined file the beheerder archived goes the same way after the same period. The
content (the bytes as received, subject, text, HTML) and every attachment are deleted; the
row stays with what says that there was a letter and what became of it (date, team, kind,
signal, who filed it when), with its steps and the audit trail. Each forgotten letter is one
audit entry with its new state, so ``gpdesk check`` sees the stub as gpdesk left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from gpdesk.errors import ValidationError
from gpdesk.inbox.store.reading import patient_ref_of
from gpdesk.models import Letter, LetterEvent, LetterPart, Practice, utcnow
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.store.shapes import record_states

FORGOTTEN_STEP = "inhoud verwijderd"
DEFAULT_RETENTION_DAYS = 90
MIN_RETENTION_DAYS = 30
"""Shorter would forget a letter before the assistant has checked the HIS copy against it."""
MAX_RETENTION_DAYS = 3650
"""Ten years: gpdesk is a transit tool; the medical record keeps the letter, not gpdesk."""


@dataclass(frozen=True)
class Forgotten:
    """How many letters lost their content in this pass, and the retention that applied."""

    letters: int
    retention_days: int


def retention_days(session: Session) -> int:
    """The practice's retention period for filed letters (days)."""
    days = session.scalar(select(Practice.letter_retention_days).limit(1))
    return DEFAULT_RETENTION_DAYS if days is None else int(days)


def set_retention_days(session: Session, vault: Vault, actor: Actor, days: int) -> int:
    """Set how long a filed or archived letter keeps its content; audited, for a beheerder only.

    Commits nothing. A shorter period applies from the next fetch on, also to letters filed
    before: their content then goes at the next housekeeping.
    """
    require(actor.permissions, Permission.SETTINGS_MANAGE)
    if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(
            {
                "retention": f"Kies een bewaartermijn van {MIN_RETENTION_DAYS} tot "
                f"{MAX_RETENTION_DAYS} dagen (tien jaar)."
            }
        )
    row = session.scalar(select(Practice).limit(1))
    if row is None:
        raise ValidationError({"retention": "Er is nog geen praktijk in deze database."})
    before = int(row.letter_retention_days)
    if before != days:
        row.letter_retention_days = days
        session.flush()
        audit.record(
            session, event="inbox.retention", action=audit.Action.UPDATE, actor=actor,
            object_type="practice", object_id=row.id,
            detail=f"bewaartermijn van {before} naar {days} dagen", vault=vault,
        )  # fmt: skip
    return days


def forget_expired(
    session: Session,
    vault: Vault,
    actor: Actor | None,
    *,
    now: datetime | None = None,
    batch: int = 100,
) -> Forgotten:
    """Delete the content of letters filed or archived longer ago than the retention period.

    Commits nothing. At most ``batch`` letters per call, oldest first, so one pass stays
    short; call again until it returns 0. Letters neither filed nor archived (nieuw,
    toegewezen, a quarantined file the beheerder has not looked at) are never touched.
    """
    moment = now or utcnow()
    days = retention_days(session)
    limit = moment - timedelta(days=days)
    due = list(
        session.scalars(
            select(Letter)
            .where(
                or_(Letter.filed_at < limit, Letter.archived_at < limit),
                Letter.forgotten_at.is_(None),
            )
            .order_by(Letter.id)
            .limit(batch)
        )
    )
    for letter in due:
        _forget(session, vault, actor, letter, at=moment, days=days)
    return Forgotten(letters=len(due), retention_days=days)


def _forget(
    session: Session, vault: Vault, actor: Actor | None, letter: Letter, *, at: datetime, days: int
) -> None:
    part_ids = list(session.scalars(select(LetterPart.id).where(LetterPart.letter_id == letter.id)))
    session.execute(delete(LetterPart).where(LetterPart.letter_id == letter.id))
    session.expire(letter, ["parts"])
    letter.raw = letter.subject = letter.body_text = letter.body_html = None
    letter.forgotten_at = at
    step = LetterEvent(
        letter_id=letter.id, step=FORGOTTEN_STEP, at=at,
        actor_id=None if actor is None else actor.user_id,
        actor_label="gpdesk" if actor is None else None,
    )  # fmt: skip
    session.add(step)
    session.flush()
    patient_ref = patient_ref_of(session, letter.patient_id)
    audit.record(
        session, event="letter.forget", action=audit.Action.DELETE, actor=actor,
        username=None if actor is not None else "systeem", patient_ref=patient_ref,
        object_type="letter", object_id=letter.id,
        detail=f"inhoud van terugkoppeling {letter.id} verwijderd na {days} dagen bewaren",
        vault=vault,
        state=record_states(
            session, vault, [("letter", letter.id), ("letter_event", step.id)],
            removed=[("letter_part", part_id) for part_id in part_ids],
        ),
    )  # fmt: skip
