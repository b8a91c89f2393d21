"""Signals kept: composed for the preview, submitted to the outbox, read, moved along, withdrawn.

Everything here works in the caller's session and commits nothing itself: a submit is the
signal, its first timeline step, one outbox row per channel, the consent or no-consent decision
recorded with it, the reference number and the audit entries, committed together by the caller
or not at all (so a refused or failed submit gives no number away). Nothing touches the
network: the outbox worker (``gpdesk.signals.outbox``) sends what is committed, and moves the
status to "verzonden" when a channel delivered.

What says something about the patient is sealed for its place: the message exactly as it
leaves (``Signal.content``, ``snapshot.dumps`` of the ``OutgoingSignal``), the privénotitie
(which never enters an outgoing message) and a status change's reason. Lists read plain
columns only and decrypt nothing.

Who sends: a signal always goes out under a GP's name (``Requester``). A GP sends their own
(``Permission.SIGNAL_SEND``); a POH-GGZ or an assistant prepares it on behalf of a named GP
(NEN 7513 "namens"; ``SIGNAL_SEND`` or ``SIGNAL_SEND_ON_BEHALF``), and the audit entry says so.
Only a GP can send without consent (``consent.check_no_consent``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.models import (
    Channel,
    Consent,
    DataItem,
    EventSource,
    MessageKind,
    NoConsentGround,
    OutboxMessage,
    OutboxState,
    Patient,
    Purpose,
    Role,
    Signal,
    SignalCounter,
    SignalEvent,
    SignalStatus,
    TeamDelivery,
    TransportSettings,
    User,
    utcnow,
)
from gpdesk.models import Practice as PracticeRow
from gpdesk.patients.context import PatientContext
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, PermissionDeniedError, require
from gpdesk.security.sealed import (
    refuse_unless_current,
    refusing_tampered,
    state_json,
    state_of,
)
from gpdesk.signals import snapshot
from gpdesk.signals.consent import (
    AffectedSignal,
    ConsentDraft,
    ConsentError,
    ConsentScope,
    NoConsentRequest,
    OrganisationRef,
    WithdrawnConsent,
    check_consent,
    check_draft,
    check_no_consent,
    local_date,
    record_consent,
    record_without_consent,
)
from gpdesk.signals.outgoing import (
    DEFAULT_ITEMS,
    REQUESTER_FIELD,
    ConsentGiven,
    ConsentStatement,
    OutgoingSignal,
    Practice,
    Requester,
    Route,
    SharedWithoutConsent,
    build,
    format_reference,
)
from gpdesk.signals.team import TeamOption, choose_for, open_patient, team_option
from gpdesk.transport.message import make_message_id

__all__ = [
    "CLOSED",
    "ChannelState",
    "SignalRecord",
    "SignalRequest",
    "SignalSummary",
    "TimelineEntry",
    "add_event",
    "change_status",
    "compose",
    "list_signals",
    "practice_details",
    "signal_detail",
    "submit",
    "withdrawal_hook",
]

NO_DOMAIN: Final = "gpdesk.invalid"
"""The Message-ID domain while the practice has no from-address (RFC 6761: never resolves)."""
REASON_FIELD: Final = "reden"
STATUS_FIELD: Final = "status"
MAX_REASON_LENGTH: Final = 2000

CLOSED: Final = frozenset(
    {
        SignalStatus.COMPLETED,
        SignalStatus.REJECTED,
        SignalStatus.NOT_REACHED,
        SignalStatus.NO_SHOW,
        SignalStatus.CANCELLED,
    }
)
"""Statuses that end the loop; all but "geannuleerd" can be reopened with a reason."""
_ENDINGS: Final = CLOSED - {SignalStatus.CANCELLED}
_AFTER_SENDING: Final = {SignalStatus.RECEIVED, SignalStatus.IN_PROGRESS} | CLOSED
TRANSITIONS: Final[dict[SignalStatus, frozenset[SignalStatus]]] = {
    SignalStatus.DRAFT: frozenset({SignalStatus.CANCELLED}),
    SignalStatus.SENT: frozenset(_AFTER_SENDING),
    SignalStatus.RECEIVED: frozenset(_AFTER_SENDING - {SignalStatus.RECEIVED}),
    SignalStatus.IN_PROGRESS: frozenset(CLOSED),
    **{ending: frozenset({SignalStatus.RECEIVED, SignalStatus.IN_PROGRESS}) for ending in _ENDINGS},
    SignalStatus.CANCELLED: frozenset(),
}
"""Which status a user may move a signal to from each status (issue #10 item 8). "Verzonden"
is set by the outbox only. From an ending, going back to ontvangen or in behandeling is a
reopening and needs a reason; so does cancelling."""


# -- what the form holds --------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRequest:
    """What the form and ``gpdesk signal send`` hold: one signal, before it is checked."""

    patient_id: int
    themes: tuple[str, ...]
    """Theme codes from ``outgoing.THEMES``."""
    question: str
    route: Route = Route.APPOINTMENT
    team_id: str | None = None
    """None: chosen by postcode, theme and age (``gpdesk.signals.team``)."""
    urgent: bool = False
    items: frozenset[DataItem] = DEFAULT_ITEMS
    phone: str | None = None
    """A newer number typed on the form."""
    medical: str | None = None
    private_note: str | None = None
    on_behalf_of: str | None = None
    """Username of the GP, when a POH-GGZ or an assistant prepares it."""
    consent: ConsentDraft | None = None
    """A new consent, recorded together with the signal."""
    without_consent: NoConsentRequest | None = None


# -- what is read back ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One step on a signal's timeline, in words: status, when, who, why."""

    status: SignalStatus
    at: datetime
    who: str
    reason: str | None = None


@dataclass(frozen=True)
class ChannelState:
    """One outbox message of a signal: what it carries, where, and how far it got."""

    kind: MessageKind
    channel: Channel
    state: OutboxState
    last_error: str | None
    attempts: int
    sent_at: datetime | None


@dataclass(frozen=True, repr=False)
class SignalRecord:
    """One signal as the detail view shows it (decrypted; read through ``signal_detail``)."""

    id: int
    reference: str
    patient_id: int
    status: SignalStatus
    team_id: str
    team_name: str
    created_at: datetime
    sent_at: datetime | None
    expected_by: date | None
    closed_at: datetime | None
    overdue: bool
    signal: OutgoingSignal
    """Exactly what the team received (or will receive)."""
    private_note: str | None
    """Only for users who may open the patient; never sent."""
    timeline: tuple[TimelineEntry, ...]
    outbox: tuple[ChannelState, ...]

    def __repr__(self) -> str:
        return f"SignalRecord({self.reference}, {self.status.value})"


@dataclass(frozen=True)
class SignalSummary:
    """One line of a signal list: plain columns only, nothing decrypted."""

    id: int
    reference: str
    patient_id: int
    status: SignalStatus
    team_id: str
    team_name: str
    created_at: datetime
    sent_at: datetime | None
    expected_by: date | None
    overdue: bool
    urgent: bool
    themes: tuple[str, ...]


def is_overdue(status: SignalStatus, expected_by: date | None, at: datetime) -> bool:
    """Sent, not yet confirmed, and the day the team promised an answer by has passed."""
    return status is SignalStatus.SENT and expected_by is not None and local_date(at) > expected_by


# -- helpers ----------------------------------------------------------------------------------


def _who(user: User | None) -> str:
    return "?" if user is None else f"{user.display_name} ({user.role.label})"


def _requester(session: Session, actor: Actor, on_behalf_of: str | None) -> tuple[User, bool]:
    """The GP the signal goes out under, and whether someone else prepared it ("namens")."""
    name = (on_behalf_of or "").strip()
    if not name or name == actor.username:
        if actor.role is not Role.GP:
            raise ValidationError(
                {
                    REQUESTER_FIELD: "Een signaal gaat altijd namens een huisarts. Kies de "
                    "huisarts namens wie u het signaal voorbereidt."
                }
            )
        require(actor.permissions, Permission.SIGNAL_SEND)
        gp = session.get(User, actor.user_id)
        assert gp is not None  # the actor signed in with it
        return gp, False
    if not (actor.may(Permission.SIGNAL_SEND_ON_BEHALF) or actor.may(Permission.SIGNAL_SEND)):
        require(actor.permissions, Permission.SIGNAL_SEND_ON_BEHALF)
    gp = session.scalar(select(User).where(User.username == name))
    if gp is None or not gp.active or gp.role is not Role.GP:
        raise ValidationError(
            {REQUESTER_FIELD: "Kies een huisarts van de praktijk namens wie het signaal gaat."}
        )
    return gp, True


def practice_details(session: Session) -> Practice:
    """The letterhead and reply address a signal goes out under (Beheer and transport set)."""
    row = session.scalar(select(PracticeRow).limit(1))
    settings = session.get(TransportSettings, 1)
    address = () if row is None or not row.address else tuple(row.address.splitlines())
    return Practice(
        name=row.name if row is not None else "",
        address_lines=address,
        phone=(row.phone or "") if row is not None else "",
        reply_email=settings.from_address if settings is not None else "",
        agb_code=row.agb_code if row is not None else None,
    )


def _domain(session: Session) -> str:
    settings = session.get(TransportSettings, 1)
    if settings is None or "@" not in settings.from_address:
        return NO_DOMAIN
    return settings.from_address.rsplit("@", 1)[1].strip().lower() or NO_DOMAIN


def _year(moment: datetime) -> int:
    return local_date(moment).year


def _next_number(session: Session, year: int) -> int:
    """What the next signal of ``year`` would be numbered; takes nothing."""
    last = session.scalar(select(SignalCounter.last_number).where(SignalCounter.year == year))
    return (last or 0) + 1


def _take_number(session: Session, year: int) -> int:
    """Take the next number of ``year`` in the caller's transaction (row lock on PostgreSQL)."""
    row = session.scalar(select(SignalCounter).where(SignalCounter.year == year).with_for_update())
    if row is None:
        row = SignalCounter(year=year, last_number=0)
        session.add(row)
    row.last_number += 1
    session.flush()
    return row.last_number


@dataclass(frozen=True)
class _Prepared:
    """Everything checked, nothing stored yet."""

    patient_row: Patient
    patient: PatientContext
    gp: User
    on_behalf: bool
    option: TeamOption
    delivery: TeamDelivery
    statement: ConsentStatement
    consent_id: int | None
    signal: OutgoingSignal


def _statement(
    session: Session,
    vault: Vault,
    actor: Actor,
    request: SignalRequest,
    *,
    patient: tuple[Patient, PatientContext],
    option: TeamOption,
    gp: User,
    moment: datetime,
) -> tuple[ConsentStatement, int | None]:
    """What the message rests on: a stored consent, a new one, or a GP's no-consent ground."""
    row, context = patient
    organisation = option.team.organisation
    items = frozenset(request.items) | {DataItem.NAME, DataItem.QUESTION}
    if request.without_consent is not None:
        checked = check_no_consent(actor, replace(request.without_consent, items=items))
        return SharedWithoutConsent.from_request(checked, _who(gp)), None
    if request.consent is not None:
        draft = check_draft(request.consent, context.birth_date, local_date(moment))
        relation = None if draft.representative is None else draft.representative.relation
        return ConsentGiven.from_scope(draft.scope, draft.method, relation), None
    coverage = check_consent(session, row.id, Purpose.REFERRAL, organisation, items, at=moment)
    if not coverage.ok or coverage.consent_id is None:
        raise ConsentError(
            f"Er is geen geldige toestemming voor dit signaal aan {organisation.name}. "
            + coverage.message,
            hint="Leg een nieuwe toestemming vast die dit dekt, of vink gegevens uit.",
        )
    consent_row = session.get(Consent, coverage.consent_id)
    assert consent_row is not None
    ref = row.bsn_index.hex()
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=ref):
        refuse_unless_current(session, vault, "consent", consent_row.id, ref)
        relation = (
            None
            if consent_row.representative_relation is None
            else vault.open(
                "consent", "representative_relation", consent_row.id,
                consent_row.representative_relation,
            )
        )  # fmt: skip
    scope = ConsentScope(
        consent_id=consent_row.id,
        purposes=frozenset(Purpose(v) for v in consent_row.purposes.split(",") if v),
        organisations=tuple(
            OrganisationRef(o.name, o.organisation_id) for o in consent_row.organisations
        ),
        items=frozenset(DataItem(v) for v in consent_row.data_items.split(",") if v),
        given_on=consent_row.given_on,
        valid_until=consent_row.valid_until,
        withdrawn_at=consent_row.withdrawn_at,
    )
    return ConsentGiven.from_scope(scope, consent_row.method, relation), consent_row.id


