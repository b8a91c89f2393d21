"""Feedback that came by phone (issue #11 item 1d): written down, it is a letter like any other.

Most feedback from a wijkteam comes by phone and never reaches the record. Whoever takes the
call writes down who called, when, about which signal or patient, and what was agreed; gpdesk
keeps that as a letter (source ``telefoon``), sealed like a received one, so it is assigned,
copied into the HIS and filed the same way. There are no received bytes: ``raw``,
``content_hash`` and ``message_id`` stay empty; the text is what was agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.errors import ValidationError
from gpdesk.inbox.kinds import suggest_kind
from gpdesk.inbox.store.reading import patient_ref_of, summary
from gpdesk.inbox.store.shapes import MAX_SUBJECT, LetterSummary
from gpdesk.inbox.store.triage import (
    PATIENT_FIELD,
    SIGNAL_FIELD,
    add_step,
)
from gpdesk.models import Letter, LetterSource, LetterState, Patient, Signal, utcnow
from gpdesk.models.kaart import Service, ServiceKind, ServiceStatus
from gpdesk.models.signal import TEAM_NAME_LENGTH, SignalStatus
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.signals.store.shapes import CLOSED, record_states

__all__ = [
    "PHONE_STEP",
    "PhoneChoices",
    "PhoneFeedback",
    "SignalChoice",
    "patient_of_bsn",
    "phone_choices",
    "record_phone_feedback",
]

PHONE_STEP: Final = "telefonisch vastgelegd"
FILE_TYPE: Final = "telefoon"
MAX_CALLER: Final = 200
"""As ``Letter.sender_name``."""
MAX_AGREED: Final = 10_000
CLOCK_SLACK: Final = timedelta(minutes=5)
"""A call "in the future" by less than this is a workstation clock running a little fast."""

CALLER_FIELD: Final = "beller"
TEAM_FIELD: Final = "organisatie"
CALLED_AT_FIELD: Final = "tijdstip"
AGREED_FIELD: Final = "afspraak"
RECENT_SIGNALS: Final = timedelta(days=180)
"""A closed signal stays offered this long: a team often calls back after closing."""
MAX_SIGNAL_CHOICES: Final = 20


@dataclass(frozen=True, kw_only=True, repr=False)
class PhoneFeedback:
    """One phone call from a team, as the person who took it writes it down.

    ``caller`` is the team member (never the patient); ``team`` their organisation or team as
    they said it; ``signal_reference`` or ``patient_id`` say whom it is about, when known.
    """

    caller: str
    team: str = ""
    called_at: datetime
    signal_reference: str | None = None
    patient_id: int | None = None
    agreed: str

    def __repr__(self) -> str:
        return "PhoneFeedback(<redacted>)"


def _subject(caller: str, team: str) -> str:
    said = f"Telefonische terugkoppeling van {caller}"
    return f"{said} ({team})" if team else said


def _said_problems(
    caller: str, team: str, agreed: str, called_at: datetime, moment: datetime
) -> dict[str, str]:
    """What is missing or wrong in what was written down, per field."""
    problems: dict[str, str] = {}
    if not caller:
        problems[CALLER_FIELD] = "Vul in wie er belde."
    elif len(caller) > MAX_CALLER:
        problems[CALLER_FIELD] = "De naam van de beller is te lang. Kort die in."
    if len(team) > TEAM_NAME_LENGTH:
        problems[TEAM_FIELD] = "De naam van de organisatie is te lang. Kort die in."
    if not agreed:
        problems[AGREED_FIELD] = "Schrijf op wat er is afgesproken."
    elif len(agreed) > MAX_AGREED:
        problems[AGREED_FIELD] = "De tekst is te lang. Kort die in."
    if called_at.tzinfo is None:
        problems[CALLED_AT_FIELD] = "Het tijdstip van het gesprek mist de tijdzone."
    elif called_at > moment + CLOCK_SLACK:
        problems[CALLED_AT_FIELD] = (
            "Het tijdstip van het gesprek ligt in de toekomst. Controleer datum en tijd."
        )
    return problems


def _whom(
    session: Session, feedback: PhoneFeedback, problems: dict[str, str]
) -> tuple[Signal | None, int | None]:
    """The signal and patient the call was about; what does not exist goes into ``problems``."""
    signal = None
    reference = (feedback.signal_reference or "").strip()
    if reference:
        signal = session.scalar(select(Signal).where(Signal.reference == reference.upper()))
        if signal is None:
            problems[SIGNAL_FIELD] = (
                f"Er is geen signaal met kenmerk {reference[:40]}. Controleer het kenmerk, "
                "bijvoorbeeld SIG-2026-000123."
            )
    patient_id = feedback.patient_id
    if patient_id is not None:
        if session.get(Patient, patient_id) is None:
            problems[PATIENT_FIELD] = (
                "Deze patiënt is niet bekend in gpdesk. Open de patiënt eerst vanuit het HIS."
            )
        elif signal is not None and signal.patient_id != patient_id:
            problems[PATIENT_FIELD] = (
                "Dit signaal hoort bij een andere patiënt. Kies het signaal of de patiënt opnieuw."
            )
    if signal is not None:
        patient_id = signal.patient_id
    return signal, patient_id


def record_phone_feedback(
    session: Session,
    vault: Vault,
    actor: Actor,
    feedback: PhoneFeedback,
    *,
    now: datetime | None = None,
) -> LetterSummary:
    """Keep a phone call as a letter, sealed, linked when it names a signal or patient; audited.

    Every problem is reported at once, per field (``ValidationError``). Commits nothing.
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    caller = " ".join(feedback.caller.split())
    team = " ".join(feedback.team.split())
    agreed = feedback.agreed.strip()
    called_at = feedback.called_at
    problems = _said_problems(caller, team, agreed, called_at, moment)
    signal, patient_id = _whom(session, feedback, problems)
    if problems:
        raise ValidationError(problems)
    suggestion = suggest_kind("", agreed)
    subject = _subject(caller, team)[:MAX_SUBJECT]
    letter = Letter(
        received_at=called_at,
        source=LetterSource.PHONE,
        content_hash=None,
        message_id=None,
        size=len(agreed.encode("utf-8")),
        file_type=FILE_TYPE,
        sender_name=caller,
        state=LetterState.NEW,
        kind=suggestion.kind.value,
        urgent=suggestion.urgent,
        signal_id=None if signal is None else signal.id,
        patient_id=patient_id,
        match_confirmed=patient_id is not None,
        team_id=None if signal is None else signal.team_id,
        team_name=(signal.team_name if signal is not None else team) or None,
    )
    session.add(letter)
    session.flush()
    letter.subject = vault.seal("letter", "subject", letter.id, subject)
    letter.body_text = vault.seal("letter", "body_text", letter.id, agreed)
    step = add_step(session, vault, letter.id, PHONE_STEP, actor=actor, at=moment)
    detail = f"telefonische terugkoppeling {letter.id} vastgelegd"
    detail += f"; bij {signal.reference}" if signal is not None else ""
    detail += "; niet gekoppeld" if patient_id is None else ""
    audit.record(
        session, event="letter.phone", action=audit.Action.CREATE, actor=actor,
        patient_ref=patient_ref_of(session, patient_id), object_type="letter",
        object_id=letter.id, detail=detail, vault=vault,
        state=record_states(session, vault, [("letter", letter.id), ("letter_event", step.id)]),
    )  # fmt: skip
    return summary(vault, letter, None if signal is None else signal.reference, None)


