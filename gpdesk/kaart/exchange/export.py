"""Writing the sociale kaart as an Open Referral HSDS 3.0 data package (JSON or CSV tables).

The export is what the import reads: one file per HSDS entity under its data package name
(``services.json`` or ``services.csv``) plus a ``datapackage.json`` descriptor, rows in id
order and values written exactly as ``read.convert`` reads them back, so exporting,
importing into an empty database and exporting again gives identical files.

gpdesk's own columns that are not private (a service's ``kind``, ``municipal_contract`` and
``former_names``, an organisation's ``former_names``, an area's ``wijk``, a contact's
``deputy_contact_id`` and ``departed_on``) travel along as extra fields, which HSDS allows;
without ``kind`` a receiving gpdesk could not route signals. Every service goes out, whatever
its status (active, temporarily closed, inactive, defunct). The practice's private layer (fixed
contacts, feedback agreements, and any column flagged ``gpdesk_private``, such as
``assured_by``: the names of the staff who checked an entry) only goes out with
``include_private``. gpdesk's change log (``KaartChange``) is never exported: it names the
practice's staff.
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
from gpdesk.kaart.exchange.read import (
    DATAPACKAGE,
    PRIVATE_JSON,
    PRIVATE_KEYS,
    SPECS,
    ColumnSpec,
    TableSpec,
    to_json_value,
    to_text,
)

ExportFormat = Literal["json", "csv"]
DEFAULT_NAME: Final = "gpdesk-sociale-kaart"
"""The data package's ``name``; an import uses it as the source name."""
_FIELD_TYPES: Final[dict[str, str]] = {
    "str": "string",
    "enum": "string",
    "int": "integer",
    "float": "number",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "bool": "boolean",
}


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


def _private_files() -> set[str]:
    names = {PRIVATE_JSON}
    names.update(spec.csv_name for spec in SPECS.values() if spec.private)
    return names


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
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _csv_text(columns: tuple[ColumnSpec, ...], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([to_text(value) for value in row])
    return buffer.getvalue()


def _descriptor(name: str, fmt: ExportFormat, specs: list[TableSpec]) -> dict[str, Any]:
    """A Frictionless ``datapackage.json`` for the open (non-private) tables."""
    return {
        "name": name,
        "title": "Sociale kaart (gpdesk)",
        "profile": "tabular-data-package" if fmt == "csv" else "data-package",
        "resources": [
            {
                "name": spec.entity,
                "path": f"{spec.stem}.{fmt}",
                "format": fmt,
                "mediatype": "text/csv" if fmt == "csv" else "application/json",
                "encoding": "utf-8",
                **({"profile": "tabular-data-resource"} if fmt == "csv" else {}),
                "schema": {
                    "fields": [
                        {"name": c.name, "type": _FIELD_TYPES[c.kind]}
                        for c in spec.exported(include_private=False)
                    ],
                    "primaryKey": "id",
                },
            }
            for spec in specs
        ],
    }


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
    leftovers = sorted(p.name for p in target.iterdir() if p.name in _private_files())
    if leftovers and not include_private:
        raise GpdeskError(
            "Deze map bevat al een export mét de eigen afspraken van de praktijk ("
            + ", ".join(leftovers)
            + "); die zou blijven staan.",
            hint="Kies een lege map voor een export zonder de eigen laag.",
        )
    open_specs = [spec for spec in SPECS.values() if not spec.private]
    files: list[str] = []
    counts: dict[str, int] = {}
    private: dict[str, Any] = {}
    try:
        for spec in SPECS.values():
            if spec.private and not include_private:
                continue
            columns = spec.exported(include_private=include_private)
            rows = _rows(session, spec, columns)
            counts[spec.entity] = len(rows)
            records = [
                {c.name: to_json_value(v) for c, v in zip(columns, row, strict=True)}
                for row in rows
            ]
            if fmt == "csv":
                _write(target / spec.csv_name, _csv_text(columns, rows))
                files.append(spec.csv_name)
            elif spec.private:
                private[PRIVATE_KEYS[spec.entity]] = records
            else:
                _write(target / f"{spec.stem}.json", _json_text(records))
                files.append(f"{spec.stem}.json")
        if private:
            _write(target / PRIVATE_JSON, _json_text(private))
            files.append(PRIVATE_JSON)
        _write(target / DATAPACKAGE, _json_text(_descriptor(name, fmt, open_specs)))
        files.append(DATAPACKAGE)
    except OSError:
        raise GpdeskError(
            f"Schrijven in '{target}' is mislukt.",
            hint="Controleer de rechten en de vrije schijfruimte.",
        ) from None
    return ExportResult(str(target), fmt, include_private, tuple(files), counts)