def _prepare(
    session: Session,
    vault: Vault,
    actor: Actor,
    request: SignalRequest,
    *,
    moment: datetime,
    reference: str,
) -> _Prepared:
    require(actor.permissions, Permission.PATIENT_OPEN)
    if request.consent is not None and request.without_consent is not None:
        raise ValidationError(
            {"toestemming": "Kies óf een toestemming, óf delen zonder toestemming; niet beide."}
        )
    gp, on_behalf = _requester(session, actor, request.on_behalf_of)
    patient_row, patient = open_patient(session, vault, actor, request.patient_id)
    if request.team_id:
        option = team_option(session, request.team_id, patient, request.themes, now=moment)
    else:
        option = choose_for(session, patient, request.themes, now=moment).chosen
    delivery = session.get(TeamDelivery, option.team.id)
    if delivery is None or not (delivery.email or delivery.export_folder):
        raise GpdeskError(
            f"Voor dit team ({option.team.name}) is nog geen verzendadres ingesteld.",
            hint="Vraag de beheerder om het e-mailadres of de exportmap van het team in te "
            "stellen (Beheer, of gpdesk team delivery).",
        )
    statement, consent_id = _statement(
        session, vault, actor, request,
        patient=(patient_row, patient), option=option, gp=gp, moment=moment,
    )  # fmt: skip
    prepared_by = None if not on_behalf else f"{actor.display_name} ({actor.role.label})"
    signal = build(
        reference=reference,
        created_at=moment,
        practice=practice_details(session),
        requester=Requester(gp.display_name, prepared_by),
        team=option.team,
        patient=patient,
        items=request.items,
        themes=request.themes,
        question=request.question,
        route=request.route,
        consent=statement,
        urgent=request.urgent,
        walk_in=option.walk_in,
        phone=request.phone,
        medical=request.medical,
        private_note=request.private_note,
    )
    return _Prepared(
        patient_row, patient, gp, on_behalf, option, delivery, statement, consent_id, signal
    )


