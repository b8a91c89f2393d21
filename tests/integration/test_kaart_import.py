"""Importing the sociale kaart on SQLite and PostgreSQL: preview, apply, bad input, undo."""

from __future__ import annotations

import filecmp
import json
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database, open_database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.exchange.export import export_kaart
from gpdesk.kaart.exchange.importing import (
    ImportPlan,
    apply_import,
    list_import_batches,
    plan_import,
    undo_import,
)
from gpdesk.kaart.routing import route
from gpdesk.kaart.search.index import SearchIndex
from gpdesk.kaart.store.queries import mark_assured, search_documents
from gpdesk.models import (
    AuditEntry,
    FeedbackAgreement,
    FixedContact,
    KaartChange,
    Organization,
    Phone,
    Service,
    ServiceAreaPostcode,
)
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import DEFAULT_PERMISSIONS, Permission, PermissionDeniedError
from tests.hsds_conformance import frictionless_errors, table_errors

TODAY = date(2026, 11, 24)
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "resources" / "kaart" / "voorbeeld-sociale-kaart.csv"


def signed(role: Role = Role.PRACTICE_MANAGER) -> SignedIn:
    actor = Actor(1, "smit", "R. Smit", role, DEFAULT_PERMISSIONS[role])
    return SignedIn(actor, Vault.create())


MANAGER = signed()


@pytest.fixture
def demo_source(tmp_path: Path) -> Iterator[Database]:
    """A SQLite database holding the demo kaart: what gets exported."""
    source = open_database(f"sqlite:///{tmp_path / 'bron.sqlite3'}")
    with source.session() as session:
        load_demo_kaart(session, today=TODAY)
    yield source
    source.dispose()


def plan(db: Database, path: Path, **options: Any) -> ImportPlan:
    with db.session() as session:
        return plan_import(session, path, **options)


def export(db: Database, directory: Path, **options: Any) -> Path:
    with db.session() as session:
        export_kaart(session, directory, **options)
    return directory


def same_files(first: Path, second: Path) -> bool:
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    _, mismatch, errors = filecmp.cmpfiles(first, second, names, shallow=False)
    assert not mismatch and not errors, mismatch
    return True


def write_package(folder: Path, **entities: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, records in entities.items():
        (folder / f"{stem}.json").write_text(json.dumps(records, ensure_ascii=False), "utf-8")
    return folder


def count(db: Database, model: Any, *where: Any) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "private"), [("json", True), ("json", False), ("csv", True), ("csv", False)]
)
def test_export_import_export_gives_identical_files(
    db: Database, demo_source: Database, tmp_path: Path, fmt: str, private: bool
) -> None:
    with demo_source.session() as session:  # HSDS requires a description; gpdesk allows ""
        first_organization = session.scalars(select(Organization).order_by(Organization.id)).first()
        assert first_organization is not None
        first_organization.description = ""
    first = export(demo_source, tmp_path / "eerste", fmt=fmt, include_private=private)
    assert (table_errors(first) if fmt == "json" else frictionless_errors(first)) in ({}, [])
    preview = plan(db, first)
    assert preview.problems == () and not preview.changed and not preview.removed
    own = count(demo_source, FixedContact) + count(demo_source, FeedbackAgreement)
    assert len(preview.added) == 849 + (own if private else 0)
    apply_import(db, preview, by=MANAGER)
    second = export(db, tmp_path / "tweede", fmt=fmt, include_private=private)
    assert same_files(first, second)  # gpdesk's own fields included: the extension file too
    with db.session() as session:
        back = session.get(Organization, first_organization.id)
        assert back is not None and back.description == ""
    assert not plan(db, first).has_changes
    # the same routing and search answers as the kaart it came from
    with demo_source.session() as a, db.session() as b:
        for postcode in ("3118AB", "3120AA", "3111"):
            here, there = route(a, postcode).as_dict(), route(b, postcode).as_dict()
            if private:
                assert here == there
            else:  # without the practice's fixed contacts only who to call may differ
                assert [(t["id"], t["next_walk_in"]) for t in here["teams"]] == [
                    (t["id"], t["next_walk_in"]) for t in there["teams"]
                ]
        ranked = [
            [hit.id for hit in SearchIndex.build(search_documents(s)).search(q)]
            for s in (a, b)
            for q in ("schuldhulp", "mantlzorg")
        ]
        assert ranked[:2] == ranked[2:]
    assert count(db, ServiceAreaPostcode) == count(demo_source, ServiceAreaPostcode)


