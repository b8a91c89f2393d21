"""Turning the contents of HSDS files into raw records.

The files are already read safely (``read``); here JSON (per entity, bundled or nested)
and CSV become ``RawRecord`` rows. Bad content becomes a ``Problem`` with file, row and field,
never an exception, so the preview can list it.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Final

from gpdesk.kaart.exchange.limits import MAX_ROWS_PER_FILE
from gpdesk.kaart.exchange.tables import (
    _ENTITY_BY_STEM,
    PRIVATE_KEYS,
    SPECS,
    Package,
    Problem,
    RawRecord,
    TemplateTable,
)


def _records_of(data: Any) -> list[Any] | None:
    """The list in an entity file: a plain list, an API page (``contents``) or one object."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        contents = data.get("contents")
        if isinstance(contents, list):
            return contents
        if "id" in data:
            return [data]
    return None


def _read_json_entity(entity: str | None, data: Any, file: str, package: Package) -> None:
    if data is None:
        return
    if entity is None and isinstance(data, dict) and "contents" not in data and "id" not in data:
        _read_json_bundle(data, file, package)
        return
    records = _records_of(data)
    if records is None:
        package.problems.append(
            Problem(
                file,
                None,
                None,
                "Verwacht een lijst met records ([...]); het bestand is niet ingelezen.",
            )
        )
        return
    if len(records) > MAX_ROWS_PER_FILE:
        package.problems.append(
            Problem(file, None, None, "Te veel records in één bestand; niet ingelezen.")
        )
        return
    target = entity or "service"
    package.present.add(target)
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            package.problems.append(
                Problem(file, number, None, "Geen record (object met velden); overgeslagen.")
            )
            continue
        flatten(target, record, file, number, package)


def _read_json_bundle(data: dict[str, Any], file: str, package: Package) -> None:
    """One JSON object holding several entity lists: ``{"services": [...], ...}``."""
    used = False
    for key, value in data.items():
        entity = _ENTITY_BY_STEM.get(str(key).lower())
        if entity is None or not isinstance(value, list):
            continue
        used = True
        package.present.add(entity)
        for number, record in enumerate(value, start=1):
            if isinstance(record, dict):
                flatten(entity, record, file, number, package)
            else:
                package.problems.append(Problem(file, number, key, "Geen record; overgeslagen."))
    if not used:
        package.problems.append(
            Problem(file, None, None, "Geen HSDS-gegevens gevonden in dit JSON-bestand.")
        )


def _read_private_json(data: Any, file: str, package: Package) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        package.problems.append(
            Problem(
                file,
                None,
                None,
                "Verwacht een object met fixed_contacts en feedback_agreements; niet ingelezen.",
            )
        )
        return
    for entity, key in PRIVATE_KEYS.items():
        records = data.get(key)
        if records is None:
            continue
        package.present.add(entity)
        if not isinstance(records, list):
            package.problems.append(Problem(file, None, key, "Verwacht een lijst."))
            continue
        for number, record in enumerate(records, start=1):
            if isinstance(record, dict):
                package.add(RawRecord(entity, dict(record), file, number))
            else:
                package.problems.append(Problem(file, number, key, "Geen record; overgeslagen."))


def _read_datapackage(data: Any, package: Package) -> None:
    if isinstance(data, dict):
        name = data.get("name") or data.get("title")
        if isinstance(name, str) and name.strip():
            package.name = name.strip()


# --- nested JSON: a service with everything inside -------------------------------------------