# -- compose and submit -----------------------------------------------------------------------


def compose(
    session: Session,
    vault: Vault,
    actor: Actor,
    request: SignalRequest,
    *,
    now: datetime | None = None,
) -> OutgoingSignal:
    """The message exactly as it would leave, for the preview; stores and takes nothing.

    The reference shown is the next number of the year, not taken: a signal sent meanwhile
    from another workstation may get it, and the sent one then carries the one after.
    Raises what ``submit`` raises, so the preview refuses what sending would.
    """
    moment = now or utcnow()
    year = _year(moment)
    reference = format_reference(year, _next_number(session, year))
    return _prepare(session, vault, actor, request, moment=moment, reference=reference).signal


def _merged_states(*texts: str) -> str:
    merged: dict[str, dict[int, str]] = {}
    for text in texts:
        for table, ids in json.loads(text).items():
            merged.setdefault(table, {}).update({int(i): d for i, d in ids.items()})
    return state_json(merged)


def submit(
    session: Session,
    vault: Vault,
    actor: Actor,
    request: SignalRequest,
    *,
    now: datetime | None = None,
) -> SignalRecord:
    """Check, number and store the signal with its outbox rows and audit entry; commit nothing.

    Every check runs before anything is written (permission, patient, team and its delivery
    address, consent, the form's fields), so a refusal leaves no row and takes no number.

    Raises:
        ValidationError: the form's input, keyed by field.
        ConsentError: no valid consent covers the purpose, the team's organisation or an item;
            the message names what is missing.
        PermissionDeniedError: the actor may not send (or not without consent).
        GpdeskError: the team has no delivery address; the patient is gone.
    """
    moment = now or utcnow()
    year = _year(moment)
    provisional = format_reference(year, _next_number(session, year))
    prepared = _prepare(session, vault, actor, request, moment=moment, reference=provisional)
    patient_ref = prepared.patient_row.bsn_index.hex()
    on_behalf_of = prepared.gp.username if prepared.on_behalf else None
    consent_id = prepared.consent_id
    no_consent_id: int | None = None
    if request.consent is not None:
        record = record_consent(
            session, vault, actor, request.patient_id, request.consent, now=moment,
            on_behalf_of=on_behalf_of,
        )  # fmt: skip
        consent_id = record.id
    elif request.without_consent is not None:
        assert isinstance(prepared.statement, SharedWithoutConsent)
        no_consent_id = record_without_consent(
            session, vault, actor, request.patient_id,
            replace(request.without_consent, items=prepared.statement.items), now=moment,
        )  # fmt: skip
    reference = format_reference(year, _take_number(session, year))
    out = replace(prepared.signal, reference=reference)
    row = Signal(
        reference=reference,
        patient_id=request.patient_id,
        team_id=out.team.id,
        team_name=out.team.name,
        themes=",".join(t.code for t in out.themes),
        route=out.route.value,
        urgent=out.urgent,
        status=SignalStatus.DRAFT,
        requester_id=prepared.gp.id,
        prepared_by_id=actor.user_id if prepared.on_behalf else None,
        consent_id=consent_id,
        no_consent_id=no_consent_id,
        created_at=moment,
        content=b"",  # sealed below, for the id the flush gives it
    )
    session.add(row)
    session.flush()
    row.content = vault.seal("signal", "content", row.id, snapshot.dumps(out))
    note = (request.private_note or "").strip()
    row.private_note = vault.seal("signal", "private_note", row.id, note) if note else None
    event = SignalEvent(
        signal_id=row.id, status=SignalStatus.DRAFT, at=moment, source=EventSource.USER,
        actor_id=actor.user_id,
    )  # fmt: skip
    session.add(event)
    domain = _domain(session)
    for channel in _channels(prepared.delivery):
        session.add(
            _outbox((row.id, reference), MessageKind.SIGNAL, channel, domain=domain, at=moment)
        )
    session.flush()
    statement = prepared.statement
    if isinstance(statement, SharedWithoutConsent):
        checks = audit.Checks(
            treatment_relationship=True, consent=False,
            emergency=statement.ground is NoConsentGround.VITAL_INTEREST,
        )  # fmt: skip
        grounds = f"; zonder toestemming, grond {statement.ground_label}"
    else:
        checks = audit.Checks(treatment_relationship=True, consent=True)
        grounds = ""
    themes = ", ".join(t.code for t in out.themes)
    audit.record(
        session, event="signal.submit", action=audit.Action.CREATE, actor=actor,
        patient_ref=patient_ref, object_type="signal", object_id=row.id,
        checks=checks, detail=f"{reference} aan {out.team.name}; {themes}{grounds}",
        on_behalf_of=on_behalf_of, vault=vault,
        state=_merged_states(
            state_of(session, vault, "signal", row.id),
            state_of(session, vault, "signal_event", event.id),
        ),
    )  # fmt: skip
    return _record(session, vault, actor, row, at=moment)