# -- what the screen offers -----------------------------------------------------------------------


@dataclass(frozen=True)
class SignalChoice:
    """A signal the call may be about, as the dialog offers it: plain columns only."""

    reference: str
    team_name: str
    status: SignalStatus
    created_at: datetime

    @property
    def text(self) -> str:
        """``SIG-2026-000123 · Wijkteam Nieuwland · in behandeling``."""
        return f"{self.reference} · {self.team_name} · {self.status.value}"


@dataclass(frozen=True)
class PhoneChoices:
    """The teams the practice works with, and the signals of the patient in context."""

    teams: list[str]
    signals: list[SignalChoice]


def patient_of_bsn(session: Session, vault: Vault, bsn: str) -> int | None:
    """The stored patient with this BSN (a blind index: nothing is decrypted), or None."""
    index = vault.blind_index("bsn", bsn)
    return session.scalar(select(Patient.id).where(Patient.bsn_index == index))


def phone_choices(
    session: Session,
    actor: Actor,
    *,
    patient_id: int | None = None,
    now: datetime | None = None,
) -> PhoneChoices:
    """What "Telefonische terugkoppeling vastleggen" offers to choose from; plain columns only.

    The teams: every wijkteam and central desk on the kaart that is not opgeheven, and every
    team a letter came from, by name. The signals: the patient's open ones and those closed in
    the last ``RECENT_SIGNALS``, newest first. Nothing is opened, so nothing is audited; the
    patient is the one already in the banner (opened and audited there).
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    names = set(
        session.scalars(
            select(Service.name).where(
                Service.kind.in_((ServiceKind.WIJKTEAM, ServiceKind.CENTRAAL_LOKET)),
                Service.status != ServiceStatus.DEFUNCT,
            )
        )
    )
    names.update(
        name
        for name in session.scalars(
            select(func.max(Letter.team_name))
            .where(Letter.team_name.is_not(None))
            .group_by(Letter.team_id, Letter.team_name)
        )
        if name
    )
    teams = sorted({name.casefold(): name for name in names}.values(), key=str.casefold)
    signals: list[SignalChoice] = []
    if patient_id is not None:
        since = moment - RECENT_SIGNALS
        rows = session.execute(
            select(Signal.reference, Signal.team_name, Signal.status, Signal.created_at)
            .where(Signal.patient_id == patient_id)
            .order_by(Signal.created_at.desc(), Signal.id.desc())
        )
        for reference, team_name, status, created_at in rows:
            state = SignalStatus(status)  # "concept" too: stored, waiting in the outbox
            if state in CLOSED and created_at < since:
                continue
            signals.append(SignalChoice(reference, team_name or "", state, created_at))
            if len(signals) == MAX_SIGNAL_CHOICES:
                break
    return PhoneChoices(teams=teams, signals=signals)