_CHILD_LISTS: Final[dict[str, dict[str, tuple[str, str | None]]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "contacts": ("contact", "service_id"),
        "capacities": ("service_capacity", "service_id"),
        "attributes": ("attribute", None),
    },
    "organization": {
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "services": ("service", "organization_id"),
        "attributes": ("attribute", None),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "service_areas": ("service_area", "service_at_location_id"),
        "attributes": ("attribute", None),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "languages": ("language", "location_id"),
        "contacts": ("contact", "location_id"),
        "attributes": ("attribute", None),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
"""Per entity: nested list key -> (child entity, the child's column pointing back)."""
_CHILD_OBJECTS: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "service": {"organization": ("organization", "organization_id")},
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
    "service_capacity": {"unit": ("unit", "unit_id")},
}
"""Per entity: nested object key -> (its entity, the parent's column pointing to it)."""


_Child = tuple[str, dict[str, Any], str | None, bool]


def _split_nested(entity: str, record: dict[str, Any]) -> tuple[dict[str, Any], list[_Child]]:
    """(the record's own fields, its nested children as (entity, data, link column, object?))."""
    flat: dict[str, Any] = {}
    children: list[_Child] = []
    lists = _CHILD_LISTS.get(entity, {})
    objects = _CHILD_OBJECTS.get(entity, {})
    for key, value in record.items():
        if key in lists and isinstance(value, list):
            child_entity, back = lists[key]
            children += [
                (child_entity, item, back, False) for item in value if isinstance(item, dict)
            ]
        elif key in objects and isinstance(value, dict):
            child_entity, link = objects[key]
            children.append((child_entity, value, link, True))
        elif not isinstance(value, dict | list):  # other nested HSDS parts are not kept
            flat[key] = value
    return flat, children


def flatten(entity: str, record: dict[str, Any], file: str, row: int, package: Package) -> None:
    """Split a nested HSDS object (the API form) into flat records with their links filled in.

    Nested lists and objects HSDS defines but gpdesk does not keep (funding, programs,
    metadata, ...) are left out; the flat fields go through unchanged.
    """
    if not any(type(value) in (dict, list) for value in record.values()):
        package.add(RawRecord(entity, record, file, row))  # already flat: the common case
        return
    flat, children = _split_nested(entity, record)
    parent_id = flat.get("id")
    for child_entity, item, column, is_object in children:
        child = dict(item)
        if is_object:
            if column is not None and child.get("id") is not None and flat.get(column) is None:
                flat[column] = child["id"]
        elif column is None:  # attribute: linked by entity and id
            child.setdefault("link_id", parent_id)
            child.setdefault("link_entity", entity)
        elif parent_id is not None and child.get(column) is None:
            child[column] = parent_id
        flatten(child_entity, child, file, row, package)
    package.add(RawRecord(entity, flat, file, row))


# --- CSV -----------------------------------------------------------------------------------


def _delimiter(text: str) -> str:
    first = next(iter(text.splitlines()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(text: str, name: str, problems: list[Problem]) -> TemplateTable | None:
    """Header and non-empty rows (with their spreadsheet row number) of a ; , or tab CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    number = 1
    header: list[str] | None = None
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            problems.append(Problem(name, 1, None, "De kopregel (rij 1) ontbreekt of is leeg."))
            return None
        for number, cells in enumerate(reader, start=2):
            if len(rows) >= MAX_ROWS_PER_FILE:
                problems.append(Problem(name, None, None, "Te veel rijen; niet ingelezen."))
                return None
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        problems.append(
            Problem(
                name,
                number + 1,
                None,
                f"Deze rij is geen geldige CSV ({exc}); het bestand is vanaf hier niet ingelezen.",
            )
        )
    if header is None:
        return None
    return TemplateTable(name, [cell.strip().lstrip("\ufeff") for cell in header], rows)


def _read_csv_entity(entity: str, text: str | None, file: str, package: Package) -> None:
    if text is None:
        return
    table = read_csv(text, file, package.problems)
    if table is None:
        return
    spec = SPECS[entity]
    header = [cell.lower() for cell in table.header]
    missing = [
        c.name for c in spec.columns if (c.required or c.name == "id") and c.name not in header
    ]
    if missing:
        package.problems.append(
            Problem(
                file,
                1,
                ", ".join(missing),
                "Verplichte kolom ontbreekt: " + ", ".join(missing) + ". Het bestand is niet "
                "ingelezen.",
            )
        )
        return
    package.present.add(entity)
    width = len(header)
    for number, cells in table.rows:
        padded = cells[:width] + [""] * (width - len(cells))
        data = {column: value for column, value in zip(header, padded, strict=True) if column}
        package.add(RawRecord(entity, data, file, number))


def _read_template(text: str | None, file: str, package: Package) -> None:
    if text is None:
        return
    table = read_csv(text, file, package.problems)
    if table is None:
        return
    package.kind = "sjabloon"
    package.template = table
