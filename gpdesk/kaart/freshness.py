"""Whether a kaart entry is still trustworthy: checked recently enough by someone.

Teams and agencies change names and people often; a GP who calls a number that no longer works
loses the patient. So every service and contact carries the date someone last checked it
(``assured_date``), and anything older than the practice allows is shown as "verouderd".
"""

from __future__ import annotations

import calendar
from datetime import date

DEFAULT_STALE_MONTHS = 6
"""How long a check stays valid unless the practice chooses otherwise."""


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier, clamped at the month's end.

    31 August minus 6 months is 28 (or 29) February.
    """
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_stale(assured_date: date | None, today: date, months: int = DEFAULT_STALE_MONTHS) -> bool:
    """True when never checked, or last checked more than ``months`` months before ``today``.

    Checked exactly ``months`` months ago still counts as fresh; the day after, it is stale.
    """
    if months < 0:
        raise ValueError("months must be >= 0")
    if assured_date is None:
        return True
    return assured_date < months_before(today, months)


def stale_since(assured_date: date | None, months: int = DEFAULT_STALE_MONTHS) -> date | None:
    """The first day on which ``is_stale`` turns true; None when it never was checked."""
    if assured_date is None:
        return None
    index = assured_date.year * 12 + assured_date.month - 1 + months
    year, month = divmod(index, 12)
    day = date(year, month + 1, min(assured_date.day, calendar.monthrange(year, month + 1)[1]))
    # Month ends make the calendar uneven (28 Feb + 6 months): step to the first stale day.
    while not is_stale(assured_date, day, months):
        day = date.fromordinal(day.toordinal() + 1)
    return day
