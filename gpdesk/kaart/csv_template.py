"""The spreadsheet template: one row per service, Dutch column names, filled in by the practice.

Most practices keep their sociale kaart in Excel. This template lets them bring it in without
learning HSDS: each row becomes an organisation, a service and its address, phone, contact with
deputy, walk-in and opening hours, themes, area and waiting list (see
``resources/kaart/CSV-SJABLOON.md``). The template is recognised by its header.

Rules that make re-importing the same sheet a no-op and keep the practice's own work safe:

- A service is matched by (organisatie, naam), case and accents ignored; new items get ids
  derived from those names (UUID 5), so the same sheet always gives the same ids.
- An empty cell changes nothing. Only a filled-in cell sets or replaces a value.
- A filled-in ``inloop``, ``openingstijden`` or ``thema's`` cell describes that part completely:
  hours or themes of the service not in the cell are removed (and shown in the preview).
- A bad value in an optional cell (a postcode, a time, an age) leaves out that part and is
  reported; the rest of the row is still read. Without organisatie or naam the row is skipped.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Final, Protocol

from gpdesk.errors import ValidationError
from gpdesk.kaart.hsds_read import Problem, RawRecord, TemplateTable, parse_time
from gpdesk.kaart.postcodes import parse_ranges
from gpdesk.kaart.schedule import AMSTERDAM, WEEKDAY_CODES, Rule
from gpdesk.kaart.textnorm import fold
from gpdesk.models import ServiceKind
from gpdesk.patients.validation import format_postcode, normalise_phone

THEME_TAXONOMY: Final = "gpdesk-thema"
"""The taxonomy new themes go into (the same name ``store.THEME_TAXONOMY`` reads)."""
WALK_IN: Final = "inloop"
CAPACITY_UNIT: Final = "plaatsen"
TEMPLATE_SOURCE: Final = "sjabloon"
"""Default source name of template imports: every sheet is one source, the practice's own."""
NAMESPACE: Final = uuid.UUID("6f1d3b0e-5c1a-4f7e-9a53-2b8e4c0d7a91")
"""UUID 5 namespace of ids derived from names: the same sheet gives the same ids."""
MAX_TEXT: Final = 300
MAX_AGE: Final = 130


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the template."""

    key: str
    header: str
    meaning: str
    example: str
    aliases: tuple[str, ...] = ()
    required: bool = False


TEMPLATE_COLUMNS: Final[tuple[TemplateColumn, ...]] = (
    TemplateColumn(
        "organisatie",
        "organisatie",
        "Naam van de organisatie.",
        "Stichting Wijkteams Schiedam",
        ("organisatienaam", "aanbieder"),
        True,
    ),
    TemplateColumn(
        "naam",
        "naam",
        "Naam van de voorziening of het team.",
        "Wijkteam Nieuwland",
        ("voorziening", "naam voorziening", "dienst"),
        True,
    ),
    TemplateColumn(
        "soort",
        "soort",
        "wijkteam, centraal loket of overig (leeg: overig). Bepaalt "
        "naar welk team een signaal per postcode gaat.",
        "wijkteam",
        ("type",),
    ),
    TemplateColumn(
        "beschrijving",
        "beschrijving",
        "Wat de voorziening doet, voor wie.",
        "Hulp bij geld, wonen en opvoeden.",
        ("omschrijving",),
    ),
    TemplateColumn(
        "themas",
        "thema's",
        "Thema's, gescheiden door ; of ,.",
        "geldzorgen/schulden; wonen",
        ("thema", "themas"),
    ),
    TemplateColumn(
        "werkgebied",
        "werkgebied",
        "Postcodes (4 cijfers) en reeksen, gescheiden door komma's.",
        "3118-3119",
        ("postcodes", "postcodes/werkgebied", "postcodegebied", "werkgebied (postcodes)"),
    ),
    TemplateColumn(
        "adres",
        "adres",
        "Straat en huisnummer van de locatie.",
        "Nieuwlandplein 2",
        ("straat", "straat en huisnummer", "bezoekadres"),
    ),
    TemplateColumn("postcode", "postcode", "Postcode van de locatie.", "3118 AB"),
    TemplateColumn("plaats", "plaats", "Plaats van de locatie.", "Schiedam", ("woonplaats",)),
    TemplateColumn(
        "telefoon", "telefoon", "Algemeen telefoonnummer.", "010-123 45 67", ("telefoonnummer",)
    ),
    TemplateColumn(
        "email",
        "e-mail",
        "Algemeen e-mailadres.",
        "info@voorbeeld.nl",
        ("email", "mail", "e-mailadres"),
    ),
    TemplateColumn(
        "website", "website", "Internetadres.", "https://voorbeeld.nl", ("url", "internet", "site")
    ),
    TemplateColumn(
        "contactpersoon",
        "contactpersoon",
        "Naam van de vaste contactpersoon.",
        "Fatma Kaya",
        ("contact", "naam contactpersoon"),
    ),
    TemplateColumn(
        "functie",
        "functie",
        "Functie van de contactpersoon.",
        "wijkcoach",
        ("functie contactpersoon",),
    ),
    TemplateColumn(
        "contact_email",
        "contact e-mail",
        "E-mailadres van de contactpersoon.",
        "f.kaya@voorbeeld.nl",
        ("contact email", "e-mail contactpersoon"),
    ),
    TemplateColumn(
        "contact_telefoon",
        "contact telefoon",
        "Direct nummer van de contactpersoon.",
        "06-12345678",
        ("telefoon contactpersoon", "contact telefoonnummer"),
    ),
    TemplateColumn(
        "vervanger",
        "vervanger",
        "Wie de contactpersoon vervangt; eventueel met telefoonnummer tussen haakjes.",
        "Jeroen Visser (010-123 45 68)",
        ("vervanging", "plaatsvervanger"),
    ),
    TemplateColumn(
        "inloop",
        "inloop",
        "Inloopspreekuur: dag en tijd, gescheiden door ;.",
        "do 09:00-11:00; di 13:30-15:00",
        ("inloopspreekuur", "inlooptijden"),
    ),
    TemplateColumn(
        "openingstijden",
        "openingstijden",
        "Openingstijden, zelfde schrijfwijze.",
        "ma-vr 08:30-17:00",
        ("open", "bereikbaar"),
    ),
    TemplateColumn(
        "minimumleeftijd",
        "minimumleeftijd",
        "Vanaf welke leeftijd (jaren).",
        "18",
        ("leeftijd vanaf", "min leeftijd", "minimum leeftijd"),
    ),
    TemplateColumn(
        "maximumleeftijd",
        "maximumleeftijd",
        "Tot en met welke leeftijd (jaren).",
        "23",
        ("leeftijd tot", "max leeftijd", "maximum leeftijd"),
    ),
    TemplateColumn("kosten", "kosten", "Wat het kost.", "Gratis.", ("prijs",)),
    TemplateColumn(
        "aanmelden",
        "aanmelden",
        "Hoe verwijzen of aanmelden werkt.",
        "Bel de contactpersoon of stuur een signaal.",
        ("aanmelding", "verwijzen"),
    ),
    TemplateColumn("wachtlijst", "wachtlijst", "ja of nee.", "nee", ("wachttijd",)),
    TemplateColumn(
        "gecontroleerd_op",
        "gecontroleerd op",
        "Wanneer u dit voor het laatst hebt nagekeken (dd-mm-jjjj).",
        "14-10-2026",
        ("gecontroleerd", "datum controle"),
    ),
    TemplateColumn(
        "gecontroleerd_door",
        "gecontroleerd door",
        "Wie het heeft nagekeken.",
        "R. Smit",
        ("controleur",),
    ),
)
"""Every column in the order of the example file; only organisatie and naam are required."""

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _header_key(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text.strip().lstrip("\ufeff")))


_COLUMN_BY_HEADER: Final[dict[str, TemplateColumn]] = {
    _header_key(alias): column
    for column in TEMPLATE_COLUMNS
    for alias in (column.header, column.key, *column.aliases)
}


def looks_like_template(header: Sequence[str]) -> bool:
    """Whether a CSV header is (meant as) the template: it names organisatie and naam."""
    found = {_COLUMN_BY_HEADER[k].key for h in header if (k := _header_key(h)) in _COLUMN_BY_HEADER}
    return {"organisatie", "naam"} <= found


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


# --- one row, checked -------------------------------------------------------------------------


@dataclass
class TemplateRow:
    """One spreadsheet row with its values checked; a bad optional value is left out (None)."""

    row: int
    organisatie: str
    naam: str
    values: dict[str, Any] = field(default_factory=dict)


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
    "soort": _check_kind,
    "beschrijving": lambda v: v,
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
    "aanmelden": lambda v: v,
    "wachtlijst": _check_yes_no,
    "gecontroleerd_op": parse_dutch_date,
    "gecontroleerd_door": _check_text,
}


@dataclass
class Sheet:
    """The template's rows, checked, with the problems found."""

    file: str
    rows: list[TemplateRow]
    problems: list[Problem]
    notes: list[str]


