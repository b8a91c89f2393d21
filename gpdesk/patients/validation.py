"""Checking and normalising patient fields that staff type in or paste from the HIS.

Every function returns the normalised value or raises ``ValidationError`` keyed by the Dutch
field name. Messages say what is wrong and what to do, but never repeat the value itself: they
may end up in log files.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import NoReturn

from gpdesk.errors import ValidationError

BSN_FIELD = "bsn"
NAME_FIELD = "naam"
BIRTH_DATE_FIELD = "geboortedatum"
POSTCODE_FIELD = "postcode"
PHONE_FIELD = "telefoon"

MAX_NAME_LENGTH = 200
MAX_AGE_YEARS = 130

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_BSN_SEPARATORS = re.compile(r"[\s.\-]")
_BSN_DIGITS = re.compile(r"[0-9]{8,9}")

_POSTCODE = re.compile(r"([0-9]{4})\s*([A-Za-z]{2})")
# Letter pairs that PostNL never issues (reminders of the SA, SD and SS of 1940-45).
_UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})

_PHONE_ALLOWED = re.compile(r"[0-9\s\-./()+]+")
_PHONE_SEPARATORS = re.compile(r"[\s\-./]")
_NL_COUNTRY_CODE = "31"
_NL_NUMBER_LENGTH = 10
_MIN_FOREIGN_DIGITS = 8
_MAX_FOREIGN_DIGITS = 15  # the E.164 maximum, country code included

_ISO_DATE = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_DUTCH_DATE = re.compile(r"([0-9]{1,2})([-/.])([0-9]{1,2})\2([0-9]{4})")
_SHORT_YEAR_DATE = re.compile(r"[0-9]{1,2}([-/.])[0-9]{1,2}\1[0-9]{2}")
_COMPACT_DATE = re.compile(r"[0-9]{8}")

# Whitespace a pasted name may contain; it is collapsed, never rejected.
_NAME_WHITESPACE_CATEGORIES = frozenset({"Zs", "Zl", "Zp"})
# Control, format (zero-width, bidi overrides), surrogate, private-use and unassigned characters.
_NAME_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})

_BSN_LENGTH_MESSAGE = "Het BSN moet uit 9 cijfers bestaan."
_BSN_CHECK_MESSAGE = "Dit BSN klopt niet (de elfproef faalt). Controleer de cijfers in het HIS."
_POSTCODE_FORMAT_MESSAGE = (
    "De postcode moet bestaan uit 4 cijfers en 2 letters. Controleer de postcode."
)
_PHONE_CHARACTERS_MESSAGE = (
    "Het telefoonnummer mag alleen cijfers bevatten, met eventueel spaties, streepjes, "
    "haakjes of een + aan het begin."
)
_PHONE_NL_MESSAGE = (
    "Een Nederlands telefoonnummer heeft 10 cijfers en begint met 0. Controleer het telefoonnummer."
)
_PHONE_FOREIGN_MESSAGE = (
    "Een buitenlands telefoonnummer heeft 8 tot 15 cijfers, de landcode meegeteld. "
    "Controleer het telefoonnummer."
)
_DATE_FORMAT_MESSAGE = (
    "De geboortedatum is niet herkend. Schrijf de datum als dag-maand-jaar (dd-mm-jjjj)."
)


def _fail(field: str, message: str) -> NoReturn:
    raise ValidationError({field: message})


def passes_elfproef(digits: str) -> bool:
    """Tell whether nine digits can be a BSN, so a parser can test candidates without raising."""
    if len(digits) != len(_BSN_WEIGHTS) or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits, _BSN_WEIGHTS, strict=True))
    return total != 0 and total % 11 == 0


def validate_bsn(value: str) -> str:
    """Return the BSN as 9 digits; a typo in a BSN links data to the wrong person."""
    compact = _BSN_SEPARATORS.sub("", value)
    if not compact:
        _fail(BSN_FIELD, "Het BSN ontbreekt.")
    if not _BSN_DIGITS.fullmatch(compact):
        _fail(BSN_FIELD, _BSN_LENGTH_MESSAGE)
    # A BSN with a leading zero is often written (or stored by spreadsheets) with 8 digits.
    bsn = compact.zfill(len(_BSN_WEIGHTS))
    if not passes_elfproef(bsn):
        _fail(BSN_FIELD, _BSN_CHECK_MESSAGE)
    return bsn


def normalise_postcode(value: str) -> str:
    """Return the postcode as ``1234AB``, the one form used for storage and lookups."""
    text = value.strip()
    if not text:
        _fail(POSTCODE_FIELD, "De postcode ontbreekt.")
    match = _POSTCODE.fullmatch(text)
    if match is None:
        _fail(POSTCODE_FIELD, _POSTCODE_FORMAT_MESSAGE)
    digits, letters = match.group(1), match.group(2).upper()
    if digits.startswith("0"):
        _fail(
            POSTCODE_FIELD,
            "Een Nederlandse postcode begint nooit met een 0. Controleer de postcode.",
        )
    if letters in _UNUSED_POSTCODE_LETTERS:
        _fail(
            POSTCODE_FIELD,
            "Postcodes met de letters SA, SD of SS bestaan niet in Nederland. "
            "Controleer de postcode.",
        )
    return digits + letters


def format_postcode(pc: str) -> str:
    """Return ``1234 AB``: the way Dutch people read and write a postcode."""
    normalised = normalise_postcode(pc)
    return f"{normalised[:4]} {normalised[4:]}"


def _phone_digits(value: str) -> tuple[bool, str]:
    """Split a phone number into (international?, digits), dropping a ``(0)`` trunk prefix."""
    compact = _PHONE_SEPARATORS.sub("", value)
    if compact.startswith("+"):
        international, compact = True, compact[1:]
    elif compact.startswith("00"):
        international, compact = True, compact[2:]
    else:
        international = False
    if "+" in compact:
        _fail(PHONE_FIELD, _PHONE_CHARACTERS_MESSAGE)
    if international:
        # "+31 (0)10 ..." and "+44 (0)20 ...": the (0) is only dialled from inside the country.
        compact = compact.replace("(0)", "", 1)
    if compact.count("(") != compact.count(")") or compact.count("(") > 1:
        _fail(PHONE_FIELD, _PHONE_CHARACTERS_MESSAGE)
    return international, compact.replace("(", "").replace(")", "")


def normalise_phone(value: str) -> str:
    """Return ``0612345678`` or ``+<digits>`` so numbers compare and dial the same everywhere."""
    text = value.strip()
    if not text:
        _fail(PHONE_FIELD, "Het telefoonnummer ontbreekt.")
    # [0-9] keeps other scripts' digits out; \s lets a pasted non-breaking space through.
    if not _PHONE_ALLOWED.fullmatch(text):
        _fail(PHONE_FIELD, _PHONE_CHARACTERS_MESSAGE)
    international, digits = _phone_digits(text)
    if not digits.isdigit():
        _fail(PHONE_FIELD, _PHONE_CHARACTERS_MESSAGE)
    if international and digits.startswith(_NL_COUNTRY_CODE):
        subscriber = digits[len(_NL_COUNTRY_CODE) :]
        # "+31 06 ..." is a common slip; the 0 is not dialled after +31.
        if subscriber.startswith("0") and len(subscriber) == _NL_NUMBER_LENGTH:
            subscriber = subscriber[1:]
        digits, international = "0" + subscriber, False
    if international:
        if digits.startswith("0") or not (
            _MIN_FOREIGN_DIGITS <= len(digits) <= _MAX_FOREIGN_DIGITS
        ):
            _fail(PHONE_FIELD, _PHONE_FOREIGN_MESSAGE)
        return "+" + digits
    if len(digits) != _NL_NUMBER_LENGTH or not digits.startswith("0") or digits.startswith("00"):
        _fail(PHONE_FIELD, _PHONE_NL_MESSAGE)
    return digits


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def _date_candidates(text: str) -> list[tuple[int, int, int]]:
    """Read (year, month, day) candidates; an 8-digit date may be yyyymmdd or ddmmyyyy."""
    if match := _ISO_DATE.fullmatch(text):
        return [(int(match.group(1)), int(match.group(3)), int(match.group(4)))]
    if match := _DUTCH_DATE.fullmatch(text):
        return [(int(match.group(4)), int(match.group(3)), int(match.group(1)))]
    if _COMPACT_DATE.fullmatch(text):
        return [
            (int(text[:4]), int(text[4:6]), int(text[6:])),
            (int(text[4:]), int(text[2:4]), int(text[:2])),
        ]
    if _SHORT_YEAR_DATE.fullmatch(text):
        _fail(
            BIRTH_DATE_FIELD,
            "Schrijf het geboortejaar met 4 cijfers, als dag-maand-jaar (dd-mm-jjjj).",
        )
    _fail(BIRTH_DATE_FIELD, _DATE_FORMAT_MESSAGE)


def parse_birth_date(value: str, *, today: date | None = None) -> date:
    """Return the birth date; ``today`` is injectable so the age checks are testable."""
    text = value.strip()
    if not text:
        _fail(BIRTH_DATE_FIELD, "De geboortedatum ontbreekt.")
    today = today or date.today()
    oldest = _years_before(today, MAX_AGE_YEARS)
    dates: list[date] = []
    for year, month, day in _date_candidates(text):
        try:
            dates.append(date(year, month, day))
        except ValueError:
            continue
    if not dates:
        _fail(BIRTH_DATE_FIELD, "Deze geboortedatum bestaat niet. Controleer de dag en de maand.")
    # The two readings of an 8-digit date never both fall inside the allowed 130 years.
    for candidate in dates:
        if oldest <= candidate <= today:
            return candidate
    if dates[0] > today:
        _fail(BIRTH_DATE_FIELD, "De geboortedatum ligt in de toekomst. Controleer de datum.")
    _fail(
        BIRTH_DATE_FIELD,
        f"De geboortedatum ligt meer dan {MAX_AGE_YEARS} jaar terug. Controleer het jaar.",
    )


def format_birth_date(d: date) -> str:
    """Return ``dd-mm-jjjj``, the order Dutch users expect on screen."""
    return f"{d.day:02d}-{d.month:02d}-{d.year:04d}"


def normalise_name(value: str) -> str:
    """Return the name on one line; hidden characters could spoof or break what staff see."""
    text = unicodedata.normalize("NFC", value)
    for char in text:
        category = unicodedata.category(char)
        if char in "\t\n\r" or category in _NAME_WHITESPACE_CATEGORIES:
            continue
        if category in _NAME_FORBIDDEN_CATEGORIES:
            _fail(
                NAME_FIELD,
                "De naam bevat onzichtbare of niet-toegestane tekens. Typ de naam opnieuw.",
            )
    name = " ".join(text.split())
    if not name:
        _fail(NAME_FIELD, "De naam ontbreekt.")
    if len(name) > MAX_NAME_LENGTH:
        _fail(NAME_FIELD, f"De naam is te lang. Gebruik maximaal {MAX_NAME_LENGTH} tekens.")
    if not any(char.isalpha() for char in name):
        _fail(NAME_FIELD, "De naam moet minstens één letter bevatten.")
    return name
