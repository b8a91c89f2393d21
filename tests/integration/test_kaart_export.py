"""Exporting the sociale kaart as HSDS 3.0 on SQLite and PostgreSQL: files, privacy, errors."""

from __future__ import annotations

import csv
import dataclasses
import filecmp
import json
from datetime import date
from pathlib import Path

import pytest

from gpdesk.db import Database, open_database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.exchange.export import DEFAULT_NAME, ExportResult, export_kaart
from gpdesk.kaart.exchange.read import DATAPACKAGE, SPECS, read_package

TODAY = date(2026, 11, 24)
HSDS = Path(__file__).resolve().parents[1] / "data" / "hsds"

# Fields HSDS 3.0 requires per table (schema "required" plus the tabular foreign keys).
HSDS_REQUIRED = {
    "organization": {"id", "name", "description"},
    "service": {"id", "name", "status", "organization_id"},
    "location": {"id", "location_type"},
    "address": {
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    },
    "service_at_location": {"id", "service_id", "location_id"},
    "contact": {"id"},
    "phone": {"id", "number"},
    "schedule": {"id"},
    "service_area": {"id"},
    "language": {"id"},
    "taxonomy": {"id", "name", "description"},
    "taxonomy_term": {"id", "name", "description"},
    "attribute": {"id", "link_id", "link_entity", "taxonomy_term_id"},
    "unit": {"id", "name"},
    "service_capacity": {"id", "service_id", "unit_id", "available", "updated"},
}


@pytest.fixture
def kaart(db: Database) -> Database:
    with db.session() as session:
        load_demo_kaart(session, today=TODAY)
    return db


def _export(db: Database, folder: Path, **options: object) -> ExportResult:
    with db.session() as session:
        return export_kaart(session, folder, **options)  # type: ignore[arg-type]


def _extension(folder: Path) -> dict[tuple[str, str], dict[str, object]]:
    """gpdesk's extension file as {(entity, id): {field: value}}."""
    rows = json.loads((folder / "gpdesk_extension.json").read_text("utf-8"))
    out: dict[tuple[str, str], dict[str, object]] = {}
    for row in rows:
        out.setdefault((row["entity"], row["id"]), {})[row["field"]] = row["value"]
    return out


def test_json_export_is_hsds_shaped(kaart: Database, tmp_path: Path) -> None:
    result = _export(kaart, tmp_path / "e")
    assert result.counts["service"] == 72
    assert "gpdesk_private.json" not in result.files and "metadata.json" not in result.files
    descriptor = json.loads((tmp_path / "e" / "datapackage.json").read_text("utf-8"))
    assert descriptor["name"] == DEFAULT_NAME and descriptor["version"] == "3.0.0"
    names = [r["name"] for r in descriptor["resources"]]
    # HSDS 3.0 has no unit or service_capacity table: those travel in gpdesk's extension
    assert set(names) == (set(HSDS_REQUIRED) - {"unit", "service_capacity"}) | {"gpdesk_extension"}
    official = json.loads((HSDS / "datapackage.json").read_text("utf-8"))
    by_name = {r["name"]: r for r in official["resources"]}
    for resource in descriptor["resources"][:-1]:
        assert resource["schema"]["fields"] == by_name[resource["name"]]["schema"]["fields"]
        assert resource["path"] == by_name[resource["name"]]["path"].replace(".csv", ".json")
    for entity, required in HSDS_REQUIRED.items():
        if entity in ("unit", "service_capacity"):
            continue
        stem = SPECS[entity].stem
        records = json.loads((tmp_path / "e" / f"{stem}.json").read_text("utf-8"))
        assert records, entity
        ids = [r["id"] for r in records]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        allowed = {f["name"] for f in by_name[entity]["schema"]["fields"]}
        for record in records:
            assert required <= set(record), (entity, record)
            assert None not in record.values() and "" not in record.values(), (entity, record)
            assert set(record) <= allowed, (entity, set(record) - allowed)
    services = json.loads((tmp_path / "e" / "services.json").read_text("utf-8"))
    assert {s["status"] for s in services} <= {
        "active",
        "inactive",
        "defunct",
        "temporarily closed",
    }
    assert "assured_date" in services[0] and "kind" not in services[0]
    # gpdesk's own fields travel in the extension; who checked (staff names) stays home.
    own = _extension(tmp_path / "e")
    assert own[("service", services[0]["id"])]["kind"] in ("wijkteam", "centraal_loket", "overig")
    assert {e for e, _ in own} >= {"service", "contact", "service_area", "unit", "service_capacity"}
    assert not any("assured_by" in fields for fields in own.values())
    assert any("departed_on" in fields for (e, _), fields in own.items() if e == "contact")
    assert not any(e in ("fixed_contact", "feedback_agreement") for e, _ in own)
    schedules = json.loads((tmp_path / "e" / "schedules.json").read_text("utf-8"))
    assert any(s.get("opens_at") == "09:00:00" for s in schedules)
    assert "wkst" not in schedules[0]


