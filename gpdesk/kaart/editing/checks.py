"""Checking what a praktijkmanager types into the kaart editor: pure, so every message is testable.

Each cleaner returns the value to store or reports a Dutch message for one field to a
``Problems`` collector, so a form can show every mistake at once, next to its field. Messages
say what to type instead; kaart data is not patient data, so a wrong day name may be repeated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Final, TypeVar
from urllib.parse import urlsplit

from gpdesk.errors import ValidationError
from gpdesk.kaart.postcodes import AREA_FIELD, Pc4Range, parse_ranges
from gpdesk.kaart.schedule import WEEKDAY_CODES, Rule
from gpdesk.models.kaart import NAME_LENGTH
from gpdesk.patients.validation import format_postcode, normalise_phone

T = TypeVar("T")

# Field keys of ValidationError.problems: the editor shows each message next to this field.
NAME: Final = "naam"
ALTERNATE_NAME: Final = "andere_naam"
TITLE: Final = "functie"
DEPARTMENT: Final = "afdeling"
EMAIL: Final = "e-mail"
WEBSITE: Final = "website"
PHONE: Final = "telefoon"
ORGANIZATION: Final = "organisatie"
MIN_AGE: Final = "minimumleeftijd"
MAX_AGE: Final = "maximumleeftijd"
ADDRESS: Final = "adres"
POSTCODE: Final = "postcode"
CITY: Final = "plaats"
AREA: Final = AREA_FIELD
HOURS: Final = "tijden"
DEPUTY: Final = "vervanger"
THEMES: Final = "themas"
FIXED_CONTACT: Final = "vaste_contactpersoon"
DIRECT_LINE: Final = "direct_nummer"
CONFIRM_DAYS: Final = "bevestiging_binnen"
CHANNEL: Final = "kanaal"

MIN_AGE_YEARS: Final = 0
MAX_AGE_YEARS: Final = 120
MIN_CONFIRM_DAYS: Final = 1
MAX_CONFIRM_DAYS: Final = 20

WALK_IN: Final = "inloop"
OPENING_HOURS: Final = "openingstijden"
ATTENDING_TYPES: Final = (OPENING_HOURS, WALK_IN, "op afspraak", "telefonisch")
"""The kinds of hours the editor offers; "inloop" (and any kind containing it) is walk-in."""

DAY_ABBREVIATIONS: Final = ("ma", "di", "wo", "do", "vr", "za", "zo")
_DAY_WORDS: Final = {
    **{abbr: i for i, abbr in enumerate(DAY_ABBREVIATIONS)},
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
_DAY_RANGE = re.compile(r"^(\w+)\s*(?:-|–|t/m|tot en met)\s*(\w+)$")
_TIME = re.compile(r"^([0-2]?[0-9])(?:[:.]([0-5][0-9]))?$")
_HOURS_LINE = re.compile(
    r"^(?P<days>.+?)\s+(?P<opens>[0-9]{1,2}(?:[:.][0-9]{2})?)\s*(?:-|–|tot)\s*"
    r"(?P<closes>[0-9]{1,2}(?:[:.][0-9]{2})?)$"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+(/.*)?$")
# Area codes of three digits (010, 020, ...); every other Dutch area code has four.
_SHORT_AREA_CODES: Final = frozenset(
    f"0{n}" for n in (10, 13, 15, 20, 23, 24, 26, 30, 33, 35, 36, 38, 40, 43, 45, 46, 50, 53, 55)
) | frozenset(f"0{n}" for n in (58, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79))


class Problems:
    """Dutch messages per field, collected so a form can show them all at once."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        """Keep the first message per field: it is the one to fix first."""
        self.found.setdefault(field, message)

    def check(self, field: str, clean: Callable[[], T]) -> T | None:
        """Run a cleaner; a ValidationError becomes a message for ``field``."""
        try:
            return clean()
        except ValidationError as exc:
            self.add(field, next(iter(exc.problems.values()), exc.message))
            return None

    def raise_if_any(self) -> None:
        """Refuse the whole edit when anything was wrong."""
        if self.found:
            raise ValidationError(self.found)


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def clean_line(value: str | None, *, max_length: int = NAME_LENGTH) -> str | None:
    """One line of text with whitespace collapsed; None when empty."""
    text = " ".join((value or "").split())
    return text[:max_length] or None


def clean_text(value: str | None) -> str | None:
    """Free text (a description) with its line breaks kept; None when empty."""
    text = "\n".join(line.rstrip() for line in (value or "").strip().splitlines())
    return text or None


def require_name(value: str | None, field: str, what: str) -> str:
    """A required one-line name, e.g. "Vul de naam van de voorziening in."."""
    text = clean_line(value)
    if text is None:
        raise _fail(field, f"Vul de naam van {what} in.")
    if not any(char.isalpha() for char in text):
        raise _fail(field, "Een naam bevat minstens één letter.")
    return text


def clean_email(value: str | None, field: str = EMAIL) -> str | None:
    """An e-mail address or None."""
    text = (value or "").strip()
    if not text:
        return None
    if not _EMAIL.fullmatch(text) or len(text) > NAME_LENGTH:
        raise _fail(field, "Dit e-mailadres klopt niet. Schrijf het als naam@voorbeeld.nl.")
    return text


def clean_url(value: str | None, field: str = WEBSITE) -> str | None:
    """An http(s) web address; "www.voorbeeld.nl" gets https:// in front."""
    text = (value or "").strip()
    if not text:
        return None
    if "://" not in text and _DOMAIN.fullmatch(text):
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or "." not in parts.netloc or " " in text:
        raise _fail(
            field,
            "Dit webadres klopt niet. Schrijf het als https://www.voorbeeld.nl.",
        )
    return text


