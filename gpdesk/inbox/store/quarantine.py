"""What waits in quarantine, by reason: for the beheerder, who decides what becomes of it.

Read from plain columns only (the reason is gpdesk's own sentence about what is wrong, never
a word of the file), like the navigation's counts: nothing is opened, so nothing is audited.
A beheerder who reads no letters sees this too; the letters themselves stay behind
``LETTER_READ`` in the Terugkoppeling area.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.models import Letter, LetterState
from gpdesk.security.actor import Actor
from gpdesk.security.permissions import Permission, PermissionDeniedError

WAITING: Final = (LetterState.NEW, LetterState.ASSIGNED)
"""A quarantined file the beheerder archived is done with; these still wait."""
MAX_REASONS: Final = 20


@dataclass(frozen=True)
class QuarantineReason:
    """How many waiting files share one reason."""

    reason: str
    code: str
    count: int


@dataclass(frozen=True)
class QuarantineOverview:
    """Every waiting quarantined file, counted by reason (most frequent first)."""

    total: int
    reasons: tuple[QuarantineReason, ...]


def quarantine_overview(session: Session, actor: Actor) -> QuarantineOverview:
    """The waiting quarantine by reason; for whoever reads letters or manages the practice."""
    if not actor.may(Permission.LETTER_READ) and not actor.may(Permission.SETTINGS_MANAGE):
        raise PermissionDeniedError(
            f"U hebt geen toestemming voor: {Permission.LETTER_READ.label}.",
            hint="Vraag de praktijkmanager om dit recht als u het nodig hebt.",
        )
    number = func.count().label("number")
    rows = session.execute(
        select(Letter.quarantine_reason, Letter.quarantine_code, number)
        .where(Letter.quarantine_code.is_not(None), Letter.state.in_(WAITING))
        .group_by(Letter.quarantine_reason, Letter.quarantine_code)
        .order_by(number.desc(), Letter.quarantine_code)
    ).all()
    reasons = tuple(
        QuarantineReason(reason=str(reason or ""), code=str(code), count=int(count))
        for reason, code, count in rows
    )
    return QuarantineOverview(total=sum(r.count for r in reasons), reasons=reasons[:MAX_REASONS])
