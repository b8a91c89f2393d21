"""Reading packages safely: sizes, zips, encodings, junk; values as text and back."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from gpdesk.errors import ValidationError
from gpdesk.kaart.exchange.read import (
    SPECS,
    ColumnSpec,
    Problem,
    convert,
    decode,
    entity_label,
    parse_time,
    read_package,
    same_value,
    to_json_value,
    to_text,
)
from gpdesk.models import ServiceKind, ServiceStatus

ORG = {"id": "org-1", "name": "Stichting Voorbeeld", "description": ""}
SERVICE = {"id": "svc-1", "organization_id": "org-1", "name": "Schuldhulp", "status": "active"}


def _write_json(folder: Path, **entities: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, records in entities.items():
        (folder / f"{stem}.json").write_text(json.dumps(records), "utf-8")
    return folder


def _messages(problems: list[Problem]) -> str:
    return "\n".join(p.as_text() for p in problems)


# --- files and folders -------------------------------------------------------------------------


def test_a_json_folder_is_read_per_entity(tmp_path: Path) -> None:
    folder = _write_json(tmp_path / "pakket", organizations=[ORG], services=[SERVICE])
    package = read_package(folder)
    assert package.kind == "hsds-json"
    assert package.problems == []
    assert {r.data["id"] for r in package.records["service"]} == {"svc-1"}
    assert package.present == {"organization", "service"}
    assert package.records["service"][0].row == 1


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="bestaat niet"):
        read_package(tmp_path / "weg")


def test_a_500_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "services.json"
    with big.open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)  # sparse: costs no disk
    package = read_package(big)
    assert package.records == {}
    assert "500 MB" in _messages(package.problems)
    assert "200 MB" in _messages(package.problems)


def test_a_500_mb_file_in_a_folder_is_refused_and_the_rest_read(tmp_path: Path) -> None:
    folder = _write_json(tmp_path / "pakket", organizations=[ORG])
    with (folder / "services.json").open("wb") as handle:
        handle.truncate(500 * 1024 * 1024)
    package = read_package(folder)
    assert [p.file for p in package.problems] == ["services.json"]
    assert len(package.records["organization"]) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "leeg"),
        (b"   \n", "leeg"),
        (b'[{"id": "x",, }]', "Geen geldige JSON (regel 1"),
        (b"\x00\x01\x02binary", "geen tekstbestand"),
        (b'{"hallo": 1}', "Verwacht een lijst"),
    ],
)
def test_junk_is_a_problem_not_a_crash(tmp_path: Path, content: bytes, expected: str) -> None:
    folder = tmp_path / "pakket"
    folder.mkdir()
    (folder / "services.json").write_bytes(content)
    package = read_package(folder)
    assert expected in _messages(package.problems)
    assert not package.records.get("service")


def test_records_that_are_not_objects_are_skipped_with_their_row(tmp_path: Path) -> None:
    folder = _write_json(tmp_path / "p", services=[SERVICE, "rommel", 42])  # type: ignore[list-item]
    package = read_package(folder)
    assert [(p.file, p.row) for p in package.problems] == [
        ("services.json", 2),
        ("services.json", 3),
    ]
    assert len(package.records["service"]) == 1


def test_an_unknown_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kaart.xlsx"
    path.write_bytes(b"PK")
    assert "bestandstype" in _messages(read_package(path).problems)


def test_a_folder_without_a_kaart(tmp_path: Path) -> None:
    folder = tmp_path / "leeg"
    folder.mkdir()
    (folder / "notities.txt").write_text("hallo")
    (folder / "andere.csv").write_text("a,b\n1,2")
    package = read_package(folder)
    assert package.kind is None
    assert "Geen sociale kaart gevonden" in _messages(package.problems)


def test_json_wins_over_csv_with_a_note(tmp_path: Path) -> None:
    folder = _write_json(tmp_path / "p", services=[SERVICE], organizations=[ORG])
    (folder / "services.csv").write_text("id,name\nx,y\n")
    package = read_package(folder)
    assert package.kind == "hsds-json"
    assert any("JSON-bestanden zijn gebruikt" in note for note in package.notes)


# --- zips --------------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes], *, stored: bool = False) -> Path:
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_is_read_through_streams_even_in_a_subfolder(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "kaart.zip",
        {
            "kaart/services.json": json.dumps([SERVICE]).encode(),
            "kaart/organizations.json": json.dumps([ORG]).encode(),
            "kaart/datapackage.json": json.dumps({"name": "gemeente-voorbeeld"}).encode(),
        },
    )
    package = read_package(path)
    assert package.problems == []
    assert package.name == "gemeente-voorbeeld"
    assert len(package.records["service"]) == 1
    assert not list(tmp_path.glob("kaart/*"))  # nothing extracted


def test_path_traversal_names_are_refused_and_the_rest_read(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "kaart.zip",
        {
            "../services.json": b"[]",
            "/etc/organizations.json": b"[]",
            "services.json": json.dumps([SERVICE]).encode(),
            "organizations.json": json.dumps([ORG]).encode(),
        },
    )
    package = read_package(path)
    unsafe = [p for p in package.problems if "Onveilige bestandsnaam" in p.message_nl]
    assert {p.file for p in unsafe} == {"../services.json", "/etc/organizations.json"}
    assert len(package.records["service"]) == 1
    assert not (tmp_path.parent / "services.json").exists()


def test_a_zip_bomb_is_recognised_by_its_compression_ratio(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "bom.zip",
        {
            "services.json": b"[" + b" " * (4 * 1024 * 1024) + b"]",
            "organizations.json": json.dumps([ORG]).encode(),
        },
    )
    package = read_package(path)
    assert "zip-bom" in _messages(package.problems)
    assert "service" not in package.records
    assert len(package.records["organization"]) == 1


def test_a_member_whose_declared_size_is_too_large_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gpdesk.kaart.exchange.read.MAX_FILE_BYTES", 1000)
    data = json.dumps([SERVICE | {"description": "x" * 5000}]).encode()
    path = _zip(tmp_path / "groot.zip", {"services.json": data}, stored=True)
    package = read_package(path)
    assert "niet ingelezen" in _messages(package.problems)
    assert "service" not in package.records


def test_a_zip_whose_total_would_be_huge_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gpdesk.kaart.exchange.read.MAX_TOTAL_BYTES", 100)
    path = _zip(tmp_path / "k.zip", {"services.json": json.dumps([SERVICE] * 5).encode()})
    package = read_package(path)
    assert "1 GB" in _messages(package.problems)
    assert package.records == {}


def test_a_broken_zip(tmp_path: Path) -> None:
    path = tmp_path / "kapot.zip"
    path.write_bytes(b"PK\x03\x04 dit is geen zip")
    assert "geen (heel) zip-bestand" in _messages(read_package(path).problems)


def test_too_many_services_are_refused_as_a_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("gpdesk.kaart.exchange.read.MAX_SERVICES", 2)
    services = [SERVICE | {"id": f"svc-{n}"} for n in range(3)]
    package = read_package(_write_json(tmp_path / "p", services=services, organizations=[ORG]))
    assert package.records == {}
    assert "hoogstens 2" in _messages(package.problems)


# --- CSV tables and encodings ------------------------------------------------------------------


def test_hsds_csv_tables_with_rows_as_a_spreadsheet_numbers_them(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name,description\norg-1,Voorbeeld,\n")
    (folder / "services.csv").write_text(
        "id;organization_id;name;status\n\nsvc-1;org-1;Schuldhulp;active\n", encoding="utf-8"
    )
    package = read_package(folder)
    assert package.kind == "hsds-csv"
    assert package.problems == []
    record = package.records["service"][0]
    assert record.row == 3  # the blank line is row 2, as a spreadsheet shows it
    assert record.data["name"] == "Schuldhulp"


def test_a_csv_missing_required_columns_is_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "services.csv").write_text("id,status\nsvc-1,active\n")
    package = read_package(folder)
    problem = package.problems[0]
    assert (problem.file, problem.row) == ("services.csv", 1)
    assert problem.field is not None and "name" in problem.field
    assert "service" not in package.records


def test_latin1_bytes_in_a_utf8_file_are_read_as_windows_1252_with_a_warning(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "organizations.csv").write_bytes(
        "id,name,description\norg-1,Café Één,\n".encode("cp1252")
    )
    package = read_package(folder)
    assert package.records["organization"][0].data["name"] == "Café Één"
    [warning] = package.problems
    assert warning.skipped is False
    assert "Windows-1252" in warning.message_nl


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "services.csv"
    path.write_bytes("id\tname\torganization_id\nsvc-1\tZoë\torg-1\n".encode("utf-16"))
    package = read_package(path)
    assert package.records["service"][0].data["name"] == "Zoë"


# --- nested JSON -------------------------------------------------------------------------------


def test_a_service_with_everything_inside_is_flattened(tmp_path: Path) -> None:
    nested = {
        "id": "svc-1",
        "name": "Wijkteam Nieuwland",
        "status": "active",
        "organization": {"id": "org-1", "name": "Wijkteams", "description": ""},
        "phones": [{"id": "ph-1", "number": "010-123 45 67"}],
        "contacts": [
            {"id": "c-1", "name": "Fatma Kaya", "phones": [{"id": "ph-2", "number": "0612345678"}]}
        ],
        "service_at_locations": [
            {
                "id": "sal-1",
                "location": {
                    "id": "loc-1",
                    "location_type": "physical",
                    "addresses": [
                        {
                            "id": "a-1",
                            "address_1": "Plein 1",
                            "city": "Schiedam",
                            "postal_code": "3118 AB",
                            "country": "NL",
                        }
                    ],
                },
            }
        ],
        "attributes": [
            {"id": "at-1", "taxonomy_term": {"id": "t-1", "name": "wonen", "description": ""}}
        ],
        "funding": [{"id": "f-1", "source": "gemeente"}],
    }
    path = tmp_path / "kaart.json"
    path.write_text(json.dumps({"contents": [nested], "total_items": 1}), "utf-8")
    package = read_package(path)
    assert package.problems == []
    records = {entity: [r.data for r in recs] for entity, recs in package.records.items()}
    assert records["service"][0]["organization_id"] == "org-1"
    assert records["phone"][0]["service_id"] == "svc-1"
    assert {p["id"]: p.get("contact_id") for p in records["phone"]} == {
        "ph-1": None,
        "ph-2": "c-1",
    }
    assert records["service_at_location"][0] == {
        "id": "sal-1",
        "location_id": "loc-1",
        "service_id": "svc-1",
    }
    assert records["address"][0]["location_id"] == "loc-1"
    assert records["attribute"][0]["link_id"] == "svc-1"
    assert records["attribute"][0]["taxonomy_term_id"] == "t-1"
    assert "funding" not in records
    assert all(r.row == 1 for recs in package.records.values() for r in recs)


def test_a_bundle_of_entity_lists_in_one_json_file(tmp_path: Path) -> None:
    path = tmp_path / "alles.json"
    path.write_text(json.dumps({"services": [SERVICE], "organizations": [ORG]}))
    package = read_package(path)
    assert package.present == {"service", "organization"}


def test_the_private_layer_is_read_from_its_own_file(tmp_path: Path) -> None:
    folder = _write_json(tmp_path / "p", services=[SERVICE])
    (folder / "gpdesk_private.json").write_text(
        json.dumps({"fixed_contacts": [{"id": "f-1", "service_id": "svc-1"}]})
    )
    package = read_package(folder)
    assert "fixed_contact" in package.present
    assert package.records["fixed_contact"][0].data["service_id"] == "svc-1"


# --- values ------------------------------------------------------------------------------------


def _column(entity: str, name: str) -> ColumnSpec:
    return SPECS[entity].by_name[name]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00", time(9)),
        ("9.30", time(9, 30)),
        ("08:30:15", time(8, 30, 15)),
        ("24:00", time(0)),
        ("10:00Z", time(10)),
    ],
)
def test_times_people_write(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "12:60", "donderdag ochtend", "9"])
def test_times_that_do_not_exist(text: str) -> None:
    with pytest.raises(ValueError, match="tijd"):
        parse_time(text)


def test_convert_reads_json_and_text_alike() -> None:
    assert convert(_column("service", "minimum_age"), "18") == 18
    assert convert(_column("service", "minimum_age"), 18.0) == 18
    assert convert(_column("service_capacity", "available"), "2,5") == 2.5
    assert convert(_column("service", "assured_date"), "2026-10-14") == date(2026, 10, 14)
    assert convert(_column("service", "status"), "tijdelijk gesloten") is (
        ServiceStatus.TEMPORARILY_CLOSED
    )
    assert convert(_column("service", "kind"), "centraal loket") is ServiceKind.CENTRAAL_LOKET
    assert convert(_column("service", "last_modified"), "2026-10-14T09:00:00Z") == datetime(
        2026, 10, 14, 9, tzinfo=UTC
    )
    assert convert(_column("service", "description"), "") is None
    assert convert(_column("organization", "description"), "") == ""
    assert convert(_column("feedback_agreement", "letter_at_closure"), "ja") is True


@pytest.mark.parametrize(
    ("entity", "name", "value", "message"),
    [
        ("service", "minimum_age", "achttien", "geheel getal"),
        ("service", "status", "open", "kies uit"),
        ("service", "assured_date", "14 oktober", "JJJJ-MM-DD"),
        ("schedule", "opens_at", "25:00", "bestaat niet"),
        ("service", "name", "x" * 301, "te lang"),
        ("service", "name", {"nl": "x"}, "geen lijst"),
        ("service_capacity", "available", "nan", "getal"),
    ],
)
def test_convert_refuses_in_dutch(entity: str, name: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        convert(_column(entity, name), value)


@pytest.mark.parametrize(
    ("entity", "name", "value"),
    [
        ("service", "minimum_age", 12),
        ("service_capacity", "available", 0.0),
        ("service_capacity", "available", 2.5),
        ("service", "assured_date", date(2026, 2, 28)),
        ("schedule", "opens_at", time(8, 30)),
        ("schedule", "closes_at", time(23, 59, 30)),
        ("service", "last_modified", datetime(2026, 1, 15, 9, 0, 0, 123456, tzinfo=UTC)),
        ("service", "status", ServiceStatus.ACTIVE),
        ("service", "name", 'Zoë\'s "huis", ook; met komma'),
        ("feedback_agreement", "letter_at_closure", False),
    ],
)
def test_text_and_json_forms_read_back_exactly(entity: str, name: str, value: Any) -> None:
    column = _column(entity, name)
    assert convert(column, to_text(value)) == value
    assert convert(column, json.loads(json.dumps(to_json_value(value)))) == value


def test_empty_text_and_none_are_the_same_value() -> None:
    assert same_value("", None) and same_value(None, "")
    assert not same_value("a", None)
    assert same_value(0, 0.0)


def test_every_table_has_a_file_name_and_a_dutch_label() -> None:
    for entity, spec in SPECS.items():
        assert spec.stem and entity_label(entity) != entity
    assert SPECS["fixed_contact"].private and not SPECS["service"].private
    assert _column("service", "kind").extension and not _column("service", "name").extension
    assert _column("service", "organization_id").owner
    assert not _column("location", "organization_id").owner
    assert _column("contact", "deputy_contact_id").self_ref


def test_problem_text_names_file_row_and_field() -> None:
    problem = Problem("kaart.csv", 4, "inloop", "Niet begrepen.", skipped=False)
    assert problem.as_text() == "kaart.csv, rij 4, veld inloop: let op: Niet begrepen."


def test_decode_falls_back_without_raising() -> None:
    problems: list[Problem] = []
    assert decode(b"\x81\x8d caf\xe9", "x.csv", problems).endswith("café")
    assert problems and problems[0].skipped is False
    assert decode(io.BytesIO(b"\xef\xbb\xbfok").read(), "y", []) == "ok"
