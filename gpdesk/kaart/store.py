"""Reading the sociale kaart: plain frozen results, never ORM objects, in a fixed number of queries.

Every reader takes the session of the caller's unit of work and returns frozen dataclasses (or,
for the search index, plain dicts), so results can cross to the GUI thread safely. Relations are
loaded with ``selectinload``: the number of queries does not grow with the number of services.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.postcodes import Pc4Range, format_ranges, merge
from gpdesk.kaart.schedule import AMSTERDAM, Rule, ScheduleSet, Slot, slot_label
from gpdesk.models import (
    Attribute,
    Contact,
    FeedbackAgreement,
    FixedContact,
    KaartChange,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceKind,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    utcnow,
)
from gpdesk.patients.validation import format_postcode
from gpdesk.security import audit
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from gpdesk.security.accounts import Actor

THEME_TAXONOMY = "gpdesk-thema"
"""The taxonomy whose terms are the practice's themes (the demo and new kaarten use it)."""

ASSURED = "assured"
"""``KaartChange.last_action_type`` of a check that changed nothing."""

AssurableKind = Literal["service", "contact"]


def local_today() -> date:
    """Today's date in the Netherlands (the kaart's dates are Dutch calendar dates)."""
    return datetime.now(AMSTERDAM).date()


@dataclass(frozen=True)
class ContactRef:
    """A named person to call; ``fixed`` when it is the practice's own vaste contactpersoon."""

    id: str
    name: str
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phone: str | None = None
    deputy: ContactRef | None = None
    fixed: bool = False
    theme: str | None = None
    note: str | None = None
    assured_date: date | None = None
    assured_by: str | None = None
    stale: bool = True

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text)."""
        result: dict[str, Any] = jsonable(asdict(self))
        return result


@dataclass(frozen=True)
class PhoneRef:
    """A phone number of a service."""

    number: str
    extension: str | None = None
    type: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class LocationRef:
    """Where a service is delivered."""

    id: str
    name: str | None
    address: str | None
    description: str | None = None
    transportation: str | None = None


@dataclass(frozen=True)
class AreaRef:
    """A service area with its PC4 ranges and neighbourhood names."""

    id: str
    name: str | None
    wijk: str | None
    ranges: tuple[Pc4Range, ...]

    @property
    def ranges_label(self) -> str:
        """``3118–3119`` for display."""
        return format_ranges(self.ranges)


@dataclass(frozen=True)
class ThemeRef:
    """A theme (taxonomy term)."""

    id: str
    name: str


@dataclass(frozen=True)
class CapacityRef:
    """Places free; ``available`` 0 means a waiting list (see ``description``)."""

    available: float
    maximum: float | None
    unit: str
    description: str | None
    updated: datetime


@dataclass(frozen=True)
class FeedbackAgreementRef:
    """What the team promised this practice about feedback."""

    confirm_within_working_days: int | None
    letter_at_closure: bool
    channel: str | None
    notes: str | None


@dataclass(frozen=True)
class ServiceSummary:
    """One line of the kaart's result list."""

    id: str
    name: str
    alternate_name: str | None
    organization: str
    kind: ServiceKind
    status: ServiceStatus
    themes: tuple[str, ...]
    assured_date: date | None
    stale: bool
    has_capacity: bool | None
    """True: places free; False: waiting list; None: not reported."""


@dataclass(frozen=True)
class ServiceDetail:
    """Everything the detail pane shows: what, where, when, who, checked when.

    ``contacts`` are the service's own contacts minus those who are only someone's deputy (they
    appear as ``deputy`` of the one they stand in for); ``fixed_contacts`` are the practice's
    agreed contacts, the general one first, then per theme.
    """

    id: str
    name: str
    alternate_name: str | None
    organization_id: str
    organization: str
    kind: ServiceKind
    status: ServiceStatus
    description: str | None
    url: str | None
    email: str | None
    alert: str | None
    contacts: tuple[ContactRef, ...]
    fixed_contacts: tuple[ContactRef, ...]
    phones: tuple[PhoneRef, ...]
    locations: tuple[LocationRef, ...]
    opening_hours: tuple[str, ...]
    next_walk_in: Slot | None
    next_walk_in_label: str | None
    open_now: bool
    areas: tuple[AreaRef, ...]
    themes: tuple[ThemeRef, ...]
    languages: tuple[str, ...]
    capacities: tuple[CapacityRef, ...]
    has_capacity: bool | None
    eligibility_description: str | None
    minimum_age: int | None
    maximum_age: int | None
    fees_description: str | None
    application_process: str | None
    interpretation_services: str | None
    assured_date: date | None
    assured_by: str | None
    stale: bool
    last_modified: datetime | None
    feedback_agreement: FeedbackAgreementRef | None


