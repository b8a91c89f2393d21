"""Reading opening hours as a practice types them: "do 09:00-11:00; ma-vr 08:30-17:00".

Dutch day names, ranges and lists are accepted; anything else is refused with an example, so
a cell is never half-understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from typing import Final

from gpdesk.kaart.exchange.read import parse_time
from gpdesk.kaart.schedule import WEEKDAY_CODES
from gpdesk.kaart.textnorm import fold

# --- hours: "do 09:00-11:00; ma-vr 9-17" -----------------------------------------------------


@dataclass(frozen=True)
class WeeklyHours:
    """One weekly slot read from the template: weekdays (0 = Monday) and the hours."""

    weekdays: tuple[int, ...]
    opens: time
    closes: time

    @property
    def byday(self) -> str:
        """HSDS ``byday``: ``MO,TU,WE``."""
        return ",".join(WEEKDAY_CODES[d] for d in self.weekdays)


_DAY_WORDS: Final[dict[str, tuple[int, ...]]] = {
    **{
        name: (number,)
        for number, name in enumerate(
            ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
        )
    },
    **{name: (number,) for number, name in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{
        name: (number,)
        for number, name in enumerate(
            (
                "maandagen",
                "dinsdagen",
                "woensdagen",
                "donderdagen",
                "vrijdagen",
                "zaterdagen",
                "zondagen",
            )
        )
    },
    **{
        name: (number,)
        for number, name in enumerate(("maa", "din", "woe", "don", "vri", "zat", "zon"))
    },
    "werkdagen": (0, 1, 2, 3, 4),
    "doordeweeks": (0, 1, 2, 3, 4),
    "weekend": (5, 6),
    "dagelijks": (0, 1, 2, 3, 4, 5, 6),
}
_FILLER: Final = frozenset({"en", "op", "van", "uur", "om", "elke", "iedere", "s", "elke dag"})
_TIME_RANGE = re.compile(
    r"(?<![0-9])([0-9]{1,2}(?:[:.][0-9]{2})?)\s*(?:u(?:ur)?\s*)?"
    r"(?:-|–|—|tot|t/m)\s*([0-9]{1,2}(?:[:.][0-9]{2})?)(?![0-9])\s*(?:uur|u\b)?",
    re.IGNORECASE,
)
_DAY_RANGE_WORDS = re.compile(r"\btot en met\b|\bt/m\b|\btm\b|\btot\b|[–—]")
_DAY_LIST_SPLIT = re.compile(r"[,;/&+\n]|\ben\b")
_HOURS_EXAMPLE = "Schrijf bijvoorbeeld: do 09:00-11:00; ma-vr 08:30-17:00."


def _clock(text: str) -> time:
    value = text if re.search(r"[:.]", text) else f"{text}:00"
    return parse_time(value)


def _days(segment: str) -> tuple[int, ...] | None:
    """Weekdays named in a piece of text; None when something else stands there."""
    cleaned = fold(segment).replace("elke dag", "dagelijks").replace("'s", " ")
    cleaned = _DAY_RANGE_WORDS.sub("-", cleaned)
    found: list[int] = []
    for part in _DAY_LIST_SPLIT.split(cleaned):
        if re.search(r"[0-9]", part):
            return None
        tokens = [t for t in re.findall(r"[a-z]+|-", part) if t not in _FILLER]
        index = 0
        while index < len(tokens):
            word = tokens[index]
            if word not in _DAY_WORDS:
                return None
            if index + 2 < len(tokens) and tokens[index + 1] == "-":
                last_word = tokens[index + 2]
                if last_word not in _DAY_WORDS:
                    return None
                first, last = _DAY_WORDS[word][0], _DAY_WORDS[last_word][-1]
                if last < first:
                    return None
                found.extend(range(first, last + 1))
                index += 3
                continue
            found.extend(_DAY_WORDS[word])
            index += 1
    return tuple(sorted(set(found)))


def parse_hours(text: str) -> list[WeeklyHours]:
    """Weekly hours from Dutch spreadsheet text: ``do 09:00-11:00; di 13:30-15:00``.

    Days: ma, di, ... or full names, ranges (``ma-vr``, ``ma t/m vr``), lists (``ma, wo``,
    ``ma en wo``), ``werkdagen``, ``weekend``, ``dagelijks``. Times: ``09:00``, ``9.30`` or
    ``9``; a range without days repeats the days before it (``ma 9-12 en 13-17``).

    Raises:
        ValueError: in Dutch, naming what was not understood (e.g. "donderdag ochtend", "25:00").
    """
    entries: list[WeeklyHours] = []
    position = 0
    previous: tuple[int, ...] = ()
    matches = list(_TIME_RANGE.finditer(text))
    if not matches:
        raise ValueError(f"Geen tijden gevonden in '{text.strip()}'. {_HOURS_EXAMPLE}")
    for match in matches:
        segment = text[position : match.start()]
        days = _days(segment)
        if days is None:
            raise ValueError(f"'{segment.strip(' ;,')}' is geen dag. {_HOURS_EXAMPLE}")
        if not days:
            if not previous:
                raise ValueError(f"Bij '{match.group(0).strip()}' staat geen dag. {_HOURS_EXAMPLE}")
            days = previous
        opens, closes = _clock(match.group(1)), _clock(match.group(2))
        if opens == closes:
            raise ValueError(f"'{match.group(0).strip()}' begint en eindigt op dezelfde tijd.")
        entries.append(WeeklyHours(days, opens, closes))
        previous = days
        position = match.end()
    rest = fold(text[position:]).strip(" ;,.\n\t")
    if rest and rest not in _FILLER:
        raise ValueError(f"'{text[position:].strip(' ;,')}' is niet begrepen. {_HOURS_EXAMPLE}")
    return entries
