"""What the Beheer editor shows: the list of the kaart and the current values of one service.

Readers only, in a fixed number of queries; they return frozen dataclasses whose inputs can be
handed straight back to ``gpdesk.kaart.editing`` (a dialog edits a copy and saves it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from gpdesk.errors import ValidationError
from gpdesk.kaart.editing.checks import (
    END_OF_DAY,
    OPENING_HOURS,
    WALK_IN,
    ScheduleRuleInput,
    clean_kind,
    days_text,
)
from gpdesk.kaart.editing.edit_log import not_found
from gpdesk.kaart.editing.people import ContactInput, FeedbackAgreementInput, FixedContactInput
from gpdesk.kaart.editing.services import OrganizationInput, ServiceInput
from gpdesk.kaart.editing.where import AreaInput, LocationInput
from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.postcodes import Pc4Range, merge
from gpdesk.kaart.schedule import WEEKDAY_CODES, Rule
from gpdesk.kaart.store.queries import list_themes, local_today
from gpdesk.models import (
    Contact,
    FeedbackAgreement,
    FixedContact,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceKind,
    ServiceStatus,
)
from gpdesk.models.kaart import split_names

ORGANIZATION_KIND_LABEL = "organisatie"


@dataclass(frozen=True)
class KaartRow:
    """One line of the Beheer list: a service, or an organisation that has none (yet)."""

    organization_id: str
    organization: str
    service_id: str | None
    name: str
    kind: ServiceKind | None
    status: ServiceStatus | None
    assured_date: date | None
    assured_by: str | None
    stale: bool
    contacts: int = 0

    @property
    def kind_label(self) -> str:
        """Wijkteam, centraal loket, overig, or organisatie."""
        return ORGANIZATION_KIND_LABEL if self.kind is None else self.kind.label

    @property
    def status_label(self) -> str:
        """Actief, niet actief, opgeheven, tijdelijk gesloten (blank for an organisation)."""
        return "" if self.status is None else self.status.label


@dataclass(frozen=True)
class Choice:
    """Something to pick in a combo box."""

    id: str
    label: str


@dataclass(frozen=True)
class LocationChoice:
    """An existing location, with its address to fill in and how many services use it."""

    id: str
    label: str
    value: LocationInput
    services: int


@dataclass(frozen=True)
class ContactRow:
    """A contact of the service being edited."""

    id: str
    name: str
    title: str
    department: str
    email: str
    phone: str
    deputy_id: str | None
    deputy_name: str
    stands_in_for: tuple[str, ...]
    assured_date: date | None
    stale: bool
    departed_on: date | None = None
    """The person left (kept, struck through); None while they are there."""

    @property
    def departed(self) -> bool:
        """Whether the person left."""
        return self.departed_on is not None

    def as_input(self) -> ContactInput:
        """The contact's current values, to edit."""
        return ContactInput(
            name=self.name,
            title=self.title,
            department=self.department,
            email=self.email,
            phone=self.phone,
            deputy_contact_id=self.deputy_id,
        )


@dataclass(frozen=True)
class ServiceForm:
    """Everything the service dialog shows, as editable inputs."""

    service_id: str | None
    service: ServiceInput
    themes: tuple[str, ...]
    location: LocationInput
    location_shared_with: tuple[str, ...]
    phone: str
    rules: tuple[ScheduleRuleInput, ...]
    area: AreaInput
    contacts: tuple[ContactRow, ...]
    fixed_contacts: tuple[FixedContactInput, ...]
    agreement: FeedbackAgreementInput | None
    assured_date: date | None
    assured_by: str | None
    stale: bool


@dataclass(frozen=True)
class FormChoices:
    """The lists a service dialog offers: organisations, themes, existing locations."""

    organizations: tuple[Choice, ...]
    themes: tuple[Choice, ...]
    locations: tuple[LocationChoice, ...]