def _header_columns(table: TemplateTable, notes: list[str]) -> dict[str, int]:
    """Template column key -> index in the row; unknown headers are noted, not refused."""
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(table.header):
        column = _COLUMN_BY_HEADER.get(_header_key(cell))
        if column is None and cell.strip():
            unknown.append(cell.strip())
        elif column is not None:
            columns.setdefault(column.key, index)
    if unknown:
        notes.append("Deze kolommen worden niet gebruikt: " + ", ".join(unknown) + ".")
    return columns


def _row_names(
    file: str, number: int, organisatie: str, naam: str, seen: dict[tuple[str, str], int]
) -> Problem | None:
    """Why a row cannot be a service (no name, too long, seen before); None when it can."""
    if not organisatie or not naam:
        what = "organisatie" if not organisatie else "naam"
        return Problem(file, number, what, f"De {what} ontbreekt; deze rij is overgeslagen.")
    if len(organisatie) > MAX_TEXT or len(naam) > MAX_TEXT:
        return Problem(
            file,
            number,
            "naam",
            f"Naam of organisatie is te lang (hoogstens {MAX_TEXT} tekens); rij overgeslagen.",
        )
    key = (fold(organisatie), fold(naam))
    if key in seen:
        return Problem(
            file,
            number,
            "naam",
            f"Deze voorziening staat ook in rij {seen[key]}; deze rij is overgeslagen.",
        )
    seen[key] = number
    return None


