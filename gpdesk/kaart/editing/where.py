"""Editing where and when a service is: its address and phone, its werkgebied, its hours.

Part of ``gpdesk.kaart.editing`` (use the public names from there); same rules: the caller's
session, ``EditLog`` for permission, change rows and audit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gpdesk.kaart.editing import checks
from gpdesk.kaart.editing.checks import CleanRule, Problems, ScheduleRuleInput
from gpdesk.kaart.editing.edit_log import EditLog, EditResult, load_service, not_found
from gpdesk.kaart.editing.people import set_first_phone
from gpdesk.kaart.postcodes import Pc4Range, format_ranges, merge
from gpdesk.models import (
    Address,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAreaPostcode,
    ServiceAtLocation,
    ServiceKind,
    ServiceStatus,
)
from gpdesk.security.accounts import SignedIn


@dataclass(frozen=True)
class LocationInput:
    """Where a service is: an existing location (``location_id``) with its address, or a new one.

    All fields empty and no ``location_id`` means: the service has no address.
    """

    location_id: str | None = None
    name: str = ""
    address_1: str = ""
    postal_code: str = ""
    city: str = ""
    transportation: str = ""


@dataclass(frozen=True)
class AreaInput:
    """A service's werkgebied: PC4 ranges as text ("3118-3119, 3121"), name and wijken."""

    postcodes: str
    name: str = ""
    wijk: str = ""


# --- where: location, address, phone ---------------------------------------------------------


@dataclass(frozen=True)
class CleanLocation:
    """A checked address; ``empty`` means the service has no address."""

    location_id: str | None
    name: str | None
    address_1: str
    postal_code: str
    city: str
    transportation: str | None

    @property
    def empty(self) -> bool:
        """Nothing filled and no existing location chosen."""
        return self.location_id is None and not (self.address_1 or self.city or self.name)


def clean_location(data: LocationInput, problems: Problems) -> CleanLocation:
    """Check an address: street, postcode and city belong together."""
    street = checks.clean_line(data.address_1) or ""
    city = checks.clean_line(data.city) or ""
    postcode = problems.check(checks.POSTCODE, partial(checks.clean_postcode, data.postal_code))
    clean = CleanLocation(
        location_id=data.location_id or None,
        name=checks.clean_line(data.name),
        address_1=street,
        postal_code=postcode or "",
        city=city,
        transportation=checks.clean_text(data.transportation),
    )
    if not clean.empty or data.postal_code.strip():
        if not street:
            problems.add(checks.ADDRESS, "Vul de straat en het huisnummer in.")
        if not data.postal_code.strip():
            problems.add(checks.POSTCODE, "Vul de postcode in, bijvoorbeeld 3118 AB.")
        if not city:
            problems.add(checks.CITY, "Vul de plaats in.")
    return clean


def _other_services_at(session: Session, location_id: str, service_id: str) -> list[str]:
    return list(
        session.scalars(
            select(Service.name)
            .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
            .where(ServiceAtLocation.location_id == location_id, Service.id != service_id)
            .order_by(Service.name)
        )
    )


def apply_location(log: EditLog, service: Service, loc: CleanLocation) -> None:
    """Link the service to the location and bring its address up to date.

    Locations are shared (one building, several services): changing a shared address warns.
    """
    session = log.session
    link = service.service_at_locations[0] if service.service_at_locations else None
    if loc.empty:
        if link is not None:
            log.deleted(
                "service_at_location",
                link.id,
                {"service_id": service.id, "location_id": link.location_id},
            )
            service.service_at_locations.remove(link)
            session.delete(link)
        return
    location = None
    if loc.location_id is not None:
        location = session.scalar(
            select(Location)
            .where(Location.id == loc.location_id)
            .options(selectinload(Location.addresses))
        )
        if location is None:
            raise not_found("Deze locatie")
    address_values = {"address_1": loc.address_1, "postal_code": loc.postal_code, "city": loc.city}
    if location is None:
        location = Location(
            organization_id=service.organization_id,
            name=loc.name,
            transportation=loc.transportation,
        )
        session.add(location)
        session.flush()
        log.created(
            "location",
            location.id,
            {"name": loc.name, "transportation": loc.transportation},
        )
        address = Address(location_id=location.id, **address_values)
        session.add(address)
        session.flush()
        log.created("address", address.id, {"location_id": location.id, **address_values})
    else:
        before = log.changes
        log.assign(location, "location", {"name": loc.name, "transportation": loc.transportation})
        if location.addresses:
            log.assign(location.addresses[0], "address", address_values)
        else:
            address = Address(location_id=location.id, **address_values)
            session.add(address)
            session.flush()
            log.created("address", address.id, {"location_id": location.id, **address_values})
        others = _other_services_at(session, location.id, service.id)
        if log.changes != before and others:
            shown = ", ".join(others[:3]) + (
                f" en {len(others) - 3} andere" if len(others) > 3 else ""
            )
            log.warn(f"Dit adres hoort ook bij {shown}; daar is het ook aangepast.")
    if link is None:
        link = ServiceAtLocation(service_id=service.id, location=location)
        session.add(link)
        session.flush()
        log.created(
            "service_at_location", link.id, {"service_id": service.id, "location_id": location.id}
        )
    elif link.location_id != location.id:
        log.field("service_at_location", link.id, "location_id", link.location_id, location.id)
        link.location = location