@dataclass(frozen=True)
class OrganizationForm:
    """An organisation to edit, and the names of its services."""

    organization_id: str | None
    value: OrganizationInput
    services: tuple[str, ...]


# --- the list ----------------------------------------------------------------------------------


def kaart_rows(
    session: Session, *, today: date | None = None, months: int = DEFAULT_STALE_MONTHS
) -> list[KaartRow]:
    """Every service (also inactive and opgeheven) and every organisation without services."""
    day = today or local_today()
    counts: dict[str | None, int] = {
        service_id: count
        for service_id, count in session.execute(
            select(Contact.service_id, func.count())
            .where(Contact.service_id.is_not(None))
            .group_by(Contact.service_id)
        )
    }
    rows = [
        KaartRow(
            organization_id=s.organization_id,
            organization=s.organization.name,
            service_id=s.id,
            name=s.name,
            kind=s.kind,
            status=s.status,
            assured_date=s.assured_date,
            assured_by=s.assured_by,
            stale=s.status is ServiceStatus.ACTIVE and is_stale(s.assured_date, day, months),
            contacts=counts.get(s.id, 0),
        )
        for s in session.scalars(select(Service).options(joinedload(Service.organization)))
    ]
    with_services = {row.organization_id for row in rows}
    rows.extend(
        KaartRow(
            organization_id=o.id,
            organization=o.name,
            service_id=None,
            name=o.name,
            kind=None,
            status=None,
            assured_date=None,
            assured_by=None,
            stale=False,
        )
        for o in session.scalars(select(Organization))
        if o.id not in with_services
    )
    return sorted(
        rows, key=lambda r: (r.name.casefold(), r.organization.casefold(), r.service_id or "")
    )


# --- one service ---------------------------------------------------------------------------------


def _is_simple(row: Schedule) -> bool:
    """Whether the simple editor (days, from, to) can show the rule without losing anything."""
    codes = [c.strip().upper() for c in (row.byday or "").split(",") if c.strip()]
    return (
        (row.freq or "WEEKLY").upper() == "WEEKLY"
        and (row.interval or 1) == 1
        and bool(codes)
        and all(c in WEEKDAY_CODES for c in codes)
        and not (row.bymonthday or row.byweekno or row.byyearday)
        and not (row.valid_from or row.valid_to or row.dtstart or row.until or row.count)
        and row.opens_at is not None
        and row.closes_at is not None
        and (row.opens_at < row.closes_at or row.closes_at == time(0))
    )


def _kind_of(row: Schedule) -> str:
    try:
        return clean_kind(row.attending_type or "")
    except ValidationError:
        return WALK_IN if Rule(attending_type=row.attending_type).is_walk_in else OPENING_HOURS


def rule_rows(schedules: list[Schedule]) -> tuple[ScheduleRuleInput, ...]:
    """The editor's rows for a service's own schedules: simple ones editable, others kept."""
    simple: list[tuple[tuple[bool, int, str], ScheduleRuleInput]] = []
    kept: list[ScheduleRuleInput] = []
    for row in schedules:
        if _is_simple(row):
            assert row.opens_at is not None and row.closes_at is not None
            days = [WEEKDAY_CODES.index(c.strip().upper()) for c in (row.byday or "").split(",")]
            kind = _kind_of(row)
            item = ScheduleRuleInput(
                days=days_text(days),
                opens=f"{row.opens_at:%H:%M}",
                closes=END_OF_DAY if row.closes_at == time(0) else f"{row.closes_at:%H:%M}",
                kind=kind,
                note=row.description or "",
                schedule_id=row.id,
            )
            walk_in = Rule(attending_type=kind).is_walk_in
            simple.append(((walk_in, min(days), item.opens), item))
        else:
            rule = Rule.from_schedule(row)
            kept.append(
                ScheduleRuleInput(
                    days=rule.label or (row.description or "(vast schema)"),
                    opens="" if row.opens_at is None else f"{row.opens_at:%H:%M}",
                    closes="" if row.closes_at is None else f"{row.closes_at:%H:%M}",
                    kind=row.attending_type or "",
                    note=row.description or "",
                    schedule_id=row.id,
                    keep=True,
                )
            )
    return tuple(item for _, item in sorted(simple, key=lambda pair: pair[0])) + tuple(kept)


