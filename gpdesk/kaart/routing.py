"""Which wijkteam is responsible for a postcode, and who to call there.

The postcode decides the team (Schiedam: six teams, Nieuwland = 3118/3119). A postcode outside
every team's area goes to the central desk (Sociale Plein / Wmo-loket): ``fallback`` is then true
and ``teams`` holds the desks, so a caller (the signal form, ``gpdesk kaart route``) always
addresses ``teams``. ``fallback_desks`` always lists the desks, for an "of anders" line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.postcodes import normalise_route_postcode, postcode_pc4
from gpdesk.kaart.schedule import AMSTERDAM, slot_label
from gpdesk.kaart.store import (
    ContactRef,
    best_contact,
    jsonable,
    load_fixed_contacts,
    schedule_set,
)
from gpdesk.models import (
    Contact,
    Service,
    ServiceArea,
    ServiceAreaPostcode,
    ServiceAtLocation,
    ServiceKind,
    ServiceStatus,
    utcnow,
)


@dataclass(frozen=True)
class TeamRef:
    """A team (or desk) to address, with the person to call and the next walk-in hour."""

    id: str
    name: str
    organization: str
    kind: ServiceKind
    contact: ContactRef | None
    next_walk_in: datetime | None
    next_walk_in_end: datetime | None = None
    next_walk_in_label: str | None = None
    phone: str | None = None
    email: str | None = None
    assured_date: date | None = None
    stale: bool = True


@dataclass(frozen=True)
class Routing:
    """The answer for one postcode; ``teams`` is never empty unless the kaart has no desk."""

    postcode: str
    teams: tuple[TeamRef, ...]
    fallback: bool
    fallback_desks: tuple[TeamRef, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes and dates as ISO text, enums as their values."""
        result: dict[str, Any] = jsonable(asdict(self))
        return result


def covering_team_ids(session: Session, pc4: int) -> set[str]:
    """Ids of services whose service area (own or at one of its locations) covers the PC4."""
    owner = func.coalesce(ServiceArea.service_id, ServiceAtLocation.service_id)
    rows = session.execute(
        select(owner)
        .select_from(ServiceAreaPostcode)
        .join(ServiceArea, ServiceArea.id == ServiceAreaPostcode.service_area_id)
        .outerjoin(ServiceAtLocation, ServiceAtLocation.id == ServiceArea.service_at_location_id)
        .where(ServiceAreaPostcode.pc4_from <= pc4, ServiceAreaPostcode.pc4_to >= pc4)
        .distinct()
    )
    return {service_id for (service_id,) in rows if service_id is not None}


def route(
    session: Session,
    postcode: str,
    *,
    theme_id: str | None = None,
    now: datetime | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> Routing:
    """The active wijkteam(s) for ``postcode`` ("3118 ab", "3118AB" or "3118"), else the desks.

    ``theme_id`` (a taxonomy term) picks the fixed contact agreed for that theme. An invalid
    postcode raises ``ValidationError`` in Dutch. Teams come sorted by name, then id.
    """
    normalised = normalise_route_postcode(postcode)
    pc4 = postcode_pc4(normalised)
    moment = now or utcnow()
    today = moment.astimezone(AMSTERDAM).date()
    covering = covering_team_ids(session, pc4)
    candidates = session.scalars(
        select(Service)
        .where(
            Service.status == ServiceStatus.ACTIVE,
            or_(
                (Service.kind == ServiceKind.WIJKTEAM) & Service.id.in_(covering),
                Service.kind == ServiceKind.CENTRAAL_LOKET,
            ),
        )
        .options(
            joinedload(Service.organization),
            selectinload(Service.contacts).selectinload(Contact.phones),
            selectinload(Service.contacts)
            .selectinload(Contact.deputy)
            .selectinload(Contact.phones),
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.schedules),
        )
        .order_by(Service.name, Service.id)
    ).all()
    fixed = load_fixed_contacts(session, [s.id for s in candidates])

    def team_ref(service: Service) -> TeamRef:
        slot = schedule_set(service).next_slot(moment, walk_in_only=True)
        return TeamRef(
            id=service.id,
            name=service.name,
            organization=service.organization.name,
            kind=service.kind,
            contact=best_contact(
                service, fixed.get(service.id, []), today, theme_id=theme_id, months=months
            ),
            next_walk_in=None if slot is None else slot.start,
            next_walk_in_end=None if slot is None else slot.end,
            next_walk_in_label=None if slot is None else slot_label(slot),
            phone=service.phones[0].number if service.phones else None,
            email=service.email,
            assured_date=service.assured_date,
            stale=is_stale(service.assured_date, today, months),
        )

    teams = tuple(team_ref(s) for s in candidates if s.kind is ServiceKind.WIJKTEAM)
    desks = tuple(team_ref(s) for s in candidates if s.kind is ServiceKind.CENTRAAL_LOKET)
    return Routing(
        postcode=normalised,
        teams=teams or desks,
        fallback=not teams,
        fallback_desks=desks,
    )