def read_template(table: TemplateTable) -> Sheet:
    """Check every row; rows without organisatie or naam (or seen before) are skipped."""
    sheet = Sheet(table.file, [], [], [])
    problems = sheet.problems
    columns = _header_columns(table, sheet.notes)
    missing = [c.header for c in TEMPLATE_COLUMNS if c.required and c.key not in columns]
    if missing:
        problems.append(
            Problem(
                table.file,
                1,
                ", ".join(missing),
                "Dit lijkt niet op het sjabloon: de kolom "
                + " en ".join(f"'{m}'" for m in missing)
                + " ontbreekt in de kopregel. Gebruik de kolomnamen uit het voorbeeldbestand "
                "(resources/kaart/voorbeeld-sociale-kaart.csv).",
            )
        )
        return sheet
    seen: dict[tuple[str, str], int] = {}
    for number, cells in table.rows:

        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns.get(key)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        organisatie, naam = " ".join(cell("organisatie").split()), " ".join(cell("naam").split())
        refusal = _row_names(table.file, number, organisatie, naam, seen)
        if refusal is not None:
            problems.append(refusal)
            continue
        row = TemplateRow(number, organisatie, naam)
        for column_key, check in _CHECKS.items():
            text = cell(column_key)
            if not text:
                continue
            try:
                row.values[column_key] = check(text)
            except ValueError as exc:
                header = next(c.header for c in TEMPLATE_COLUMNS if c.key == column_key)
                problems.append(
                    Problem(
                        table.file,
                        number,
                        header,
                        f"{exc} Dit vak is niet ingelezen; de rest van de rij wel.",
                        skipped=False,
                    )
                )
        _check_row(row, table.file, problems)
        sheet.rows.append(row)
    return sheet


def _check_row(row: TemplateRow, file: str, problems: list[Problem]) -> None:
    """Checks across cells: a whole address, ages in order, a deputy for someone."""
    values = row.values
    address = [k for k in ("adres", "postcode", "plaats") if k in values]
    if address and len(address) < 3:
        lacking = [k for k in ("adres", "postcode", "plaats") if k not in values]
        for key in address:
            values.pop(key)
        problems.append(
            Problem(
                file,
                row.row,
                ", ".join(lacking),
                "Het adres is niet compleet (vul adres, "
                "postcode en plaats in); het adres is niet ingelezen.",
                skipped=False,
            )
        )
    low, high = values.get("minimumleeftijd"), values.get("maximumleeftijd")
    if low is not None and high is not None and low > high:
        values.pop("minimumleeftijd")
        values.pop("maximumleeftijd")
        problems.append(
            Problem(
                file,
                row.row,
                "minimumleeftijd",
                "De minimumleeftijd is hoger dan de "
                "maximumleeftijd; de leeftijden zijn niet ingelezen.",
                skipped=False,
            )
        )


