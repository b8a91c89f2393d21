"""Which team a patient's signal goes to: by postcode, then by age and theme.

The postcode decides the area (``gpdesk.kaart.routing``: the wijkteams covering it, else the
central desk, else "outside the work area"). Within that answer the patient's age decides: a
service with an age range (HSDS ``minimum_age``/``maximum_age``) is only for patients inside
it, and a youth team (a range that ends before 18) is preferred for a patient under 18. When
the age rules out every team for the address, the desk is next. The theme picks the named
contact the practice agreed for it (a fixed contact per theme), so the form shows the person
the team expects to hear from.

Where the patient goes comes from the kaart's locations too: the team's visit address is its
first location that is not the practice itself (``visit_location``); the walk-in place is the
location the next walk-in hour's schedule is tied to (the kaart's ``next_walk_in``), and that
hour is "in de praktijk" when that location has the practice's own address: the same postcode
and house number (``is_practice``). The practice's address is the one on its letterhead
(Beheer); the kaart needs no mark of its own for it.

``order_by_age`` is the rule without a database (tests/unit/test_signal_team.py).
``choose_team`` reads the patient and the kaart; it is not audited on its own: the form
calls it with the patient already opened (audited), and the send that relies on it is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart.routing import (
    OUTSIDE_TEXT,
    Routing,
    TeamRef,
    closed_line,
    describe_team,
    route,
)
from gpdesk.kaart.store.refs import LocationRef
from gpdesk.models import Patient, Practice, Service, TaxonomyTerm, utcnow
from gpdesk.models.kaart import ServiceKind, ServiceStatus
from gpdesk.patients.context import PatientContext
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refuse_unless_current, refusing_tampered
from gpdesk.signals.consent import OrganisationRef, age_on, local_date
from gpdesk.signals.outgoing import TEAM_FIELD, Team, WalkInSlot

__all__ = [
    "YOUTH_UNTIL",
    "AgeRange",
    "TeamChoice",
    "TeamOption",
    "address_key",
    "choose_for",
    "choose_team",
    "is_practice",
    "open_patient",
    "order_by_age",
    "place_text",
    "team_option",
    "visit_location",
    "walk_in_slot",
]

YOUTH_UNTIL: Final = 18
"""A youth team is for patients younger than this; from 18 the adult team is responsible."""

THEME_TERMS: Final[dict[str, tuple[str, ...]]] = {
    "wonen_werk_inkomen_schulden": ("geldzorgen-schulden", "wonen", "werk-en-inkomen"),
    "jeugd_opvoeding": ("jeugd-en-opvoeding",),
    "verslaving": ("verslaving",),
    "sociaal_netwerk": ("sociaal-netwerk",),
    "eigen_gezondheid": ("gezondheid-zelf-regelen", "leefstijl"),
    "eenzaamheid": ("eenzaamheid",),
    "mantelzorg": ("mantelzorg",),
    "ouderen": ("ouderen",),
    "huiselijk_geweld": ("huiselijk-geweld",),
    "multiproblematiek": ("multiproblematiek",),
    "ggz": ("GGZ",),
}
"""Signal theme code -> kaart taxonomy term codes, for the fixed contact agreed per theme."""


# -- the rule, without a database -----------------------------------------------------------


@dataclass(frozen=True)
class AgeRange:
    """A service's age range as HSDS has it (both ends inclusive; None: no bound)."""

    service_id: str
    minimum_age: int | None = None
    maximum_age: int | None = None

    def admits(self, age: int) -> bool:
        """Whether a patient of ``age`` is inside the range."""
        low_ok = self.minimum_age is None or age >= self.minimum_age
        high_ok = self.maximum_age is None or age <= self.maximum_age
        return low_ok and high_ok

    @property
    def youth(self) -> bool:
        """A youth team: its range ends before ``YOUTH_UNTIL``."""
        return self.maximum_age is not None and self.maximum_age < YOUTH_UNTIL

    def label(self) -> str:
        """The range in words: "tot 18 jaar", "vanaf 18 jaar", "van 12 tot en met 23 jaar"."""
        low, high = self.minimum_age, self.maximum_age
        if low is not None and high is not None:
            return f"van {low} tot en met {high} jaar"
        if high is not None:
            return f"tot {high + 1} jaar"
        if low is not None:
            return f"vanaf {low} jaar"
        return "alle leeftijden"


