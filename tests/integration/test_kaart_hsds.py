"""The kaart speaks Open Referral HSDS 3.0 exactly: checked with Open Referral's own method.

Exports are checked as the specification checks its examples (``tests/hsds_conformance.py``):
JSON tables record by record with ``jsonschema`` against the compiled schemas, strict (no extra
properties, formats checked); CSV tables with ``frictionless`` against the descriptor. Every
official example is previewed (CLI, exit 0) and named as what it is.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from gpdesk.cli import main
from gpdesk.db import Database, open_database
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.exchange.export import export_kaart
from gpdesk.kaart.exchange.importing import plan_import
from tests.cli_support import gpdesk
from tests.hsds_conformance import (
    HSDS_DATA,
    csv_structure_errors,
    frictionless_errors,
    json_errors,
    table_errors,
)

TODAY = date(2026, 11, 24)
EXAMPLES = HSDS_DATA / "examples"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo kaart in SQLite (the exports are the same on PostgreSQL, tested elsewhere)."""
    folder = tmp_path_factory.mktemp("demo")
    db = open_database(f"sqlite:///{folder / 'kaart.sqlite3'}")
    with db.session() as session:
        load_demo_kaart(session, today=TODAY)
    yield db
    db.dispose()


def _export(db: Database, folder: Path, fmt: str, *, private: bool) -> Path:
    with db.session() as session:
        export_kaart(session, folder, fmt=fmt, include_private=private)  # type: ignore[arg-type]
    return folder


# --- the validators are Open Referral's, and strict -------------------------------------------


@pytest.mark.parametrize(
    ("example", "schema"),
    [
        ("organization_full", "organization"),
        ("service_at_location_full", "service_at_location"),
        ("service_full", "service"),
    ],
)
def test_the_official_examples_pass_the_strict_check(example: str, schema: str) -> None:
    """As ``validate_examples_json_schema.sh`` runs it: so the check itself is the spec's."""
    data = json.loads((EXAMPLES / f"{example}.json").read_text("utf-8"))
    assert json_errors(schema, data) == []


def test_the_strict_check_catches_what_the_old_export_did() -> None:
    record = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "x", "status": "active"}
    assert json_errors("tabular", record, "service") == []
    assert json_errors("tabular", {**record, "url": None}, "service")  # a null, not left out
    assert json_errors("tabular", {**record, "kind": "wijkteam"}, "service")  # own field
    assert json_errors("tabular", {**record, "status": "open"}, "service")  # enum
    assert json_errors("tabular", {**record, "email": "geen-adres"}, "service")  # format


def test_the_official_csv_example_passes_frictionless(tmp_path: Path) -> None:
    """As the spec's workflow runs it (descriptor cut down by ``make_datapackages.py``).

    The example passes every check but foreign keys: it refers to records it does not hold.
    """
    from gpdesk.kaart.exchange.hsds import cut_descriptor

    folder = tmp_path / "csv"
    shutil.copytree(EXAMPLES / "csv", folder)
    present = {p.name for p in folder.glob("*.csv")}
    official = json.loads((HSDS_DATA / "datapackage.json").read_text("utf-8"))
    entities = [r["name"] for r in official["resources"] if r["path"] in present]
    descriptor = cut_descriptor(entities, json_tables=False)
    (folder / "datapackage.json").write_text(json.dumps(descriptor), "utf-8")
    errors = frictionless_errors(folder)
    # the example's own loose ends (a parent organisation, taxonomy and contact location that
    # are not in it): frictionless checks foreign keys, so the check is real
    assert errors and all(": foreign-key: " in e for e in errors), errors


# --- the demo kaart's exports: zero errors ------------------------------------------------------


@pytest.mark.parametrize("private", [False, True], ids=["open", "include-private"])
def test_the_json_export_passes_the_strict_schema_check(
    demo: Database, tmp_path: Path, private: bool
) -> None:
    folder = _export(demo, tmp_path / "json", "json", private=private)
    assert table_errors(folder) == {}


@pytest.mark.parametrize("private", [False, True], ids=["open", "include-private"])
def test_the_csv_export_passes_frictionless(demo: Database, tmp_path: Path, private: bool) -> None:
    folder = _export(demo, tmp_path / "csv", "csv", private=private)
    assert frictionless_errors(folder) == []


def test_the_descriptor_is_the_official_one_cut_down(demo: Database, tmp_path: Path) -> None:
    folder = _export(demo, tmp_path / "csv", "csv", private=False)
    ours = json.loads((folder / "datapackage.json").read_text("utf-8"))
    official = json.loads((HSDS_DATA / "datapackage.json").read_text("utf-8"))
    by_name = {r["name"]: r for r in official["resources"]}
    for resource in ours["resources"]:
        if resource["name"] == "gpdesk_extension":
            assert resource["path"] == "gpdesk_extension.csv"
            continue
        expected = by_name[resource["name"]]
        kept = {r["name"] for r in ours["resources"]}
        keys = [
            k
            for k in expected["schema"].get("foreignKeys", [])
            if k["reference"]["resource"] in kept
        ]
        assert resource["schema"]["fields"] == expected["schema"]["fields"]
        assert resource["schema"].get("foreignKeys", []) == keys
        assert {k: v for k, v in resource.items() if k != "schema"} == {
            k: v for k, v in expected.items() if k != "schema"
        }
    assert ours["profile"] == official["profile"] and ours["version"] == "3.0.0"


# --- the official examples: every one previews as what it is -----------------------------------

