"""Answering a team's information request: read, preview, answer or refuse; caller's session.

``open_request`` gives the dialog what it shows (the request, whom it is about, the consent on
record for the requesting team's organisation). ``answer_request`` stores the GP's factual answer
with the LHV checklist as confirmed, and queues it in the outbox; ``refuse_request`` queues the
refusal letter, which is all there is without consent. Both write a ``request_answer`` (one per
request letter: a request is answered once, also when two GPs press at the same moment), a step
on the letter (then assigned to the doktersassistent, to file request and answer into the HIS),
and one audit entry; the outbox worker sends it like a signal (same transport, same retries,
never twice) and audits the delivery (``answer.sent``).

Only a GP answers (``Permission.LETTER_ANSWER``): whether medical information leaves the practice
is the GP's decision. Nothing commits here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.requests.checklist import (
    ANSWER_ITEMS,
    ANSWER_PURPOSE,
    Check,
    ConsentView,
    missing_checks,
    stored_checks,
)
from gpdesk.inbox.requests.letter import Preview, RequestFacts, compose, preview
from gpdesk.inbox.store.reading import letter_row
from gpdesk.inbox.store.shapes import ANSWERED_STEP, REFUSED_STEP
from gpdesk.inbox.store.triage import add_step, refuse_closed
from gpdesk.letters.document import Letterhead
from gpdesk.models import (
    AnswerKind,
    Consent,
    DataItem,
    Letter,
    LetterState,
    MessageKind,
    Organization,
    OutboxMessage,
    OutboxState,
    Patient,
    Purpose,
    RequestAnswer,
    Service,
    TeamDelivery,
    TransportSettings,
    User,
    utcnow,
)
from gpdesk.models import Practice as PracticeRow
from gpdesk.patients.context import PatientContext
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refuse_unless_current, refusing_tampered
from gpdesk.signals.consent import (
    ConsentError,
    ConsentScope,
    OrganisationRef,
    check_consent,
    dutch_date,
    local_date,
)
from gpdesk.signals.store.shapes import channels_for, message_domain, record_states
from gpdesk.signals.team import open_patient
from gpdesk.transport.message import make_message_id

__all__ = [
    "ANSWER_FIELD",
    "CHECKLIST_FIELD",
    "AnswerRecord",
    "InformationRequest",
    "answer_request",
    "open_request",
    "preview_answer",
    "preview_refusal",
    "refuse_request",
]

ANSWER_FIELD: Final = "antwoord"
CHECKLIST_FIELD: Final = "checklist"
MAX_ANSWER_LENGTH: Final = 4000
FILED_BY: Final = Role.ASSISTANT
"""Who files request and answer into the HIS once the GP has answered."""

_MESSAGE_ID: Final = re.compile(r"[^<>\s@]{1,200}@[^<>\s@]{1,200}")


@dataclass(frozen=True)
class AnswerRecord:
    """A stored answer or refusal, as the dialog and the command line report it."""

    id: int
    reference: str
    kind: AnswerKind
    letter_id: int
    team_name: str
    answered_by: str
    answered_at: datetime
    channels: tuple[str, ...]
    """Where it goes: "e-mail", "exportmap"."""
    state: str
    """The outbox state in words (the worst of its channels): wachtend, verzonden, …"""


@dataclass(frozen=True)
class InformationRequest:
    """What the answer dialog shows: the request, whom and what it is about, the consent.

    ``problem`` says why it cannot be answered at all (not an information request, no patient
    linked, the team unknown, already answered); ``answered`` is the answer when there is one.
    """

    letter_id: int
    subject: str
    text: str
    received_at: datetime
    team_name: str | None
    patient: str | None
    """``J. de Vries · 01-02-1970``: the linked patient, when confirmed."""
    consent: ConsentView | None
    problem: str | None
    answered: AnswerRecord | None
    refusable: bool
    """A refusal letter can be sent: an open request from a known team, not yet answered."""

    @property
    def may_answer(self) -> bool:
        """An answer with medical information is possible (the checklist still has to be ticked)."""
        return self.problem is None and self.consent is not None and self.consent.holds


# -- finding what the request is about -----------------------------------------------------------


@dataclass(frozen=True)
class _Team:
    id: str
    name: str
    organisation: OrganisationRef


def _team(session: Session, row: Letter) -> _Team | None:
    """The requesting team: from the letter's signal, else by the sender's delivery address."""
    team_id, team_name = row.team_id, row.team_name
    if team_id is None and row.sender_address:
        found = session.scalars(
            select(TeamDelivery.team_id).where(
                func.lower(TeamDelivery.email) == row.sender_address.strip().lower()
            )
        ).all()
        if len(found) == 1:
            team_id = found[0]
    if team_id is None:
        return None
    service = session.get(Service, team_id)
    if service is None:
        name = team_name or team_id
        return _Team(team_id, name, OrganisationRef(name))
    organisation = session.get(Organization, service.organization_id)
    org_name = organisation.name if organisation is not None else service.name
    return _Team(
        team_id, team_name or service.name, OrganisationRef(org_name, service.organization_id)
    )


NOT_A_REQUEST: Final = "Deze terugkoppeling is geen informatieverzoek."
NO_PATIENT: Final = (
    "Dit informatieverzoek is nog niet gekoppeld aan een patiënt, dus gpdesk kan de toestemming "
    "niet nakijken."
)
NO_TEAM: Final = (
    "gpdesk weet niet van welk team dit verzoek komt, dus ook niet waar het antwoord heen moet."
)
NO_TEAM_HINT: Final = (
    "Koppel het verzoek aan een signaal van dat team, of vraag de beheerder het e-mailadres van "
    "het team in te stellen (Beheer > Verzenden)."
)


def _existing(session: Session, letter_id: int) -> RequestAnswer | None:
    return session.scalar(select(RequestAnswer).where(RequestAnswer.letter_id == letter_id))


def _outbox_state(session: Session, answer_id: int) -> str:
    states = set(
        session.scalars(select(OutboxMessage.state).where(OutboxMessage.answer_id == answer_id))
    )
    for state in (
        OutboxState.FAILED, OutboxState.STOPPED, OutboxState.SENDING, OutboxState.PENDING,
    ):  # fmt: skip
        if state in states:
            return state.value
    return OutboxState.SENT.value if states else "niet in het postvak uit"


def _summary(session: Session, answer: RequestAnswer) -> AnswerRecord:
    user = session.get(User, answer.answered_by_id)
    channels = session.scalars(
        select(OutboxMessage.channel)
        .where(OutboxMessage.answer_id == answer.id)
        .order_by(OutboxMessage.id)
    )
    return AnswerRecord(
        id=answer.id, reference=answer.reference or f"IV-{answer.id}", kind=answer.kind,
        letter_id=answer.letter_id, team_name=answer.team_name,
        answered_by="?" if user is None else f"{user.display_name} ({user.role.label})",
        answered_at=answer.answered_at, channels=tuple(c.label for c in channels),
        state=_outbox_state(session, answer.id),
    )  # fmt: skip


def _already(session: Session, answer: RequestAnswer) -> GpdeskError:
    done = _summary(session, answer)
    what = "beantwoord" if done.kind is AnswerKind.ANSWER else "geweigerd met een brief"
    return GpdeskError(
        f"Dit informatieverzoek is al {what} ({done.reference}) door {done.answered_by} op "
        f"{dutch_date(local_date(done.answered_at))}.",
        hint="Een verzoek wordt één keer beantwoord. U hoeft niets meer te doen.",
    )


def _request_row(session: Session, letter_id: int) -> Letter:
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "beantwoord", filed_too=True)
    if row.kind != LetterKind.INFORMATION_REQUEST.value:
        raise GpdeskError(
            NOT_A_REQUEST,
            hint="Bevestig eerst de soort 'informatieverzoek' als het er wel een is.",
        )
    return row


def _scope(row: Consent) -> ConsentScope:
    return ConsentScope(
        consent_id=row.id,
        purposes=frozenset(Purpose(v) for v in row.purposes.split(",") if v),
        organisations=tuple(OrganisationRef(o.name, o.organisation_id) for o in row.organisations),
        items=frozenset(DataItem(v) for v in row.data_items.split(",") if v),
        given_on=row.given_on,
        valid_until=row.valid_until,
        withdrawn_at=row.withdrawn_at,
    )


def _consent(
    session: Session, vault: Vault, actor: Actor, patient: Patient, *, team: _Team, at: datetime
) -> ConsentView:
    """The consent on record for the team's organisation: the one that holds, or the nearest."""
    coverage = check_consent(
        session, patient.id, ANSWER_PURPOSE, team.organisation, ANSWER_ITEMS, at=at
    )
    scope = None
    if coverage.consent_id is not None:
        row = session.get(Consent, coverage.consent_id)
        if row is not None:
            ref = patient.bsn_index.hex()
            with refusing_tampered(session, actor=actor, vault=vault, patient_ref=ref):
                refuse_unless_current(session, vault, "consent", row.id, ref)
            scope = _scope(row)
    return ConsentView(coverage=coverage, scope=scope, organisation=team.organisation.name)


