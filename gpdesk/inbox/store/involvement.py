"""Betrokkenheid (issue #11 item 5): a team supports a patient the practice never signalled.

A betrokkenheidsmelding is not an answer to anything, so it has no signal to update. Instead
the user registers what it says, "wijkteam X is betrokken sinds D", with the letter as its
source; from then on Signaleren shows it for that patient, and the signal form says the team
is already involved before a GP signals the patient again. A closing letter (afsluiting), or
the user by hand, ends it; the row stays, with who ended it and when.

Every function works in the caller's session and commits nothing. Registering and ending are
audited with the patient's reference; reading is audited once per call (``involvement.read``)
unless the caller says this screen already showed it. Registering twice (the same letter
again, or the same team for the same patient while the first is still open) gives back the
one that is there; two workstations at the same moment store one (a unique index on the open
rows, ``gpdesk.models.involvement``).

Permissions: registering and ending are triage (``LETTER_FILE``); reading is opening the
patient (``PATIENT_OPEN``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.reading import letter_row, patient_ref_of
from gpdesk.inbox.store.triage import confirm_kind
from gpdesk.models import Involvement, Letter, LetterState, User, utcnow
from gpdesk.models.signal import TEAM_NAME_LENGTH
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.consent import dutch_date, local_date

__all__ = [
    "ENDING_KINDS",
    "InvolvementInfo",
    "end_involvement",
    "ending_for_letter",
    "involvements_of",
    "register_involvement",
]

SINCE_FIELD: Final = "sinds"
TEAM_FIELD: Final = "team"
LETTER_FIELD: Final = "brief"

ENDING_KINDS: Final = frozenset({LetterKind.CLOSING.value})
"""A letter of these kinds may end a registration ("de hulp is afgerond")."""


@dataclass(frozen=True)
class InvolvementInfo:
    """One registration as screens show it: plain values, free of the session."""

    id: int
    patient_id: int
    team_id: str | None
    team_name: str
    since: date
    letter_id: int | None
    registered_by: str
    registered_at: datetime
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_letter_id: int | None = None

    @property
    def active(self) -> bool:
        """Not ended: the team still supports the patient, as far as the practice knows."""
        return self.ended_at is None

    @property
    def text(self) -> str:
        """``Wijkteam Nieuwland is betrokken sinds 03-12-2026``; ended: until when."""
        if self.ended_at is None:
            return f"{self.team_name} is betrokken sinds {dutch_date(self.since)}"
        return (
            f"{self.team_name} was betrokken van {dutch_date(self.since)} tot "
            f"{dutch_date(local_date(self.ended_at))}"
        )


def team_key(team_id: str | None, team_name: str) -> str:
    """One open registration per patient and this key: the team's id, else its folded name."""
    return team_id if team_id else "naam:" + " ".join(team_name.split()).casefold()


def _name(session: Session, user_id: int | None) -> str | None:
    user = None if user_id is None else session.get(User, user_id)
    return None if user is None else user.display_name


def _info(session: Session, row: Involvement) -> InvolvementInfo:
    return InvolvementInfo(
        id=row.id,
        patient_id=row.patient_id,
        team_id=row.team_id,
        team_name=row.team_name,
        since=row.since,
        letter_id=row.letter_id,
        registered_by=_name(session, row.registered_by_id) or "iemand anders",
        registered_at=row.registered_at,
        ended_at=row.ended_at,
        ended_by=_name(session, row.ended_by_id),
        end_letter_id=row.end_letter_id,
    )


def letter_since(letter: Letter) -> date:
    """The day a registration starts by default: when the team wrote (or the letter came)."""
    return local_date(letter.sent_at or letter.received_at)


def _team_of(letter: Letter, team_name: str | None) -> tuple[str | None, str]:
    """The letter's team (id and name); a name typed by the user only when the letter has none."""
    name = " ".join((letter.team_name or "").split())
    if name:
        return letter.team_id, name
    typed = " ".join((team_name or letter.sender_name or "").split())
    if not typed:
        raise ValidationError(
            {TEAM_FIELD: "gpdesk weet niet van welk wijkteam deze brief komt. Vul de naam "
             "van het team in."}
        )  # fmt: skip
    if len(typed) > TEAM_NAME_LENGTH:
        raise ValidationError(
            {TEAM_FIELD: f"De naam van het team is te lang (meer dan {TEAM_NAME_LENGTH} "
             "tekens). Kort die in."}
        )  # fmt: skip
    return None, typed


