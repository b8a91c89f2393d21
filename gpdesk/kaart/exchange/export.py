"""Writing the sociale kaart as an Open Referral HSDS 3.0 data package (JSON or CSV tables).

Each table is exactly what HSDS 3.0 defines (``hsds``): only the official fields, in the
official order (CSV columns, all of them, empty where the kaart has nothing), empty fields left
out of JSON records, times as ``HH:MM:SS``, and a ``datapackage.json`` that is Open Referral's
own descriptor cut down to the tables present. Open Referral's validators (jsonschema against the
compiled schemas, frictionless against the descriptor) accept it as it is.

What HSDS 3.0 has no field for travels in ``gpdesk_extension.json``, a resource of its own in
the descriptor, one row per value keyed by entity and record id (``{"entity": "service",
"id": "<id>", "field": "kind", "value": "wijkteam"}``; the same four columns in CSV): a
service's ``kind``, ``municipal_contract`` and ``former_names``, an organisation's
``former_names``, an area's ``wijk`` and ``service_at_location_id``, a contact's deputy, check
date and ``departed_on`` ("vertrokken"), an attribute's ``label``, the capacities and their
units (tables HSDS 3.0 does not have), and any value an HSDS field would reject. gpdesk reads it
back; other systems ignore it. Without ``kind`` a receiving gpdesk could not route signals.

Every service goes out, whatever its status. The practice's private layer (fixed contacts,
feedback agreements, and any column flagged ``gpdesk_private`` such as ``assured_by``: the
names of the staff who checked an entry) only goes out with ``include_private``, and then only
in the extension file, so the HSDS tables are the same either way. gpdesk's change log
(``KaartChange``) is never exported: it names the practice's staff. Rows are in id order and
values written exactly as ``read.convert`` reads them back, so exporting, importing into an
empty database and exporting again gives identical files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.kaart.exchange.hsds import (
    EXTENSION_FIELDS,
    EXTENSION_RESOURCE,
    EXTENSION_STEM,
    csv_cell,
    cut_descriptor,
    extension_files,
    hsds_value,
    official_fields,
)
from gpdesk.kaart.exchange.read import (
    DATAPACKAGE,
    PRIVATE_JSON,
    SPECS,
    ColumnSpec,
    TableSpec,
    to_json_value,
    to_text,
)

ExportFormat = Literal["json", "csv"]
DEFAULT_NAME: Final = "gpdesk-sociale-kaart"
"""The data package's ``name``; an import uses it as the source name."""
EXTENSION_ABOUT: Final = (
    "gpdesk's own fields and tables, which HSDS 3.0 has no field for: one row per value, keyed "
    "by entity, record id and field. For an HSDS table (service, contact, ...) the field adds to "
    "the record with that id in the table's file; for a table HSDS 3.0 does not have (unit, "
    "service_capacity; fixed_contact and feedback_agreement in a private export) the rows with "
    "one id are the whole record. Other systems can ignore this resource."
)
_ExtensionRow = tuple[str, str, str, Any]
"""(entity, record id, field, value as stored)."""


@dataclass(frozen=True)
class ExportResult:
    """What was written where."""

    directory: str
    format: str
    include_private: bool
    files: tuple[str, ...]
    counts: dict[str, int]
    """Rows per entity."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``gpdesk kaart export --json``."""
        return {
            "directory": self.directory,
            "format": self.format,
            "include_private": self.include_private,
            "files": list(self.files),
            "counts": dict(self.counts),
        }


def _legacy_private_files() -> set[str]:
    """What earlier gpdesk versions wrote for the private layer."""
    names = {PRIVATE_JSON}
    names.update(spec.csv_name for spec in SPECS.values() if spec.private)
    return names


def _private_leftovers(target: Path) -> list[str]:
    leftovers = sorted(p.name for p in target.iterdir() if p.name in _legacy_private_files())
    private_fields = {
        (spec.entity, c.name) for spec in SPECS.values() for c in spec.columns if c.private
    }
    for name in extension_files():
        path = target / name
        if path.is_file() and any(
            (entity, field) in private_fields or SPECS[entity].private
            for entity, field in _extension_keys(path)
        ):
            leftovers.append(name)
    return leftovers