def _channels(delivery: TeamDelivery) -> list[Channel]:
    channels = []
    if delivery.email:
        channels.append(Channel.SMTP)
    if delivery.export_folder:
        channels.append(Channel.FOLDER)
    return channels


def _outbox(
    signal: tuple[int, str], kind: MessageKind, channel: Channel, *, domain: str, at: datetime
) -> OutboxMessage:
    """A new outbox row, due now; its Message-ID is fixed here (kind suffix for a notice)."""
    signal_id, reference = signal
    suffix = "" if kind is MessageKind.SIGNAL else f".{kind.value}"
    return OutboxMessage(
        signal_id=signal_id,
        kind=kind,
        channel=channel,
        message_id=make_message_id(f"{reference}{suffix}", domain),
        state=OutboxState.PENDING,
        created_at=at,
        next_attempt_at=at,
    )


# -- reading ------------------------------------------------------------------------------------


def _signal_row(session: Session, reference: str) -> Signal:
    row = session.scalar(select(Signal).where(Signal.reference == reference.strip().upper()))
    if row is None:
        raise GpdeskError(
            f"Er is geen signaal met kenmerk {reference.strip()}.",
            hint="Controleer het kenmerk, bijvoorbeeld SIG-2026-000123.",
        )
    return row


def _record(
    session: Session, vault: Vault, actor: Actor, row: Signal, *, at: datetime | None = None
) -> SignalRecord:
    """Decrypt one signal; its rows are checked against their last recorded state first."""
    patient = session.get(Patient, row.patient_id)
    assert patient is not None  # the foreign key holds it
    ref = patient.bsn_index.hex()
    events = list(session.scalars(select(SignalEvent).where(SignalEvent.signal_id == row.id)
                                  .order_by(SignalEvent.id)))  # fmt: skip
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=ref):
        refuse_unless_current(session, vault, "signal", row.id, ref)
        for event in events:
            refuse_unless_current(session, vault, "signal_event", event.id, ref)
        out = snapshot.loads(vault.open("signal", "content", row.id, row.content))
        note = (
            vault.open("signal", "private_note", row.id, row.private_note)
            if row.private_note is not None and actor.may(Permission.PATIENT_OPEN)
            else None
        )
        reasons = {
            e.id: vault.open("signal_event", "reason", e.id, e.reason)
            for e in events
            if e.reason is not None
        }
    users = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
    )}  # fmt: skip
    timeline = tuple(
        TimelineEntry(
            status=e.status,
            at=e.at,
            who=_who(users.get(e.actor_id)) if e.actor_id else (e.actor_label or e.source.value),
            reason=reasons.get(e.id),
        )
        for e in events
    )
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.signal_id == row.id).order_by(OutboxMessage.id)
    )
    outbox = tuple(
        ChannelState(m.kind, m.channel, m.state, m.last_error, m.attempts, m.sent_at)
        for m in messages
    )
    return SignalRecord(
        id=row.id,
        reference=row.reference,
        patient_id=row.patient_id,
        status=row.status,
        team_id=row.team_id,
        team_name=row.team_name,
        created_at=row.created_at,
        sent_at=row.sent_at,
        expected_by=row.expected_by,
        closed_at=row.closed_at,
        overdue=is_overdue(row.status, row.expected_by, at or utcnow()),
        signal=out,
        private_note=note,
        timeline=timeline,
        outbox=outbox,
    )


