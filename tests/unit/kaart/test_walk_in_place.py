"""Where the next walk-in hour is held: the location its schedule is tied to (no database).

The services here are transient ORM objects, built in memory as HSDS ties them: a schedule of a
service-at-location, one of the service naming a location, and one of the service alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from gpdesk.kaart.store.loading import next_walk_in
from gpdesk.models import Address, Location, Schedule, Service, ServiceAtLocation

MONDAY = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
"""08:30 in Schiedam on a Monday."""


def _place(location_id: str, name: str, street: str, postcode: str) -> ServiceAtLocation:
    location = Location(
        id=location_id,
        name=name,
        addresses=[Address(address_1=street, postal_code=postcode, city="Schiedam")],
    )
    return ServiceAtLocation(id=f"sal-{location_id}", location_id=location_id, location=location)


def _walk_in(byday: str, **links: str) -> Schedule:
    return Schedule(
        id=f"walk-in-{byday}",
        freq="WEEKLY",
        byday=byday,
        opens_at=time(9),
        closes_at=time(11),
        attending_type="inloop",
        **links,
    )


def _service(*places: ServiceAtLocation, schedules: list[Schedule] | None = None) -> Service:
    return Service(id="team", name="Wijkteam", service_at_locations=list(places),
                   schedules=schedules or [])  # fmt: skip


ANKER = "anker"
PRACTICE = "praktijk"


def test_a_schedule_of_a_service_at_location_is_held_there() -> None:
    anker = _place(ANKER, "Buurtcentrum Het Anker", "Nieuwlandplein 12", "3118 XB")
    practice = _place(PRACTICE, "Huisartsenpraktijk De Singel", "Singel 12", "3112GS")
    practice.schedules = [_walk_in("TH")]
    anker.schedules = [_walk_in("TU")]
    found = next_walk_in(_service(anker, practice), MONDAY)
    assert found is not None
    slot, place = found
    assert slot.start.day == 8  # Tuesday comes first: Het Anker
    assert place is not None and place.name == "Buurtcentrum Het Anker"
    assert place.address == "Nieuwlandplein 12, 3118 XB Schiedam"
    anker.schedules = []
    found = next_walk_in(_service(anker, practice), MONDAY)
    assert found is not None and found[0].start.day == 10
    assert found[1] is not None and found[1].address == "Singel 12, 3112 GS Schiedam"


def test_a_service_schedule_tied_by_service_at_location_or_location_id() -> None:
    anker = _place(ANKER, "Het Anker", "Nieuwlandplein 12", "3118 XB")
    practice = _place(PRACTICE, "De Singel", "Singel 12", "3112 GS")
    by_sal = _walk_in("WE", service_id="team", service_at_location_id=f"sal-{PRACTICE}")
    found = next_walk_in(_service(anker, practice, schedules=[by_sal]), MONDAY)
    assert found is not None and found[1] is not None and found[1].id == PRACTICE
    by_location = _walk_in("WE", service_id="team", location_id=ANKER)
    found = next_walk_in(_service(anker, practice, schedules=[by_location]), MONDAY)
    assert found is not None and found[1] is not None and found[1].id == ANKER


def test_an_untied_schedule_is_held_at_the_only_location_else_nowhere_known() -> None:
    untied = _walk_in("FR", service_id="team")
    only = _place(ANKER, "Het Anker", "Nieuwlandplein 12", "3118 XB")
    found = next_walk_in(_service(only, schedules=[untied]), MONDAY)
    assert found is not None and found[1] is not None and found[1].id == ANKER
    two = _service(
        _place(ANKER, "Het Anker", "Nieuwlandplein 12", "3118 XB"),
        _place(PRACTICE, "De Singel", "Singel 12", "3112 GS"),
        schedules=[_walk_in("FR", service_id="team")],
    )
    found = next_walk_in(two, MONDAY)
    assert found is not None and found[0].start.day == 11 and found[1] is None  # not guessed
    nowhere = next_walk_in(_service(schedules=[_walk_in("FR", service_id="team")]), MONDAY)
    assert nowhere is not None and nowhere[1] is None  # a service without locations


def test_no_walk_in_hours_no_slot() -> None:
    hours = Schedule(id="open", freq="WEEKLY", byday="MO", opens_at=time(9), closes_at=time(17))
    assert next_walk_in(_service(schedules=[hours]), MONDAY) is None
    assert next_walk_in(_service(), MONDAY) is None
