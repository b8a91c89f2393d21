"""Turning the contents of HSDS files into raw records.

The files are already read safely (``read``); here JSON (per entity, bundled or nested)
and CSV become ``RawRecord`` rows. Bad content becomes a ``Problem`` with file, row and field,
never an exception, so the preview can list it.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Final

from gpdesk.kaart.exchange.hsds import official_fields
from gpdesk.kaart.exchange.limits import MAX_ROWS_PER_FILE
from gpdesk.kaart.exchange.tables import (
    _ENTITY_BY_STEM,
    PRIVATE_KEYS,
    SPECS,
    Package,
    Problem,
    RawRecord,
    TemplateTable,
    entity_label,
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


_ORGANIZATION_KEYS: Final = frozenset(
    {
        "services",
        "website",
        "tax_status",
        "tax_id",
        "year_incorporated",
        "legal_status",
        "logo",
        "parent_organization_id",
        "organization_identifiers",
        "programs",
        "funding",
    }
)
_TERM_KEYS: Final = frozenset({"taxonomy_detail", "taxonomy_id", "term_uri", "parent_id", "code"})


def detect_entity(record: dict[str, Any]) -> str | None:
    """Which HSDS object ``record`` is, by the fields only that object has; None if unclear."""
    keys = set(record)
    if (
        "status" in keys
        or "service_at_locations" in keys
        or isinstance(record.get("organization"), dict)
    ):
        return "service"
    if isinstance(record.get("location"), dict) or isinstance(record.get("service"), dict):
        return "service_at_location"
    if {"service_id", "location_id"} <= keys and "name" not in keys:
        return "service_at_location"
    if "location_type" in keys or "addresses" in keys or "accessibility" in keys:
        return "location"
    if keys & _ORGANIZATION_KEYS:
        return "organization"
    if keys & _TERM_KEYS:
        return "taxonomy_term"
    if "version" in keys or "uri" in keys:
        return "taxonomy"
    if "organization_id" in keys and "name" in keys:
        return "service"
    return None


def _entity_in_name(file: str) -> str | None:
    """The entity a file's name speaks of (``organization_list_2.json``), longest name first."""
    stem = file.rsplit("/", 1)[-1].lower()
    for entity in ("service_at_location", "taxonomy_term", "organization", "location"):
        if entity in stem:
            return entity
    for entity in ("taxonomy", "service"):
        if entity in stem:
            return entity
    return None


def _shape_of(entity: str, data: Any) -> str:
    """The name of the published form: ``service_full``, ``organization_list``, ``location``."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        return f"{entity}_list"
    if isinstance(data, dict) and entity in ("service", "organization", "service_at_location"):
        return f"{entity}_full"
    if isinstance(data, dict):
        return entity
    return "tables"


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
                "Verwacht een lijst met records ([...]), een pagina uit een HSDS-lijst "
                '("contents": [...]) of één HSDS-object met een id; het bestand is niet '
                "ingelezen.",
            )
        )
        return
    if len(records) > MAX_ROWS_PER_FILE:
        package.problems.append(
            Problem(file, None, None, "Te veel records in één bestand; niet ingelezen.")
        )
        return
    first = next((r for r in records if isinstance(r, dict)), None)
    if entity is not None:
        target = entity
    elif first is None:
        target = "service"  # an empty list, or no objects: each row says so below
    else:
        found = detect_entity(first) or _entity_in_name(file)
        if found is None:
            package.problems.append(
                Problem(
                    file,
                    None,
                    None,
                    "Niet te herkennen als HSDS-voorziening, -organisatie, -vestiging of -thema "
                    "(velden: " + ", ".join(sorted(first)[:12]) + "); het bestand is niet "
                    "ingelezen.",
                )
            )
            return
        target = found
    if package.shape is None:
        package.shape = _shape_of(target, data)
    package.present.add(target)
    if package.shape.endswith(("_full", "_list")) or package.shape == target:
        package.present.discard(target)  # one object or one page: not the whole table
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            package.problems.append(
                Problem(file, number, None, "Geen record (object met velden); overgeslagen.")
            )
            continue
        flatten(target, record, file, number, package)


def _read_json_bundle(data: dict[str, Any], file: str, package: Package) -> None:
    """One JSON object holding the tables: ``{"services": [...]}`` or ``{"services.csv": ...}``.

    Open Referral's ``tabular.json`` keys them by their CSV file name; a bare table or entity
    name works too.
    """
    if "openapi_url" in data or ("profile" in data and "version" in data):
        package.shape = "api_base"
        version = data.get("version")
        package.notes.append(
            "Dit is de beschrijving van een HSDS-API"
            + (f" (versie {version})" if isinstance(version, str | int | float) else "")
            + ", geen sociale kaart: er staan geen voorzieningen in. Haal de gegevens op via "
            "die API (bijvoorbeeld /services) of vraag de leverancier om een datapakket."
        )
        return
    used = False
    unknown: list[str] = []
    for key, value in data.items():
        name = str(key).lower().strip()
        for suffix in (".csv", ".json"):
            name = name.removesuffix(suffix)
        entity = _ENTITY_BY_STEM.get(name)
        if entity is None or not isinstance(value, list):
            unknown.append(str(key))
            continue
        used = True
        package.present.add(entity)
        for number, record in enumerate(value, start=1):
            if isinstance(record, dict):
                flatten(entity, record, file, number, package)
            else:
                package.problems.append(Problem(file, number, key, "Geen record; overgeslagen."))
    if used:
        package.shape = "tabular"
        if unknown:
            package.notes.append(
                f"{file}: deze tabellen bewaart gpdesk niet en zijn overgeslagen: "
                + ", ".join(unknown)
                + "."
            )
        return
    shown = ", ".join(str(k) for k in list(data)[:8])
    package.problems.append(
        Problem(
            file,
            None,
            None,
            "Geen HSDS-gegevens gevonden in dit JSON-bestand: verwacht een HSDS-object met een "
            'id, een pagina met "contents" of tabellen zoals services of services.csv, maar '
            f"het bevat {shown or 'niets'}.",
        )
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
    metadata, ...) are left out and named in a note; the flat fields go through unchanged. A
    nested attribute belongs to the object it sits in: its ``link_id`` and ``link_entity``
    are that object's (the examples' placeholder ``"link_entity"`` included).
    """
    if not any(type(value) in (dict, list) for value in record.values()):
        package.add(RawRecord(entity, record, file, row))  # already flat: the common case
        return
    flat, children = _split_nested(entity, record)
    lists, objects = _CHILD_LISTS.get(entity, {}), _CHILD_OBJECTS.get(entity, {})
    for key, value in record.items():
        if value and isinstance(value, dict | list) and key not in lists and key not in objects:
            package.unkept.add(key)
    parent_id = flat.get("id")
    for child_entity, item, column, is_object in children:
        child = dict(item)
        if is_object:
            if column is not None and child.get("id") is not None and flat.get(column) is None:
                flat[column] = child["id"]
        elif column is None:  # attribute: linked by entity and id
            if child.get("link_id") in (None, ""):
                child["link_id"] = parent_id
            if child.get("link_entity") not in SPECS or child.get("link_id") == parent_id:
                child["link_entity"] = entity
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