def order_by_age(services: Sequence[AgeRange], age: int) -> tuple[list[str], list[str]]:
    """(ids that may take a patient of ``age``, best first; ids whose range excludes them).

    For a patient under ``YOUTH_UNTIL`` youth teams come first; otherwise the given order
    (the kaart's: by name) stays. A service without a range takes everyone.
    """
    admitted = [s for s in services if s.admits(age)]
    refused = [s.service_id for s in services if not s.admits(age)]
    if age < YOUTH_UNTIL:
        admitted.sort(key=lambda s: not s.youth)  # stable: youth teams first, else as given
    return [s.service_id for s in admitted], refused


# -- where: the team's places and the practice's own address --------------------------------

_POSTCODE: Final = re.compile(r"\b([1-9][0-9]{3}) ?([A-Za-z]{2})\b")
_HOUSE_NUMBER: Final = re.compile(r"\b([0-9]+) *[-/]? *([A-Za-z0-9]{0,4})$")
"""The number at the end of the street part: "Singel 12", "Singel 12a", "Singel 12 - 2"."""


def address_key(address: str | Sequence[str]) -> tuple[str, str, str] | None:
    """(postcode, house number, addition) of a Dutch address, to tell two apart; None if unclear.

    Takes one line ("Singel 12, 3112 GS Schiedam", as the kaart writes it) or the letterhead's
    lines. The postcode is the last one in the text; the house number ends the text before it.
    """
    text = address if isinstance(address, str) else ", ".join(address)
    found = list(_POSTCODE.finditer(text))
    if not found:
        return None
    postcode = found[-1]
    street = text[: postcode.start()].rstrip(" ,")
    number = _HOUSE_NUMBER.search(street)
    if number is None:
        return None
    return (
        f"{postcode.group(1)}{postcode.group(2).upper()}",
        number.group(1).lstrip("0"),
        number.group(2).casefold(),
    )


def is_practice(place: LocationRef | None, practice_address: Sequence[str]) -> bool:
    """Whether a kaart location is the practice itself: the same postcode and house number.

    A postcode with a house number (and its addition) is one front door in the Netherlands, so
    a location named differently ("Sociale Plein", "Gezondheidscentrum") at the practice's
    address is still the practice; without both on either side it is not.
    """
    if place is None or place.address is None:
        return False
    key = address_key(place.address)
    return key is not None and key == address_key(practice_address)


def visit_location(
    locations: Sequence[LocationRef], practice_address: Sequence[str]
) -> LocationRef | None:
    """Where the team is visited: its first location with an address that is not the practice.

    A team that only sits in the practice is visited there; a location without an address
    (online, by phone) is nowhere to go.
    """
    addressed = [place for place in locations if place.address]
    elsewhere = [place for place in addressed if not is_practice(place, practice_address)]
    return next(iter(elsewhere or addressed), None)


def place_text(place: LocationRef, *, in_practice: bool = False) -> str | None:
    """The place as the patient reads it: name and address on one line.

    E.g. "Buurtcentrum Het Anker, Nieuwlandplein 12, 3118 XB Schiedam"; in the practice only its
    name there ("Sociale Plein"), as the address is the practice's own.
    """
    name = (place.name or "").strip()
    if in_practice:
        return name or None
    address = place.address or ""
    if name and address and not address.startswith(name):
        return f"{name}, {address}"
    return address or name or None


def walk_in_slot(ref: TeamRef, practice_address: Sequence[str]) -> WalkInSlot | None:
    """The team's next walk-in hour with its place, and whether that is in the practice."""
    if ref.next_walk_in is None or ref.next_walk_in_end is None:
        return None
    place = ref.walk_in_location
    here = is_practice(place, practice_address)
    return WalkInSlot(
        start=ref.next_walk_in,
        end=ref.next_walk_in_end,
        label=ref.next_walk_in_label or "",
        place=None if place is None else place_text(place, in_practice=here),
        in_practice=here,
    )


# -- what the form gets ---------------------------------------------------------------------


@dataclass(frozen=True)
class TeamOption:
    """One team the signal can go to, as the letter names it and as the form shows it."""

    team: Team
    ref: TeamRef
    """The kaart's answer: contact with deputy, phone, next walk-in, closed notice."""
    walk_in: WalkInSlot | None
    ages: AgeRange
    desk: bool = False
    """The central desk (centraal loket), not a wijkteam."""