def _extension_keys(path: Path) -> set[tuple[str, str]]:
    """(entity, field) pairs in an earlier extension file; empty when it cannot be read."""
    try:
        text = path.read_text("utf-8")
        if path.suffix == ".json":
            rows = [(r["entity"], r["field"]) for r in json.loads(text)]
        else:
            rows = [(r["entity"], r["field"]) for r in csv.DictReader(io.StringIO(text))]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {(str(e), str(f)) for e, f in rows if str(e) in SPECS}


def _rows(session: Session, spec: TableSpec, columns: tuple[ColumnSpec, ...]) -> list[list[Any]]:
    table = spec.table
    query = select(*[table.c[c.name] for c in columns]).order_by(table.c.id)
    return [list(row) for row in session.execute(query)]


def _write(path: Path, text: str) -> None:
    """Write next to the target, then swap it in: a half-written file never has the real name."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    temporary.replace(path)


def _json_text(data: Any) -> str:
    """A list one record per line (diff-friendly and written by json's fast C encoder)."""
    if isinstance(data, list):
        if not data:
            return "[]\n"
        lines = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in data)
        return f"[\n  {lines}\n]\n"
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _split(
    spec: TableSpec, columns: tuple[ColumnSpec, ...], rows: list[list[Any]]
) -> tuple[list[dict[str, Any]], list[_ExtensionRow]]:
    """(the HSDS records, gpdesk's own values) of one table's rows."""
    fields = {f["name"]: f for f in official_fields(spec.entity)}
    # plain text fields take a text as it is; an id or reference that is no UUID (an older
    # kaart's "wijkteam-1") stays too: HSDS readers need it to link the tables
    plain = {
        name
        for name, f in fields.items()
        if f.get("type") == "string"
        and "enum" not in f.get("constraints", {})
        and f.get("format") in (None, "uuid")
    }
    required = {name for name, f in fields.items() if f.get("constraints", {}).get("required")}
    standard: list[dict[str, Any]] = []
    own: list[_ExtensionRow] = []
    for row in rows:
        record: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for column, value in zip(columns, row, strict=True):
            name = column.name
            if value is None or value == "":
                if name in required and value == "":
                    # HSDS wants it and CSV cannot tell "" from missing: a description says
                    # the name again; the extension keeps that it was empty
                    named = dict(zip((c.name for c in columns), row, strict=True)).get("name")
                    record[name] = named if name == "description" and named else ""
                    if record[name]:
                        extra[name] = ""
                continue
            if name in plain and type(value) is str:
                record[name] = value
                continue
            field = fields.get(name)
            fits, hsds = (False, None) if field is None else hsds_value(field, value)
            if fits:
                record[name] = hsds
            else:
                extra[name] = value
        standard.append(record)
        own += [(spec.entity, str(record["id"]), name, value) for name, value in extra.items()]
    return standard, own


def _extension_text(fmt: ExportFormat, rows: list[_ExtensionRow]) -> str:
    if fmt == "json":
        return _json_text(
            [{"entity": e, "id": i, "field": f, "value": to_json_value(v)} for e, i, f, v in rows]
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXTENSION_FIELDS)
    writer.writerows([e, i, f, to_text(v)] for e, i, f, v in rows)
    return buffer.getvalue()


def _csv_text(entity: str, records: list[dict[str, Any]]) -> str:
    fields = official_fields(entity)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f["name"] for f in fields])
    for record in records:
        writer.writerow(
            ["" if f["name"] not in record else csv_cell(record[f["name"]]) for f in fields]
        )
    return buffer.getvalue()