def _body(vault: Vault, row: Letter) -> tuple[str, str]:
    subject = "" if row.subject is None else vault.open("letter", "subject", row.id, row.subject)
    text = "" if row.body_text is None else vault.open("letter", "body_text", row.id, row.body_text)
    return subject, text


def _patient_line(context: PatientContext) -> str:
    return f"{context.name} · {dutch_date(context.birth_date)}"


# -- reading -------------------------------------------------------------------------------------


def open_request(
    session: Session, vault: Vault, actor: Actor, letter_id: int, *, now: datetime | None = None
) -> InformationRequest:
    """The request as the answer dialog shows it, with the consent state; audited as a read."""
    require(actor.permissions, Permission.LETTER_ANSWER)
    moment = now or utcnow()
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "beantwoord", filed_too=False)
    with refusing_tampered(session, actor=actor, vault=vault):
        subject, text = _body(vault, row)
    team = _team(session, row)
    existing = _existing(session, row.id)
    problem: str | None = None
    patient_text: str | None = None
    consent: ConsentView | None = None
    patient_ref: str | None = None
    if row.kind != LetterKind.INFORMATION_REQUEST.value:
        problem = NOT_A_REQUEST
    elif existing is not None:
        problem = _already(session, existing).message
    elif team is None:
        problem = f"{NO_TEAM} {NO_TEAM_HINT}"
    elif row.patient_id is None or not row.match_confirmed:
        problem = NO_PATIENT
    else:
        patient, context = open_patient(session, vault, actor, row.patient_id)
        patient_ref = patient.bsn_index.hex()
        patient_text = _patient_line(context)
        consent = _consent(session, vault, actor, patient, team=team, at=moment)
    audit.record(
        session, event="letter.request", action=audit.Action.READ, actor=actor,
        patient_ref=patient_ref, object_type="letter", object_id=row.id, vault=vault,
        detail=f"informatieverzoek {row.id}",
    )  # fmt: skip
    return InformationRequest(
        letter_id=row.id,
        subject=subject,
        text=text,
        received_at=row.received_at,
        team_name=None if team is None else team.name,
        patient=patient_text,
        consent=consent,
        problem=problem,
        answered=None if existing is None else _summary(session, existing),
        refusable=(
            row.kind == LetterKind.INFORMATION_REQUEST.value
            and existing is None
            and team is not None
            and row.filed_at is None
        ),
    )


