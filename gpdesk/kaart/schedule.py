"""Opening and walk-in hours: is it open now, when is the next inloopspreekuur, in plain Dutch.

A ``Rule`` is one HSDS schedule row (an RFC 5545-style recurrence plus ``opens_at``/``closes_at``).
Times are wall-clock times in Europe/Amsterdam, whatever the season; every datetime going in must
be aware, every datetime coming out is in Europe/Amsterdam. Supported: WEEKLY and MONTHLY with
``byday`` (``TH``, ``2TU``, ``-1FR``), ``bymonthday``, ``byweekno``, ``byyearday``, ``interval``
(anchored on ``dtstart`` or ``valid_from``), ``until``/``count`` and ``valid_from``/``valid_to``.
A rule without ``opens_at`` and ``closes_at`` only describes; it never yields a slot. HSDS's
``timezone`` column is kept for round trips but not used here.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from gpdesk.letters.document import DUTCH_MONTHS

if TYPE_CHECKING:
    from gpdesk.models.kaart import Schedule

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DUTCH_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WALK_IN_WORDS = ("inloop", "walk-in", "walk in", "zonder afspraak")
"""An ``attending_type`` containing one of these marks walk-in hours (inloopspreekuur)."""

HORIZON_DAYS = 400
"""How far ahead to look for a next slot: a year and a bit, enough for monthly and yearly rules."""
_COUNT_SEARCH_DAYS = 366 * 10

_DASH = "–"

WHOLE_DAY = "de hele dag"
"""Opens at 00:00 and closes at 00:00 (or 23:59): the slot runs from midnight to midnight."""
ROUND_THE_CLOCK = "dag en nacht, 7 dagen per week"
"""Every day, the whole day: "maandag t/m zondag 00:00–00:00" said the way people say it."""


class Slot(NamedTuple):
    """One opening: ``(start, end)``, aware, in Europe/Amsterdam."""

    start: datetime
    end: datetime


def _ints(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    values: list[int] = []
    for part in text.split(","):
        try:
            values.append(int(part.strip()))
        except ValueError:
            continue
    return tuple(values)


def _bydays(text: str | None) -> tuple[tuple[int, int], ...]:
    """``"TH,2TU,-1FR"`` → ((0, 3), (2, 1), (-1, 4)): (occurrence in month or 0, weekday)."""
    if not text:
        return ()
    found: list[tuple[int, int]] = []
    for part in text.upper().replace(" ", "").split(","):
        code, prefix = part[-2:], part[:-2]
        if code not in WEEKDAY_CODES:
            continue
        try:
            nth = int(prefix) if prefix not in ("", "+") else 0
        except ValueError:
            continue
        found.append((nth, WEEKDAY_CODES.index(code)))
    return tuple(found)


@dataclass(frozen=True)
class Rule:
    """One schedule row, free of the database so the logic stays pure and testable."""

    opens_at: time | None = None
    closes_at: time | None = None
    byday: str | None = None
    freq: str | None = None
    interval: int | None = None
    bymonthday: str | None = None
    byweekno: str | None = None
    byyearday: str | None = None
    wkst: str | None = None
    dtstart: date | None = None
    until: date | None = None
    count: int | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    attending_type: str | None = None
    description: str | None = None
    notes: str | None = None

    @classmethod
    def from_schedule(cls, row: Schedule) -> Rule:
        """The rule of an HSDS schedule row."""
        return cls(
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            byday=row.byday,
            freq=row.freq,
            interval=row.interval,
            bymonthday=row.bymonthday,
            byweekno=row.byweekno,
            byyearday=row.byyearday,
            wkst=row.wkst,
            dtstart=row.dtstart,
            until=row.until,
            count=row.count,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            attending_type=row.attending_type,
            description=row.description,
            notes=row.notes,
        )

    @property
    def is_walk_in(self) -> bool:
        """Walk-in hours (inloopspreekuur) rather than ordinary opening hours."""
        kind = (self.attending_type or "").lower()
        return any(word in kind for word in WALK_IN_WORDS)

    @property
    def has_hours(self) -> bool:
        """Whether the rule can yield slots (it has both an opening and a closing time)."""
        return self.opens_at is not None and self.closes_at is not None

    @property
    def _frequency(self) -> str:
        if self.freq:
            return self.freq.upper()
        if self.byday:
            return "WEEKLY"
        if self.bymonthday:
            return "MONTHLY"
        return ""

    @property
    def _anchor(self) -> date | None:
        return self.dtstart or self.valid_from

    def _first_day(self) -> date | None:
        candidates = [d for d in (self.valid_from, self.dtstart) if d is not None]
        return max(candidates) if candidates else None

    def _last_day(self) -> date | None:
        candidates = [d for d in (self.valid_to, self.until, _count_end(self)) if d is not None]
        return min(candidates) if candidates else None

    @property
    def _step(self) -> int:
        return self.interval if self.interval and self.interval > 1 else 1

    def _weekly_matches(self, day: date) -> bool:
        anchor = self._anchor
        days = _bydays(self.byday) or (((0, anchor.weekday()),) if anchor else ())
        if day.weekday() not in {weekday for _, weekday in days}:
            return False
        if self._step == 1 or anchor is None:
            return True
        week_start = WEEKDAY_CODES.index(self.wkst.upper()) if self.wkst in WEEKDAY_CODES else 0
        weeks = (_week_start(day, week_start) - _week_start(anchor, week_start)).days // 7
        return weeks % self._step == 0

    def _monthly_matches(self, day: date) -> bool:
        anchor = self._anchor
        if anchor is not None:
            months = (day.year - anchor.year) * 12 + day.month - anchor.month
            if months % self._step:
                return False
        if not (self.byday or self.bymonthday):
            return anchor is not None and day.day == anchor.day
        if self.byday and not any(
            _nth_weekday_matches(day, nth, weekday) for nth, weekday in _bydays(self.byday)
        ):
            return False
        return not self.bymonthday or _day_in(day.day, _month_length(day), self.bymonthday)

    def _pattern_matches(self, day: date) -> bool:
        """The recurrence itself, without validity, until or count."""
        frequency = self._frequency
        if frequency == "WEEKLY":
            matches = self._weekly_matches(day)
        elif frequency == "MONTHLY":
            matches = self._monthly_matches(day)
        else:
            # No recurrence: the one date in dtstart. DAILY, YEARLY...: not in HSDS, so refused
            # rather than guessed.
            matches = not frequency and day == self.dtstart
        if not matches:
            return False
        iso = day.isocalendar()
        if self.byweekno and not _day_in(iso.week, _iso_weeks(iso.year), self.byweekno):
            return False
        year_length = 366 if calendar.isleap(day.year) else 365
        return not self.byyearday or _day_in(day.timetuple().tm_yday, year_length, self.byyearday)

    def occurs_on(self, day: date) -> bool:
        """Whether the rule applies on this (local) date."""
        first, last = self._first_day(), self._last_day()
        if first is not None and day < first:
            return False
        if last is not None and day > last:
            return False
        return self._pattern_matches(day)

    def slot_on(self, day: date) -> Slot | None:
        """The opening on this date, or None; a closing time before the opening means overnight."""
        if self.opens_at is None or self.closes_at is None or not self.occurs_on(day):
            return None
        start = datetime.combine(day, self.opens_at.replace(tzinfo=None), tzinfo=AMSTERDAM)
        end_day = day if self.closes_at > self.opens_at else day + timedelta(days=1)
        end = datetime.combine(end_day, self.closes_at.replace(tzinfo=None), tzinfo=AMSTERDAM)
        return Slot(start, end)

    def is_current(self, today: date) -> bool:
        """Whether the rule is still valid on or after ``today`` (not ended)."""
        last = self._last_day()
        return last is None or last >= today

    @property
    def label(self) -> str:
        """Dutch, e.g. "donderdag 09:00–11:00", "maandag t/m vrijdag 09:00–17:00", "elke dag …"."""
        when = _days_label(self)
        hours = _hours_label(self.opens_at, self.closes_at)
        if when == _EVERY_DAY and hours == WHOLE_DAY:
            return ROUND_THE_CLOCK
        text = " ".join(part for part in (when, hours) if part)
        return text or (self.description or "").strip()


def _week_start(day: date, week_start: int) -> date:
    return day - timedelta(days=(day.weekday() - week_start) % 7)


def _month_length(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _iso_weeks(iso_year: int) -> int:
    return date(iso_year, 12, 28).isocalendar().week


def _day_in(value: int, length: int, spec: str) -> bool:
    """``value`` (1-based) is listed in ``spec``, where -1 means the last of ``length``."""
    return any(n == value or (n < 0 and length + n + 1 == value) for n in _ints(spec))


def _nth_weekday_matches(day: date, nth: int, weekday: int) -> bool:
    if day.weekday() != weekday:
        return False
    if nth == 0:
        return True
    if nth > 0:
        return (day.day - 1) // 7 + 1 == nth
    return (_month_length(day) - day.day) // 7 + 1 == -nth


@functools.lru_cache(maxsize=1024)
def _count_end(rule: Rule) -> date | None:
    """The date of the ``count``-th occurrence: ``count`` turned into an end date."""
    if not rule.count or rule.dtstart is None:
        return None
    seen = 0
    day = rule.dtstart
    first = rule._first_day() or day
    for _ in range(_COUNT_SEARCH_DAYS):
        in_range = day >= first and (rule.until is None or day <= rule.until)
        if in_range and rule._pattern_matches(day):
            seen += 1
            if seen >= rule.count:
                return day
        day += timedelta(days=1)
    return None


def _is_whole_day(opens: time, closes: time) -> bool:
    midnight = time(0)
    return opens.replace(tzinfo=None) == midnight and closes.replace(tzinfo=None) in (
        midnight,
        time(23, 59),
    )


def _hours_label(opens: time | None, closes: time | None) -> str:
    if opens is None:
        return ""
    if closes is not None and _is_whole_day(opens, closes):
        return WHOLE_DAY
    if closes is None:
        return f"vanaf {opens:%H:%M}"
    return f"{opens:%H:%M}{_DASH}{closes:%H:%M}"


def _join_dutch(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " en " + parts[-1]


_EVERY_DAY = "elke dag"


def _weekdays_label(weekdays: list[int]) -> str:
    ordered = sorted(set(weekdays))
    if len(ordered) == len(DUTCH_DAYS):
        return _EVERY_DAY
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DUTCH_DAYS[ordered[0]]} t/m {DUTCH_DAYS[ordered[-1]]}"
    return _join_dutch([DUTCH_DAYS[d] for d in ordered])


def _ordinal(n: int) -> str:
    if n > 0:
        return f"{n}e"
    return {-1: "laatste", -2: "op één na laatste"}.get(n, f"{-n}e van achteren")


def _days_label(rule: Rule) -> str:
    frequency = rule._frequency
    step = rule._step
    days = _bydays(rule.byday)
    if frequency == "WEEKLY":
        weekdays = [d for _, d in days] or ([rule._anchor.weekday()] if rule._anchor else [])
        text = _weekdays_label(weekdays)
        if step == 2:
            return f"om de week op {text}"
        return f"elke {step} weken op {text}" if step > 2 else text
    if frequency == "MONTHLY":
        if days:
            text = "elke " + _join_dutch(
                [f"{_ordinal(nth)} {DUTCH_DAYS[d]}" if nth else DUTCH_DAYS[d] for nth, d in days]
            )
            return f"{text} van de maand" if any(nth for nth, _ in days) else text
        if rule.bymonthday:
            return (
                "op de "
                + _join_dutch([_ordinal(n) for n in _ints(rule.bymonthday)])
                + (" van de maand")
            )
        return f"op de {rule._anchor.day}e van de maand" if rule._anchor else ""
    if not frequency and rule.dtstart:
        return format_date(rule.dtstart, weekday=True)
    return ""


def format_date(day: date, *, weekday: bool = False, year: bool = False) -> str:
    """Dutch date: "26 november", "donderdag 26 november", "26 november 2026"."""
    text = f"{day.day} {DUTCH_MONTHS[day.month - 1]}"
    if year:
        text += f" {day.year}"
    return f"{DUTCH_DAYS[day.weekday()]} {text}" if weekday else text


def slot_label(slot: Slot) -> str:
    """Dutch, e.g. "donderdag 26 november 09:00–11:00"."""
    start = slot.start.astimezone(AMSTERDAM)
    end = slot.end.astimezone(AMSTERDAM)
    return f"{format_date(start.date(), weekday=True)} {_hours_label(start.time(), end.time())}"


def _local(now: datetime) -> datetime:
    if now.tzinfo is None:
        raise ValueError("naive datetime; pass an aware one (utcnow())")
    return now.astimezone(AMSTERDAM)


@dataclass(frozen=True)
class ScheduleSet:
    """All schedule rules of one service (its own and those at its locations)."""

    rules: tuple[Rule, ...] = ()

    @classmethod
    def of(cls, rules: Iterable[Rule]) -> ScheduleSet:
        """A set from any iterable of rules."""
        return cls(tuple(rules))

    def _chosen(self, walk_in_only: bool) -> Iterator[Rule]:
        return (r for r in self.rules if r.has_hours and (r.is_walk_in or not walk_in_only))

    def is_open(self, now: datetime, *, walk_in_only: bool = False) -> bool:
        """Whether a slot (of any kind, or walk-in only) is going on at ``now``."""
        local = _local(now)
        for rule in self._chosen(walk_in_only):
            for day in (local.date() - timedelta(days=1), local.date()):
                slot = rule.slot_on(day)
                if slot is not None and slot.start <= local < slot.end:
                    return True
        return False

    def next_slot(
        self, now: datetime, *, walk_in_only: bool = True, horizon_days: int = HORIZON_DAYS
    ) -> Slot | None:
        """The slot going on at ``now`` or else the next one to start; None within the horizon.

        A slot in progress counts: a GP at 10:00 on a Thursday can still send the patient to the
        walk-in hour that runs until 11:00.
        """
        local = _local(now)
        rules = list(self._chosen(walk_in_only))
        if not rules:
            return None
        today = local.date()
        for offset in range(-1, horizon_days + 1):
            day = today + timedelta(days=offset)
            found = [
                slot
                for rule in rules
                if (slot := rule.slot_on(day)) is not None and slot.end > local
            ]
            if found:
                return min(found)
        return None

    def walk_in_today(self, now: datetime) -> bool:
        """Whether a walk-in hour is going on at ``now`` or still to start today."""
        slot = self.next_slot(now, walk_in_only=True, horizon_days=0)
        return slot is not None and slot.start.date() <= _local(now).date()

    def labels(self, today: date, *, walk_in_only: bool = False) -> list[str]:
        """Dutch lines for every rule still valid on ``today``, walk-in hours marked "inloop"."""
        lines: list[str] = []
        for rule in self.rules:
            if not rule.is_current(today) or (walk_in_only and not rule.is_walk_in):
                continue
            text = rule.label
            if not text:
                continue
            if rule.is_walk_in and not walk_in_only:
                text = f"inloop: {text}"
            if rule.valid_from and rule.valid_from > today:
                text += f" (vanaf {format_date(rule.valid_from, year=True)})"
            elif rule.valid_to:
                text += f" (t/m {format_date(rule.valid_to, year=True)})"
            lines.append(text)
        return lines

    def summary(self, today: date, *, walk_in_only: bool = False) -> str:
        """The labels on one line, "; "-separated; "" when there are none."""
        return "; ".join(self.labels(today, walk_in_only=walk_in_only))
