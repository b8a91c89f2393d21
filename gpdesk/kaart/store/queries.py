"""Reading the sociale kaart: plain frozen results, never ORM objects, in a fixed number of queries.

Every reader takes the session of the caller's unit of work and returns frozen dataclasses (or,
for the search index, plain dicts), so results can cross to the GUI thread safely. Relations are
loaded with ``selectinload``: the number of queries does not grow with the number of services.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.postcodes import format_ranges
from gpdesk.kaart.schedule import AMSTERDAM, ScheduleSet
from gpdesk.kaart.store.contacts import (
    best_contact,
    contact_ref,
    fixed_contact_ref,
    load_fixed_contacts,
    primary_contacts,
)
from gpdesk.kaart.store.detail import service_detail
from gpdesk.kaart.store.loading import CONTACTS as _CONTACTS
from gpdesk.kaart.store.loading import CORE_OPTIONS as _CORE_OPTIONS
from gpdesk.kaart.store.loading import SERVICE_AT_LOCATIONS as _SAL
from gpdesk.kaart.store.loading import address_line as _address_line
from gpdesk.kaart.store.loading import has_capacity as _has_capacity
from gpdesk.kaart.store.loading import schedule_set
from gpdesk.kaart.store.loading import service_ranges as _ranges
from gpdesk.kaart.store.loading import service_themes as _themes
from gpdesk.kaart.store.refs import (
    AreaRef,
    CapacityRef,
    ContactRef,
    FeedbackAgreementRef,
    LocationRef,
    PhoneRef,
    ServiceDetail,
    ServiceRow,
    ServiceSummary,
    ThemeRef,
    jsonable,
)
from gpdesk.models import (
    Attribute,
    Contact,
    KaartChange,
    Location,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    utcnow,
)
from gpdesk.models.kaart import LISTED_STATUSES, split_names
from gpdesk.security import audit
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from gpdesk.security.actor import Actor

__all__ = [
    "ASSURED",
    "THEME_TAXONOMY",
    "AreaRef",
    "AssurableKind",
    "CapacityRef",
    "ContactRef",
    "FeedbackAgreementRef",
    "LocationRef",
    "PhoneRef",
    "ServiceDetail",
    "ServiceRow",
    "ServiceSummary",
    "ThemeRef",
    "assure_service",
    "best_contact",
    "contact_ref",
    "fixed_contact_ref",
    "jsonable",
    "kaart_version",
    "list_rows",
    "list_services",
    "list_themes",
    "load_fixed_contacts",
    "local_today",
    "mark_assured",
    "open_service_ids",
    "primary_contacts",
    "schedule_set",
    "search_documents",
    "service_detail",
    "walk_in_today_ids",
]

THEME_TAXONOMY = "gpdesk-thema"
"""The taxonomy whose terms are the practice's themes (the demo and new kaarten use it)."""

ASSURED = "assured"
"""``KaartChange.last_action_type`` of a check that changed nothing."""

AssurableKind = Literal["service", "contact"]


def local_today() -> date:
    """Today's date in the Netherlands (the kaart's dates are Dutch calendar dates)."""
    return datetime.now(AMSTERDAM).date()


def list_services(
    session: Session,
    *,
    today: date | None = None,
    months: int = DEFAULT_STALE_MONTHS,
    include_inactive: bool = False,
) -> list[ServiceSummary]:
    """Every listed service (active or temporarily closed; all statuses if asked), by name."""
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
        query = query.where(Service.status.in_(LISTED_STATUSES))
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
    """One flat, JSON-ready record per listed service, for the search index, by name.

    Listed: active or temporarily closed (inactive and defunct services are not searched).
    Keys (``gpdesk.kaart.search.index`` reads the first ones): id, name, alternate_name,
    former_names (the service's earlier names), organization (its name), organization_names
    (its other and earlier names), description, themes (term names), contacts (names),
    pc4_ranges ([from, to] pairs), min_age, max_age, has_capacity (True free / False waiting
    list / None unknown), open_now and walk_in_today (at ``now``; never for a closed service),
    status; and for display: kind, alert, postcodes_label, wijken, locations (address lines),
    assured_date (ISO or None), stale, walk_in (Dutch summary of the walk-in hours),
    opening_hours (Dutch summary of all hours).
    """
    moment = now or utcnow()
    today = moment.astimezone(AMSTERDAM).date()
    services = session.scalars(
        select(Service)
        .where(Service.status.in_(LISTED_STATUSES))
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
        running = s.status is ServiceStatus.ACTIVE
        organization = s.organization
        documents.append(
            {
                "id": s.id,
                "name": s.name,
                "alternate_name": s.alternate_name,
                "former_names": split_names(s.former_names),
                "organization": organization.name,
                "organization_names": [
                    *([organization.alternate_name] if organization.alternate_name else []),
                    *split_names(organization.former_names),
                ],
                "description": s.description or "",
                "themes": [t.name for t in _themes(s)],
                "contacts": [c.name for c in s.contacts if c.name],
                "pc4_ranges": [[r.start, r.end] for r in ranges],
                "min_age": s.minimum_age,
                "max_age": s.maximum_age,
                "has_capacity": _has_capacity(s),
                "open_now": running and schedules.is_open(moment),
                "walk_in_today": running and schedules.walk_in_today(moment),
                "status": s.status.value,
                "alert": s.alert,
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
    """Ids of the active services with a slot going on at ``now`` (the "nu open" filter).

    A temporarily closed service is never open, whatever its hours say.
    """
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


def list_rows(
    session: Session, *, now: datetime | None = None, months: int = DEFAULT_STALE_MONTHS
) -> list[ServiceRow]:
    """One row per listed service for the result list, by name, in a fixed number of queries.

    The next walk-in hour and freshness depend on the clock, so callers reload these rows now
    and then (the screen does every few minutes) while the search index stays as it is.
    """
    moment = now or utcnow()
    today = moment.astimezone(AMSTERDAM).date()
    services = session.scalars(
        select(Service)
        .where(Service.status.in_(LISTED_STATUSES))
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
            next_walk_in=(
                schedule_set(s).next_slot(moment, walk_in_only=True)
                if s.status is ServiceStatus.ACTIVE
                else None
            ),
            assured_date=s.assured_date,
            assured_by=s.assured_by,
            stale=is_stale(s.assured_date, today, months),
            has_capacity=_has_capacity(s),
            status=s.status,
            alert=s.alert,
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