# -- composing -----------------------------------------------------------------------------------


def _reference(year: int, number: int) -> str:
    return f"IV-{year}-{number:06d}"


def _next_number(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(RequestAnswer.id), 0))) or 0) + 1


def _letterhead(session: Session) -> Letterhead:
    practice = session.scalar(select(PracticeRow).limit(1))
    settings = session.get(TransportSettings, 1)
    if practice is None or settings is None:
        raise GpdeskError(
            "De verzendinstellingen van de praktijk ontbreken. Er is niets verzonden.",
            hint="Vraag de beheerder om de verzendinstellingen (Beheer > Verzenden).",
        )
    return Letterhead(
        practice_name=practice.name,
        address_lines=tuple(practice.address.splitlines()) if practice.address else (),
        phone=practice.phone or None,
        email=settings.from_address,
        agb_code=practice.agb_code,
    )


def _in_reply_to(row: Letter) -> str | None:
    """The team's Message-ID as a header value, when it is one (it came from outside)."""
    if row.message_id is None or not _MESSAGE_ID.fullmatch(row.message_id):
        return None
    return f"<{row.message_id}>"


@dataclass(frozen=True)
class _Target:
    row: Letter
    team: _Team
    patient: Patient | None
    context: PatientContext | None
    consent: ConsentView | None


