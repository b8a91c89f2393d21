"""When the team's answer is due ("verwacht antwoord voor"), and whether it is late ("verlopen").

A team's feedback agreement promises a confirmation within N working days. Working days are
Monday to Friday minus the Dutch public holidays that offices close on: Nieuwjaarsdag, Tweede
Paasdag, Koningsdag, Hemelvaartsdag, Tweede Pinksterdag, both Christmas days, and Bevrijdingsdag
in a lustrum year (2025, 2030: the one year in five that most collective agreements give it off).
Goede Vrijdag is not a general day off in the Netherlands and counts as a working day. The
Sundays of Easter and Pentecost are weekend days anyway.

Pure: dates in, dates out, no clock. "Verlopen" is derived here and never stored.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from gpdesk.models.signal import SignalStatus

__all__ = ["easter_sunday", "expected_by", "is_working_day", "overdue", "public_holidays"]

AWAITING_CONFIRMATION = frozenset({SignalStatus.SENT})
"""Statuses in which the team still owes its confirmation: once it says "ontvangen" (or
anything after it) the agreement is kept, and a closed signal is never late."""


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def public_holidays(year: int) -> frozenset[date]:
    """The Dutch public holidays of ``year`` on which a wijkteam's office is closed."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # on a Sunday it moves to the Saturday before
        kings_day = date(year, 4, 26)
    days = {
        date(year, 1, 1),
        easter + timedelta(days=1),  # Tweede Paasdag
        kings_day,
        easter + timedelta(days=39),  # Hemelvaartsdag
        easter + timedelta(days=50),  # Tweede Pinksterdag
        date(year, 12, 25),
        date(year, 12, 26),
    }
    if year % 5 == 0:
        days.add(date(year, 5, 5))  # Bevrijdingsdag, in a lustrum year
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a public holiday."""
    return day.weekday() < 5 and day not in public_holidays(day.year)


def expected_by(sent_on: date, working_days: int) -> date:
    """The day the answer is due: ``working_days`` working days after the day it was sent.

    The day of sending does not count (sent on a Friday with 2 working days: due Tuesday). With
    0 the answer is due the day it was sent.
    """
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    day = sent_on
    left = working_days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def overdue(expected: date | None, today: date, status: SignalStatus) -> bool:
    """Whether the team is late: still no confirmation, and the due day has passed."""
    return expected is not None and status in AWAITING_CONFIRMATION and today > expected