def set_service_location(
    session: Session,
    by: SignedIn,
    service_id: str,
    location: LocationInput,
    *,
    phone: str | None = None,
) -> EditResult:
    """Where the service is (address) and, unless ``phone`` is None, its general number."""
    log = EditLog(session, by, object_type="kaart_service", object_id=service_id)
    problems = Problems()
    clean = clean_location(location, problems)
    number = (
        None if phone is None else problems.check(checks.PHONE, partial(checks.clean_phone, phone))
    )
    problems.raise_if_any()
    service = load_service(session, service_id)
    apply_location(log, service, clean)
    if phone is not None:
        set_first_phone(log, service, "service_id", number, "Algemeen nummer")
    return log.finish()


# --- werkgebied ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanArea:
    """A checked werkgebied."""

    ranges: tuple[Pc4Range, ...]
    name: str | None
    wijk: str | None


def clean_area(data: AreaInput, problems: Problems) -> CleanArea:
    """Check a werkgebied: the postcodes strictly, so a typo never drops a street."""
    ranges = problems.check(checks.AREA, partial(checks.clean_ranges, data.postcodes)) or []
    return CleanArea(tuple(ranges), checks.clean_line(data.name), checks.clean_line(data.wijk))


def _extent(ranges: Sequence[Pc4Range]) -> str:
    return ", ".join(str(r.start) if r.start == r.end else f"{r.start}-{r.end}" for r in ranges)


def _overlapping_teams(session: Session, service: Service, ranges: Sequence[Pc4Range]) -> list[str]:
    names: set[str] = set()
    for item in ranges:
        names.update(
            session.scalars(
                select(Service.name)
                .join(ServiceArea, ServiceArea.service_id == Service.id)
                .join(ServiceAreaPostcode, ServiceAreaPostcode.service_area_id == ServiceArea.id)
                .where(
                    Service.id != service.id,
                    Service.kind == ServiceKind.WIJKTEAM,
                    Service.status == ServiceStatus.ACTIVE,
                    ServiceAreaPostcode.pc4_from <= item.end,
                    ServiceAreaPostcode.pc4_to >= item.start,
                )
            )
        )
    return sorted(names)