def test_export_then_preview_on_the_same_database_changes_nothing(
    demo_source: Database, tmp_path: Path
) -> None:
    folder = export(demo_source, tmp_path / "export")
    preview = plan(demo_source, folder)
    assert not preview.has_changes
    assert preview.unchanged == 849
    assert "niets te wijzigen" in preview.summary_nl


def test_the_private_layer_travels_only_when_asked(
    db: Database, demo_source: Database, tmp_path: Path
) -> None:
    open_export = export(demo_source, tmp_path / "open")
    assert not (open_export / "gpdesk_private.json").exists()
    full = export(demo_source, tmp_path / "alles", include_private=True)
    preview = plan(db, full)
    apply_import(db, preview, by=MANAGER)
    assert count(db, FixedContact) == count(demo_source, FixedContact) > 0
    assert count(db, FeedbackAgreement) == count(demo_source, FeedbackAgreement) > 0
    assert same_files(full, export(db, tmp_path / "terug", include_private=True))


# --- applying ----------------------------------------------------------------------------------


def test_apply_logs_every_item_under_one_batch_and_audits(
    db: Database, demo_source: Database, tmp_path: Path
) -> None:
    preview = plan(db, export(demo_source, tmp_path / "e"))
    batch = apply_import(db, preview, by=MANAGER)
    assert count(db, KaartChange, KaartChange.batch_id == batch) == 849 + 1
    with db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.event == "kaart.import"))
        assert entry is not None
        assert entry.object_type == "kaart_batch" and entry.object_id == batch
        assert entry.detail == "849 nieuw, 0 gewijzigd, 0 verwijderd"
        assert entry.username == "smit"
        [info] = list_import_batches(session)
    assert info.batch_id == batch and info.added == 849 and info.source == "gpdesk-sociale-kaart"
    assert not info.undone


def test_apply_needs_the_permission_to_edit_the_kaart(
    db: Database, demo_source: Database, tmp_path: Path
) -> None:
    preview = plan(db, export(demo_source, tmp_path / "e"))
    with pytest.raises(PermissionDeniedError, match="sociale kaart bewerken"):
        apply_import(db, preview, by=signed(Role.GP))
    assert count(db, Service) == 0
    assert Permission.KAART_EDIT in DEFAULT_PERMISSIONS[Role.ASSISTANT]


def test_apply_refuses_when_the_kaart_changed_after_the_preview(
    db: Database, tmp_path: Path
) -> None:
    v1 = write_package(tmp_path / "v1", organizations=[ORG], services=[svc("a")])
    apply_import(db, plan(db, v1), by=MANAGER)
    v2 = write_package(tmp_path / "v2", organizations=[ORG], services=[svc("a", name="Nieuw")])
    preview = plan(db, v2)
    with db.session() as session:
        mark_assured(session, "service", "svc-a", "M. Jansen", today=TODAY)
    with pytest.raises(GpdeskError, match="gewijzigd sinds de voorvertoning"):
        apply_import(db, preview, by=MANAGER)
    with db.session() as session:
        assert session.get(Service, "svc-a").name == "Svc a"  # type: ignore[union-attr]


# --- bad input ---------------------------------------------------------------------------------

ORG = {"id": "org-1", "name": "Stichting Voorbeeld", "description": "Welzijn."}


def svc(key: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"svc-{key}",
        "organization_id": "org-1",
        "name": f"Svc {key}",
        "status": "active",
        **fields,
    }