def signal_detail(session: Session, vault: Vault, actor: Actor, reference: str) -> SignalRecord:
    """One signal with its timeline and outbox, decrypted; the read is audited."""
    require(actor.permissions, Permission.PATIENT_OPEN)
    row = _signal_row(session, reference)
    record = _record(session, vault, actor, row)
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    audit.record(
        session, event="signal.read", action=audit.Action.READ, actor=actor,
        patient_ref=patient.bsn_index.hex(), object_type="signal", object_id=row.id,
        checks=audit.Checks(treatment_relationship=True), vault=vault,
    )  # fmt: skip
    return record


def list_signals(
    session: Session,
    vault: Vault,
    actor: Actor,
    *,
    patient_id: int | None = None,
    open_only: bool = False,
    now: datetime | None = None,
) -> list[SignalSummary]:
    """Signals newest first, from plain columns only: nothing is decrypted, so lists stay fast.

    ``open_only`` leaves out the ended ones (afgerond, geweigerd, geannuleerd, niet bereikt,
    niet verschenen).
    """
    del vault  # nothing to open; kept so every call in this module reads alike
    require(actor.permissions, Permission.PATIENT_OPEN)
    t = Signal.__table__.c
    query = select(
        t.id, t.reference, t.patient_id, t.status, t.team_id, t.team_name, t.created_at,
        t.sent_at, t.expected_by, t.urgent, t.themes,
    ).order_by(t.created_at.desc(), t.id.desc())  # fmt: skip
    if patient_id is not None:
        query = query.where(t.patient_id == patient_id)
    if open_only:
        query = query.where(t.status.not_in(list(CLOSED)))
    moment = now or utcnow()
    result = []
    for r in session.execute(query):
        status = SignalStatus(r.status)
        result.append(
            SignalSummary(
                id=r.id,
                reference=r.reference,
                patient_id=r.patient_id,
                status=status,
                team_id=r.team_id,
                team_name=r.team_name,
                created_at=r.created_at,
                sent_at=r.sent_at,
                expected_by=r.expected_by,
                overdue=is_overdue(status, r.expected_by, moment),
                urgent=bool(r.urgent),
                themes=tuple(code for code in r.themes.split(",") if code),
            )
        )
    return result