def _open_for(session: Session, patient_id: int, key: str) -> Involvement | None:
    return session.scalar(
        select(Involvement).where(
            Involvement.patient_id == patient_id,
            Involvement.team_key == key,
            Involvement.ended_at.is_(None),
        )
    )


def register_involvement(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    since: date | None = None,
    team_name: str | None = None,
    now: datetime | None = None,
) -> InvolvementInfo:
    """Betrokkenheid vastleggen: the letter's team supports the letter's patient since ``since``.

    The letter must be linked to its patient (confirmed) and be a betrokkenheidsmelding; when
    gpdesk only suggested that kind, registering confirms it (``triage.confirm_kind``).
    ``since`` defaults to the day the team wrote; it may not lie in the future. ``team_name``
    is used only when the letter names no team. Registering what is already registered (this
    letter, or this team for this patient while open) returns that one and records nothing.
    Audited (``involvement.register``); commits nothing.
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    row = letter_row(session, letter_id)
    if row.quarantine_reason is not None:
        raise GpdeskError(
            "Deze brief staat in quarantaine en is niet geopend; gpdesk kan er geen "
            "betrokkenheid uit vastleggen.",
            hint="Vraag de beheerder het bericht te bekijken, of vraag het wijkteam de brief "
            "opnieuw te sturen.",
        )
    if row.patient_id is None or not row.match_confirmed:
        raise ValidationError(
            {LETTER_FIELD: "Koppel de brief eerst aan de patiënt; daarna kunt u de "
             "betrokkenheid vastleggen."}
        )  # fmt: skip
    if row.kind != LetterKind.INVOLVEMENT.value:
        raise ValidationError(
            {LETTER_FIELD: "Alleen een betrokkenheidsmelding legt een betrokkenheid vast. "
             "Is dit er een? Kies dan eerst die soort brief."}
        )  # fmt: skip
    patient_id = row.patient_id
    team_id, name = _team_of(row, team_name)
    key = team_key(team_id, name)
    known = session.scalar(
        select(Involvement).where(Involvement.letter_id == row.id, Involvement.ended_at.is_(None))
    ) or _open_for(session, patient_id, key)
    if known is not None:
        return _info(session, known)
    day = since or letter_since(row)
    if day > local_date(moment):
        raise ValidationError(
            {SINCE_FIELD: "Deze datum ligt in de toekomst. Kies de dag waarop het team "
             "begon, volgens de brief."}
        )  # fmt: skip
    closed = row.forgotten_at is not None or row.state is LetterState.ARCHIVED
    if not row.kind_confirmed and not closed:
        confirm_kind(session, vault, actor, row.id, LetterKind.INVOLVEMENT, now=moment)
    created = Involvement(
        patient_id=patient_id, team_id=team_id, team_name=name, team_key=key, since=day,
        letter_id=row.id, registered_by_id=actor.user_id, registered_at=moment,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(created)
            session.flush()
    except IntegrityError:
        # Another workstation registered the same team for this patient a moment ago.
        known = _open_for(session, patient_id, key)
        if known is None:
            raise
        return _info(session, known)
    audit.record(
        session, event="involvement.register", action=audit.Action.CREATE, actor=actor,
        patient_ref=patient_ref_of(session, patient_id), object_type="involvement",
        object_id=created.id, vault=vault,
        detail=f"betrokkenheid {created.id} van {key} sinds {day.isoformat()}, "
        f"uit terugkoppeling {row.id}",
    )  # fmt: skip
    return _info(session, created)


def end_involvement(
    session: Session,
    vault: Vault,
    actor: Actor,
    involvement_id: int,
    *,
    letter_id: int | None = None,
    now: datetime | None = None,
) -> InvolvementInfo:
    """Betrokkenheid beëindigd: by hand, or (``letter_id``) after the team's closing letter.

    A closing letter must be the same patient's and an afsluiting; when gpdesk only suggested
    that kind, ending confirms it. Ending what is already ended says so. Audited
    (``involvement.end``); commits nothing.
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    row = session.get(Involvement, involvement_id)
    if row is None:
        raise GpdeskError(
            f"Er is geen betrokkenheid met nummer {involvement_id}.",
            hint="Open de patiënt opnieuw en kijk welke betrokkenheid er staat.",
        )
    if row.ended_at is not None:
        raise GpdeskError(
            f"Deze betrokkenheid is al beëindigd op {dutch_date(local_date(row.ended_at))}"
            f" door {_name(session, row.ended_by_id) or 'iemand anders'}.",
            hint="U hoeft niets meer te doen.",
        )
    if letter_id is not None:
        letter = letter_row(session, letter_id)
        if letter.patient_id != row.patient_id or not letter.match_confirmed:
            raise ValidationError(
                {LETTER_FIELD: "Deze brief hoort niet bij dezelfde patiënt. Koppel hem eerst "
                 "aan de patiënt, of beëindig de betrokkenheid zonder brief."}
            )  # fmt: skip
        if letter.kind not in ENDING_KINDS:
            raise ValidationError(
                {LETTER_FIELD: "Alleen een afsluitingsbrief beëindigt een betrokkenheid. "
                 "Beëindig hem anders zonder brief."}
            )  # fmt: skip
        closed = letter.forgotten_at is not None or letter.state is LetterState.ARCHIVED
        if not letter.kind_confirmed and not closed:
            confirm_kind(session, vault, actor, letter.id, LetterKind.CLOSING, now=moment)
    row.ended_at, row.ended_by_id, row.end_letter_id = moment, actor.user_id, letter_id
    session.flush()
    why = f", na terugkoppeling {letter_id}" if letter_id is not None else ""
    audit.record(
        session, event="involvement.end", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient_ref_of(session, row.patient_id), object_type="involvement",
        object_id=row.id, vault=vault, detail=f"betrokkenheid {row.id} beëindigd{why}",
    )  # fmt: skip
    return _info(session, row)


