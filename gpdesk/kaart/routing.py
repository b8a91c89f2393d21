"""Which wijkteam is responsible for a postcode, and who to call there.

The postcode decides the team (Schiedam: six teams, Nieuwland = 3118/3119). A postcode in no
team's area but inside the municipality goes to the central desk (Sociale Plein / Wmo-loket):
``fallback`` is then true and ``teams`` holds the desks, so a caller (the signal form, ``gpdesk
kaart route``) always addresses ``teams``. ``fallback_desks`` lists the desks for the postcode,
for an "of anders" line.

The kaart's work area is what its wijkteams and desks cover (any status: a closed team's wijk is
still the municipality's). A desk covers its own werkgebied, or, without one, the whole work
area. A postcode outside the work area (a patient from another town) is ``outside``: no team and
no desk of this kaart is responsible, the patient's own municipality is, so ``teams`` is empty.
A kaart without any area cannot tell inside from outside and sends everything to its desks. The
municipality's postcodes are data, not code: give the desk a werkgebied ("3111-3125") so a gap
between the teams' areas reaches it.

A team (or desk) that is temporarily closed is never responsible: the postcode goes where it
would go without it (usually the desk), and ``closed`` names the closed team with its notice,
so the answer can say "Wijkteam Oost is tijdelijk gesloten" and who stands in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.postcodes import Pc4Range, normalise_route_postcode, postcode_pc4
from gpdesk.kaart.schedule import AMSTERDAM, slot_label
from gpdesk.kaart.store.loading import location_ref, next_walk_in
from gpdesk.kaart.store.queries import (
    ContactRef,
    LocationRef,
    best_contact,
    jsonable,
    load_fixed_contacts,
)
from gpdesk.models import (
    Contact,
    FixedContact,
    Location,
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
    status: ServiceStatus = ServiceStatus.ACTIVE
    alert: str | None = None
    """The service's notice; for a closed team, why and until when."""
    locations: tuple[LocationRef, ...] = ()
    """Where the team is: its service-at-locations in the kaart's order, addresses on one line."""
    walk_in_location: LocationRef | None = None
    """Where the next walk-in hour is held (the location its schedule is tied to), if known."""


OUTSIDE_TEXT: Final = (
    "Deze postcode valt buiten het werkgebied van deze sociale kaart: de gemeente waar de "
    "patiënt woont is verantwoordelijk (Wmo-loket of wijkteam van die gemeente)."
)
"""What a postcode outside the kaart's work area gets, in the GUI and on the terminal."""


@dataclass(frozen=True)
class Routing:
    """The answer for one postcode; ``teams`` is empty only when ``outside`` or without desks."""

    postcode: str
    teams: tuple[TeamRef, ...]
    fallback: bool
    fallback_desks: tuple[TeamRef, ...]
    outside: bool = False
    """Outside every area this kaart knows: the patient's own municipality is responsible."""
    closed: tuple[TeamRef, ...] = ()
    """Teams or desks that would answer for this postcode but are temporarily closed."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes and dates as ISO text, enums as their values."""
        result: dict[str, Any] = jsonable(asdict(self))
        return result


@dataclass(frozen=True)
class Responsibility:
    """Who answers for one PC4, as service ids (sorted): ``decide``'s result."""

    teams: tuple[str, ...]
    desks: tuple[str, ...]
    fallback: bool
    outside: bool


def decide(
    pc4: int,
    areas: Mapping[str, Sequence[Pc4Range]],
    *,
    teams: Collection[str],
    desks: Collection[str],
) -> Responsibility:
    """The routing rule, without a database.

    ``areas`` holds the ranges of every wijkteam and desk (active or not); ``teams`` and
    ``desks`` are the ids of the active ones. Active teams covering ``pc4`` win. Otherwise,
    inside the work area (the union of ``areas``; everywhere when there is none), the desks
    whose own area covers ``pc4``, else the desks without an area, else every desk. Outside
    it nobody here: ``outside``.
    """

    def covering(service_id: str) -> bool:
        return any(pc4 in r for r in areas.get(service_id, ()))

    desks_here = sorted(d for d in desks if covering(d))
    unbounded = sorted(d for d in desks if not areas.get(d))
    responsible_desks = tuple(desks_here or unbounded or sorted(desks))
    covering_teams = tuple(sorted(t for t in teams if covering(t)))
    if covering_teams:
        return Responsibility(covering_teams, responsible_desks, fallback=False, outside=False)
    known = [r for ranges in areas.values() for r in ranges]
    if known and not any(pc4 in r for r in known):
        return Responsibility((), (), fallback=False, outside=True)
    return Responsibility(responsible_desks, responsible_desks, fallback=True, outside=False)