def format_phone(normalised: str) -> str:
    """Dutch display form of a normalised number: 010-123 45 67, 0180-12 34 56, 06-12345678."""
    if normalised.startswith("+") or len(normalised) != 10:
        return normalised
    if normalised.startswith("06"):
        return f"06-{normalised[2:]}"
    if normalised[:4] in ("0800", "0900", "0906", "0909"):
        return f"{normalised[:4]}-{normalised[4:]}"
    if normalised[:3] in _SHORT_AREA_CODES or normalised.startswith("08"):
        n = normalised
        return f"{n[:3]}-{n[3:6]} {n[6:8]} {n[8:]}"
    n = normalised
    return f"{n[:4]}-{n[4:6]} {n[6:8]} {n[8:]}"


def clean_phone(value: str | None, field: str = PHONE) -> str | None:
    """A phone number in its Dutch display form, or None; messages as for a patient's phone."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return format_phone(normalise_phone(text))
    except ValidationError as exc:
        raise _fail(field, next(iter(exc.problems.values()))) from None


def same_phone(first: str | None, second: str | None) -> bool:
    """Whether two stored numbers dial the same (010-001 11 97 equals 0100011197)."""
    if not first or not second:
        return not first and not second
    try:
        return normalise_phone(first) == normalise_phone(second)
    except ValidationError:
        return first.strip() == second.strip()


def clean_age(value: int | str | None, field: str, what: str) -> int | None:
    """An age in whole years, 0 to 120, or None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not text.isdigit():
        raise _fail(field, f"Vul de {what} in als een heel getal, bijvoorbeeld 18.")
    age = int(text)
    if not MIN_AGE_YEARS <= age <= MAX_AGE_YEARS:
        raise _fail(field, f"De {what} ligt tussen {MIN_AGE_YEARS} en {MAX_AGE_YEARS} jaar.")
    return age


def clean_ages(
    minimum: int | str | None, maximum: int | str | None, problems: Problems
) -> tuple[int | None, int | None]:
    """Both ages, and the minimum not above the maximum."""
    low = problems.check(MIN_AGE, lambda: clean_age(minimum, MIN_AGE, "minimumleeftijd"))
    high = problems.check(MAX_AGE, lambda: clean_age(maximum, MAX_AGE, "maximumleeftijd"))
    if low is not None and high is not None and low > high:
        problems.add(MAX_AGE, "De maximumleeftijd mag niet lager zijn dan de minimumleeftijd.")
    return low, high


def clean_working_days(value: int | str | None) -> int | None:
    """The team's promised confirmation time: 1 to 20 working days, or None for no promise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if not text.isdigit() or not MIN_CONFIRM_DAYS <= int(text) <= MAX_CONFIRM_DAYS:
        raise _fail(
            CONFIRM_DAYS,
            f"Kies een termijn van {MIN_CONFIRM_DAYS} tot en met {MAX_CONFIRM_DAYS} werkdagen.",
        )
    return int(text)


def clean_postcode(value: str | None) -> str | None:
    """A full postcode as ``3118 AB`` (how the kaart shows it), or None."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return format_postcode(text)
    except ValidationError as exc:
        raise _fail(POSTCODE, next(iter(exc.problems.values()))) from None


def clean_ranges(text: str | None) -> list[Pc4Range]:
    """PC4 ranges typed by the practice: strict, so a typo is never silently dropped."""
    return parse_ranges(text, strict=True)


# --- hours -----------------------------------------------------------------------------------


def _day(word: str) -> int:
    key = word.strip().lower().rstrip(".")
    if key not in _DAY_WORDS:
        raise _fail(
            HOURS,
            f"'{word.strip()}' is geen dag. Gebruik ma, di, wo, do, vr, za of zo.",
        )
    return _DAY_WORDS[key]


