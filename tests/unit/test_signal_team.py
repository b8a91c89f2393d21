"""The team rule without a database: an age range admits only patients inside it, youth first."""

from __future__ import annotations

import pytest

from gpdesk.signals.team import YOUTH_UNTIL, AgeRange, order_by_age

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