# -- moving along ------------------------------------------------------------------------------


def add_event(
    session: Session,
    vault: Vault,
    signal: Signal,
    status: SignalStatus,
    *,
    source: EventSource,
    at: datetime,
    actor: Actor | None = None,
    actor_label: str | None = None,
    reason: str | None = None,
    event: str = "signal.status",
    detail: str | None = None,
) -> SignalEvent:
    """Move ``signal`` to ``status``: a timeline step and its audit entry, with their states.

    For every writer of a status (a user here, the outbox worker when a channel delivered, the
    inbox when the team answers): the step's reason is sealed, and the audit entry records the
    signal's and the step's state, so ``gpdesk check`` knows them. ``actor`` None means gpdesk
    or the team (``actor_label`` says who, in words).
    """
    step = SignalEvent(
        signal_id=signal.id, status=status, at=at, source=source,
        actor_id=None if actor is None else actor.user_id, actor_label=actor_label,
    )  # fmt: skip
    session.add(step)
    session.flush()
    if reason:
        step.reason = vault.seal("signal_event", "reason", step.id, reason)
    signal.status = status
    if status in CLOSED:
        signal.closed_at = at
    else:
        signal.closed_at = None
    patient = session.get(Patient, signal.patient_id)
    assert patient is not None
    audit.record(
        session, event=event, action=audit.Action.UPDATE, actor=actor,
        username=None if actor is not None else "systeem",
        patient_ref=patient.bsn_index.hex(), object_type="signal", object_id=signal.id,
        detail=detail or f"{signal.reference}: {status.value}", vault=vault,
        state=_merged_states(
            state_of(session, vault, "signal", signal.id),
            state_of(session, vault, "signal_event", step.id),
        ),
    )  # fmt: skip
    return step