def involvements_of(
    session: Session,
    vault: Vault,
    actor: Actor,
    patient_id: int,
    *,
    include_ended: bool = False,
    audited: bool = False,
) -> list[InvolvementInfo]:
    """The patient's registrations, open ones first, newest first; the read is audited.

    ``audited``: this screen already showed them (a refresh): no new entry.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    query = select(Involvement).where(Involvement.patient_id == patient_id)
    if not include_ended:
        query = query.where(Involvement.ended_at.is_(None))
    rows = list(session.scalars(query))
    rows.sort(key=lambda r: (r.ended_at is not None, -r.since.toordinal(), -r.id))
    result = [_info(session, r) for r in rows]
    if result and not audited:
        audit.record(
            session, event="involvement.read", action=audit.Action.READ, actor=actor,
            patient_ref=patient_ref_of(session, patient_id), object_type="patient",
            object_id=patient_id, vault=vault, detail=f"{len(result)} betrokkenheden",
        )  # fmt: skip
    return result


def ending_for_letter(session: Session, actor: Actor, letter_id: int) -> InvolvementInfo | None:
    """The open registration this closing letter may end, for the reading pane to offer.

    Only for an afsluiting linked to its patient (confirmed), not in quarantine: the patient's
    open registration with the letter's team; for a letter that names no team (a bare PDF),
    the patient's only open registration. None when there is nothing to end. Not audited: the
    letter's own read is, and ending it is.
    """
    require(actor.permissions, Permission.LETTER_READ)
    row = letter_row(session, letter_id)
    if (
        row.kind not in ENDING_KINDS
        or row.patient_id is None
        or not row.match_confirmed
        or row.quarantine_reason is not None
    ):
        return None
    name = " ".join((row.team_name or "").split())
    if name:
        found = _open_for(session, row.patient_id, team_key(row.team_id, name))
        return None if found is None else _info(session, found)
    open_rows = session.scalars(
        select(Involvement)
        .where(Involvement.patient_id == row.patient_id, Involvement.ended_at.is_(None))
        .limit(2)
    ).all()
    return _info(session, open_rows[0]) if len(open_rows) == 1 else None


def involvements_of_letter(session: Session, actor: Actor, letter_id: int) -> list[InvolvementInfo]:
    """The registrations this letter started or ended, for the reading pane.

    Not audited: the letter's own read is.
    """
    require(actor.permissions, Permission.LETTER_READ)
    rows = session.scalars(
        select(Involvement)
        .where((Involvement.letter_id == letter_id) | (Involvement.end_letter_id == letter_id))
        .order_by(Involvement.id)
    )
    return [_info(session, r) for r in rows]