def test_bad_rows_are_listed_with_file_row_and_field_and_the_rest_is_applied(
    db: Database, tmp_path: Path
) -> None:
    folder = write_package(
        tmp_path / "p",
        organizations=[ORG],
        services=[
            svc("ok"),
            {"name": "Zonder id", "organization_id": "org-1"},
            svc("wees", organization_id="org-weg"),
            svc("dubbel"),
            svc("dubbel", name="Anders"),
            svc("leeftijd", minimum_age="achttien"),
        ],
        locations=[{"id": "loc-1", "location_type": "physical"}],
        addresses=[
            {
                "id": "adr-ok",
                "location_id": "loc-1",
                "address_1": "Plein 1",
                "city": "Schiedam",
                "postal_code": "3118 AB",
            },
            {
                "id": "adr-fout",
                "location_id": "loc-1",
                "address_1": "Plein 2",
                "city": "Schiedam",
                "postal_code": "31188AB",
            },
        ],
        schedules=[
            {
                "id": "sch-ok",
                "service_id": "svc-ok",
                "byday": "TH",
                "opens_at": "09:00",
                "closes_at": "11:00",
                "attending_type": "inloop",
            },
            {
                "id": "sch-25",
                "service_id": "svc-ok",
                "byday": "TH",
                "opens_at": "25:00",
                "closes_at": "26:00",
            },
            {
                "id": "sch-dag",
                "service_id": "svc-ok",
                "byday": "donderdag",
                "opens_at": "09:00",
                "closes_at": "11:00",
            },
            {
                "id": "sch-wees",
                "service_id": "svc-wees",
                "byday": "MO",
                "opens_at": "09:00",
                "closes_at": "11:00",
            },
        ],
        service_areas=[
            {"id": "area-ok", "service_id": "svc-ok", "extent": "3118-3119", "extent_type": "text"},
            {"id": "area-fout", "service_id": "svc-ok", "extent": "31188", "extent_type": "text"},
        ],
        contacts=[
            {
                "id": "c-1",
                "service_id": "svc-ok",
                "name": "Fatma Kaya",
                "deputy_contact_id": "c-weg",
            }
        ],
    )
    preview = plan(db, folder)
    found = {(p.file, p.row, p.field, p.skipped) for p in preview.problems}
    assert ("services.json", 2, "id", True) in found  # missing id
    assert ("services.json", 3, "organization_id", True) in found  # dangling reference
    assert ("services.json", 5, "id", True) in found  # duplicate id, other content
    assert ("services.json", 6, "minimum_age", False) in found  # only the field is left out
    assert ("addresses.json", 2, "postal_code", True) in found
    assert ("schedules.json", 2, "opens_at", True) in found
    assert ("schedules.json", 3, "byday", True) in found
    assert ("schedules.json", 4, "service_id", True) in found  # owner was skipped
    assert ("service_areas.json", 2, "extent", True) in found
    assert ("contacts.json", 1, "deputy_contact_id", False) in found  # cleared, row kept
    dangling = next(p for p in preview.problems if p.row == 4 and p.file == "schedules.json")
    assert "overgeslagen" in dangling.message_nl
    assert preview.rows_skipped == 8
    assert "8 rijen overgeslagen" in preview.summary_nl
    apply_import(db, preview, by=MANAGER)
    with db.session() as session:
        names = set(session.scalars(select(Service.name)))
        assert names == {"Svc ok", "Svc dubbel", "Svc leeftijd"}
        assert session.get(Service, "svc-leeftijd").minimum_age is None  # type: ignore[union-attr]
    assert count(db, ServiceAreaPostcode) == 1


