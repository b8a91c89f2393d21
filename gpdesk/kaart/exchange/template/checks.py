"""Checking one template cell: text, phone, e-mail, link, age, date, kind, area, themes.

Each check returns the clean value or raises ``ValueError`` with a Dutch message a spreadsheet
user can act on; the reader turns that into a ``Problem`` for the cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Final

from gpdesk.errors import ValidationError
from gpdesk.kaart.exchange.template.columns import MAX_AGE, MAX_TEXT
from gpdesk.kaart.exchange.template.hours import parse_hours
from gpdesk.kaart.postcodes import parse_ranges
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.kaart.textnorm import fold
from gpdesk.models import ServiceKind, ServiceStatus
from gpdesk.models.kaart import split_names
from gpdesk.patients.validation import format_postcode, normalise_phone

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE_DUTCH = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{2}|[0-9]{4})")
_DATE_ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[T ].*)?")
_DEPUTY_PHONE = re.compile(r"^(.*?)[\s,]*\(?\s*((?:\+|0)[0-9][0-9\s\-./()]{5,})\)?\s*$")
_LIST_SPLIT = re.compile(r"[;,|\n]")


def _check_text(value: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        raise ValueError(f"Te lang: hoogstens {limit} tekens.")
    return value


def _check_phone(value: str) -> str:
    try:
        normalise_phone(value)
    except ValidationError as exc:
        raise ValueError(exc.user_text()) from None
    return _check_text(value, 64)


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"'{value}' is geen e-mailadres.")
    return _check_text(value)


def _check_url(value: str) -> str:
    if any(ch.isspace() for ch in value) or "." not in value:
        raise ValueError(f"'{value}' is geen internetadres.")
    return _check_text(value if "://" in value else f"https://{value}", 1000)


def _check_age(value: str) -> int:
    text = fold(value).replace("jaar", "").strip()
    if not text.isdigit() or int(text) > MAX_AGE:
        raise ValueError(f"'{value}' is geen leeftijd (0 tot {MAX_AGE} jaar).")
    return int(text)


def _check_yes_no(value: str) -> bool:
    text = fold(value).strip(" .")
    if text in ("ja", "j", "yes", "y", "x", "1", "waar"):
        return True
    if text in ("nee", "n", "no", "0", "geen", "onwaar"):
        return False
    raise ValueError(f"'{value}': vul ja of nee in.")


def parse_dutch_date(value: str, *, today: date | None = None) -> date:
    """``14-10-2026``, ``14/10/2026``, ``14-10-26`` or ``2026-10-14``; not in the future.

    Raises:
        ValueError: in Dutch.
    """
    text = value.strip()
    if match := _DATE_ISO.fullmatch(text):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    elif match := _DATE_DUTCH.fullmatch(text):
        day, month, year = int(match.group(1)), int(match.group(2)), int(match.group(3))
        year = year + 2000 if year < 100 else year
    else:
        raise ValueError(f"'{text}' is geen datum; schrijf dd-mm-jjjj.")
    try:
        result = date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' bestaat niet als datum.") from None
    if result > (today or datetime.now(AMSTERDAM).date()):
        raise ValueError(f"'{text}' ligt in de toekomst.")
    return result


def _check_status(value: str) -> ServiceStatus:
    text = fold(value).strip().replace("-", " ")
    for status in ServiceStatus:
        if text in (status.value, status.label):
            return status
    if text in ("gesloten", "tijdelijk dicht", "dicht"):
        return ServiceStatus.TEMPORARILY_CLOSED
    if text in ("inactief", "gestopt"):
        return ServiceStatus.INACTIVE
    raise ValueError(f"'{value}': kies actief, tijdelijk gesloten, niet actief of opgeheven.")


def _check_names(value: str) -> list[str]:
    return [_check_text(name) for name in split_names(value)]


def _check_kind(value: str) -> ServiceKind:
    text = fold(value).strip().replace("-", " ")
    for kind in ServiceKind:
        if text in (kind.value, kind.value.replace("_", " "), kind.label):
            return kind
    if text in ("loket", "wmo loket", "centraal"):
        return ServiceKind.CENTRAAL_LOKET
    raise ValueError(f"'{value}': kies wijkteam, centraal loket of overig.")


def _check_area(value: str) -> str:
    try:
        if not parse_ranges(value, strict=True):
            raise ValueError("Geen postcodes gevonden; schrijf bijvoorbeeld 3118-3119, 3121.")
    except ValidationError as exc:
        raise ValueError(exc.user_text()) from None
    return value.strip()


def _check_postcode(value: str) -> str:
    try:
        return format_postcode(value)
    except ValidationError as exc:
        raise ValueError(exc.user_text()) from None


def _check_themes(value: str) -> list[str]:
    names = [" ".join(part.split()) for part in _LIST_SPLIT.split(value)]
    return [_check_text(name) for name in names if name]


def _check_deputy(value: str) -> tuple[str, str | None]:
    match = _DEPUTY_PHONE.match(value.strip())
    if match and match.group(1).strip():
        return _check_text(match.group(1).strip(" ,(")), _check_phone(match.group(2).strip(" )"))
    return _check_text(value.strip()), None


_CHECKS: Final[dict[str, Callable[[str], Any]]] = {
    "eerdere_namen": _check_names,
    "soort": _check_kind,
    "status": _check_status,
    "melding": lambda v: v,
    "beschrijving": lambda v: v,
    "voor_wie": lambda v: v,
    "themas": _check_themes,
    "werkgebied": _check_area,
    "adres": _check_text,
    "postcode": _check_postcode,
    "plaats": _check_text,
    "telefoon": _check_phone,
    "email": _check_email,
    "website": _check_url,
    "contactpersoon": _check_text,
    "functie": _check_text,
    "contact_email": _check_email,
    "contact_telefoon": _check_phone,
    "vervanger": _check_deputy,
    "inloop": parse_hours,
    "openingstijden": parse_hours,
    "minimumleeftijd": _check_age,
    "maximumleeftijd": _check_age,
    "kosten": lambda v: v,
    "gecontracteerd": _check_yes_no,
    "aanmelden": lambda v: v,
    "wachtlijst": _check_yes_no,
    "wachttijd": lambda v: v,
    "gecontroleerd_op": parse_dutch_date,
    "gecontroleerd_door": _check_text,
}
