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


def test_json_export_is_hsds_shaped(kaart: Database, tmp_path: Path) -> None:
    result = _export(kaart, tmp_path / "e")
    assert result.counts["service"] == 72
    assert "gpdesk_private.json" not in result.files and "metadata.json" not in result.files
    descriptor = json.loads((tmp_path / "e" / "datapackage.json").read_text("utf-8"))
    assert descriptor["name"] == DEFAULT_NAME
    assert {r["name"] for r in descriptor["resources"]} == set(HSDS_REQUIRED)
    for entity, required in HSDS_REQUIRED.items():
        stem = SPECS[entity].stem
        records = json.loads((tmp_path / "e" / f"{stem}.json").read_text("utf-8"))
        assert records, entity
        ids = [r["id"] for r in records]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        for record in records:
            assert required <= {k for k, v in record.items() if v is not None}, (entity, record)
    services = json.loads((tmp_path / "e" / "services.json").read_text("utf-8"))
    assert {s["status"] for s in services} <= {
        "active",
        "inactive",
        "defunct",
        "temporarily closed",
    }
    # gpdesk's own fields travel along; who checked (staff names) stays in the practice.
    assert {"kind", "municipal_contract", "former_names", "wait_time"} <= services[0].keys()
    assert "assured_by" not in services[0] and "assured_date" in services[0]
    contacts = json.loads((tmp_path / "e" / "contacts.json").read_text("utf-8"))
    assert "assured_by" not in contacts[0] and "departed_on" in contacts[0]
    schedules = json.loads((tmp_path / "e" / "schedules.json").read_text("utf-8"))
    assert any(s["opens_at"] == "09:00" for s in schedules)


def test_the_private_layer_only_on_request(kaart: Database, tmp_path: Path) -> None:
    _export(kaart, tmp_path / "open")
    assert not list((tmp_path / "open").glob("gpdesk_*"))
    full = _export(kaart, tmp_path / "alles", include_private=True)
    private = json.loads((tmp_path / "alles" / "gpdesk_private.json").read_text("utf-8"))
    assert set(private) == {"fixed_contacts", "feedback_agreements"}
    assert full.counts["fixed_contact"] == len(private["fixed_contacts"]) > 0
    assert any(f["local_note"] for f in private["fixed_contacts"])
    csv_full = _export(kaart, tmp_path / "csv", include_private=True, fmt="csv")
    assert {"gpdesk_fixed_contacts.csv", "gpdesk_feedback_agreements.csv"} <= set(csv_full.files)


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
    assert "email" not in contacts[0]
    _export(kaart, tmp_path / "alles", include_private=True)
    contacts = json.loads((tmp_path / "alles" / "contacts.json").read_text("utf-8"))
    assert "email" in contacts[0]


def test_csv_export_reads_back_without_problems(kaart: Database, tmp_path: Path) -> None:
    result = _export(kaart, tmp_path / "csv", fmt="csv")
    assert "services.csv" in result.files
    raw = (tmp_path / "csv" / "services.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "csv" / "services.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 72
    assert list(rows[0]) == [c.name for c in SPECS["service"].exported(include_private=False)]
    package = read_package(tmp_path / "csv")
    assert package.kind == "hsds-csv" and package.problems == []
    assert package.name == DEFAULT_NAME
    descriptor = json.loads((tmp_path / "csv" / "datapackage.json").read_text("utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    fields = {f["name"]: f["type"] for f in descriptor["resources"][6]["schema"]["fields"]}
    assert descriptor["resources"][6]["name"] == "service"
    assert fields["assured_date"] == "date" and fields["minimum_age"] == "integer"


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
