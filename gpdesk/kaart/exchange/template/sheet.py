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

from gpdesk.kaart.exchange.read import Problem, TemplateTable
from gpdesk.kaart.exchange.template.checks import _CHECKS, parse_dutch_date
from gpdesk.kaart.exchange.template.columns import (
    _COLUMN_BY_HEADER,
    CAPACITY_UNIT,
    MAX_AGE,
    MAX_TEXT,
    NAMESPACE,
    TEMPLATE_COLUMNS,
    TEMPLATE_SOURCE,
    THEME_TAXONOMY,
    WALK_IN,
    Sheet,
    TemplateColumn,
    TemplateRow,
    _header_key,
    looks_like_template,
)
from gpdesk.kaart.exchange.template.hours import WeeklyHours, parse_hours
from gpdesk.kaart.exchange.template.records import (
    Existing,
    TemplateRecords,
    derived_id,
    template_records,
)
from gpdesk.kaart.textnorm import fold

__all__ = [
    "CAPACITY_UNIT",
    "MAX_AGE",
    "MAX_TEXT",
    "NAMESPACE",
    "TEMPLATE_COLUMNS",
    "TEMPLATE_SOURCE",
    "THEME_TAXONOMY",
    "WALK_IN",
    "Existing",
    "Sheet",
    "TemplateColumn",
    "TemplateRecords",
    "TemplateRow",
    "WeeklyHours",
    "derived_id",
    "looks_like_template",
    "parse_dutch_date",
    "parse_hours",
    "read_template",
    "template_records",
]


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