def _stop_or_notify(session: Session, signal: Signal, kind: MessageKind, at: datetime) -> bool:
    """Stop what has not left; queue a ``kind`` notice on each channel where it may have.

    True when a notice was queued (the team had, or may have had, the signal).
    """
    messages = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.signal_id == signal.id, OutboxMessage.kind == MessageKind.SIGNAL
            )
        )
    )
    domain = _domain(session)
    notified = False
    for message in messages:
        if message.state in (OutboxState.PENDING, OutboxState.FAILED):
            message.state = OutboxState.STOPPED
            message.next_attempt_at = None
        elif message.state in (OutboxState.SENT, OutboxState.SENDING):
            session.add(
                _outbox((signal.id, signal.reference), kind, message.channel, domain=domain, at=at)
            )
            notified = True
    session.flush()
    return notified


def change_status(
    session: Session,
    vault: Vault,
    actor: Actor,
    reference: str,
    status: SignalStatus,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> SignalRecord:
    """Move a signal along its timeline as a user (issue #10 item 8); audited, commits nothing.

    Reopening an ended signal and cancelling need a reason. Cancelling stops what has not been
    sent and queues a cancellation to the team on each channel that already sent it.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    if not (actor.may(Permission.SIGNAL_SEND) or actor.may(Permission.SIGNAL_SEND_ON_BEHALF)):
        raise PermissionDeniedError(
            f"U hebt geen toestemming voor: {Permission.SIGNAL_SEND.label}.",
            hint="Vraag de praktijkmanager om dit recht als u het nodig hebt.",
        )
    moment = now or utcnow()
    row = _signal_row(session, reference)
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=patient.bsn_index.hex()):
        refuse_unless_current(session, vault, "signal", row.id, patient.bsn_index.hex())
    current = row.status
    target = SignalStatus(status)
    if target not in TRANSITIONS[current]:
        raise ValidationError({STATUS_FIELD: _refusal(current, target)})
    text = " ".join(reason.split())
    reopening = current in CLOSED and target not in CLOSED
    if (reopening or target is SignalStatus.CANCELLED) and not text:
        what = "heropenen" if reopening else "annuleren"
        raise ValidationError({REASON_FIELD: f"Schrijf op waarom u het signaal wilt {what}."})
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError({REASON_FIELD: "De reden is te lang. Kort die in."})
    detail = f"{row.reference}: {current.value} -> {target.value}"
    if target is SignalStatus.CANCELLED:
        if _stop_or_notify(session, row, MessageKind.CANCELLATION, moment):
            detail += "; annulering gemeld aan het team"
        else:
            detail += "; verzenden gestopt"
    elif reopening:
        detail += "; heropend"
    add_event(
        session, vault, row, target, source=EventSource.USER, at=moment, actor=actor,
        reason=text or None, detail=detail,
    )  # fmt: skip
    return _record(session, vault, actor, row, at=moment)


def _refusal(current: SignalStatus, target: SignalStatus) -> str:
    if current is SignalStatus.CANCELLED:
        return "Dit signaal is geannuleerd en kan niet meer veranderen. Maak zo nodig een nieuw."
    if target is SignalStatus.SENT:
        return "'Verzonden' zet gpdesk zelf zodra het signaal is afgeleverd."
    if current is SignalStatus.DRAFT:
        return "Dit signaal is nog niet verzonden. U kunt het alleen annuleren."
    return f"Een signaal met status '{current.value}' kan niet naar '{target.value}'."


# -- withdrawal -------------------------------------------------------------------------------

STOPPED_OUTCOME: Final = "verzenden gestopt"
NOTIFIED_OUTCOME: Final = "intrekking gemeld aan het team"


def withdrawal_hook(session: Session, withdrawn: WithdrawnConsent) -> Iterable[AffectedSignal]:
    """A ``consent.WithdrawalHook``: what the withdrawal of a consent does to its signals.

    Every signal resting on the consent that is not cancelled: sends that have not left are
    stopped; where the team had the signal, a withdrawal notice is queued on that channel.
    The signal's status is left as it is (the team may still answer about its earlier work);
    the outbox rows say what happened, and the withdrawal's audit entry counts the signals.
    """
    rows: Sequence[Signal] = list(
        session.scalars(
            select(Signal)
            .where(Signal.consent_id == withdrawn.consent_id)
            .where(Signal.status != SignalStatus.CANCELLED)
            .order_by(Signal.id)
        )
    )
    affected = []
    for row in rows:
        notified = _stop_or_notify(session, row, MessageKind.WITHDRAWAL, withdrawn.withdrawn_at)
        affected.append(
            AffectedSignal(row.reference, NOTIFIED_OUTCOME if notified else STOPPED_OUTCOME)
        )
    return affected
