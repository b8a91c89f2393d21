"""Composing a signal for the preview and submitting it to the outbox, in the caller's session."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.models import (
    Consent,
    DataItem,
    EventSource,
    MessageKind,
    NoConsentGround,
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
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import (
    refuse_unless_current,
    refusing_tampered,
)
from gpdesk.signals import snapshot
from gpdesk.signals.consent import (
    ConsentError,
    ConsentScope,
    OrganisationRef,
    check_consent,
    check_draft,
    check_no_consent,
    local_date,
    record_consent,
    record_without_consent,
)
from gpdesk.signals.outgoing import (
    REQUESTER_FIELD,
    ConsentGiven,
    ConsentStatement,
    OutgoingSignal,
    Practice,
    Requester,
    SharedWithoutConsent,
    build,
    format_reference,
)
from gpdesk.signals.store.shapes import (
    SignalRecord,
    SignalRequest,
    channels_for,
    load_record,
    message_domain,
    outbox_row,
    record_states,
    who,
)
from gpdesk.signals.team import TeamOption, choose_for, open_patient, team_option


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


def _year(moment: datetime) -> int:
    return local_date(moment).year


def _next_number(session: Session, year: int) -> int:
    """What the next signal of ``year`` would be numbered; takes nothing."""
    last = session.scalar(select(SignalCounter.last_number).where(SignalCounter.year == year))
    return (last or 0) + 1


def _take_number(session: Session, year: int) -> int:
    """Take the next number of ``year`` in the caller's transaction; never the same one twice.

    The year's row is made if missing (a second workstation making it at the same moment is
    ignored, not an error), then bumped with UPDATE … RETURNING: on PostgreSQL that holds the
    row lock until the caller commits, so a concurrent submit waits and takes the next number;
    SQLite serialises writers anyway. Rolled back, the number is given back.
    """
    dialect = session.get_bind().dialect.name
    make = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        make(SignalCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=[SignalCounter.year])
    )
    bumped = session.execute(
        update(SignalCounter)
        .where(SignalCounter.year == year)
        .values(last_number=SignalCounter.last_number + 1)
        .returning(SignalCounter.last_number)
    )
    number: int = bumped.scalar_one()
    return number


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
        # The decision covers exactly what is sent, to whom it is sent.
        decision = replace(request.without_consent, items=items, organisation=organisation)
        checked = check_no_consent(actor, decision)
        return SharedWithoutConsent.from_request(checked, who(gp)), None
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
            "stellen (Beheer > Verzenden > Wijkteams).",
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
            replace(
                request.without_consent, items=prepared.statement.items,
                organisation=prepared.option.team.organisation,
            ),
            now=moment,
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
    domain = message_domain(session)
    for channel in channels_for(prepared.delivery):
        session.add(
            outbox_row((row.id, reference), MessageKind.SIGNAL, channel, domain=domain, at=moment)
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
        state=record_states(
            session, vault, [("signal", row.id), ("signal_event", event.id)]
        ),
    )  # fmt: skip
    return load_record(session, vault, actor, row, at=moment)