def _descriptor(name: str, fmt: ExportFormat, entities: list[str]) -> dict[str, Any]:
    """Open Referral's descriptor for the tables present, plus gpdesk's extension resource."""
    descriptor = cut_descriptor(entities, json_tables=fmt == "json")
    descriptor.pop("license", None)  # the licence of the specification, not of this kaart
    descriptor["name"] = name
    descriptor["title"] = "Sociale kaart (gpdesk)"
    descriptor["resources"].append(
        {
            "name": EXTENSION_RESOURCE,
            "path": f"{EXTENSION_STEM}.{fmt}",
            "title": "gpdesk extension",
            "description": EXTENSION_ABOUT,
            "format": fmt,
            "mediatype": "text/csv" if fmt == "csv" else "application/json",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": {
                "fields": [
                    {
                        "name": "entity",
                        "type": "string",
                        "description": "The HSDS entity (service, contact, ...) or gpdesk's own "
                        "table (unit, service_capacity, ...).",
                        "constraints": {"required": True, "enum": list(SPECS)},
                    },
                    {
                        "name": "id",
                        "type": "string",
                        "description": "The record's id.",
                        "constraints": {"required": True},
                    },
                    {
                        "name": "field",
                        "type": "string",
                        "description": "gpdesk's field name.",
                        "constraints": {"required": True},
                    },
                    {
                        "name": "value",
                        "type": "any" if fmt == "json" else "string",
                        "description": "The value (dates and times ISO 8601, yes/no as "
                        "true/false).",
                    },
                ],
                "primaryKey": list(EXTENSION_FIELDS[:3]),
            },
        }
    )
    return descriptor


def export_kaart(
    session: Session,
    directory: str | Path,
    *,
    include_private: bool = False,
    fmt: ExportFormat = "json",
    name: str = DEFAULT_NAME,
) -> ExportResult:
    """Write the kaart as an HSDS 3.0 data package into ``directory`` (created if needed).

    Raises:
        GpdeskError: the directory cannot be written, or it holds an earlier export with the
            practice's private layer while this one leaves it out (that file would stay behind).
    """
    if fmt not in ("json", "csv"):
        raise GpdeskError(f"Onbekend formaat '{fmt}'.", hint="Kies json of csv.")
    target = Path(directory)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise GpdeskError(
            f"De map '{target}' kan niet worden aangemaakt.", hint="Kies een andere map."
        ) from None
    if not target.is_dir():
        raise GpdeskError(f"'{target}' is geen map.", hint="Kies een (lege) map.")
    leftovers = _private_leftovers(target)
    if leftovers and not include_private:
        raise GpdeskError(
            "Deze map bevat al een export mét de eigen afspraken van de praktijk ("
            + ", ".join(leftovers)
            + "); die zou blijven staan.",
            hint="Kies een lege map voor een export zonder de eigen laag.",
        )
    files: list[str] = []
    counts: dict[str, int] = {}
    tables: list[str] = []
    extension: list[_ExtensionRow] = []
    try:
        for spec in SPECS.values():
            if spec.private and not include_private:
                continue
            columns = spec.exported(include_private=include_private)
            rows = _rows(session, spec, columns)
            counts[spec.entity] = len(rows)
            if not official_fields(spec.entity):  # a table HSDS 3.0 does not have
                extension += [
                    (spec.entity, str(row[0]), c.name, v)
                    for row in rows
                    for c, v in zip(columns[1:], row[1:], strict=True)
                    if v is not None and v != ""
                ]
                continue
            records, own = _split(spec, columns, rows)
            extension += own
            tables.append(spec.entity)
            file = f"{spec.stem}.{fmt}"
            text = _csv_text(spec.entity, records) if fmt == "csv" else _json_text(records)
            _write(target / file, text)
            files.append(file)
        extension_file = f"{EXTENSION_STEM}.{fmt}"
        _write(target / extension_file, _extension_text(fmt, extension))
        files.append(extension_file)
        _write(target / DATAPACKAGE, _json_text(_descriptor(name, fmt, tables)))
        files.append(DATAPACKAGE)
    except OSError:
        raise GpdeskError(
            f"Schrijven in '{target}' is mislukt.",
            hint="Controleer de rechten en de vrije schijfruimte.",
        ) from None
    return ExportResult(str(target), fmt, include_private, tuple(files), counts)