@dataclass(frozen=True)
class TeamChoice:
    """The team chosen for a patient, what else the user may pick, and why, in Dutch."""

    chosen: TeamOption
    alternatives: tuple[TeamOption, ...]
    explanation: str
    fallback: bool = False
    """The address (or the age) is covered by no wijkteam: the desk was chosen."""

    @property
    def team(self) -> Team:
        """The chosen team as the letter names it."""
        return self.chosen.team

    @property
    def ref(self) -> TeamRef:
        """The chosen team as the kaart has it (contact, deputy, walk-in)."""
        return self.chosen.ref

    @property
    def walk_in(self) -> WalkInSlot | None:
        """The chosen team's next walk-in hour, if it has one."""
        return self.chosen.walk_in

    @property
    def options(self) -> tuple[TeamOption, ...]:
        """The chosen team first, then the alternatives."""
        return (self.chosen, *self.alternatives)


def _team(ref: TeamRef, organisation_id: str | None, practice_address: Sequence[str]) -> Team:
    contact = ref.contact
    deputy = contact.deputy if contact is not None else None
    visit = visit_location(ref.locations, practice_address)
    return Team(
        id=ref.id,
        name=ref.name,
        organisation=OrganisationRef(ref.organization, organisation_id),
        contact=contact.name if contact is not None and not contact.departed else None,
        deputy=deputy.name if deputy is not None else None,
        phone=(contact.phone if contact is not None and contact.phone else None) or ref.phone,
        visit_address=None if visit is None else visit.address,
    )


def _option(ref: TeamRef, service: Service | None, practice_address: Sequence[str]) -> TeamOption:
    """One team as the form and the letter name it, from the kaart's description of it."""
    return TeamOption(
        team=_team(ref, None if service is None else service.organization_id, practice_address),
        ref=ref,
        walk_in=walk_in_slot(ref, practice_address),
        ages=AgeRange(ref.id) if service is None else _ages(service),
        desk=ref.kind is ServiceKind.CENTRAAL_LOKET,
    )


def _practice_address(session: Session) -> tuple[str, ...]:
    """The letterhead's address lines (Beheer), to know which kaart location is the practice."""
    address = session.scalar(select(Practice.address).limit(1))
    return tuple(address.splitlines()) if address else ()


def _services(session: Session, ids: Iterable[str]) -> dict[str, Service]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.scalars(select(Service).where(Service.id.in_(wanted)))
    return {s.id: s for s in rows}


def _ages(service: Service) -> AgeRange:
    return AgeRange(service.id, service.minimum_age, service.maximum_age)


def _theme_id(session: Session, themes: Sequence[str]) -> str | None:
    """The first kaart taxonomy term that matches one of the signal's themes, if any."""
    codes = [term for theme in themes for term in THEME_TERMS.get(theme, ())]
    if not codes:
        return None
    query = select(TaxonomyTerm.code, TaxonomyTerm.id).where(TaxonomyTerm.code.in_(codes))
    rows: dict[str | None, str] = {code: term_id for code, term_id in session.execute(query)}
    return next((rows[code] for code in codes if code in rows), None)


def _names(options: Sequence[TeamOption]) -> str:
    names = [o.team.name for o in options]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def choose_for(
    session: Session,
    patient: PatientContext,
    themes: Sequence[str],
    *,
    now: datetime | None = None,
) -> TeamChoice:
    """The team for ``patient`` (postcode, age) and ``themes``; refused in Dutch when none.

    Raises ``ValidationError`` (field "team") for an address outside the work area or a kaart
    that knows no team and no desk for it.
    """
    moment = now or utcnow()
    age = age_on(patient.birth_date, local_date(moment))
    routing = route(session, patient.postcode, theme_id=_theme_id(session, themes), now=moment)
    if routing.outside:
        raise ValidationError({TEAM_FIELD: OUTSIDE_TEXT})
    if not routing.teams:
        raise ValidationError(
            {
                TEAM_FIELD: "Voor het adres van de patiënt is geen wijkteam en geen centraal "
                "loket bekend dat nu open is. Vul de sociale kaart aan in Beheer."
            }
        )
    return _choice(session, routing, age)


