"""What to load with a ``Service``, and the small facts every reader derives from one.

The loader options keep each reader at a fixed number of queries; the derived facts (hours,
themes, postcodes, capacity, address line) are shared by the list, the detail and the index so
they always agree.
"""

from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from gpdesk.errors import ValidationError
from gpdesk.kaart.postcodes import Pc4Range, merge
from gpdesk.kaart.schedule import Rule, ScheduleSet
from gpdesk.kaart.store.refs import ThemeRef
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