def test_nothing_readable_means_an_unreadable_plan(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "rommel"
    folder.mkdir()
    (folder / "services.json").write_text("dit is geen json")
    preview = plan(db, folder)
    assert preview.unreadable and not preview.has_changes
    assert preview.summary_nl == "Er kon niets worden ingelezen; zie de problemen."
    with pytest.raises(GpdeskError, match="niets om toe te passen"):
        apply_import(db, preview, by=MANAGER)


# --- changes, removals and undo ----------------------------------------------------------------


def version(
    folder: Path, services: list[str], *, phone: str = "010-111 11 11", name_b: str = "Svc b"
) -> Path:
    """A small package from one source: services with a contact, phone and area each."""
    return write_package(
        folder,
        datapackage=[],  # replaced below
        organizations=[ORG],
        services=[svc(k, name=name_b if k == "b" else f"Svc {k}") for k in services],
        contacts=[
            {"id": f"c-{k}", "service_id": f"svc-{k}", "name": f"Persoon {k}"} for k in services
        ],
        phones=[{"id": f"p-{k}", "contact_id": f"c-{k}", "number": phone} for k in services],
        service_areas=[
            {"id": f"a-{k}", "service_id": f"svc-{k}", "extent": "3118"} for k in services
        ],
    )


def _named(folder: Path, name: str) -> Path:
    (folder / "datapackage.json").write_text(json.dumps({"name": name}))
    return folder


def test_changes_are_shown_field_by_field(db: Database, tmp_path: Path) -> None:
    apply_import(db, plan(db, _named(version(tmp_path / "v1", ["a", "b"]), "gemeente")), by=MANAGER)
    v2 = _named(
        version(tmp_path / "v2", ["a", "b"], phone="010-222 22 22", name_b="Team B"), "gemeente"
    )
    preview = plan(db, v2)
    changes = {(c.type, c.name, f.field, f.old, f.new) for c in preview.changed for f in c.changes}
    assert ("phone", "010-222 22 22", "number", "010-111 11 11", "010-222 22 22") in changes
    assert ("service", "Team B", "name", "Svc b", "Team B") in changes
    phone_change = next(c for c in preview.changed if c.type == "phone")
    assert phone_change.context == "Persoon a" or phone_change.context == "Persoon b"
    assert phone_change.changes[0].label == "nummer"
    assert preview.added == () and preview.removed == ()


def test_only_items_from_the_same_source_are_removed_and_undo_restores_them(
    db: Database, tmp_path: Path
) -> None:
    v1 = _named(version(tmp_path / "v1", ["a", "b", "c"]), "gemeente")
    apply_import(db, plan(db, v1), by=MANAGER)
    other = _named(
        write_package(tmp_path / "ander", organizations=[ORG], services=[svc("x")]), "ander"
    )
    apply_import(db, plan(db, other), by=MANAGER)
    before = export(db, tmp_path / "voor", include_private=True)
    with db.session() as session:  # the practice's own agreement with team c
        session.add(FixedContact(id="fc-c", service_id="svc-c", contact_id="c-c"))
        session.add(Phone(id="p-eigen", service_id="svc-a", number="010-999 99 99"))

    v2 = _named(version(tmp_path / "v2", ["a"], phone="010-222 22 22"), "gemeente")
    preview = plan(db, v2)
    removed = {(i.type, i.id) for i in preview.removed}
    assert removed == {
        ("service", "svc-b"),
        ("contact", "c-b"),
        ("phone", "p-b"),
        ("service_area", "a-b"),
    }
    assert any("Svc c" in note and "eigen afspraak" in note for note in preview.notes)
    assert ("service", "svc-x") not in removed and ("phone", "p-eigen") not in removed
    batch = apply_import(db, preview, by=MANAGER)
    assert count(db, Service) == 3  # a, c (kept for its agreement) and x
    assert count(db, Phone, Phone.id == "p-eigen") == 1

    with db.session() as session:
        session.execute(FixedContact.__table__.delete())  # type: ignore[attr-defined]
        session.execute(Phone.__table__.delete().where(Phone.id == "p-eigen"))  # type: ignore[attr-defined]
    undo_import(db, batch, by=MANAGER)
    assert same_files(before, export(db, tmp_path / "na", include_private=True))
    assert count(db, ServiceAreaPostcode) == 3  # a, b and c cover 3118 again
    with db.session() as session:
        batches = list_import_batches(session)
    assert [b.action for b in batches] == ["undo", "import", "import", "import"]
    assert batches[0].undo_of == batch and batches[1].undone
    with db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.event == "kaart.undo"))
    assert entry is not None and entry.object_id == batch
    with pytest.raises(GpdeskError, match="al ongedaan"):
        undo_import(db, batch, by=MANAGER)
    with pytest.raises(GpdeskError, match="niet nog eens"):
        undo_import(db, batches[0].batch_id, by=MANAGER)


def test_undo_is_refused_after_a_later_change_to_the_same_item(
    db: Database, tmp_path: Path
) -> None:
    v1 = _named(version(tmp_path / "v1", ["a"]), "gemeente")
    apply_import(db, plan(db, v1), by=MANAGER)
    v2 = _named(version(tmp_path / "v2", ["a"], phone="010-222 22 22"), "gemeente")
    batch = apply_import(db, plan(db, v2), by=MANAGER)
    with db.session() as session:
        mark_assured(session, "contact", "c-a", "M. Jansen", today=TODAY)
    first = apply_import(db, plan(db, v1), by=MANAGER)  # a later import of the same phone
    with pytest.raises(GpdeskError, match="daarna is hetzelfde nog eens gewijzigd"):
        undo_import(db, batch, by=MANAGER)
    undo_import(db, first, by=MANAGER)  # the latest one can still go


def test_undo_is_refused_when_something_was_linked_to_a_new_item(
    db: Database, tmp_path: Path
) -> None:
    batch = apply_import(db, plan(db, version(tmp_path / "v1", ["a"])), by=MANAGER)
    with db.session() as session:
        session.add(FeedbackAgreement(id="fa-1", service_id="svc-a"))
    with pytest.raises(GpdeskError, match="iets aan gekoppeld"):
        undo_import(db, batch, by=MANAGER)
    assert count(db, Service) == 1
    with pytest.raises(GpdeskError, match="niet gevonden"):
        undo_import(db, "bestaat-niet", by=MANAGER)


def test_undo_needs_the_permission(db: Database, tmp_path: Path) -> None:
    batch = apply_import(db, plan(db, version(tmp_path / "v1", ["a"])), by=MANAGER)
    with pytest.raises(PermissionDeniedError):
        undo_import(db, batch, by=signed(Role.POH_GGZ))