def _choice(session: Session, routing: Routing, age: int) -> TeamChoice:
    refs = {r.id: r for r in (*routing.teams, *routing.fallback_desks)}
    services = _services(session, refs)
    practice_address = _practice_address(session)
    options = {sid: _option(ref, services.get(sid), practice_address) for sid, ref in refs.items()}
    closed = " ".join(closed_line(team) for team in routing.closed)
    desks = [options[d.id] for d in routing.fallback_desks]
    if routing.fallback:
        admitted, _ = order_by_age([options[t.id].ages for t in routing.teams], age)
        chosen = [options[i] for i in admitted] or desks
        text = (
            f"Geen wijkteam voor dit adres: het signaal gaat naar het centraal loket "
            f"({chosen[0].team.name})."
        )
        return TeamChoice(chosen[0], tuple(chosen[1:]), f"{closed} {text}".strip(), True)
    admitted, refused = order_by_age([options[t.id].ages for t in routing.teams], age)
    excluded = [options[i] for i in refused]
    why_not = ""
    if excluded:
        why_not = " ".join(f"{o.team.name} is er alleen voor {o.ages.label()}." for o in excluded)
    if not admitted:
        if not desks:
            raise ValidationError(
                {
                    TEAM_FIELD: f"{why_not} Er is geen ander wijkteam of centraal loket voor "
                    "dit adres. Vul de sociale kaart aan in Beheer."
                }
            )
        text = f"{why_not} Het signaal gaat naar het centraal loket ({desks[0].team.name})."
        return TeamChoice(desks[0], tuple(desks[1:]), f"{closed} {text}".strip(), True)
    teams = [options[i] for i in admitted]
    first = teams[0]
    if first.ages.youth:
        text = f"{first.team.name} is het jeugdteam voor dit adres ({first.ages.label()})."
    else:
        text = f"{first.team.name} is het wijkteam voor dit adres."
    if len(teams) > 1:
        text += f" Ook mogelijk: {_names(teams[1:])}."
    text = " ".join(part for part in (closed, text, why_not) if part)
    rest = [*teams[1:], *(d for d in desks if d not in teams)]
    return TeamChoice(first, tuple(rest), text, False)


def team_option(
    session: Session,
    team_id: str,
    patient: PatientContext,
    themes: Sequence[str],
    *,
    now: datetime | None = None,
) -> TeamOption:
    """The team the user picked by kaart id, if it is open and admits the patient's age.

    Any open service of the kaart may be picked (the user may know better than the routing),
    as long as its age range admits the patient; the routed teams pass these checks by
    themselves. It is described as a routed team is (``describe_team``): the named contact
    (the fixed one for the theme first) with the deputy, the phone, the next walk-in hour and
    where it is, the visit address. No routing over the whole kaart here: a submit calls this
    for the team the form already showed.
    """
    moment = now or utcnow()
    ref = describe_team(session, team_id, theme_id=_theme_id(session, themes), now=moment)
    service = session.get(Service, team_id)  # loaded by describe_team: no second query
    if ref is None or service is None:
        raise ValidationError(
            {TEAM_FIELD: "Dit team staat niet (meer) op de sociale kaart. Kies een ander team."}
        )
    if service.status is not ServiceStatus.ACTIVE:
        raise ValidationError(
            {TEAM_FIELD: f"{service.name} is {service.status.label}. Kies een ander team."}
        )
    ages = _ages(service)
    age = age_on(patient.birth_date, local_date(moment))
    if not ages.admits(age):
        raise ValidationError(
            {TEAM_FIELD: f"{service.name} is er alleen voor {ages.label()}. Kies een ander team."}
        )
    return _option(ref, service, _practice_address(session))


# -- with the patient from the database -----------------------------------------------------


def open_patient(
    session: Session, vault: Vault, actor: Actor, patient_id: int
) -> tuple[Patient, PatientContext]:
    """The patient row and its fields, refused unless as gpdesk last wrote it (audited then)."""
    row = session.get(Patient, patient_id)
    if row is None:
        raise GpdeskError(
            "Deze patiënt staat niet (meer) in gpdesk.",
            hint="Open de patiënt opnieuw vanuit het HIS.",
        )
    ref = row.bsn_index.hex()
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=ref):
        refuse_unless_current(session, vault, "patient", row.id, ref)
        table = "patient"
        context = PatientContext(
            bsn=vault.open(table, "bsn", row.id, row.bsn),
            name=vault.open(table, "name", row.id, row.name),
            birth_date=date.fromisoformat(vault.open(table, "birth_date", row.id, row.birth_date)),
            postcode=vault.open(table, "postcode", row.id, row.postcode),
            phone=None if row.phone is None else vault.open(table, "phone", row.id, row.phone),
        )
    return row, context


def choose_team(
    session: Session,
    vault: Vault,
    actor: Actor,
    patient_id: int,
    themes: Sequence[str],
    *,
    now: datetime | None = None,
) -> TeamChoice:
    """The team for this patient and these themes, for the form to show (and let change)."""
    require(actor.permissions, Permission.PATIENT_OPEN)
    _row, patient = open_patient(session, vault, actor, patient_id)
    return choose_for(session, patient, themes, now=now)