# --- gpdesk's extension file -----------------------------------------------------------------


def read_extension(rows: list[tuple[int, dict[str, Any]]], file: str, package: Package) -> None:
    """Add gpdesk's own values (``export``'s extension file) to the records read from the tables.

    ``rows`` are (row number, {entity, id, field, value}). A value for an HSDS table joins the
    record with that id; rows of a table HSDS 3.0 does not have (units, capacities, the
    practice's own layer) are the records. Because a gpdesk export leaves empty fields out, a
    field that is missing from such a package is empty (except the practice's private fields,
    which an open export leaves out on purpose).
    """
    by_id: dict[str, dict[str, RawRecord]] = {}
    own: dict[tuple[str, str], RawRecord] = {}
    orphans: dict[str, int] = {}
    for number, row in rows:
        entity, rid, name = (str(row.get(k) or "").strip() for k in ("entity", "id", "field"))
        spec = SPECS.get(entity)
        if spec is None or not rid or not name:
            package.problems.append(
                Problem(
                    file,
                    number,
                    "entity" if spec is None else "id" if not rid else "field",
                    f"Onbekende tabel '{entity}'; overgeslagen."
                    if spec is None
                    else "Het id of de veldnaam ontbreekt; overgeslagen.",
                )
            )
            continue
        if official_fields(entity) and not spec.private:
            if entity not in by_id:
                by_id[entity] = {str(r.data.get("id")): r for r in package.records.get(entity, ())}
            record = by_id[entity].get(rid)
            if record is None:
                orphans[entity] = orphans.get(entity, 0) + 1
                continue
        else:
            record = own.get((entity, rid))
            if record is None:
                record = RawRecord(entity, {"id": rid}, file, number)
                own[(entity, rid)] = record
                package.add(record)
                package.present.add(entity)
        record.data[name] = row.get("value")
    for entity, spec in SPECS.items():
        if not official_fields(entity) and not spec.private:
            package.present.add(entity)  # the extension is the whole table, even when empty
    _report_orphans(orphans, file, package)
    _empty_when_absent(package)


def _report_orphans(orphans: dict[str, int], file: str, package: Package) -> None:
    for entity, count in orphans.items():
        package.problems.append(
            Problem(
                file,
                None,
                None,
                f"{count} gpdesk-{'waarde hoort' if count == 1 else 'waarden horen'} bij "
                f"{entity_label(entity, 2)} die niet in {SPECS[entity].stem} staan; "
                "overgeslagen.",
                skipped=False,
            )
        )


def _empty_when_absent(package: Package) -> None:
    """A gpdesk export leaves empty fields out: absent means empty (private fields excepted)."""
    for entity, records in package.records.items():
        spec = SPECS.get(entity)
        if spec is None or spec.private:
            continue
        names = [c.name for c in spec.columns if not c.private]
        for raw in records:
            for name in names:
                raw.data.setdefault(name, None)