# --- rows to HSDS records ---------------------------------------------------------------------


class Existing(Protocol):
    """What the template needs to know about the kaart as it is (rows by entity and id)."""

    def rows(self, entity: str) -> Mapping[str, Mapping[str, Any]]:
        """Every row of an entity, by id."""

    def children(self, entity: str, column: str, parent_id: str) -> list[str]:
        """Ids of ``entity`` rows whose ``column`` is ``parent_id``, sorted."""


@dataclass
class TemplateRecords:
    """What a sheet amounts to in HSDS terms."""

    records: list[RawRecord]
    removals: list[tuple[str, str, str, int]]
    """(entity, id, file, row): hours or themes replaced by a filled-in cell."""
    service_ids: set[str]


def derived_id(*parts: str) -> str:
    """A stable UUID 5 from names: the same sheet gives the same ids."""
    return str(uuid.uuid5(NAMESPACE, "|".join(fold(p) for p in parts)))


class _Builder:
    """Turns checked rows into records, matching what is already on the kaart."""

    def __init__(self, sheet: Sheet, existing: Existing) -> None:
        self.sheet = sheet
        self.existing = existing
        self.out = TemplateRecords([], [], set())
        self.org_by_name: dict[str, str] = {}
        for oid, org in sorted(existing.rows("organization").items()):
            self.org_by_name.setdefault(fold(org["name"] or ""), oid)
        self.service_by_key: dict[tuple[str, str], str] = {}
        orgs = existing.rows("organization")
        for sid, service in sorted(existing.rows("service").items()):
            owner = orgs.get(service["organization_id"])
            if owner is not None:
                key = (fold(owner["name"] or ""), fold(service["name"] or ""))
                self.service_by_key.setdefault(key, sid)
        taxonomies = existing.rows("taxonomy")
        self.theme_taxonomy = next(
            (tid for tid, t in sorted(taxonomies.items()) if t["name"] == THEME_TAXONOMY),
            None,
        )
        self.term_by_name: dict[str, str] = {}
        terms = existing.rows("taxonomy_term")
        theme_terms = sorted(terms.items(), key=lambda item: (not self._is_theme(item[1]), item[0]))
        for term_id, term in theme_terms:
            self.term_by_name.setdefault(fold(term["name"] or ""), term_id)
        self.unit_id = next(
            (
                u
                for u, unit in sorted(existing.rows("unit").items())
                if unit["name"] == CAPACITY_UNIT
            ),
            None,
        )

    def _is_theme(self, term: Mapping[str, Any]) -> bool:
        return term.get("taxonomy") == THEME_TAXONOMY or (
            self.theme_taxonomy is not None and term.get("taxonomy_id") == self.theme_taxonomy
        )

    def add(self, entity: str, data: dict[str, Any], row: int, column: str | None) -> None:
        record = RawRecord(entity, data, self.sheet.file, row)
        record.data["__column__"] = column
        self.out.records.append(record)

    def build(self) -> TemplateRecords:
        for row in self.sheet.rows:
            self._row(row)
        return self.out

    def _first(self, entity: str, column: str, parent: str | None) -> str | None:
        if parent is None:
            return None
        found = self.existing.children(entity, column, parent)
        return found[0] if found else None

    def _reuse(self, entity: str, column: str, parent: str, known: bool) -> str | None:
        """The first existing child of a matched service (its phone, area, ...), if any."""
        return self._first(entity, column, parent) if known else None

    def _organization(self, row: TemplateRow) -> str:
        key = fold(row.organisatie)
        if key not in self.org_by_name:
            oid = derived_id("organisatie", row.organisatie)
            self.org_by_name[key] = oid
            self.add(
                "organization",
                {"id": oid, "name": row.organisatie, "description": ""},
                row.row,
                "organisatie",
            )
        return self.org_by_name[key]

    def _row(self, row: TemplateRow) -> None:
        values = row.values
        org_id = self._organization(row)
        key = (fold(row.organisatie), fold(row.naam))
        existing_id = self.service_by_key.get(key)
        sid = existing_id or derived_id("voorziening", row.organisatie, row.naam)
        self.service_by_key[key] = sid
        self.out.service_ids.add(sid)
        service: dict[str, Any] = {"id": sid, "organization_id": org_id, "name": row.naam}
        for column, target in (
            ("beschrijving", "description"),
            ("website", "url"),
            ("email", "email"),
            ("kosten", "fees_description"),
            ("aanmelden", "application_process"),
            ("minimumleeftijd", "minimum_age"),
            ("maximumleeftijd", "maximum_age"),
            ("soort", "kind"),
        ):
            if column in values:
                service[target] = values[column]
        self._assured("service", service, values)
        checker = service.get("assured_by")
        if isinstance(checker, str) and "@" in checker:
            service["assurer_email"] = checker
        self.add("service", service, row.row, "naam")
        known = existing_id is not None
        if "telefoon" in values:
            pid = self._reuse("phone", "service_id", sid, known) or derived_id(sid, "telefoon")
            phone = {"id": pid, "number": values["telefoon"]}
            if pid not in self.existing.rows("phone"):
                phone |= {"service_id": sid, "type": "voice"}
            self.add("phone", phone, row.row, "telefoon")
        self._address(row, sid, org_id, known)
        self._contacts(row, sid, known)
        if "werkgebied" in values:
            aid = self._reuse("service_area", "service_id", sid, known) or derived_id(
                sid, "werkgebied"
            )
            area = {"id": aid, "extent": values["werkgebied"], "extent_type": "text"}
            if aid not in self.existing.rows("service_area"):
                area["service_id"] = sid
            self.add("service_area", area, row.row, "werkgebied")
        for column, walk_in in (("inloop", True), ("openingstijden", False)):
            if column in values:
                self._hours(row, sid, values[column], walk_in=walk_in, column=column)
        if "themas" in values:
            self._themes(row, sid, values["themas"])
        if "wachtlijst" in values:
            self._capacity(row, sid, waiting_list=values["wachtlijst"])

    def _same_address(self, address_id: str, values: Mapping[str, Any]) -> bool:
        address = self.existing.rows("address")[address_id]
        return (
            fold(address["address_1"] or "") == fold(values["adres"])
            and fold(address["postal_code"] or "").replace(" ", "")
            == fold(values["postcode"]).replace(" ", "")
            and fold(address["city"] or "") == fold(values["plaats"])
        )

    def _address(self, row: TemplateRow, sid: str, org_id: str, known: bool) -> None:
        """The service's address: edited in place when the location is the service's own.

        A location other services also use (a community centre) is never edited from one
        row: the service is moved to a location of its own instead.
        """
        values = row.values
        if "adres" not in values:
            return
        links = self.existing.rows("service_at_location")
        sal_ids = self.existing.children("service_at_location", "service_id", sid) if known else []
        for sal_id in sal_ids:
            location = links[sal_id]["location_id"]
            if any(
                self._same_address(a, values)
                for a in self.existing.children("address", "location_id", location)
            ):
                return  # already there
        location_id = derived_id(sid, "locatie")
        if sal_ids:
            sal_id = sal_ids[0]
            current = links[sal_id]["location_id"]
            sharing = [
                other
                for other in self.existing.children("service_at_location", "location_id", current)
                if links[other]["service_id"] != sid
            ]
            if not sharing:
                location_id = current
            else:
                record = {"id": sal_id, "location_id": location_id}
                self.add("service_at_location", record, row.row, "adres")
        else:
            sal_id = derived_id(sid, "voorziening-op-locatie")
            self.add(
                "service_at_location",
                {"id": sal_id, "service_id": sid, "location_id": location_id},
                row.row,
                "adres",
            )
        if location_id not in self.existing.rows("location"):
            self.add(
                "location",
                {"id": location_id, "location_type": "physical", "organization_id": org_id},
                row.row,
                "adres",
            )
        address_id = self._first("address", "location_id", location_id) or derived_id(sid, "adres")
        address = {
            "id": address_id,
            "address_1": values["adres"],
            "postal_code": values["postcode"],
            "city": values["plaats"],
        }
        if address_id not in self.existing.rows("address"):
            address |= {"location_id": location_id, "country": "NL", "address_type": "physical"}
        self.add("address", address, row.row, "adres")

    def _person(self, row: TemplateRow, sid: str, role: str, name: str | None) -> tuple[str, bool]:
        """(contact id, is new) for the contact or the deputy of a service."""
        contacts = self.existing.rows("contact")
        derived = derived_id(sid, role)
        if derived in contacts:
            return derived, False
        if name:
            for cid in self.existing.children("contact", "service_id", sid):
                if fold(contacts[cid]["name"] or "") == fold(name):
                    return cid, False
        return derived, True

    def _contacts(self, row: TemplateRow, sid: str, known: bool) -> None:
        values = row.values
        fields = ("contactpersoon", "functie", "contact_email", "contact_telefoon")
        deputy_id: str | None = None
        if "vervanger" in values:
            if not any(k in values for k in fields):
                self.sheet.problems.append(
                    Problem(
                        self.sheet.file,
                        row.row,
                        "vervanger",
                        "Een vervanger zonder contactpersoon is niet ingelezen.",
                        skipped=False,
                    )
                )
            else:
                name, phone = values["vervanger"]
                deputy_id, new = self._person(row, sid, "vervanger", name)
                deputy = {"id": deputy_id, "name": name}
                if new:
                    deputy["service_id"] = sid
                self._assured("contact", deputy, values)
                self.add("contact", deputy, row.row, "vervanger")
                if phone:
                    self._contact_phone(row, deputy_id, phone, "vervanger")
        if not any(k in values for k in fields):
            return
        cid, new = self._person(row, sid, "contactpersoon", values.get("contactpersoon"))
        contact: dict[str, Any] = {"id": cid}
        if new:
            contact["service_id"] = sid
        for column, target in (
            ("contactpersoon", "name"),
            ("functie", "title"),
            ("contact_email", "email"),
        ):
            if column in values:
                contact[target] = values[column]
        if deputy_id is not None:
            contact["deputy_contact_id"] = deputy_id
        self._assured("contact", contact, values)
        self.add("contact", contact, row.row, "contactpersoon")
        if "contact_telefoon" in values:
            self._contact_phone(row, cid, values["contact_telefoon"], "contact telefoon")

    def _assured(self, entity: str, record: dict[str, Any], values: Mapping[str, Any]) -> None:
        """Set who checked when, unless the kaart already has a more recent check."""
        checked = values.get("gecontroleerd_op")
        current = self.existing.rows(entity).get(record["id"], {}).get("assured_date")
        if isinstance(checked, date) and isinstance(current, date) and current > checked:
            self.sheet.notes.append(
                "Waar de kaart al een recentere controledatum had, is die bewaard."
            )
            return
        if checked is not None:
            record["assured_date"] = checked
        if "gecontroleerd_door" in values:
            record["assured_by"] = values["gecontroleerd_door"]

    def _contact_phone(self, row: TemplateRow, cid: str, number: str, column: str) -> None:
        pid = self._first("phone", "contact_id", cid) or derived_id(cid, "telefoon")
        phone = {"id": pid, "number": number}
        if pid not in self.existing.rows("phone"):
            phone |= {"contact_id": cid, "type": "voice"}
        self.add("phone", phone, row.row, column)

    def _hours(
        self, row: TemplateRow, sid: str, hours: list[WeeklyHours], *, walk_in: bool, column: str
    ) -> None:
        schedules = self.existing.rows("schedule")
        mine = [
            s_id
            for s_id in self.existing.children("schedule", "service_id", sid)
            if Rule(attending_type=schedules[s_id]["attending_type"]).is_walk_in == walk_in
        ]

        def content(s_id: str) -> tuple[Any, ...]:
            s = schedules[s_id]
            days = ",".join(sorted((s["byday"] or "").upper().replace(" ", "").split(",")))
            return (days, s["opens_at"], s["closes_at"])

        wanted = [(h, (",".join(sorted(h.byday.split(","))), h.opens, h.closes)) for h in hours]
        unmatched_old = [s_id for s_id in mine if content(s_id) not in {w for _, w in wanted}]
        existing_content = {content(s_id) for s_id in mine}
        for index, (entry, key) in enumerate(wanted):
            if key in existing_content:
                continue  # already there, unchanged
            fields = {
                "freq": "WEEKLY",
                "byday": entry.byday,
                "opens_at": entry.opens,
                "closes_at": entry.closes,
            }
            if unmatched_old:
                self.add("schedule", {"id": unmatched_old.pop(0), **fields}, row.row, column)
                continue
            new_id = derived_id(sid, column, str(index), entry.byday, entry.opens.isoformat())
            self.add(
                "schedule",
                {
                    "id": new_id,
                    "service_id": sid,
                    "attending_type": WALK_IN if walk_in else None,
                    **fields,
                },
                row.row,
                column,
            )
        for s_id in unmatched_old:
            self.out.removals.append(("schedule", s_id, self.sheet.file, row.row))

    def _theme_taxonomy(self, row: TemplateRow) -> str:
        if self.theme_taxonomy is None:
            self.theme_taxonomy = derived_id("taxonomie", THEME_TAXONOMY)
            self.add(
                "taxonomy",
                {"id": self.theme_taxonomy, "name": THEME_TAXONOMY, "description": "Thema's"},
                row.row,
                "thema's",
            )
        return self.theme_taxonomy

    def _themes(self, row: TemplateRow, sid: str, names: list[str]) -> None:
        terms = self.existing.rows("taxonomy_term")
        attributes = self.existing.rows("attribute")
        wanted: list[str] = []
        for name in names:
            term_id = self.term_by_name.get(fold(name))
            if term_id is None:
                term_id = derived_id("thema", name)
                self.term_by_name[fold(name)] = term_id
                self.add(
                    "taxonomy_term",
                    {
                        "id": term_id,
                        "name": name,
                        "description": "",
                        "taxonomy": THEME_TAXONOMY,
                        "taxonomy_id": self._theme_taxonomy(row),
                        "language": "nl",
                    },
                    row.row,
                    "thema's",
                )
            if term_id not in wanted:
                wanted.append(term_id)
        linked: dict[str, str] = {}
        for a_id in self.existing.children("attribute", "link_id", sid):
            attribute = attributes[a_id]
            term = terms.get(attribute["taxonomy_term_id"])
            is_theme = attribute["link_type"] == "thema" or (
                term is not None and self._is_theme(term)
            )
            if attribute["link_entity"] == "service" and is_theme:
                linked.setdefault(attribute["taxonomy_term_id"], a_id)
                if attribute["taxonomy_term_id"] not in wanted:
                    self.out.removals.append(("attribute", a_id, self.sheet.file, row.row))
        for term_id in wanted:
            if term_id in linked:
                continue
            label = names[wanted.index(term_id)]
            self.add(
                "attribute",
                {
                    "id": derived_id(sid, "thema", term_id),
                    "link_id": sid,
                    "link_entity": "service",
                    "link_type": "thema",
                    "taxonomy_term_id": term_id,
                    "label": label,
                },
                row.row,
                "thema's",
            )

    def _capacity(self, row: TemplateRow, sid: str, *, waiting_list: bool) -> None:
        capacities = self.existing.rows("service_capacity")
        current = self._first("service_capacity", "service_id", sid)
        if current is not None and (capacities[current]["available"] > 0) is not waiting_list:
            return  # already says the same thing
        available = 0.0 if waiting_list else 1.0
        description = "Wachtlijst." if waiting_list else "Geen wachtlijst."
        checked = row.values.get("gecontroleerd_op")
        updated = (
            datetime.combine(checked, time(), tzinfo=AMSTERDAM).astimezone(UTC)
            if isinstance(checked, date)
            else datetime.now(UTC).replace(microsecond=0)
        )
        if current is not None:
            record = {"id": current, "available": available, "description": description}
            self.add("service_capacity", record | {"updated": updated}, row.row, "wachtlijst")
            return
        if self.unit_id is None:
            self.unit_id = derived_id("eenheid", CAPACITY_UNIT)
            self.add("unit", {"id": self.unit_id, "name": CAPACITY_UNIT}, row.row, "wachtlijst")
        self.add(
            "service_capacity",
            {
                "id": derived_id(sid, "capaciteit"),
                "service_id": sid,
                "unit_id": self.unit_id,
                "available": available,
                "description": description,
                "updated": updated,
            },
            row.row,
            "wachtlijst",
        )


def template_records(sheet: Sheet, existing: Existing) -> TemplateRecords:
    """The HSDS records a checked sheet stands for, ids matched to the kaart as it is.

    Each record's data carries ``__column__``: the template column it came from, so later
    problems (a dangling reference, a too-long value) name the cell the user must fix.
    """
    return _Builder(sheet, existing).build()
