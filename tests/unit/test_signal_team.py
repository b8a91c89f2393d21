"""The team rules without a database: ages (youth first), and where the patient goes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from gpdesk.kaart.routing import TeamRef
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.kaart.store.refs import LocationRef
from gpdesk.models.kaart import ServiceKind
from gpdesk.signals.team import (
    YOUTH_UNTIL,
    AgeRange,
    address_key,
    is_practice,
    order_by_age,
    place_text,
    visit_location,
    walk_in_slot,
)

ADULTS = AgeRange("wijkteam")
YOUTH = AgeRange("jeugdteam", maximum_age=17)
SENIORS = AgeRange("ouderenteam", minimum_age=65)
YOUNG_ADULTS = AgeRange("jongeren", minimum_age=12, maximum_age=23)


@pytest.mark.parametrize(
    ("ages", "age", "admitted"),
    [
        (AgeRange("x"), 0, True),
        (AgeRange("x"), 120, True),
        (YOUTH, 0, True),
        (YOUTH, 17, True),
        (YOUTH, 18, False),
        (SENIORS, 64, False),
        (SENIORS, 65, True),
        (YOUNG_ADULTS, 11, False),
        (YOUNG_ADULTS, 12, True),
        (YOUNG_ADULTS, 23, True),
        (YOUNG_ADULTS, 24, False),
    ],
)
def test_a_range_admits_only_ages_inside_it(ages: AgeRange, age: int, admitted: bool) -> None:
    assert ages.admits(age) is admitted


def test_a_youth_team_ends_before_18() -> None:
    assert YOUTH_UNTIL == 18
    assert YOUTH.youth
    assert not ADULTS.youth and not SENIORS.youth and not YOUNG_ADULTS.youth
    assert AgeRange("x", maximum_age=18).youth is False


def test_a_child_goes_to_the_youth_team_first() -> None:
    admitted, refused = order_by_age([ADULTS, YOUTH, SENIORS], 10)
    assert admitted == ["jeugdteam", "wijkteam"]
    assert refused == ["ouderenteam"]


def test_an_adult_never_goes_to_a_youth_team() -> None:
    admitted, refused = order_by_age([YOUTH, ADULTS, SENIORS], 40)
    assert admitted == ["wijkteam"]
    assert refused == ["jeugdteam", "ouderenteam"]


def test_on_the_18th_birthday_the_adult_team_is_responsible() -> None:
    assert order_by_age([YOUTH, ADULTS], 17)[0] == ["jeugdteam", "wijkteam"]
    assert order_by_age([YOUTH, ADULTS], 18)[0] == ["wijkteam"]


def test_without_ranges_the_kaart_order_stays() -> None:
    teams = [AgeRange("b"), AgeRange("a"), AgeRange("c")]
    assert order_by_age(teams, 30) == (["b", "a", "c"], [])
    assert order_by_age(teams, 5) == (["b", "a", "c"], [])


def test_nobody_admitted_when_every_range_excludes_the_patient() -> None:
    assert order_by_age([YOUTH], 50) == ([], ["jeugdteam"])


@pytest.mark.parametrize(
    ("ages", "label"),
    [
        (YOUTH, "tot 18 jaar"),
        (SENIORS, "vanaf 65 jaar"),
        (YOUNG_ADULTS, "van 12 tot en met 23 jaar"),
        (ADULTS, "alle leeftijden"),
    ],
)
def test_the_range_in_words(ages: AgeRange, label: str) -> None:
    assert ages.label() == label


# -- where: the practice's address, the visit address, the walk-in place ----------------------

PRACTICE_ADDRESS = ("Singel 12", "3112 GS Schiedam")
IN_PRACTICE = LocationRef("praktijk", "Sociale Plein", "Singel 12, 3112 GS Schiedam")
ANKER = LocationRef("anker", "Buurtcentrum Het Anker", "Nieuwlandplein 12, 3118 XB Schiedam")
ONLINE = LocationRef("online", "Chat", None)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("Singel 12, 3112 GS Schiedam", ("3112GS", "12", "")),
        (("Singel 12", "3112 GS Schiedam"), ("3112GS", "12", "")),
        (("Gezondheidscentrum", "Singel 12a", "3112gs  Schiedam"), ("3112GS", "12", "a")),
        ("Singel 12 - A, 3112 GS Schiedam", ("3112GS", "12", "a")),
        ("Laan 1940-1945 12 bis, 3112 GS", ("3112GS", "12", "bis")),
        ("Singel, 3112 GS Schiedam", None),
        ("Singel 12, Schiedam", None),
        ((), None),
    ],
)
def test_an_address_is_known_by_postcode_and_house_number(
    address: str | tuple[str, ...], key: tuple[str, str, str] | None
) -> None:
    assert address_key(address) == key


def test_a_location_is_the_practice_only_at_its_front_door() -> None:
    assert is_practice(IN_PRACTICE, PRACTICE_ADDRESS)
    assert is_practice(IN_PRACTICE, ("Singel 12 ", "3112gs SCHIEDAM"))
    assert not is_practice(IN_PRACTICE, ("Singel 14", "3112 GS Schiedam"))  # next door
    assert not is_practice(IN_PRACTICE, ("Singel 12a", "3112 GS Schiedam"))  # another unit
    assert not is_practice(IN_PRACTICE, ("Singel 12",))  # no postcode: not sure, so not here
    assert not is_practice(IN_PRACTICE, ())
    assert not is_practice(ANKER, PRACTICE_ADDRESS)
    assert not is_practice(ONLINE, PRACTICE_ADDRESS)
    assert not is_practice(None, PRACTICE_ADDRESS)


def test_the_team_is_visited_where_it_is_not_the_practice() -> None:
    assert visit_location((IN_PRACTICE, ANKER), PRACTICE_ADDRESS) == ANKER
    assert visit_location((ONLINE, IN_PRACTICE), PRACTICE_ADDRESS) == IN_PRACTICE
    assert visit_location((ONLINE,), PRACTICE_ADDRESS) is None
    assert visit_location((), PRACTICE_ADDRESS) is None


def test_the_place_as_the_patient_reads_it() -> None:
    assert place_text(ANKER) == "Buurtcentrum Het Anker, Nieuwlandplein 12, 3118 XB Schiedam"
    assert place_text(IN_PRACTICE, in_practice=True) == "Sociale Plein"
    assert place_text(replace(IN_PRACTICE, name=None), in_practice=True) is None
    assert place_text(replace(ANKER, name=None)) == "Nieuwlandplein 12, 3118 XB Schiedam"
    assert place_text(ONLINE) == "Chat"
    assert place_text(LocationRef("x", "Singel 12", "Singel 12, 3112 GS Schiedam")) == (
        "Singel 12, 3112 GS Schiedam"
    )


def _ref(place: LocationRef | None, *locations: LocationRef) -> TeamRef:
    start = datetime(2026, 12, 10, 9, tzinfo=AMSTERDAM)
    return TeamRef(
        id="team", name="Wijkteam Nieuwland", organization="Stichting Wijkteams Schiedam",
        kind=ServiceKind.WIJKTEAM, contact=None, next_walk_in=start,
        next_walk_in_end=start + timedelta(hours=2),
        next_walk_in_label="donderdag 10 december 09:00–11:00",
        locations=locations, walk_in_location=place,
    )  # fmt: skip


def test_the_walk_in_slot_says_where_and_whether_in_the_practice() -> None:
    here = walk_in_slot(_ref(IN_PRACTICE, ANKER, IN_PRACTICE), PRACTICE_ADDRESS)
    assert here is not None and here.in_practice and here.place == "Sociale Plein"
    assert here.label == "donderdag 10 december 09:00–11:00"
    there = walk_in_slot(_ref(ANKER, ANKER, IN_PRACTICE), PRACTICE_ADDRESS)
    assert there is not None and not there.in_practice
    assert there.place == "Buurtcentrum Het Anker, Nieuwlandplein 12, 3118 XB Schiedam"
    unknown = walk_in_slot(_ref(None, ANKER, IN_PRACTICE), PRACTICE_ADDRESS)
    assert unknown is not None and not unknown.in_practice and unknown.place is None
    moved = walk_in_slot(_ref(IN_PRACTICE), ("Kerkstraat 1", "3111 AA Schiedam"))
    assert moved is not None and not moved.in_practice
    assert moved.place == "Sociale Plein, Singel 12, 3112 GS Schiedam"
    none = replace(_ref(ANKER), next_walk_in=None, next_walk_in_end=None)
    assert walk_in_slot(none, PRACTICE_ADDRESS) is None