def apply_area(log: EditLog, service: Service, area: CleanArea) -> None:
    """Store the werkgebied in the service's one own area, with its PC4 rows for routing."""
    session = log.session
    own = list(service.service_areas)
    is_team = service.kind is ServiceKind.WIJKTEAM
    if not area.ranges and not area.name and not area.wijk:
        for old in own:
            log.deleted(
                "service_area",
                old.id,
                {
                    "service_id": service.id,
                    "name": old.name,
                    "postcodes": _extent(
                        merge(Pc4Range(p.pc4_from, p.pc4_to) for p in old.postcodes)
                    ),
                },
            )
            service.service_areas.remove(old)
            session.delete(old)
        if is_team:
            log.warn(
                f"{service.name} heeft nu geen werkgebied: signalen gaan dan naar het centrale "
                "loket. Vul de postcodes in als dit niet de bedoeling was."
            )
        return
    target = own[0] if own else None
    previous: list[Pc4Range] = []
    if target is None:
        target = ServiceArea(service_id=service.id)
        session.add(target)
        session.flush()
        service.service_areas.append(target)
        log.created("service_area", target.id, {"service_id": service.id})
    else:
        previous = merge(Pc4Range(p.pc4_from, p.pc4_to) for old in own for p in old.postcodes)
    for extra in own[1:]:
        log.deleted("service_area", extra.id, {"service_id": service.id, "name": extra.name})
        service.service_areas.remove(extra)
        session.delete(extra)
    extent = _extent(area.ranges)
    log.assign(target, "service_area", {"name": area.name, "wijk": area.wijk})
    if list(area.ranges) != previous:
        # The extent text is rewritten only when the ranges change: an imported description
        # ("Wijk Nieuwland: 3118 en 3119") stays as it was when the practice saves unchanged.
        log.assign(target, "service_area", {"extent": extent or None, "extent_type": "text"})
        log.field("service_area", target.id, "postcodes", _extent(previous), extent)
        target.postcodes = [
            ServiceAreaPostcode(pc4_from=r.start, pc4_to=r.end) for r in area.ranges
        ]
    if is_team and service.status is ServiceStatus.ACTIVE and area.ranges:
        others = _overlapping_teams(session, service, area.ranges)
        if others:
            log.warn(
                f"Een deel van dit werkgebied ({format_ranges(area.ranges)}) hoort ook bij "
                f"{', '.join(others)}; signalen voor die postcodes kunnen naar beide teams."
            )


def set_service_area(
    session: Session, by: SignedIn, service_id: str, area: AreaInput
) -> EditResult:
    """The service's werkgebied: the PC4 ranges that route a signal here, its name and wijken.

    A service keeps one own area; extra areas are merged into it. Empty text removes the area.
    """
    log = EditLog(session, by, object_type="kaart_service", object_id=service_id)
    problems = Problems()
    clean = clean_area(area, problems)
    problems.raise_if_any()
    apply_area(log, load_service(session, service_id), clean)
    return log.finish()


# --- wanneer: schedules ----------------------------------------------------------------------

_RESET = {
    "interval": None,
    "bymonthday": None,
    "byweekno": None,
    "byyearday": None,
    "valid_from": None,
    "valid_to": None,
    "dtstart": None,
    "until": None,
    "count": None,
    "wkst": None,
}


def apply_rules(
    log: EditLog, service: Service, rows: Sequence[ScheduleRuleInput], rules: Sequence[CleanRule]
) -> None:
    """Update, add and remove the service's own rules to match the editor's rows."""
    session = log.session
    own = {row.id: row for row in service.schedules}
    kept = {r.schedule_id for r in rows if r.keep and r.schedule_id}
    for rule in rules:
        values: dict[str, Any] = {
            "freq": "WEEKLY",
            "byday": rule.byday,
            "opens_at": rule.opens_at,
            "closes_at": rule.closes_at,
            "attending_type": rule.attending_type,
            "description": rule.description,
        }
        row = own.pop(rule.schedule_id, None) if rule.schedule_id else None
        if row is None:
            created = Schedule(service_id=service.id, **values)
            session.add(created)
            session.flush()
            service.schedules.append(created)
            log.created("schedule", created.id, {"service_id": service.id, **values})
        else:
            log.assign(row, "schedule", {**values, **_RESET})
    for schedule_id, row in own.items():
        if schedule_id in kept:
            continue
        log.deleted(
            "schedule",
            schedule_id,
            {
                "service_id": service.id,
                "byday": row.byday,
                "opens_at": row.opens_at,
                "closes_at": row.closes_at,
                "attending_type": row.attending_type,
            },
        )
        service.schedules.remove(row)
        session.delete(row)


def set_schedules(
    session: Session, by: SignedIn, service_id: str, rules: Sequence[ScheduleRuleInput]
) -> EditResult:
    """Make the service's own weekly hours exactly ``rules`` (opening hours and walk-in hours).

    Rows with ``schedule_id`` update that rule, rows without one are added, rows with ``keep``
    stay as stored, and every own rule not listed is removed.
    """
    log = EditLog(session, by, object_type="kaart_service", object_id=service_id)
    problems = Problems()
    cleaned = checks.clean_rules(rules, problems)
    problems.raise_if_any()
    apply_rules(log, load_service(session, service_id), rules, cleaned)
    return log.finish()
