"""Open Referral's own checks of an HSDS 3.0 package, as the specification runs them.

``validate_examples_json_schema.sh`` compiles a schema with
``compiletojsonschema --set-additional-properties-false-everywhere`` and checks with
``check-jsonschema`` (formats checked); ``.github/workflows/test_examples_datapackage.yml`` runs
``frictionless validate`` on a descriptor cut down to the files present
(``examples/make_datapackages.py``). The same here, in-process, on the schemas and descriptor
kept in ``tests/data/hsds/`` (see its README; tests have no network).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

HSDS_DATA = Path(__file__).parent / "data" / "hsds"


def strict(schema: Any) -> Any:
    """``--set-additional-properties-false-everywhere``: every object schema closed."""
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if "properties" in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


@cache
def compiled(name: str) -> dict[str, Any]:
    """A compiled schema (``service``, ``tabular`` ...) as published."""
    data: dict[str, Any] = json.loads(
        (HSDS_DATA / "schema" / "compiled" / f"{name}.json").read_text("utf-8")
    )
    return data


@cache
def validator(name: str, entity: str | None = None) -> Draft7Validator:
    """A strict, format-checking validator for a compiled schema, or one table of ``tabular``."""
    schema = compiled(name)
    if entity is not None:
        schema = schema["properties"][entity]["items"]
    return Draft7Validator(strict(schema), format_checker=FormatChecker())


def json_errors(name: str, instance: Any, entity: str | None = None) -> list[str]:
    """Every error of ``instance`` against the strict schema, as short texts."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator(name, entity).iter_errors(instance)
    ]


def table_errors(folder: Path) -> dict[str, list[str]]:
    """Per JSON table file of a package: errors of its records against ``tabular``'s table.

    Every record is also checked to be an object with an id unique in its file.
    """
    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    errors: dict[str, list[str]] = {}
    for resource in descriptor["resources"]:
        if resource["name"] not in compiled("tabular")["properties"]:
            continue
        records = json.loads((folder / resource["path"]).read_text("utf-8"))
        assert isinstance(records, list), resource["path"]
        found = []
        if not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in records):
            found.append("not every record is an object with an id")
        elif len({r["id"] for r in records}) != len(records):
            found.append("ids are not unique")
        for number in range(len(records)):
            found += [
                f"{number}: {e}" for e in json_errors("tabular", records[number], resource["name"])
            ]
        if found:
            errors[resource["path"]] = found
    return errors


def frictionless_errors(folder: Path) -> list[str]:
    """``frictionless validate datapackage.json``: every error, as short texts."""
    from frictionless import Package, system

    with system.use_context(trusted=True):
        report = Package(str(folder / "datapackage.json")).validate()
    return [
        f"{task.name}: {error.type}: {error.message}"
        for task in report.tasks
        for error in task.errors
    ] + [f"{error.type}: {error.message}" for error in report.errors]


def csv_structure_errors(folder: Path) -> list[str]:
    """Whole-file checks of a CSV package: headers, row widths, unique ids, foreign keys."""
    import csv

    descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
    ids: dict[str, set[str]] = {}
    tables: dict[str, list[dict[str, str]]] = {}
    errors: list[str] = []
    for resource in descriptor["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as source:
            rows = list(csv.reader(source))
        if rows[0] != names:
            errors.append(f"{resource['path']}: header {rows[0]} is not {names}")
        errors += [
            f"{resource['path']} row {n}: {len(r)} cells"
            for n, r in enumerate(rows[1:], start=2)
            if len(r) != len(names)
        ]
        tables[resource["name"]] = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
        key = resource["schema"].get("primaryKey")
        if key == "id":
            found = [r["id"] for r in tables[resource["name"]]]
            ids[resource["name"]] = set(found)
            if len(found) != len(ids[resource["name"]]):
                errors.append(f"{resource['path']}: ids are not unique")
    for resource in descriptor["resources"]:
        for foreign in resource["schema"].get("foreignKeys", []):
            column, target = foreign["fields"], foreign["reference"]["resource"]
            known = ids[target] if target else ids[resource["name"]]
            errors += [
                f"{resource['path']}: {column} '{r[column]}' is not in {target or 'itself'}"
                for r in tables[resource["name"]]
                if r[column] and r[column] not in known
            ]
    return errors
