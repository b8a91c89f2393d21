"""The spreadsheet template: headers, hours, checks per cell, records with stable ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, time
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from gpdesk.kaart.exchange.read import SPECS, TemplateTable, read_package
from gpdesk.kaart.exchange.template.sheet import (
    TEMPLATE_COLUMNS,
    WeeklyHours,
    derived_id,
    looks_like_template,
    parse_dutch_date,
    parse_hours,
    read_template,
    template_records,
)
from gpdesk.models import ServiceKind

HEADER = [c.header for c in TEMPLATE_COLUMNS]


class Empty:
    """A kaart with nothing on it (or the given rows)."""

    def __init__(self, rows: dict[str, dict[str, dict[str, Any]]] | None = None) -> None:
        self._rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict, rows or {})

    def rows(self, entity: str) -> Mapping[str, Mapping[str, Any]]:
        return self._rows[entity]

    def children(self, entity: str, column: str, parent_id: str) -> list[str]:
        return sorted(r for r, row in self._rows[entity].items() if row.get(column) == parent_id)


def _table(*rows: dict[str, str], header: list[str] | None = None) -> TemplateTable:
    columns = header or HEADER
    return TemplateTable(
        "kaart.csv",
        columns,
        [(n, [row.get(c, "") for c in columns]) for n, row in enumerate(rows, start=2)],
    )


# --- hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("do 09:00-11:00", [("TH", time(9), time(11))]),
        (
            "do 09:00-11:00; di 13:30-15:00",
            [("TH", time(9), time(11)), ("TU", time(13, 30), time(15))],
        ),
        ("ma-vr 08:30-17:00", [("MO,TU,WE,TH,FR", time(8, 30), time(17))]),
        ("maandag tot en met vrijdag 9.00 - 17.00 uur", [("MO,TU,WE,TH,FR", time(9), time(17))]),
        ("ma en wo 9-12, do 13-15", [("MO,WE", time(9), time(12)), ("TH", time(13), time(15))]),
        ("ma 9-12 en 13-17", [("MO", time(9), time(12)), ("MO", time(13), time(17))]),
        ("werkdagen 9-17", [("MO,TU,WE,TH,FR", time(9), time(17))]),
        ("za 20:00-24:00", [("SA", time(20), time(0))]),
        ("Donderdag 09:00–11:00", [("TH", time(9), time(11))]),
    ],
)
def test_hours_as_people_write_them(text: str, expected: list[tuple[str, time, time]]) -> None:
    assert [(h.byday, h.opens, h.closes) for h in parse_hours(text)] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("donderdag ochtend", "Geen tijden gevonden"),
        ("do 25:00-26:00", "bestaat niet als tijd"),
        ("do 09:00-11:00 oneven weken", "niet begrepen"),
        ("9-11", "staat geen dag"),
        ("za-ma 9-12", "geen dag"),
        ("do 9-9", "dezelfde tijd"),
    ],
)
def test_hours_that_are_not_understood(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(text)


def test_weekly_hours_byday() -> None:
    assert WeeklyHours((0, 3), time(9), time(11)).byday == "MO,TH"


# --- header and cells --------------------------------------------------------------------------


def test_the_header_is_recognised_in_any_spelling() -> None:
    assert looks_like_template(["\ufeffOrganisatie", "NAAM", "Thema's"])
    assert looks_like_template(["organisatienaam", "Naam voorziening"])
    assert not looks_like_template(["id", "name", "organization_id"])


def test_missing_required_columns_are_reported_on_row_1() -> None:
    sheet = read_template(_table({"naam": "x"}, header=["naam", "telefoon"]))
    [problem] = sheet.problems
    assert (problem.file, problem.row, problem.field) == ("kaart.csv", 1, "organisatie")
    assert sheet.rows == []


@pytest.mark.parametrize(
    ("date_text", "expected"),
    [
        ("14-10-2026", date(2026, 10, 14)),
        ("4/1/2026", date(2026, 1, 4)),
        ("2026-10-14", date(2026, 10, 14)),
        ("14.10.26", date(2026, 10, 14)),
    ],
)
def test_dutch_dates(date_text: str, expected: date) -> None:
    assert parse_dutch_date(date_text, today=date(2026, 11, 24)) == expected


@pytest.mark.parametrize("text", ["31-02-2026", "oktober", "01-01-2030"])
def test_dates_that_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_dutch_date(text, today=date(2026, 11, 24))


def test_a_bad_cell_leaves_out_only_that_cell() -> None:
    sheet = read_template(
        _table(
            {
                "organisatie": "Stichting X",
                "naam": "Schuldhulp",
                "inloop": "donderdag ochtend",
                "postcode": "31188AB",
                "adres": "Plein 1",
                "plaats": "Schiedam",
                "werkgebied": "3118-31199",
                "telefoon": "12345",
                "e-mail": "geen-adres",
                "minimumleeftijd": "achttien",
                "wachtlijst": "misschien",
                "soort": "team",
                "kosten": "Gratis.",
            }
        )
    )
    [row] = sheet.rows
    assert row.values == {"kosten": "Gratis."}
    fields = {p.field for p in sheet.problems}
    assert {"inloop", "postcode", "werkgebied", "telefoon", "e-mail", "minimumleeftijd"} <= fields
    assert {"wachtlijst", "soort"} <= fields
    assert all(p.row == 2 and not p.skipped for p in sheet.problems)


def test_rows_without_a_name_or_seen_before_are_skipped() -> None:
    sheet = read_template(
        _table(
            {"organisatie": "X", "naam": "A"},
            {"organisatie": "X"},
            {"naam": "B"},
            {"organisatie": " x ", "naam": "a"},
        )
    )
    assert [r.naam for r in sheet.rows] == ["A"]
    assert [(p.row, p.field, p.skipped) for p in sheet.problems] == [
        (3, "naam", True),
        (4, "organisatie", True),
        (5, "naam", True),
    ]
    assert "rij 2" in sheet.problems[-1].message_nl


def test_cross_cell_checks() -> None:
    sheet = read_template(
        _table(
            {
                "organisatie": "X",
                "naam": "A",
                "adres": "Plein 1",
                "minimumleeftijd": "30",
                "maximumleeftijd": "18",
            }
        )
    )
    assert sheet.rows[0].values == {}
    assert {p.field for p in sheet.problems} == {"postcode, plaats", "minimumleeftijd"}


def test_unknown_columns_are_noted() -> None:
    sheet = read_template(_table({"organisatie": "X", "naam": "A"}, header=[*HEADER, "Opmerking"]))
    assert sheet.notes == ["Deze kolommen worden niet gebruikt: Opmerking."]


# --- records -----------------------------------------------------------------------------------

FULL = {
    "organisatie": "Stichting Wijkteams",
    "naam": "Wijkteam Nieuwland",
    "soort": "wijkteam",
    "beschrijving": "Hulp in de wijk.",
    "thema's": "geldzorgen/schulden; wonen",
    "werkgebied": "3118-3119",
    "adres": "Plein 1",
    "postcode": "3118ab",
    "plaats": "Schiedam",
    "telefoon": "010-123 45 67",
    "contactpersoon": "Fatma Kaya",
    "functie": "wijkcoach",
    "contact telefoon": "06-12345678",
    "vervanger": "Jeroen Visser (010-123 45 68)",
    "inloop": "do 09:00-11:00",
    "openingstijden": "ma-vr 08:30-17:00",
    "wachtlijst": "ja",
    "gecontroleerd op": "14-10-2026",
    "gecontroleerd door": "r.smit@praktijk.nl",
}


def test_a_full_row_becomes_hsds_records_with_stable_ids() -> None:
    sheet = read_template(_table(FULL))
    assert sheet.problems == []
    built = template_records(sheet, Empty())
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in built.records:
        assert record.entity in SPECS
        assert record.row == 2
        by_entity[record.entity].append(record.data)
    service = by_entity["service"][0]
    assert service["id"] == derived_id("voorziening", "Stichting Wijkteams", "Wijkteam Nieuwland")
    assert service["kind"] is ServiceKind.WIJKTEAM
    assert service["assured_date"] == date(2026, 10, 14)
    assert service["assurer_email"] == "r.smit@praktijk.nl"
    assert built.service_ids == {service["id"]}
    assert by_entity["address"][0]["postal_code"] == "3118 AB"
    contacts = {c["name"]: c for c in by_entity["contact"]}
    assert contacts["Fatma Kaya"]["deputy_contact_id"] == contacts["Jeroen Visser"]["id"]
    assert len(by_entity["phone"]) == 3
    schedules = {(s["byday"], s.get("attending_type")) for s in by_entity["schedule"]}
    assert schedules == {("TH", "inloop"), ("MO,TU,WE,TH,FR", None)}
    assert {t["name"] for t in by_entity["taxonomy_term"]} == {"geldzorgen/schulden", "wonen"}
    assert len(by_entity["taxonomy"]) == 1 and len(by_entity["attribute"]) == 2
    assert by_entity["service_capacity"][0]["available"] == 0.0
    assert by_entity["service_area"][0]["extent"] == "3118-3119"
    again = template_records(read_template(_table(FULL)), Empty())
    assert [r.data["id"] for r in again.records] == [r.data["id"] for r in built.records]
    assert built.removals == []


def test_names_match_whatever_the_case_and_existing_ids_are_kept() -> None:
    kaart = Empty(
        {
            "organization": {"org-a": {"id": "org-a", "name": "Stichting Wijkteams"}},
            "service": {
                "svc-a": {"id": "svc-a", "organization_id": "org-a", "name": "Wijkteam Nieuwland"}
            },
            "schedule": {
                "old-walk-in": {
                    "id": "old-walk-in",
                    "service_id": "svc-a",
                    "byday": "WE",
                    "opens_at": time(9),
                    "closes_at": time(11),
                    "attending_type": "inloop",
                },
                "extra-walk-in": {
                    "id": "extra-walk-in",
                    "service_id": "svc-a",
                    "byday": "FR",
                    "opens_at": time(9),
                    "closes_at": time(11),
                    "attending_type": "inloop",
                },
                "hours": {
                    "id": "hours",
                    "service_id": "svc-a",
                    "byday": "MO,TU,WE,TH,FR",
                    "opens_at": time(8, 30),
                    "closes_at": time(17),
                    "attending_type": "op afspraak",
                },
            },
        }
    )
    row = {
        "organisatie": "stichting wijkteams",
        "naam": "WIJKTEAM NIEUWLAND",
        "inloop": "do 09:00-11:00",
        "openingstijden": "ma-vr 08:30-17:00",
    }
    built = template_records(read_template(_table(row)), kaart)
    entities = [(r.entity, r.data["id"]) for r in built.records]
    assert ("organization", "org-a") not in entities  # nothing to create
    assert ("service", "svc-a") in entities
    walk_in = [r.data for r in built.records if r.entity == "schedule"]
    assert walk_in == [
        {
            "id": "extra-walk-in",
            "freq": "WEEKLY",
            "byday": "TH",
            "opens_at": time(9),
            "closes_at": time(11),
            "__column__": "inloop",
        }
    ]
    # the first unmatched walk-in hour (by id) becomes the new one; the other one goes
    assert [(e, i) for e, i, _, _ in built.removals] == [("schedule", "old-walk-in")]


def test_the_example_file_reads_without_problems(tmp_path: Path) -> None:
    example = files("gpdesk.resources") / "kaart" / "voorbeeld-sociale-kaart.csv"
    path = tmp_path / "voorbeeld.csv"
    path.write_bytes(example.read_bytes())
    package = read_package(path)
    assert package.kind == "sjabloon" and package.template is not None
    assert package.template.header == HEADER
    sheet = read_template(package.template)
    assert sheet.problems == [] and sheet.notes == []
    assert len(sheet.rows) == 5
    documented = (files("gpdesk.resources") / "kaart" / "CSV-SJABLOON.md").read_text("utf-8")
    for column in TEMPLATE_COLUMNS:
        assert f"| {column.header} |" in documented