def parse_days(text: str) -> tuple[int, ...]:
    """Weekdays (0 = maandag) from "di", "ma-vr", "ma t/m vr" or "ma, wo, vr"."""
    cleaned = text.strip().lower()
    if not cleaned:
        raise _fail(HOURS, "Vul de dag in, bijvoorbeeld di of ma-vr.")
    days: set[int] = set()
    for part in re.split(r"\s*(?:,|;|/|\ben\b)\s*", cleaned):
        if not part:
            continue
        span = _DAY_RANGE.fullmatch(part)
        if span:
            first, last = _day(span.group(1)), _day(span.group(2))
            if first > last:
                raise _fail(HOURS, "Schrijf een reeks dagen van vroeg naar laat, zoals ma-vr.")
            days.update(range(first, last + 1))
        else:
            days.add(_day(part))
    return tuple(sorted(days))


def days_text(days: Sequence[int]) -> str:
    """Days as the editor shows them: "ma-vr" for three or more in a row, else "ma, wo"."""
    ordered = sorted(set(days))
    if len(ordered) >= 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{DAY_ABBREVIATIONS[ordered[0]]}-{DAY_ABBREVIATIONS[ordered[-1]]}"
    return ", ".join(DAY_ABBREVIATIONS[d] for d in ordered)


def parse_time(text: str, what: str) -> time:
    """A time of day from "9:00", "09.30" or "9"."""
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match.group(1)) > 23:
        raise _fail(HOURS, f"Schrijf de {what} als uren en minuten, bijvoorbeeld 09:00.")
    return time(int(match.group(1)), int(match.group(2) or 0))


@dataclass(frozen=True)
class ScheduleRuleInput:
    """One row of the hours editor: days, from, to, kind, note.

    ``schedule_id`` names the stored row it edits (None: a new row). ``keep`` marks a rule the
    simple editor cannot express (monthly, every other week, with an end date): it is kept
    exactly as stored, and leaving it out of the list deletes it.
    """

    days: str
    opens: str
    closes: str
    kind: str = OPENING_HOURS
    note: str = ""
    schedule_id: str | None = None
    keep: bool = False

    @classmethod
    def from_text(
        cls, text: str, *, kind: str = OPENING_HOURS, note: str = ""
    ) -> ScheduleRuleInput:
        """A row from one line such as "di 09:00-11:00" or "ma t/m vr 8:30 - 17:00"."""
        match = _HOURS_LINE.fullmatch(" ".join(text.split()))
        if match is None:
            raise _fail(HOURS, "Schrijf tijden als 'di 09:00-11:00' of 'ma-vr 08:30-17:00'.")
        return cls(match["days"], match["opens"], match["closes"], kind=kind, note=note)


@dataclass(frozen=True)
class CleanRule:
    """A weekly rule ready to store."""

    weekdays: tuple[int, ...]
    opens_at: time
    closes_at: time
    attending_type: str
    description: str | None
    schedule_id: str | None = None

    @property
    def byday(self) -> str:
        """RFC 5545 BYDAY, e.g. "MO,TU,WE,TH,FR"."""
        return ",".join(WEEKDAY_CODES[d] for d in self.weekdays)

    @property
    def is_walk_in(self) -> bool:
        """Walk-in hours (inloopspreekuur)."""
        return Rule(attending_type=self.attending_type).is_walk_in


def clean_kind(kind: str) -> str:
    """One of the offered kinds (or any kind naming walk-in hours, as imports write them)."""
    text = " ".join(kind.split()).lower()
    if text in ATTENDING_TYPES or Rule(attending_type=text).is_walk_in:
        return text
    raise _fail(HOURS, "Kies als soort 'openingstijden' of 'inloop'.")


END_OF_DAY: Final = "24:00"
"""How the editor writes a closing time at midnight (stored as 00:00: the slot runs to the end)."""


def clean_rule(row: ScheduleRuleInput) -> CleanRule:
    """One weekly rule; the closing time comes after the opening time ("24:00" ends the day)."""
    weekdays = parse_days(row.days)
    opens = parse_time(row.opens, "begintijd")
    until_midnight = row.closes.strip() in (END_OF_DAY, "24", "24.00")
    closes = time(0) if until_midnight else parse_time(row.closes, "eindtijd")
    if closes <= opens and not until_midnight:
        raise _fail(HOURS, "De eindtijd moet na de begintijd liggen.")
    return CleanRule(
        weekdays=weekdays,
        opens_at=opens,
        closes_at=closes,
        attending_type=clean_kind(row.kind),
        description=clean_text(row.note),
        schedule_id=row.schedule_id,
    )


def clean_rules(rows: Sequence[ScheduleRuleInput], problems: Problems) -> list[CleanRule]:
    """Every editable row checked; a message names the row ("Regel 2: ...")."""
    cleaned: list[CleanRule] = []
    for number, row in enumerate(rows, start=1):
        if row.keep:
            continue
        try:
            cleaned.append(clean_rule(row))
        except ValidationError as exc:
            message = next(iter(exc.problems.values()))
            problems.add(HOURS, f"Regel {number}: {message[0].lower()}{message[1:]}")
    return cleaned
