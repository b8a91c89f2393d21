"""Working days and the due day of a team's answer; "verlopen" derived, never stored."""

from __future__ import annotations

from datetime import date

import pytest

from gpdesk.models.signal import SignalStatus
from gpdesk.signals.agreement import (
    easter_sunday,
    expected_by,
    is_working_day,
    overdue,
    public_holidays,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # the latest possible
        (2285, date(2285, 3, 22)),  # the earliest possible
    ],
)
def test_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_the_holidays_of_2026() -> None:
    assert sorted(public_holidays(2026)) == [
        date(2026, 1, 1),
        date(2026, 4, 6),  # Tweede Paasdag
        date(2026, 4, 27),  # Koningsdag (a Monday)
        date(2026, 5, 14),  # Hemelvaartsdag
        date(2026, 5, 25),  # Tweede Pinksterdag
        date(2026, 12, 25),
        date(2026, 12, 26),
    ]


def test_good_friday_is_a_working_day() -> None:
    assert is_working_day(date(2026, 4, 3))


def test_kings_day_on_a_sunday_moves_to_saturday() -> None:
    assert date(2025, 4, 26) in public_holidays(2025)
    assert date(2025, 4, 27) not in public_holidays(2025)


def test_liberation_day_only_in_a_lustrum_year() -> None:
    assert date(2025, 5, 5) in public_holidays(2025)
    assert date(2030, 5, 5) in public_holidays(2030)
    assert date(2026, 5, 5) not in public_holidays(2026)
    assert is_working_day(date(2026, 5, 5))  # a Tuesday


def test_the_day_of_sending_does_not_count() -> None:
    assert expected_by(date(2026, 12, 7), 1) == date(2026, 12, 8)  # Monday -> Tuesday
    assert expected_by(date(2026, 12, 7), 0) == date(2026, 12, 7)


def test_weekends_are_skipped() -> None:
    friday = date(2026, 12, 4)
    assert expected_by(friday, 1) == date(2026, 12, 7)
    assert expected_by(friday, 5) == date(2026, 12, 11)
    saturday = date(2026, 12, 5)
    assert expected_by(saturday, 1) == date(2026, 12, 7)


def test_christmas_and_new_year_are_skipped() -> None:
    # Thursday 24 December 2026: 25 and 26 are holidays (Fri, Sat), 1 January a Friday.
    assert expected_by(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert expected_by(date(2026, 12, 24), 5) == date(2027, 1, 4)


def test_easter_and_ascension_are_skipped() -> None:
    # Thursday 2 April 2026; Good Friday counts, Easter Monday does not.
    assert expected_by(date(2026, 4, 2), 2) == date(2026, 4, 7)
    # Wednesday 13 May 2026; Ascension Thursday 14 May.
    assert expected_by(date(2026, 5, 13), 1) == date(2026, 5, 15)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        expected_by(date(2026, 12, 7), -1)


def test_overdue_only_while_the_team_owes_a_confirmation() -> None:
    due = date(2026, 12, 9)
    assert not overdue(due, date(2026, 12, 9), SignalStatus.SENT)
    assert overdue(due, date(2026, 12, 10), SignalStatus.SENT)
    for status in SignalStatus:
        if status is not SignalStatus.SENT:
            assert not overdue(due, date(2026, 12, 10), status), status
    assert not overdue(None, date(2030, 1, 1), SignalStatus.SENT)