def jsonable(value: Any) -> Any:
    """Plain JSON data from dataclass dicts: dates as ISO text, enums as their values."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# --- loading ---------------------------------------------------------------------------------

_CONTACTS = selectinload(Service.contacts)
_SAL = selectinload(Service.service_at_locations)
_CORE_OPTIONS: tuple[LoaderOption, ...] = (
    joinedload(Service.organization),
    _CONTACTS.selectinload(Contact.phones),
    selectinload(Service.schedules),
    _SAL.selectinload(ServiceAtLocation.schedules),
    selectinload(Service.service_areas).selectinload(ServiceArea.postcodes),
    selectinload(Service.capacities),
    selectinload(Service.attributes).joinedload(Attribute.taxonomy_term),
)
_DETAIL_OPTIONS: tuple[LoaderOption, ...] = (
    *_CORE_OPTIONS,
    _CONTACTS.selectinload(Contact.deputy).selectinload(Contact.phones),
    selectinload(Service.phones),
    _SAL.selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
    selectinload(Service.capacities).joinedload(ServiceCapacity.unit),
    selectinload(Service.languages),
)


def load_fixed_contacts(
    session: Session, service_ids: Iterable[str]
) -> dict[str, list[FixedContact]]:
    """The practice's fixed contacts per team, in one query (plus their people and phones)."""
    ids = list(service_ids)
    found: dict[str, list[FixedContact]] = defaultdict(list)
    if not ids:
        return found
    rows = session.scalars(
        select(FixedContact)
        .where(FixedContact.service_id.in_(ids))
        .options(
            selectinload(FixedContact.contact).selectinload(Contact.phones),
            selectinload(FixedContact.contact)
            .selectinload(Contact.deputy)
            .selectinload(Contact.phones),
            selectinload(FixedContact.deputy).selectinload(Contact.phones),
            selectinload(FixedContact.taxonomy_term),
        )
        .order_by(FixedContact.service_id, FixedContact.id)
    )
    for row in rows:
        found[row.service_id].append(row)
    return found


# --- building results ------------------------------------------------------------------------


def _first_phone(contact: Contact) -> str | None:
    return contact.phones[0].number if contact.phones else None


def contact_ref(
    contact: Contact,
    today: date,
    *,
    months: int = DEFAULT_STALE_MONTHS,
    deputy: Contact | None = None,
    with_deputy: bool = True,
    phone: str | None = None,
    fixed: bool = False,
    theme: str | None = None,
    note: str | None = None,
) -> ContactRef:
    """A ContactRef of a loaded contact; the deputy is the given one or the contact's own."""
    stand_in = deputy if deputy is not None else contact.deputy if with_deputy else None
    return ContactRef(
        id=contact.id,
        name=contact.name or contact.title or "(naam onbekend)",
        title=contact.title,
        department=contact.department,
        email=contact.email,
        phone=phone or _first_phone(contact),
        deputy=(
            None
            if stand_in is None or stand_in.id == contact.id
            else contact_ref(stand_in, today, months=months, with_deputy=False)
        ),
        fixed=fixed,
        theme=theme,
        note=note,
        assured_date=contact.assured_date,
        assured_by=contact.assured_by,
        stale=is_stale(contact.assured_date, today, months),
    )