EXPECTED_SHAPES = {
    "base.json": "de beschrijving van een HSDS-API",
    "location.json": "één vestiging (location)",
    "organization_full.json": "één organisatie met haar voorzieningen (organization_full)",
    "organization_list.json": "lijst met organisaties (organization_list)",
    "service_at_location_full.json": "voorziening op een vestiging (service_at_location_full)",
    "service_at_location_list.json": "(service_at_location_list)",
    "service_full.json": "één voorziening met alles erin (service_full)",
    "service_list.json": "lijst met voorzieningen (service_list)",
    "tabular.json": "alle tabellen in één bestand",
    "taxonomy.json": "één themalijst (taxonomy)",
    "taxonomy_list.json": "(taxonomy_list)",
    "taxonomy_term.json": "één thema (taxonomy_term)",
    "taxonomy_term_list.json": "(taxonomy_term_list)",
    "csv": "CSV-tabellen): een bestand per tabel",
}
"""What the preview calls each published example (``examples/`` of the specification)."""


def test_every_official_example_is_covered() -> None:
    assert set(EXPECTED_SHAPES) == {p.name for p in EXAMPLES.iterdir()}


@pytest.mark.parametrize("example", sorted(EXPECTED_SHAPES))
def test_every_official_example_is_read_as_what_it_is(
    demo: Database, tmp_path: Path, example: str
) -> None:
    with demo.session() as session:
        plan = plan_import(session, EXAMPLES / example)
    assert EXPECTED_SHAPES[example] in plan.kind_label
    assert not plan.unreadable
    texts = [p.message_nl for p in plan.problems]
    # the old misreadings: organisations and locations taken for services, a placeholder
    # link_entity blamed on the service it sits in, grammar
    assert not any("organization_id" in t and "Verplicht" in t for t in texts), texts
    assert not any("link_entity '" in t and "service" in t.split("link_entity")[1] for t in texts)
    assert not any("Deze telefoonnummer" in t or "Deze adres" in t for t in texts)
    skipped = [p for p in plan.problems if p.skipped]
    if example in ("tabular.json", "csv"):
        # the flat attribute's link_entity is the placeholder "link_entity": named as such
        assert [p.field for p in skipped] == ["link_entity"]
        assert "'link_entity' is geen HSDS-tabel" in skipped[0].message_nl
    else:
        assert skipped == [], skipped
    if example.endswith("_full.json"):
        kinds = {item.type for item in plan.added}
        assert {"service", "organization"} <= kinds


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo practice (``gpdesk demo``, as a user makes one)."""
    home = tmp_path_factory.mktemp("praktijk") / "home"
    made = gpdesk("demo", "--home", str(home))
    assert made.returncode == 0, made.stderr
    return home


@pytest.mark.parametrize("example", sorted(EXPECTED_SHAPES))
def test_every_official_example_previews_on_the_command_line(
    demo_home: Path, capsys: pytest.CaptureFixture[str], example: str
) -> None:
    """``gpdesk kaart import EXAMPLE`` (a preview) exits 0 and names the form it found."""
    code = main(["kaart", "import", str(EXAMPLES / example), "--home", str(demo_home)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert EXPECTED_SHAPES[example] in out.splitlines()[0], out


# --- the generated 20,000-service benchmark kaart (large: about a minute) -----------------------


@pytest.mark.large
def test_the_benchmark_kaart_export_is_valid_hsds(tmp_path: Path) -> None:
    """20,000 services from the benchmark's generator: export JSON and CSV, validate every row.

    The generated package is loaded straight into the tables (as the demo kaart is; importing
    it is the import benchmark's job). All 235,000 rows are checked: JSON with the strict
    schemas, CSV with frictionless against the descriptor plus the structure checks (headers
    in the official order, row widths, unique ids, every foreign key resolved). About a minute
    on this machine when it is quiet.
    """
    from benchmarks.kaart_corpus import generate
    from benchmarks.kaart_import import package
    from gpdesk.kaart.demo import _insert  # the demo kaart's loader: JSON values, typed
    from gpdesk.models.kaart import HSDS_ENTITY, HSDS_MODELS, HSDS_PATHS

    tables = package(generate(20_000, seed=7))
    db = open_database(f"sqlite:///{tmp_path / 'kaart.sqlite3'}")
    try:
        with db.session() as session:
            for model in HSDS_MODELS:
                stem = HSDS_PATHS[model.__table__.info[HSDS_ENTITY]]  # type: ignore[attr-defined]
                _insert(session, model, tables.get(stem, []), timedelta(0))
        json_folder = _export(db, tmp_path / "json", "json", private=False)
        csv_folder = _export(db, tmp_path / "csv", "csv", private=False)
    finally:
        db.dispose()
    services = json.loads((json_folder / "services.json").read_text("utf-8"))
    assert len(services) == 20_000
    assert table_errors(json_folder) == {}
    assert csv_structure_errors(csv_folder) == []
    assert frictionless_errors(csv_folder) == []


def test_one_object_or_one_page_never_removes_the_rest(tmp_path: Path) -> None:
    """A page of a list is not the whole table: importing it from the same source removes
    nothing, where a complete package would."""
    from gpdesk.kaart.exchange.importing import apply_import
    from tests.integration.test_kaart_import import MANAGER

    db = open_database(f"sqlite:///{tmp_path / 'kaart.sqlite3'}")
    try:
        with db.session() as session:
            first = plan_import(session, EXAMPLES / "organization_list.json", source_name="x")
        apply_import(db, first, by=MANAGER)
        page = tmp_path / "organization_list_2.json"  # a minimal organisation: named by the file
        other = {"id": "5b3a8f0e-8c56-4d8e-9a43-4e51d4f0c001", "name": "B", "description": "b"}
        page.write_text(json.dumps({"page_number": 2, "contents": [other]}), "utf-8")
        with db.session() as session:
            second = plan_import(session, page, source_name="x")
    finally:
        db.dispose()
    assert second.shape == "organization_list" and second.problems == ()
    assert [item.name for item in second.added] == ["B"] and second.removed == ()
