"""How a kaart value travels as text or JSON and back.

Import, export and undo all go through ``convert``, ``to_text`` and ``to_json_value`` so
exporting and re-importing the same kaart is a no-op; ``same_value`` decides what counts as a
change.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Final

from gpdesk.kaart.textnorm import fold

if TYPE_CHECKING:
    from gpdesk.kaart.exchange.tables import ColumnSpec


# --- values ----------------------------------------------------------------------------------

_TIME = re.compile(
    r"\s*([0-9]{1,2})[:.]([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2})?\s*"
)
_TRUE = frozenset({"true", "ja", "j", "yes", "y", "1", "waar", "x"})
_FALSE = frozenset({"false", "nee", "n", "no", "0", "onwaar"})
_STATUS_WORDS: Final[dict[str, str]] = {
    "actief": "active",
    "niet actief": "inactive",
    "inactief": "inactive",
    "opgeheven": "defunct",
    "tijdelijk gesloten": "temporarily closed",
    "centraal loket": "centraal_loket",
}


def parse_time(text: str) -> time:
    """``09:00``, ``9.00``, ``09:00:00`` or ``24:00`` (midnight at the end of the day).

    Raises:
        ValueError: in Dutch, for anything else, e.g. "25:00".
    """
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"'{text.strip()}' is geen tijd; schrijf bijvoorbeeld 09:00.")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        return time(0, 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"'{text.strip()}' bestaat niet als tijd (uren 0-23, minuten 0-59).")
    return time(hour, minute, second)


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        raise ValueError("verwacht een tekst, geen lijst of object")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def convert(column: ColumnSpec, value: Any) -> Any:
    """The column's Python value for a JSON value or a text cell; None stays None.

    An empty text is None in a nullable column (CSV cannot tell them apart). Already-typed
    values (a ``date`` for a date column) pass unchanged.

    Raises:
        ValueError: in Dutch, saying what was expected.
    """
    if value is None:
        return None
    kind = column.kind
    if isinstance(value, str) and kind != "str":
        value = value.strip()
        if not value:
            return None
    if kind == "str":
        text = _as_text(value)
        if not text and column.nullable:
            return None
        if column.max_length is not None and len(text) > column.max_length:
            raise ValueError(f"te lang: hoogstens {column.max_length} tekens")
        return text
    if kind == "enum":
        assert column.enum_class is not None
        return _to_enum(column.enum_class, value)
    return _CONVERTERS[kind](value)


def _to_time(value: Any) -> time:
    return value if isinstance(value, time) else parse_time(_as_text(value))


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("verwacht een geheel getal")
    if isinstance(value, int):
        return value
    try:
        number = float(_as_text(value).replace(",", "."))
    except ValueError:
        raise ValueError("verwacht een geheel getal") from None
    if not number.is_integer():
        raise ValueError("verwacht een geheel getal")
    return int(number)


def _to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("verwacht een getal")
    try:
        number = float(value) if isinstance(value, int | float) else float(value.replace(",", "."))
    except (ValueError, AttributeError):
        raise ValueError("verwacht een getal") from None
    if not math.isfinite(number):
        raise ValueError("verwacht een getal")
    return number


def _to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _as_text(value)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"'{text}' is geen datum; schrijf JJJJ-MM-DD.") from None


def _to_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = _as_text(value)
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(f"'{text}' is geen datum en tijd (ISO 8601).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(_as_text(value)).strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("verwacht ja of nee")


def _to_enum(enum_class: type[enum.Enum], value: Any) -> enum.Enum:
    text = fold(_as_text(value)).strip()
    text = _STATUS_WORDS.get(text, text)
    for member in enum_class:
        if text in (member.value, fold(member.name), member.value.replace("_", " ")):
            return member
    allowed = ", ".join(str(m.value) for m in enum_class)
    raise ValueError(f"onbekende waarde '{_as_text(value)}'; kies uit: {allowed}")


_CONVERTERS: Final[dict[str, Callable[[Any], Any]]] = {
    "int": _to_int,
    "float": _to_float,
    "date": _to_date,
    "time": _to_time,
    "datetime": _to_datetime,
    "bool": _to_bool,
}


def to_text(value: Any) -> str:
    """A value as one text (CSV cell, change log): exactly what ``convert`` reads back."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M") if not value.second else value.strftime("%H:%M:%S")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_json_value(value: Any) -> Any:
    """A value as JSON data: text for dates, times and enums; numbers and text as they are."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return to_text(value)


def same_value(a: Any, b: Any) -> bool:
    """Equal for the kaart: an empty text and no value are the same thing."""
    if (a == "" and b is None) or (a is None and b == ""):
        return True
    return bool(a == b)
