"""When a kaart entry counts as verouderd."""

from __future__ import annotations

from datetime import date

import pytest

from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale, months_before, stale_since

TODAY = date(2026, 11, 24)


def test_never_checked_is_stale() -> None:
    assert is_stale(None, TODAY)


@pytest.mark.parametrize(
    ("assured", "stale"),
    [
        (date(2026, 11, 24), False),
        (date(2026, 10, 1), False),
        (date(2026, 5, 24), False),  # exactly six months: still fresh
        (date(2026, 5, 23), True),
        (date(2025, 11, 30), True),
    ],
)
def test_six_months_by_default(assured: date, stale: bool) -> None:
    assert DEFAULT_STALE_MONTHS == 6
    assert is_stale(assured, TODAY) is stale


def test_months_are_configurable() -> None:
    assured = date(2026, 8, 1)
    assert not is_stale(assured, TODAY, months=6)
    assert is_stale(assured, TODAY, months=3)
    assert not is_stale(assured, TODAY, months=12)
    assert is_stale(date(2026, 11, 23), TODAY, months=0)
    assert not is_stale(TODAY, TODAY, months=0)
    with pytest.raises(ValueError):
        is_stale(assured, TODAY, months=-1)


def test_month_ends_are_clamped() -> None:
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2028, 8, 31), 6) == date(2028, 2, 29)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)
    assert months_before(date(2026, 3, 31), 13) == date(2025, 2, 28)


@pytest.mark.parametrize(
    "assured",
    [
        date(2026, 2, 28),
        date(2026, 8, 31),
        date(2026, 5, 24),
        date(2024, 2, 29),
        date(2026, 12, 31),
    ],
)
def test_stale_since_is_the_first_stale_day(assured: date) -> None:
    first = stale_since(assured)
    assert first is not None
    assert is_stale(assured, first)
    assert not is_stale(assured, date.fromordinal(first.toordinal() - 1))


def test_stale_since_without_a_check() -> None:
    assert stale_since(None) is None