def _target(
    session: Session, vault: Vault, actor: Actor, letter_id: int, *, answer: bool, at: datetime
) -> _Target:
    """The request, checked: open, an informatieverzoek, not answered, its team known."""
    row = _request_row(session, letter_id)
    existing = _existing(session, row.id)
    if existing is not None:
        raise _already(session, existing)
    team = _team(session, row)
    if team is None:
        raise GpdeskError(NO_TEAM, hint=NO_TEAM_HINT)
    if not answer:
        return _Target(row, team, None, None, None)
    if row.patient_id is None or not row.match_confirmed:
        raise GpdeskError(
            NO_PATIENT,
            hint="Koppel het verzoek eerst aan de patiënt, of stuur een weigeringsbrief.",
        )
    patient, context = open_patient(session, vault, actor, row.patient_id)
    consent = _consent(session, vault, actor, patient, team=team, at=at)
    return _Target(row, team, patient, context, consent)


def _facts(
    session: Session, actor: Actor, target: _Target, reference: str, at: datetime
) -> RequestFacts:
    gp = session.get(User, actor.user_id)
    consent = target.consent
    return RequestFacts(
        reference=reference,
        team_name=target.team.name,
        organisation=target.team.organisation.name,
        received_on=local_date(target.row.received_at),
        letterhead=_letterhead(session),
        gp_name="?" if gp is None else gp.display_name,
        written_at=at,
        in_reply_to=_in_reply_to(target.row),
        patient_name=None if target.context is None else target.context.name,
        consent_given_on=None
        if consent is None or consent.scope is None
        else consent.scope.given_on,
    )


def _clean_answer(text: str) -> str:
    cleaned = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if not cleaned:
        raise ValidationError(
            {ANSWER_FIELD: "Typ het antwoord: alleen de feiten die nodig zijn voor het doel."}
        )
    if len(cleaned) > MAX_ANSWER_LENGTH:
        raise ValidationError(
            {ANSWER_FIELD: f"Het antwoord is te lang (meer dan {MAX_ANSWER_LENGTH} tekens). "
             "Geef alleen de feiten die nodig zijn voor het doel."}
        )  # fmt: skip
    return cleaned


def _require_consent(target: _Target) -> ConsentView:
    consent = target.consent
    assert consent is not None
    if not consent.holds:
        raise ConsentError(
            f"Er is geen geldige toestemming om {consent.organisation} medische informatie te "
            f"geven. {consent.coverage.message}",
            hint="Stuur een weigeringsbrief, of leg eerst een toestemming vast die dit dekt.",
        )
    return consent


def preview_answer(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    text: str,
    now: datetime | None = None,
) -> Preview:
    """Exactly what the answer will say (the reference is the next one, not yet taken)."""
    require(actor.permissions, Permission.LETTER_ANSWER)
    moment = now or utcnow()
    cleaned = _clean_answer(text)
    target = _target(session, vault, actor, letter_id, answer=True, at=moment)
    _require_consent(target)
    reference = _reference(local_date(moment).year, _next_number(session))
    return preview(AnswerKind.ANSWER, _facts(session, actor, target, reference, moment), cleaned)


def preview_refusal(
    session: Session, vault: Vault, actor: Actor, letter_id: int, *, now: datetime | None = None
) -> Preview:
    """Exactly what the refusal letter will say."""
    require(actor.permissions, Permission.LETTER_ANSWER)
    moment = now or utcnow()
    target = _target(session, vault, actor, letter_id, answer=False, at=moment)
    reference = _reference(local_date(moment).year, _next_number(session))
    return preview(AnswerKind.REFUSAL, _facts(session, actor, target, reference, moment))


# -- answering -----------------------------------------------------------------------------------