def fixed_contact_ref(
    fixed: FixedContact, today: date, *, months: int = DEFAULT_STALE_MONTHS
) -> ContactRef | None:
    """The fixed contact as a ContactRef; when the person left, the deputy stands in."""
    person = fixed.contact or fixed.deputy
    if person is None:
        return None
    deputy = fixed.deputy if fixed.contact is not None else None
    return contact_ref(
        person,
        today,
        months=months,
        deputy=deputy,
        with_deputy=deputy is None and fixed.contact is not None,
        phone=fixed.direct_line,
        fixed=True,
        theme=None if fixed.taxonomy_term is None else fixed.taxonomy_term.name,
        note=fixed.local_note,
    )


def primary_contacts(service: Service) -> list[Contact]:
    """The service's contacts minus those who are only someone else's deputy, by name."""
    deputies = {c.deputy_contact_id for c in service.contacts if c.deputy_contact_id}
    primary = [c for c in service.contacts if c.id not in deputies]
    return primary or list(service.contacts)


def best_contact(
    service: Service,
    fixed: Sequence[FixedContact],
    today: date,
    *,
    theme_id: str | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> ContactRef | None:
    """Who to call: the fixed contact for the theme, else the general fixed one, else the first."""
    ordered = sorted(
        (f for f in fixed if f.taxonomy_term_id in (theme_id, None)),
        key=lambda f: (f.taxonomy_term_id is None, f.id),
    )
    for candidate in ordered:
        ref = fixed_contact_ref(candidate, today, months=months)
        if ref is not None:
            return ref
    first = primary_contacts(service)
    return contact_ref(first[0], today, months=months) if first else None


def schedule_set(service: Service) -> ScheduleSet:
    """The service's own schedules plus those of the service at each of its locations."""
    rows = list(service.schedules)
    seen = {row.id for row in rows}
    for sal in service.service_at_locations:
        rows.extend(row for row in sal.schedules if row.id not in seen)
    return ScheduleSet.of(Rule.from_schedule(row) for row in rows)


def _themes(service: Service) -> tuple[ThemeRef, ...]:
    terms = {a.taxonomy_term.id: a.taxonomy_term for a in service.attributes}
    return tuple(
        ThemeRef(t.id, t.name) for t in sorted(terms.values(), key=lambda t: (t.name, t.id))
    )


def _ranges(service: Service) -> list[Pc4Range]:
    return merge(
        Pc4Range(p.pc4_from, p.pc4_to) for area in service.service_areas for p in area.postcodes
    )


def _has_capacity(service: Service) -> bool | None:
    """Free places (True), a waiting list (False), or not reported (None)."""
    if not service.capacities:
        return None
    return any(c.available > 0 for c in service.capacities)


def _address_line(location: Location) -> str | None:
    if not location.addresses:
        return None
    a = location.addresses[0]
    try:
        postcode = format_postcode(a.postal_code)
    except ValidationError:
        postcode = a.postal_code
    street = ", ".join(part for part in (a.address_1, a.address_2) if part)
    return f"{street}, {postcode} {a.city}".strip(", ")


def _detail(
    service: Service,
    fixed: Sequence[FixedContact],
    agreement: FeedbackAgreement | None,
    now: datetime,
    months: int,
) -> ServiceDetail:
    today = now.astimezone(AMSTERDAM).date()
    schedules = schedule_set(service)
    walk_in = schedules.next_slot(now, walk_in_only=True)
    fixed_refs = sorted(
        (ref for f in fixed if (ref := fixed_contact_ref(f, today, months=months)) is not None),
        key=lambda ref: (ref.theme is not None, ref.theme or "", ref.name),
    )
    return ServiceDetail(
        id=service.id,
        name=service.name,
        alternate_name=service.alternate_name,
        organization_id=service.organization_id,
        organization=service.organization.name,
        kind=service.kind,
        status=service.status,
        description=service.description,
        url=service.url,
        email=service.email,
        alert=service.alert,
        contacts=tuple(contact_ref(c, today, months=months) for c in primary_contacts(service)),
        fixed_contacts=tuple(fixed_refs),
        phones=tuple(
            PhoneRef(p.number, p.extension, p.type, p.description) for p in service.phones
        ),
        locations=tuple(
            LocationRef(
                sal.location.id,
                sal.location.name,
                _address_line(sal.location),
                sal.description or sal.location.description,
                sal.location.transportation,
            )
            for sal in service.service_at_locations
        ),
        opening_hours=tuple(schedules.labels(today)),
        next_walk_in=walk_in,
        next_walk_in_label=None if walk_in is None else slot_label(walk_in),
        open_now=schedules.is_open(now),
        areas=tuple(
            AreaRef(
                area.id,
                area.name,
                area.wijk,
                tuple(merge(Pc4Range(p.pc4_from, p.pc4_to) for p in area.postcodes)),
            )
            for area in service.service_areas
        ),
        themes=_themes(service),
        languages=tuple(sorted(lang.name or lang.code or "" for lang in service.languages)),
        capacities=tuple(
            CapacityRef(c.available, c.maximum, c.unit.name, c.description, c.updated)
            for c in service.capacities
        ),
        has_capacity=_has_capacity(service),
        eligibility_description=service.eligibility_description,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        fees_description=service.fees_description,
        application_process=service.application_process,
        interpretation_services=service.interpretation_services,
        assured_date=service.assured_date,
        assured_by=service.assured_by,
        stale=is_stale(service.assured_date, today, months),
        last_modified=service.last_modified,
        feedback_agreement=(
            None
            if agreement is None
            else FeedbackAgreementRef(
                agreement.confirm_within_working_days,
                agreement.letter_at_closure,
                agreement.channel,
                agreement.notes,
            )
        ),
    )


# --- public readers --------------------------------------------------------------------------


def service_detail(
    session: Session,
    service_id: str,
    *,
    now: datetime | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> ServiceDetail:
    """Everything about one service; ``GpdeskError`` in Dutch when it does not exist."""
    service = session.scalar(
        select(Service).where(Service.id == service_id).options(*_DETAIL_OPTIONS)
    )
    if service is None:
        raise GpdeskError(
            "Deze voorziening staat niet (meer) op de sociale kaart.",
            hint="Vernieuw de lijst; misschien is ze net verwijderd.",
        )
    agreement = session.scalar(
        select(FeedbackAgreement).where(FeedbackAgreement.service_id == service_id)
    )
    fixed = load_fixed_contacts(session, [service_id])[service_id]
    return _detail(service, fixed, agreement, now or utcnow(), months)


def list_services(
    session: Session,
    *,
    today: date | None = None,
    months: int = DEFAULT_STALE_MONTHS,
    include_inactive: bool = False,
) -> list[ServiceSummary]:
    """Every service (active ones only unless asked), by name."""
    today = today or local_today()
    query = (
        select(Service)
        .options(
            joinedload(Service.organization),
            selectinload(Service.capacities),
            selectinload(Service.attributes).joinedload(Attribute.taxonomy_term),
        )
        .order_by(Service.name, Service.id)
    )
    if not include_inactive:
        query = query.where(Service.status == ServiceStatus.ACTIVE)
    return [
        ServiceSummary(
            id=s.id,
            name=s.name,
            alternate_name=s.alternate_name,
            organization=s.organization.name,
            kind=s.kind,
            status=s.status,
            themes=tuple(t.name for t in _themes(s)),
            assured_date=s.assured_date,
            stale=is_stale(s.assured_date, today, months),
            has_capacity=_has_capacity(s),
        )
        for s in session.scalars(query)
    ]


def search_documents(
    session: Session, *, now: datetime | None = None, months: int = DEFAULT_STALE_MONTHS
) -> list[dict[str, Any]]:
    """One flat, JSON-ready record per active service, for the search index, by name.

    Keys (``gpdesk.kaart.search`` reads the first ones): id, name, alternate_name,
    organization, description, themes (term names), contacts (names), pc4_ranges ([from, to]
    pairs), min_age, max_age, has_capacity (True free / False waiting list / None unknown),
    open_now and walk_in_today (at ``now``); and for display: kind, postcodes_label, wijken,
    locations (address lines), assured_date (ISO or None), stale, walk_in (Dutch summary of
    the walk-in hours), opening_hours (Dutch summary of all hours).
    """
    moment = now or utcnow()
    today = moment.astimezone(AMSTERDAM).date()
    services = session.scalars(
        select(Service)
        .where(Service.status == ServiceStatus.ACTIVE)
        .options(
            *_CORE_OPTIONS,
            _SAL.selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
        )
        .order_by(Service.name, Service.id)
    )
    documents: list[dict[str, Any]] = []
    for s in services:
        ranges = _ranges(s)
        schedules = schedule_set(s)
        documents.append(
            {
                "id": s.id,
                "name": s.name,
                "alternate_name": s.alternate_name,
                "organization": s.organization.name,
                "description": s.description or "",
                "themes": [t.name for t in _themes(s)],
                "contacts": [c.name for c in s.contacts if c.name],
                "pc4_ranges": [[r.start, r.end] for r in ranges],
                "min_age": s.minimum_age,
                "max_age": s.maximum_age,
                "has_capacity": _has_capacity(s),
                "open_now": schedules.is_open(moment),
                "walk_in_today": schedules.walk_in_today(moment),
                "kind": s.kind.value,
                "postcodes_label": format_ranges(ranges),
                "wijken": [a.wijk for a in s.service_areas if a.wijk],
                "locations": [
                    line
                    for sal in s.service_at_locations
                    if (line := _address_line(sal.location)) is not None
                ],
                "assured_date": None if s.assured_date is None else s.assured_date.isoformat(),
                "stale": is_stale(s.assured_date, today, months),
                "walk_in": schedules.summary(today, walk_in_only=True),
                "opening_hours": schedules.summary(today),
            }
        )
    return documents


def _schedule_sets(session: Session) -> list[tuple[str, ScheduleSet]]:
    services = session.scalars(
        select(Service)
        .where(Service.status == ServiceStatus.ACTIVE)
        .options(
            selectinload(Service.schedules),
            _SAL.selectinload(ServiceAtLocation.schedules),
        )
    )
    return [(s.id, schedule_set(s)) for s in services]


def open_service_ids(session: Session, now: datetime | None = None) -> set[str]:
    """Ids of the active services with a slot going on at ``now`` (the "nu open" filter)."""
    moment = now or utcnow()
    return {sid for sid, schedules in _schedule_sets(session) if schedules.is_open(moment)}


def walk_in_today_ids(session: Session, now: datetime | None = None) -> set[str]:
    """Ids of the active services with a walk-in hour later today (or going on at ``now``)."""
    moment = now or utcnow()
    return {sid for sid, schedules in _schedule_sets(session) if schedules.walk_in_today(moment)}


def list_themes(session: Session) -> list[ThemeRef]:
    """The practice's themes (terms of the gpdesk-thema taxonomy, or without taxonomy), by name."""
    rows = session.scalars(
        select(TaxonomyTerm)
        .outerjoin(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where((Taxonomy.name == THEME_TAXONOMY) | (TaxonomyTerm.taxonomy_id.is_(None)))
        .order_by(TaxonomyTerm.name, TaxonomyTerm.id)
    )
    return [ThemeRef(t.id, t.name) for t in rows]


def mark_assured(
    session: Session,
    kind: AssurableKind,
    item_id: str,
    by: str,
    today: date | None = None,
) -> None:
    """Record that someone checked a service or contact and found it right.

    Only ``assured_date``/``assured_by`` change (``last_modified`` does not: the data did not),
    and a ``KaartChange`` row with action "assured" keeps who checked when.
    """
    if kind not in ("service", "contact"):
        raise ValueError(f"unknown kind {kind!r}")
    checker = " ".join(by.split())
    if not checker:
        raise ValidationError({"gecontroleerd_door": "Vul in wie het heeft gecontroleerd."})
    day = today or local_today()
    row: Service | Contact | None = (
        session.get(Service, item_id) if kind == "service" else session.get(Contact, item_id)
    )
    if row is None:
        what = "Deze voorziening" if kind == "service" else "Deze contactpersoon"
        raise GpdeskError(
            f"{what} staat niet (meer) op de sociale kaart.",
            hint="Vernieuw de lijst; misschien is het net verwijderd.",
        )
    previous = row.assured_date
    row.assured_date = day
    row.assured_by = checker
    if isinstance(row, Service) and "@" in checker:
        row.assurer_email = checker  # HSDS's own field for who assured, when it is an address
    session.add(
        KaartChange(
            resource_id=item_id,
            resource_type=kind,
            field_name="assured_date",
            previous_value="" if previous is None else previous.isoformat(),
            replacement_value=day.isoformat(),
            last_action_type=ASSURED,
            updated_by=checker,
        )
    )
    session.flush()


# --- the result list and checks from the screen ------------------------------------------------


@dataclass(frozen=True)
class ServiceRow:
    """What one line of the kaart's result list shows besides the name.

    ``contact`` is who to call (the practice's general fixed contact, else the service's first
    named contact); ``next_walk_in`` the walk-in hour going on or next to start.
    """

    id: str
    name: str
    organization: str
    contact: ContactRef | None
    next_walk_in: Slot | None
    assured_date: date | None
    assured_by: str | None
    stale: bool
    has_capacity: bool | None


def list_rows(
    session: Session, *, now: datetime | None = None, months: int = DEFAULT_STALE_MONTHS
) -> list[ServiceRow]:
    """One row per active service for the result list, by name, in a fixed number of queries.

    The next walk-in hour and freshness depend on the clock, so callers reload these rows now
    and then (the screen does every few minutes) while the search index stays as it is.
    """
    moment = now or utcnow()
    today = moment.astimezone(AMSTERDAM).date()
    services = session.scalars(
        select(Service)
        .where(Service.status == ServiceStatus.ACTIVE)
        .options(
            *_CORE_OPTIONS,
            _CONTACTS.selectinload(Contact.deputy).selectinload(Contact.phones),
        )
        .order_by(Service.name, Service.id)
    ).all()
    fixed = load_fixed_contacts(session, [s.id for s in services])
    return [
        ServiceRow(
            id=s.id,
            name=s.name,
            organization=s.organization.name,
            contact=best_contact(s, fixed.get(s.id, []), today, months=months),
            next_walk_in=schedule_set(s).next_slot(moment, walk_in_only=True),
            assured_date=s.assured_date,
            assured_by=s.assured_by,
            stale=is_stale(s.assured_date, today, months),
            has_capacity=_has_capacity(s),
        )
        for s in services
    ]


def assure_service(
    session: Session,
    actor: Actor,
    service_id: str,
    *,
    contact_ids: Iterable[str] = (),
    today: date | None = None,
) -> int:
    """``mark_assured`` for a person at the screen: permission checked, audit entry written.

    Checks the service and the given contacts (those the user saw next to it) as checked by
    ``actor`` today, in the caller's transaction, and returns how many contacts were included.

    Raises:
        PermissionDeniedError: the actor may not edit the sociale kaart.
    """
    require(actor.permissions, Permission.KAART_EDIT)
    mark_assured(session, "service", service_id, actor.display_name, today)
    contacts = list(dict.fromkeys(contact_ids))
    for contact_id in contacts:
        mark_assured(session, "contact", contact_id, actor.display_name, today)
    audit.record(
        session,
        event="kaart.assured",
        action=audit.Action.UPDATE,
        actor=actor,
        object_type="kaart_service",
        object_id=service_id,
        detail=f"met {len(contacts)} contactpersonen" if contacts else None,
    )
    return len(contacts)


def kaart_version(session: Session) -> str:
    """A cheap token that changes whenever the kaart does (edits, imports, checks).

    Every change writes a ``KaartChange`` row, so their count and newest date tell a screen, also
    on another workstation in practice mode, that its search index is out of date.
    """
    count, newest = session.execute(
        select(func.count(), func.max(KaartChange.last_action_date))
    ).one()
    return f"{count}:{newest.isoformat() if newest else '-'}"