_ROUTING_KINDS: Final = (ServiceKind.WIJKTEAM, ServiceKind.CENTRAAL_LOKET)


def routing_areas(session: Session) -> dict[str, list[Pc4Range]]:
    """The ranges of every wijkteam and desk (own areas and those at its locations), any status."""
    owner = func.coalesce(ServiceArea.service_id, ServiceAtLocation.service_id)
    rows = session.execute(
        select(owner, ServiceAreaPostcode.pc4_from, ServiceAreaPostcode.pc4_to)
        .select_from(ServiceAreaPostcode)
        .join(ServiceArea, ServiceArea.id == ServiceAreaPostcode.service_area_id)
        .outerjoin(ServiceAtLocation, ServiceAtLocation.id == ServiceArea.service_at_location_id)
        .join(Service, Service.id == owner)
        .where(Service.kind.in_(_ROUTING_KINDS))
    )
    areas: dict[str, list[Pc4Range]] = {}
    for service_id, low, high in rows:
        areas.setdefault(service_id, []).append(Pc4Range(low, high))
    return areas


def display_postcode(postcode: str) -> str:
    """``3118 AB`` the Dutch way (``3118`` stays as it is)."""
    return f"{postcode[:4]} {postcode[4:]}" if len(postcode) > 4 else postcode


def closed_line(team: TeamRef) -> str:
    """The closed-team sentence of the answer: "Wijkteam Oost is tijdelijk gesloten: …"."""
    alert = " ".join((team.alert or "").split()).rstrip(".")
    return f"{team.name} is tijdelijk gesloten" + (f": {alert}." if alert else ".")


def headline(routing: Routing) -> str:
    """The answer's first line, the same in the GUI and on the terminal."""
    where = display_postcode(routing.postcode)
    if routing.outside:
        return f"Postcode {where}: {OUTSIDE_TEXT}"
    closed = " ".join(closed_line(team) for team in routing.closed)
    if not routing.teams:
        return (
            f"Voor postcode {where} is geen wijkteam en geen centraal loket bekend"
            + (f" dat nu open is. {closed}" if closed else ".")
            + " Vul de sociale kaart aan in Beheer."
        )
    if routing.fallback and closed:
        return f"Postcode {where}: {closed} Ga zolang naar het centraal loket:"
    if routing.fallback:
        return f"Postcode {where} valt buiten de wijkteams. Ga naar het centraal loket:"
    if closed:
        return f"Postcode {where}: {closed} Ook verantwoordelijk:"
    return f"Postcode {where} valt onder:"


_AT_LOCATIONS: Final = selectinload(Service.service_at_locations)
_TEAM_OPTIONS: Final = (
    joinedload(Service.organization),
    selectinload(Service.contacts).selectinload(Contact.phones),
    selectinload(Service.contacts).selectinload(Contact.deputy).selectinload(Contact.phones),
    selectinload(Service.phones),
    selectinload(Service.schedules),
    _AT_LOCATIONS.selectinload(ServiceAtLocation.schedules),
    _AT_LOCATIONS.selectinload(ServiceAtLocation.location).selectinload(Location.addresses),
)
"""What a ``TeamRef`` reads, loaded up front: a fixed number of queries however many teams."""