# --- the template ------------------------------------------------------------------------------


def test_the_example_template_imports_and_a_second_time_changes_nothing(
    db: Database, tmp_path: Path
) -> None:
    preview = plan(db, EXAMPLE)
    assert preview.kind == "sjabloon" and preview.source_name == "sjabloon"
    assert preview.problems == ()
    assert sum(1 for i in preview.added if i.type == "service") == 5
    apply_import(db, preview, by=MANAGER)
    again = plan(db, EXAMPLE)
    assert not again.has_changes, [(c.name, c.changes) for c in again.changed]
    with db.session() as session:
        routing = route(session, "3118AB")
    assert [t.name for t in routing.teams] == ["Wijkteam Nieuwland"]
    assert routing.teams[0].contact is not None
    assert routing.teams[0].contact.name == "Fatma Kaya"
    assert routing.teams[0].contact.deputy is not None


def _sheet(path: Path, *rows: str) -> Path:
    header = "organisatie;naam;telefoon;contactpersoon;contact telefoon;inloop"
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode("cp1252"))
    return path


def test_a_spreadsheet_change_is_a_field_change_and_nothing_is_removed(
    db: Database, tmp_path: Path
) -> None:
    first = _sheet(
        tmp_path / "kaart.csv",
        "Stichting Één;Buurtkamer;010-111 11 11;Karin de Boer;06-11111111;do 10:00-12:00",
        "Stichting Één;Jongerenwerk;010-222 22 22;Mehmet Öztürk;;",
    )
    apply_import(db, plan(db, first), by=MANAGER)
    second = _sheet(
        tmp_path / "kaart2.csv",
        "stichting één;Buurtkamer;010-111 11 11;Karin de Boer;06-99999999;di 10:00-12:00",
    )
    preview = plan(db, second)
    changes = {(c.type, f.field, f.old, f.new) for c in preview.changed for f in c.changes}
    assert changes == {
        ("phone", "number", "06-11111111", "06-99999999"),
        ("schedule", "byday", "TH", "TU"),
    }
    assert preview.removed == () and preview.added == ()
    assert any("Windows-1252" in p.message_nl for p in preview.problems)
    complete = plan(db, second, complete=True)
    assert {(i.type, i.name) for i in complete.removed} >= {("service", "Jongerenwerk")}


# --- other package forms -----------------------------------------------------------------------


def test_a_zipped_export_is_the_same_package(demo_source: Database, tmp_path: Path) -> None:
    folder = export(demo_source, tmp_path / "export", include_private=True)
    archive = tmp_path / "kaart.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.iterdir()):
            zipped.write(path, f"sociale-kaart/{path.name}")
    preview = plan(demo_source, archive)
    assert preview.problems == () and not preview.has_changes
    assert preview.source_name == "gpdesk-sociale-kaart"


def test_nested_service_json_imports_with_its_parts(db: Database, tmp_path: Path) -> None:
    nested = [
        {
            "id": "svc-n",
            "name": "Wijkteam Nieuwland",
            "status": "active",
            "kind": "wijkteam",
            "organization": {"id": "org-n", "name": "Wijkteams", "description": ""},
            "contacts": [
                {
                    "id": "c-n",
                    "name": "Fatma Kaya",
                    "phones": [{"id": "ph-n", "number": "010-001 14 71"}],
                }
            ],
            "schedules": [
                {
                    "id": "s-n",
                    "freq": "WEEKLY",
                    "byday": "TH",
                    "opens_at": "09:00",
                    "closes_at": "11:00",
                    "attending_type": "inloop",
                }
            ],
            "service_areas": [{"id": "a-n", "extent": "3118-3119", "extent_type": "text"}],
            "attributes": [
                {"id": "at-n", "taxonomy_term": {"id": "t-n", "name": "wonen", "description": ""}}
            ],
        }
    ]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(nested), "utf-8")
    preview = plan(db, path)
    assert preview.problems == ()
    assert {i.type for i in preview.added} == {
        "organization",
        "service",
        "contact",
        "phone",
        "schedule",
        "service_area",
        "taxonomy_term",
        "attribute",
    }
    apply_import(db, preview, by=MANAGER)
    with db.session() as session:
        routing = route(session, "3119")
    assert [t.name for t in routing.teams] == ["Wijkteam Nieuwland"]
    assert routing.teams[0].contact is not None
    assert routing.teams[0].contact.phone == "010-001 14 71"
