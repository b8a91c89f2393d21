"""What to load with a ``Service``, and the small facts every reader derives from one.

The loader options keep each reader at a fixed number of queries; the derived facts (hours,
themes, postcodes, capacity, address line) are shared by the list, the detail and the index so
they always agree.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from gpdesk.errors import ValidationError
from gpdesk.kaart.postcodes import Pc4Range, merge
from gpdesk.kaart.schedule import Rule, ScheduleSet, Slot
from gpdesk.kaart.store.refs import LocationRef, ThemeRef
from gpdesk.models import (
    Attribute,
    Contact,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceCapacity,
)
from gpdesk.patients.validation import format_postcode

CONTACTS = selectinload(Service.contacts)
SERVICE_AT_LOCATIONS = selectinload(Service.service_at_locations)
CORE_OPTIONS: tuple[LoaderOption, ...] = (
    joinedload(Service.organization),
    CONTACTS.selectinload(Contact.phones),
    selectinload(Service.schedules),
    SERVICE_AT_LOCATIONS.selectinload(ServiceAtLocation.schedules),
    selectinload(Service.service_areas).selectinload(ServiceArea.postcodes),
    selectinload(Service.capacities),
    selectinload(Service.attributes).joinedload(Attribute.taxonomy_term),
)
DETAIL_OPTIONS: tuple[LoaderOption, ...] = (
    *CORE_OPTIONS,
    CONTACTS.selectinload(Contact.deputy).selectinload(Contact.phones),
    selectinload(Service.phones),
    SERVICE_AT_LOCATIONS.selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
    selectinload(Service.capacities).joinedload(ServiceCapacity.unit),
    selectinload(Service.languages),
)


def schedule_set(service: Service) -> ScheduleSet:
    """The service's own schedules plus those of the service at each of its locations."""
    rows = list(service.schedules)
    seen = {row.id for row in rows}
    for sal in service.service_at_locations:
        rows.extend(row for row in sal.schedules if row.id not in seen)
    return ScheduleSet.of(Rule.from_schedule(row) for row in rows)


def next_walk_in(service: Service, now: datetime) -> tuple[Slot, LocationRef | None] | None:
    """The next walk-in slot (as ``schedule_set(service).next_slot``) and where it is held.

    The place is the schedule's own, as HSDS ties it: a schedule of a service-at-location is
    held at that location; one of the service itself at the location it names
    (``location_id``), else at the service's only location. A service at several locations
    with an untied schedule: the place is not known (None), rather than guessed. Needs the
    service-at-locations loaded with their location and its addresses.
    """
    sals = {sal.id: sal for sal in service.service_at_locations}
    at_location = {sal.location_id: sal for sal in service.service_at_locations}
    only = next(iter(at_location.values())) if len(at_location) == 1 else None
    groups: dict[str | None, list[Rule]] = {}
    seen: set[str] = set()
    for row in service.schedules:
        seen.add(row.id)
        sal = (
            sals.get(row.service_at_location_id or "")
            or at_location.get(row.location_id or "")
            or only
        )
        groups.setdefault(None if sal is None else sal.id, []).append(Rule.from_schedule(row))
    for sal in service.service_at_locations:
        for row in sal.schedules:
            if row.id not in seen:
                seen.add(row.id)
                groups.setdefault(sal.id, []).append(Rule.from_schedule(row))
    found = [
        (slot, sal_id is None, sal_id or "")
        for sal_id, rules in groups.items()
        if (slot := ScheduleSet.of(rules).next_slot(now, walk_in_only=True)) is not None
    ]
    if not found:
        return None
    slot, unknown, sal_id = min(found)  # the earliest; at a known place when two coincide
    return slot, None if unknown else location_ref(sals[sal_id])


def location_ref(sal: ServiceAtLocation) -> LocationRef:
    """Where a service is delivered, as every reader shows it: name, address on one line."""
    location = sal.location
    return LocationRef(
        location.id,
        location.name,
        address_line(location),
        sal.description or location.description,
        location.transportation,
    )


def service_themes(service: Service) -> tuple[ThemeRef, ...]:
    """The service's themes, once each, by name (so every screen lists them alike)."""
    terms = {a.taxonomy_term.id: a.taxonomy_term for a in service.attributes}
    return tuple(
        ThemeRef(t.id, t.name) for t in sorted(terms.values(), key=lambda t: (t.name, t.id))
    )


def service_ranges(service: Service) -> list[Pc4Range]:
    """All PC4 ranges of the service's areas, merged (for routing and the postcode label)."""
    return merge(
        Pc4Range(p.pc4_from, p.pc4_to) for area in service.service_areas for p in area.postcodes
    )


def has_capacity(service: Service) -> bool | None:
    """Free places (True), a waiting list (False), or not reported (None)."""
    if not service.capacities:
        return None
    return any(c.available > 0 for c in service.capacities)


def address_line(location: Location) -> str | None:
    """The location's first address on one line; a postcode in another form is kept as is."""
    if not location.addresses:
        return None
    a = location.addresses[0]
    try:
        postcode = format_postcode(a.postal_code)
    except ValidationError:
        postcode = a.postal_code
    street = ", ".join(part for part in (a.address_1, a.address_2) if part)
    return f"{street}, {postcode} {a.city}".strip(", ")