def _team_ref(
    service: Service,
    fixed: Sequence[FixedContact],
    moment: datetime,
    *,
    theme_id: str | None,
    months: int,
) -> TeamRef:
    """The ``TeamRef`` of a service loaded with ``_TEAM_OPTIONS``, as of ``moment``."""
    today = moment.astimezone(AMSTERDAM).date()
    running = service.status is ServiceStatus.ACTIVE
    walk_in = next_walk_in(service, moment) if running else None
    slot, place = (None, None) if walk_in is None else walk_in
    return TeamRef(
        id=service.id,
        name=service.name,
        organization=service.organization.name,
        kind=service.kind,
        contact=best_contact(service, fixed, today, theme_id=theme_id, months=months),
        next_walk_in=None if slot is None else slot.start,
        next_walk_in_end=None if slot is None else slot.end,
        next_walk_in_label=None if slot is None else slot_label(slot),
        phone=service.phones[0].number if service.phones else None,
        email=service.email,
        assured_date=service.assured_date,
        stale=is_stale(service.assured_date, today, months),
        status=service.status,
        alert=service.alert,
        locations=tuple(location_ref(sal) for sal in service.service_at_locations),
        walk_in_location=place,
    )


def describe_team(
    session: Session,
    service_id: str,
    *,
    theme_id: str | None = None,
    now: datetime | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> TeamRef | None:
    """Any service as ``route`` describes a team: for one the user picks outside the answer.

    The same contact (the fixed contact for ``theme_id`` first), deputy, phone, next walk-in
    hour and places as a routed team, whatever its status or area; None when it is not on the
    kaart.
    """
    service = session.scalar(
        select(Service).where(Service.id == service_id).options(*_TEAM_OPTIONS)
    )
    if service is None:
        return None
    fixed = load_fixed_contacts(session, [service.id]).get(service.id, [])
    return _team_ref(service, fixed, now or utcnow(), theme_id=theme_id, months=months)


def _ids(services: Iterable[Service]) -> list[str]:
    return [s.id for s in services]


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
    postcode raises ``ValidationError`` in Dutch. Teams come sorted by name, then id. A
    temporarily closed team or desk is never in ``teams``; when it would have been, it is in
    ``closed`` and the postcode goes where it would go without it.
    """
    normalised = normalise_route_postcode(postcode)
    pc4 = postcode_pc4(normalised)
    moment = now or utcnow()
    areas = routing_areas(session)
    covering = [sid for sid, ranges in areas.items() if any(pc4 in r for r in ranges)]
    candidates = session.scalars(
        select(Service)
        .where(
            Service.status.in_((ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)),
            or_(
                (Service.kind == ServiceKind.WIJKTEAM) & Service.id.in_(covering),
                Service.kind == ServiceKind.CENTRAAL_LOKET,
            ),
        )
        .options(*_TEAM_OPTIONS)
        .order_by(Service.name, Service.id)
    ).all()
    fixed = load_fixed_contacts(session, [s.id for s in candidates])

    def team_ref(service: Service) -> TeamRef:
        found = fixed.get(service.id, [])
        return _team_ref(service, found, moment, theme_id=theme_id, months=months)

    def of_kind(kind: ServiceKind, *, open_only: bool) -> list[str]:
        return _ids(
            s
            for s in candidates
            if s.kind is kind and (not open_only or s.status is ServiceStatus.ACTIVE)
        )

    decision = decide(
        pc4,
        areas,
        teams=of_kind(ServiceKind.WIJKTEAM, open_only=True),
        desks=of_kind(ServiceKind.CENTRAAL_LOKET, open_only=True),
    )
    had_they_been_open = decide(
        pc4,
        areas,
        teams=of_kind(ServiceKind.WIJKTEAM, open_only=False),
        desks=of_kind(ServiceKind.CENTRAAL_LOKET, open_only=False),
    )
    closed_ids = {s.id for s in candidates if s.status is not ServiceStatus.ACTIVE} & set(
        had_they_been_open.teams
    )
    chosen = set(decision.teams) | set(decision.desks) | closed_ids
    refs = {s.id: team_ref(s) for s in candidates if s.id in chosen}  # in name order

    def in_order(ids: Collection[str]) -> tuple[TeamRef, ...]:
        return tuple(ref for service_id, ref in refs.items() if service_id in ids)

    return Routing(
        postcode=normalised,
        teams=in_order(decision.teams),
        fallback=decision.fallback,
        fallback_desks=in_order(decision.desks),
        outside=decision.outside,
        closed=in_order(closed_ids),
    )