def _ranges_text(ranges: list[Pc4Range]) -> str:
    return ", ".join(str(r.start) if r.start == r.end else f"{r.start}-{r.end}" for r in ranges)


def _contact_rows(service: Service, today: date, months: int) -> tuple[ContactRow, ...]:
    names = {c.id: c.name or "" for c in service.contacts}
    stands_in: dict[str, list[str]] = {}
    for c in service.contacts:
        if c.deputy_contact_id:
            stands_in.setdefault(c.deputy_contact_id, []).append(c.name or "")
    return tuple(
        ContactRow(
            id=c.id,
            name=c.name or "",
            title=c.title or "",
            department=c.department or "",
            email=c.email or "",
            phone=c.phones[0].number if c.phones else "",
            deputy_id=c.deputy_contact_id,
            deputy_name=names.get(c.deputy_contact_id or "", ""),
            stands_in_for=tuple(sorted(stands_in.get(c.id, []))),
            assured_date=c.assured_date,
            stale=c.departed_on is None and is_stale(c.assured_date, today, months),
            departed_on=c.departed_on,
        )
        for c in sorted(service.contacts, key=lambda c: ((c.name or "").casefold(), c.id))
    )


def contact_rows(
    session: Session,
    service_id: str,
    *,
    today: date | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> tuple[ContactRow, ...]:
    """The service's contacts, for the contacts tab and the deputy choices."""
    service = session.scalar(
        select(Service)
        .where(Service.id == service_id)
        .options(selectinload(Service.contacts).selectinload(Contact.phones))
    )
    if service is None:
        raise not_found("Deze voorziening")
    return _contact_rows(service, today or local_today(), months)


def empty_service_form(organization_id: str = "") -> ServiceForm:
    """A blank form for a new service."""
    return ServiceForm(
        service_id=None,
        service=ServiceInput(name="", organization_id=organization_id),
        themes=(),
        location=LocationInput(),
        location_shared_with=(),
        phone="",
        rules=(),
        area=AreaInput(""),
        contacts=(),
        fixed_contacts=(),
        agreement=None,
        assured_date=None,
        assured_by=None,
        stale=True,
    )


def service_form(
    session: Session,
    service_id: str,
    *,
    today: date | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> ServiceForm:
    """The current values of one service, for its dialog."""
    day = today or local_today()
    service = session.scalar(
        select(Service)
        .where(Service.id == service_id)
        .options(
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.contacts).selectinload(Contact.phones),
            selectinload(Service.service_areas).selectinload(ServiceArea.postcodes),
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
            selectinload(Service.attributes),
        )
    )
    if service is None:
        raise not_found("Deze voorziening")
    theme_ids = {t.id for t in list_themes(session)}
    location = LocationInput()
    shared: tuple[str, ...] = ()
    if service.service_at_locations:
        place = service.service_at_locations[0].location
        address = place.addresses[0] if place.addresses else None
        location = LocationInput(
            location_id=place.id,
            name=place.name or "",
            address_1="" if address is None else address.address_1,
            postal_code="" if address is None else address.postal_code,
            city="" if address is None else address.city,
            transportation=place.transportation or "",
        )
        shared = tuple(
            session.scalars(
                select(Service.name)
                .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
                .where(ServiceAtLocation.location_id == place.id, Service.id != service.id)
                .order_by(Service.name)
            )
        )
    areas = list(service.service_areas)
    agreement = session.scalar(
        select(FeedbackAgreement).where(FeedbackAgreement.service_id == service.id)
    )
    fixed = session.scalars(
        select(FixedContact).where(FixedContact.service_id == service.id).order_by(FixedContact.id)
    ).all()
    return ServiceForm(
        service_id=service.id,
        service=ServiceInput(
            name=service.name,
            organization_id=service.organization_id,
            alternate_name=service.alternate_name or "",
            description=service.description or "",
            status=service.status,
            kind=service.kind,
            url=service.url or "",
            email=service.email or "",
            eligibility_description=service.eligibility_description or "",
            minimum_age=service.minimum_age,
            maximum_age=service.maximum_age,
            fees_description=service.fees_description or "",
            application_process=service.application_process or "",
            alert=service.alert or "",
            wait_time=service.wait_time or "",
            municipal_contract=service.municipal_contract,
            former_names="; ".join(split_names(service.former_names)),
        ),
        themes=tuple(sorted({a.taxonomy_term_id for a in service.attributes} & theme_ids)),
        location=location,
        location_shared_with=shared,
        phone=service.phones[0].number if service.phones else "",
        rules=rule_rows(list(service.schedules)),
        area=AreaInput(
            postcodes=_ranges_text(
                merge(Pc4Range(p.pc4_from, p.pc4_to) for a in areas for p in a.postcodes)
            ),
            name=(areas[0].name or "") if areas else "",
            wijk=(areas[0].wijk or "") if areas else "",
        ),
        contacts=_contact_rows(service, day, months),
        fixed_contacts=tuple(
            FixedContactInput(
                contact_id=f.contact_id,
                theme_id=f.taxonomy_term_id,
                deputy_contact_id=f.deputy_contact_id,
                direct_line=f.direct_line or "",
                local_note=f.local_note or "",
            )
            for f in sorted(fixed, key=lambda f: (f.taxonomy_term_id is not None, f.id))
        ),
        agreement=(
            None
            if agreement is None
            else FeedbackAgreementInput(
                confirm_within_working_days=agreement.confirm_within_working_days,
                letter_at_closure=agreement.letter_at_closure,
                channel=agreement.channel or "",
                notes=agreement.notes or "",
            )
        ),
        assured_date=service.assured_date,
        assured_by=service.assured_by,
        stale=is_stale(service.assured_date, day, months),
    )


def form_choices(session: Session) -> FormChoices:
    """Organisations, themes and existing locations (with their address) to pick from."""
    used = Counter(session.scalars(select(ServiceAtLocation.location_id)))
    locations = []
    for place in session.scalars(select(Location).options(selectinload(Location.addresses))):
        address = place.addresses[0] if place.addresses else None
        if address is None:
            continue
        line = f"{address.address_1}, {address.postal_code} {address.city}"
        locations.append(
            LocationChoice(
                id=place.id,
                label=f"{place.name} — {line}" if place.name else line,
                value=LocationInput(
                    location_id=place.id,
                    name=place.name or "",
                    address_1=address.address_1,
                    postal_code=address.postal_code,
                    city=address.city,
                    transportation=place.transportation or "",
                ),
                services=used.get(place.id, 0),
            )
        )
    return FormChoices(
        organizations=tuple(
            Choice(o.id, o.name)
            for o in session.scalars(select(Organization).order_by(Organization.name))
        ),
        themes=tuple(Choice(t.id, t.name) for t in list_themes(session)),
        locations=tuple(sorted(locations, key=lambda c: c.label.casefold())),
    )


def organization_form(session: Session, organization_id: str) -> OrganizationForm:
    """An organisation's current values and its services."""
    organization = session.scalar(
        select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.services))
    )
    if organization is None:
        raise not_found("Deze organisatie")
    return OrganizationForm(
        organization_id=organization.id,
        value=OrganizationInput(
            name=organization.name,
            alternate_name=organization.alternate_name or "",
            description=organization.description or "",
            email=organization.email or "",
            website=organization.website or "",
            former_names="; ".join(split_names(organization.former_names)),
        ),
        services=tuple(s.name for s in organization.services),
    )