def test_the_private_layer_only_on_request(kaart: Database, tmp_path: Path) -> None:
    _export(kaart, tmp_path / "open")
    assert [p.name for p in (tmp_path / "open").glob("gpdesk_*")] == ["gpdesk_extension.json"]
    full = _export(kaart, tmp_path / "alles", include_private=True)
    own = _extension(tmp_path / "alles")
    fixed = [fields for (e, _), fields in own.items() if e == "fixed_contact"]
    assert full.counts["fixed_contact"] == len(fixed) > 0
    assert any(f.get("local_note") for f in fixed)
    assert any(e == "feedback_agreement" for e, _ in own)
    assert any("assured_by" in fields for fields in own.values())
    # the HSDS tables are the same either way: the private layer is only in the extension
    tables = sorted(p.name for p in (tmp_path / "open").glob("*.json"))
    tables.remove("gpdesk_extension.json")
    _, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "open", tmp_path / "alles", tables, shallow=False
    )
    assert not mismatch and not errors
    csv_full = _export(kaart, tmp_path / "csv", include_private=True, fmt="csv")
    assert "gpdesk_extension.csv" in csv_full.files
    assert not list((tmp_path / "csv").glob("gpdesk_fixed*"))


def test_a_column_flagged_private_stays_home(
    kaart: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = SPECS["contact"]
    columns = tuple(
        dataclasses.replace(c, private=True) if c.name == "email" else c for c in spec.columns
    )
    monkeypatch.setitem(SPECS, "contact", dataclasses.replace(spec, columns=columns))
    _export(kaart, tmp_path / "open")
    contacts = json.loads((tmp_path / "open" / "contacts.json").read_text("utf-8"))
    assert not any("email" in c for c in contacts)
    assert not any("email" in fields for fields in _extension(tmp_path / "open").values())
    _export(kaart, tmp_path / "alles", include_private=True)
    contacts = json.loads((tmp_path / "alles" / "contacts.json").read_text("utf-8"))
    assert any("email" in c for c in contacts)


def test_csv_export_reads_back_without_problems(kaart: Database, tmp_path: Path) -> None:
    result = _export(kaart, tmp_path / "csv", fmt="csv")
    assert "services.csv" in result.files
    raw = (tmp_path / "csv" / "services.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "csv" / "services.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 72
    official = json.loads((HSDS / "datapackage.json").read_text("utf-8"))
    service = next(r for r in official["resources"] if r["name"] == "service")
    assert list(rows[0]) == [f["name"] for f in service["schema"]["fields"]]
    package = read_package(tmp_path / "csv")
    assert package.kind == "hsds-csv" and package.problems == []
    assert package.name == DEFAULT_NAME
    descriptor = json.loads((tmp_path / "csv" / "datapackage.json").read_text("utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    resource = next(r for r in descriptor["resources"] if r["name"] == "service")
    assert resource == {**service, "schema": resource["schema"]}
    fields = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    assert fields["assured_date"] == "date" and fields["minimum_age"] == "number"
    with (tmp_path / "csv" / "schedules.csv").open(encoding="utf-8", newline="") as handle:
        times = [r["opens_at"] for r in csv.DictReader(handle) if r["opens_at"]]
    assert times and all(len(t) == 8 for t in times)


def test_the_same_kaart_exports_the_same_on_sqlite_and_postgresql(
    kaart: Database, tmp_path: Path
) -> None:
    other = open_database(f"sqlite:///{tmp_path / 'ander.sqlite3'}")
    try:
        with other.session() as session:
            load_demo_kaart(session, today=TODAY)
        _export(other, tmp_path / "sqlite", include_private=True)
    finally:
        other.dispose()
    _export(kaart, tmp_path / "hier", include_private=True)
    names = sorted(p.name for p in (tmp_path / "hier").iterdir())
    _, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "hier", tmp_path / "sqlite", names, shallow=False
    )
    assert not mismatch and not errors


def test_an_open_export_refuses_a_folder_with_an_older_private_export(
    kaart: Database, tmp_path: Path
) -> None:
    _export(kaart, tmp_path / "map", include_private=True)
    with pytest.raises(GpdeskError, match="eigen afspraken"):
        _export(kaart, tmp_path / "map")
    _export(kaart, tmp_path / "map", include_private=True)  # the same kind again is fine


def test_export_errors_are_dutch(kaart: Database, tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    with pytest.raises(GpdeskError, match=r"kan niet worden aangemaakt|geen map"):
        _export(kaart, blocker)
    with pytest.raises(GpdeskError, match="formaat"):
        _export(kaart, tmp_path / "x", fmt="xml")
    assert DATAPACKAGE == "datapackage.json"