def _queue(
    session: Session,
    vault: Vault,
    actor: Actor,
    target: _Target,
    kind: AnswerKind,
    *,
    text: str,
    checks: str,
    at: datetime,
) -> AnswerRecord:
    """Store the answer (sealed), queue it on each channel, move the letter on; audited."""
    delivery = session.get(TeamDelivery, target.team.id)
    channels = [] if delivery is None else channels_for(delivery)
    if not channels:
        raise GpdeskError(
            f"Voor {target.team.name} is geen e-mailadres of exportmap ingesteld. Er is niets "
            "verzonden.",
            hint="Vraag de beheerder de bezorging van het team in te stellen (Beheer > Verzenden).",
        )
    consent = target.consent
    answer = RequestAnswer(
        letter_id=target.row.id, kind=kind,
        patient_id=None if target.patient is None else target.patient.id,
        team_id=target.team.id, team_name=target.team.name,
        consent_id=None if consent is None or consent.scope is None else consent.scope.consent_id,
        checks=checks, answered_by_id=actor.user_id, answered_at=at,
    )  # fmt: skip
    session.add(answer)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise GpdeskError(
            "Iemand anders heeft dit informatieverzoek net beantwoord.",
            hint="Bekijk het verzoek opnieuw. Een verzoek wordt één keer beantwoord.",
        ) from None
    answer.reference = _reference(local_date(at).year, answer.id)
    facts = _facts(session, actor, target, answer.reference, at)
    message = compose(kind, facts, text)
    answer.content = vault.seal("request_answer", "content", answer.id, message.dumps())
    domain = message_domain(session)
    message_kind = MessageKind.ANSWER if kind is AnswerKind.ANSWER else MessageKind.REFUSAL
    for channel in channels:
        session.add(
            OutboxMessage(
                answer_id=answer.id, kind=message_kind, channel=channel,
                message_id=make_message_id(answer.reference, domain),
                state=OutboxState.PENDING, created_at=at, next_attempt_at=at,
            )
        )  # fmt: skip
    row = target.row
    row.state = LetterState.ASSIGNED
    row.assignee_id, row.assignee_role = None, FILED_BY.value
    step_name = ANSWERED_STEP if kind is AnswerKind.ANSWER else REFUSED_STEP
    step = add_step(
        session, vault, row.id, step_name, actor=actor, at=at,
        note=f"{answer.reference} naar {target.team.name}, via het postvak uit. Neem verzoek en "
        "antwoord over in het HIS.",
    )  # fmt: skip
    session.flush()
    what = "beantwoord" if kind is AnswerKind.ANSWER else "geweigerd met een brief"
    detail = f"informatieverzoek {row.id} {what}: {answer.reference} aan {target.team.name}"
    if checks:
        detail += f"; checklist: {checks.replace(',', ', ')}"
    audit.record(
        session, event="letter.answer" if kind is AnswerKind.ANSWER else "letter.refuse",
        action=audit.Action.CREATE, actor=actor,
        patient_ref=None if target.patient is None else target.patient.bsn_index.hex(),
        object_type="request_answer", object_id=answer.id,
        checks=audit.Checks(treatment_relationship=True, consent=kind is AnswerKind.ANSWER),
        detail=detail, vault=vault,
        state=record_states(
            session, vault, [("request_answer", answer.id), ("letter_event", step.id)]
        ),
    )  # fmt: skip
    return _summary(session, answer)


def answer_request(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    text: str,
    checks: Iterable[Check | str],
    now: datetime | None = None,
) -> AnswerRecord:
    """The GP's factual answer, with the LHV checklist as confirmed, queued for the team.

    Refused (nothing stored) unless every point is ticked, a consent on record covers an answer
    with medical information to the team's organisation, and the request is open and linked to
    its patient. Commits nothing.
    """
    require(actor.permissions, Permission.LETTER_ANSWER)
    moment = now or utcnow()
    cleaned = _clean_answer(text)
    ticked = tuple(checks)
    missing = missing_checks(ticked)
    if missing:
        raise ValidationError(
            {CHECKLIST_FIELD: "Vink alle vier punten van de checklist aan. Kan dat niet, stuur "
             "dan een weigeringsbrief."}
        )  # fmt: skip
    target = _target(session, vault, actor, letter_id, answer=True, at=moment)
    _require_consent(target)
    return _queue(
        session, vault, actor, target, AnswerKind.ANSWER,
        text=cleaned, checks=stored_checks(ticked), at=moment,
    )  # fmt: skip


def refuse_request(
    session: Session, vault: Vault, actor: Actor, letter_id: int, *, now: datetime | None = None
) -> AnswerRecord:
    """Queue the refusal letter (fixed text, no patient named).

    Always possible for an open request from a known team, with or without consent. Commits
    nothing.
    """
    require(actor.permissions, Permission.LETTER_ANSWER)
    moment = now or utcnow()
    target = _target(session, vault, actor, letter_id, answer=False, at=moment)
    return _queue(session, vault, actor, target, AnswerKind.REFUSAL, text="", checks="", at=moment)
