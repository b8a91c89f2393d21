"""The kaart's newer facts on SQLite and PostgreSQL: closed services, wait time, contract,
former names and contacts who left, through search, routing, editing, export and import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from gpdesk.db import Database, _alembic_config, migrate, open_database
from gpdesk.errors import ValidationError
from gpdesk.kaart import editing
from gpdesk.kaart.changes.digest import recent_changes
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.editing import ContactInput
from gpdesk.kaart.editing.forms import organization_form, service_form
from gpdesk.kaart.exchange.export import export_kaart
from gpdesk.kaart.exchange.importing import apply_import, plan_import
from gpdesk.kaart.routing import headline, route
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.kaart.search.index import SearchFilters, SearchIndex
from gpdesk.kaart.store.queries import (
    list_rows,
    open_service_ids,
    search_documents,
    service_detail,
    walk_in_today_ids,
)
from gpdesk.models import (
    Contact,
    KaartChange,
    Organization,
    Service,
    ServiceStatus,
)
from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn, sign_in
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import DEFAULT_PERMISSIONS
from tests.conftest import FAST_KDF

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)  # a Tuesday morning
NOTICE = "Dicht wegens verbouwing tot 1 april; ga zolang naar het Sociale Plein."


@pytest.fixture
def demo(db: Database) -> Database:
    create_demo(db, kdf=FAST_KDF)
    return db


@pytest.fixture
def smit(demo: Database) -> SignedIn:
    return sign_in(demo, "smit", DEMO_PASSWORD)


MANAGER = SignedIn(
    Actor(1, "smit", "R. Smit", Role.PRACTICE_MANAGER, DEFAULT_PERMISSIONS[Role.PRACTICE_MANAGER]),
    Vault.create(),
)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Database]:
    """A SQLite database with the demo kaart, one service made inactive: what gets exported."""
    kaart = open_database(f"sqlite:///{tmp_path / 'bron.sqlite3'}")
    with kaart.session() as session:
        load_demo_kaart(session, today=NOW.date())
    _close(kaart, "Taalcafé", ServiceStatus.INACTIVE)
    yield kaart
    kaart.dispose()


def _id(db: Database, model: type[Service] | type[Contact] | type[Organization], name: str) -> str:
    with db.session() as session:
        found = session.scalar(select(model.id).where(model.name == name))
    assert found is not None, name
    return found


def _close(
    db: Database, name: str, status: ServiceStatus = ServiceStatus.TEMPORARILY_CLOSED
) -> str:
    service_id = _id(db, Service, name)
    with db.session() as session:
        session.execute(
            update(Service).where(Service.id == service_id).values(status=status, alert=NOTICE)
        )
    return service_id


def _index(db: Database) -> SearchIndex:
    with db.session() as session:
        return SearchIndex.build(search_documents(session, now=NOW))


# --- temporarily closed ------------------------------------------------------------------------


def test_a_closed_service_is_found_by_name_and_theme_and_labelled(demo: Database) -> None:
    poort = _id(demo, Service, "Buurthuis De Poort")  # temporarily closed in the demo
    index = _index(demo)
    assert index.search("buurthuis de poort")[0].id == poort
    themed = [h.id for h in index.search("", filters=SearchFilters(theme="eenzaamheid"))]
    assert poort in themed
    # After every open service with that theme, whatever the name order says.
    with demo.session() as session:
        rows = {r.id: r for r in list_rows(session, now=NOW)}
        detail = service_detail(session, poort, now=NOW)
        open_now = open_service_ids(session, NOW)
        walk_in = walk_in_today_ids(session, NOW)
    assert all(not rows[h].closed for h in themed[: themed.index(poort)])
    assert all(rows[h].closed for h in themed[themed.index(poort) :])
    row = rows[poort]
    assert row.closed and row.alert and "verbouwing" in row.alert
    assert row.next_walk_in is None  # its hours do not count while it is closed
    assert poort not in open_now and poort not in walk_in
    assert detail.closed and not detail.open_now and detail.next_walk_in is None
    assert index.search("buurthuis de poort", filters=SearchFilters(only_open=True)) == []
    # Inactive and opgeheven services stay out of the search.
    _close(demo, "Taalcafé", ServiceStatus.INACTIVE)
    assert not _index(demo).search("taalcafe")


def test_a_closed_team_is_never_the_responsible_team(demo: Database) -> None:
    nieuwland = _close(demo, "Wijkteam Nieuwland")
    with demo.session() as session:
        routing = route(session, "3118AB", now=NOW)
    assert nieuwland not in {t.id for t in routing.teams}
    assert routing.fallback and [t.name for t in routing.teams] == ["Sociale Plein (Wmo-loket)"]
    [closed] = routing.closed
    assert closed.id == nieuwland and closed.alert == NOTICE and closed.next_walk_in is None
    assert headline(routing) == (
        f"Postcode 3118 AB: Wijkteam Nieuwland is tijdelijk gesloten: {NOTICE.rstrip('.')}. "
        "Ga zolang naar het centraal loket:"
    )
    assert routing.as_dict()["closed"][0]["status"] == "temporarily closed"
    # Open again: the team is responsible again, and nothing is said about closing.
    with demo.session() as session:
        session.execute(
            update(Service).where(Service.id == nieuwland).values(status=ServiceStatus.ACTIVE)
        )
        again = route(session, "3118AB", now=NOW)
    assert [t.id for t in again.teams] == [nieuwland] and again.closed == ()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_and_import_keep_every_service_whatever_its_status(
    db: Database, source: Database, tmp_path: Path, fmt: str
) -> None:
    with source.session() as session:
        before = dict(session.execute(select(Service.id, Service.status)).all())
        export_kaart(session, tmp_path / fmt, fmt=fmt)  # type: ignore[arg-type]
    assert set(before.values()) == set(ServiceStatus)  # active, closed, inactive, opgeheven
    with db.session() as session:
        preview = plan_import(session, tmp_path / fmt)
    assert preview.problems == ()
    apply_import(db, preview, by=MANAGER)
    with db.session() as session:
        after = dict(session.execute(select(Service.id, Service.status)).all())
    assert after == before


# --- wait time, contract, former names, who left: the round trips -----------------------------


def _facts(db: Database) -> dict[str, Any]:
    with db.session() as session:
        services = {
            s.name: (s.wait_time, s.municipal_contract, s.former_names, s.status, s.alert)
            for s in session.scalars(select(Service))
        }
        organizations = {
            o.name: (o.alternate_name, o.former_names)
            for o in session.scalars(select(Organization))
        }
        departed = {c.name: c.departed_on for c in session.scalars(select(Contact))}
    return {"services": services, "organizations": organizations, "departed": departed}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_new_fields_travel_through_export_and_import(
    db: Database, source: Database, tmp_path: Path, fmt: str
) -> None:
    before = _facts(source)
    assert before["services"]["Basis-GGZ jeugd"][:3] == (
        "Intake na ongeveer 10 weken; bij spoed overlegt de praktijk binnen een week.",
        True,
        None,
    )
    assert before["services"]["Valpreventie: In Balans"][1] is False
    assert before["services"]["Wijkteam Nieuwland"][2] == "WOT Nieuwland"
    assert before["services"]["Buurthuis De Poort"][3] is ServiceStatus.TEMPORARILY_CLOSED
    assert before["organizations"]["GGZ Waterweg"] == (None, "Riagg Schiedam")
    assert before["departed"]["Peter van Leeuwen"] is not None
    with source.session() as session:
        export_kaart(session, tmp_path / "uit", fmt=fmt)  # type: ignore[arg-type]
    if fmt == "json":
        # wait_time is HSDS's own field; the municipal contract is gpdesk's, in the extension.
        services = json.loads((tmp_path / "uit" / "services.json").read_text("utf-8"))
        ggz = next(s for s in services if s["name"] == "Basis-GGZ jeugd")
        assert ggz["wait_time"].startswith("Intake") and "municipal_contract" not in ggz
        extension = json.loads((tmp_path / "uit" / "gpdesk_extension.json").read_text("utf-8"))
        own = {(r["entity"], r["id"], r["field"]): r["value"] for r in extension}
        assert own["service", ggz["id"], "municipal_contract"] is True
        descriptor = json.loads((tmp_path / "uit" / "datapackage.json").read_text("utf-8"))
        resources = {r["name"]: r for r in descriptor["resources"]}
        assert "gpdesk_extension" in resources
        fields = {f["name"] for f in resources["service"]["schema"]["fields"]}
        assert "wait_time" in fields
        assert "municipal_contract" not in fields and "assured_by" not in fields
    with db.session() as session:
        preview = plan_import(session, tmp_path / "uit")
    assert preview.problems == ()
    apply_import(db, preview, by=MANAGER)
    assert _facts(db) == before
    with db.session() as session:  # and again: nothing to change
        assert not plan_import(session, tmp_path / "uit").has_changes


def test_the_template_brings_the_new_columns(
    demo: Database, tmp_path: Path, smit: SignedIn
) -> None:
    sheet = tmp_path / "kaart.csv"
    sheet.write_text(
        "organisatie;naam;eerdere namen;status;melding;voor wie;gecontracteerd door de gemeente;"
        "aanmelden;wachttijd\n"
        "Stichting Één;Buurtkamer De Vaart;Buurtkamer Vaartweg; tijdelijk gesloten;"
        "Dicht tot 1 maart.;Buurtbewoners die weinig mensen zien.;nee;"
        '"Gewoon binnenlopen; daarna een kennismaking.";geen\n',
        encoding="utf-8",
    )
    with demo.session() as session:
        preview = plan_import(session, sheet)
    assert preview.problems == ()
    apply_import(demo, preview, by=smit)
    with demo.session() as session:
        vaart = session.scalar(select(Service).where(Service.name == "Buurtkamer De Vaart"))
        assert vaart is not None
        assert vaart.status is ServiceStatus.TEMPORARILY_CLOSED
        assert vaart.alert == "Dicht tot 1 maart."
        assert vaart.former_names == "Buurtkamer Vaartweg"
        assert vaart.municipal_contract is False
        assert vaart.eligibility_description == "Buurtbewoners die weinig mensen zien."
        assert vaart.application_process == "Gewoon binnenlopen; daarna een kennismaking."
        assert vaart.wait_time == "geen"
    index = _index(demo)
    assert [h.id for h in index.search("vaartweg")] == [vaart.id]
    with demo.session() as session:
        again = plan_import(session, sheet)
    assert not again.has_changes


# --- former names ------------------------------------------------------------------------------


def test_a_renamed_team_is_still_found_by_its_old_name(demo: Database, smit: SignedIn) -> None:
    oost = _id(demo, Service, "Wijkteam Oost")
    with demo.session() as session:
        form = service_form(session, oost)
        editing.update_service(
            session, smit, oost, replace(form.service, name="Wijkteam Oost-Kethel")
        )
    index = _index(demo)
    [hit] = [h for h in index.search("wijkteam oost") if h.id == oost]
    assert hit.matched_fields[0] == "name"
    assert index.search("WOT")[0].id == _id(demo, Service, "Wijkteam Nieuwland")
    with demo.session() as session:
        detail = service_detail(session, oost, now=NOW)
    assert detail.former_names == ("Wijkteam Oost",)
    # The organisation keeps its old name too, and the old name finds its services.
    ggz = _id(demo, Organization, "GGZ Waterweg")
    with demo.session() as session:
        value = organization_form(session, ggz).value
        editing.update_organization(session, smit, ggz, replace(value, name="GGZ Maasmond"))
        org = session.get(Organization, ggz)
        assert org is not None and org.former_names == "Riagg Schiedam; GGZ Waterweg"
    with demo.session() as session:
        its_services = set(
            session.scalars(select(Service.id).where(Service.organization_id == ggz))
        )
    index = _index(demo)
    assert {h.id for h in index.search("riagg")} == its_services
    assert {h.id for h in index.search("ggz waterweg")} >= its_services
    with demo.session() as session:
        digest = recent_changes(session, since=NOW.replace(year=2000))
    texts = [line.text for line in digest.lines]
    assert "Wijkteam Oost heet nu Wijkteam Oost-Kethel" in texts
    assert not any("eerdere namen" in t for t in texts)


def test_an_import_that_renames_keeps_the_old_name(
    demo: Database, tmp_path: Path, smit: SignedIn
) -> None:
    oost = _id(demo, Service, "Wijkteam Oost")
    with demo.session() as session:
        export_kaart(session, tmp_path / "uit")
    services = json.loads((tmp_path / "uit" / "services.json").read_text("utf-8"))
    for record in services:
        if record["id"] == oost:
            record["name"] = "Buurtteam Oost"
    (tmp_path / "uit" / "services.json").write_text(json.dumps(services), "utf-8")
    with demo.session() as session:
        preview = plan_import(session, tmp_path / "uit")
    [changed] = [c for c in preview.changed if c.id == oost]
    assert {(f.field, f.old, f.new) for f in changed.changes} == {
        ("name", "Wijkteam Oost", "Buurtteam Oost"),
        ("former_names", None, "Wijkteam Oost"),
    }
    apply_import(demo, preview, by=smit)
    assert _index(demo).search("wijkteam oost")[0].id == oost
    with demo.session() as session:  # the same package again changes nothing
        assert not plan_import(session, tmp_path / "uit").has_changes


def test_the_migration_fills_former_names_from_the_change_log(db: Database) -> None:
    from alembic import command

    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")  # back to before 0005
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO kaart_organization (id, name, description) VALUES "
                "('o1', 'Stichting Wijkteams', '')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO kaart_service (id, organization_id, name, status, kind) VALUES "
                "('s1', 'o1', 'Wijkteam Nieuwland', 'active', 'wijkteam'), "
                "('s2', 'o1', 'Wijkteam Oost', 'active', 'wijkteam')"
            )
        )
        for number, (resource, kind, old, new) in enumerate(
            (
                ("s1", "service", "WOT Nieuwland", "Buurtteam Nieuwland"),
                ("s1", "service", "Buurtteam Nieuwland", "Wijkteam Nieuwland"),
                ("o1", "organization", "Stichting Wijkzorg", "Stichting Wijkteams"),
                ("s2", "service", "Wijkteam Oost", "Oost-team"),  # renamed back later
                ("s2", "service", "Oost-team", "Wijkteam Oost"),
            )
        ):
            conn.execute(
                text(
                    "INSERT INTO kaart_change (id, resource_id, resource_type, field_name, "
                    "previous_value, replacement_value, last_action_type, last_action_date, "
                    "updated_by) VALUES (:id, :rid, :kind, 'name', :old, :new, 'update', "
                    ":at, 'R. Smit')"
                ),
                {
                    "id": f"c{number}",
                    "rid": resource,
                    "kind": kind,
                    "old": old,
                    "new": new,
                    "at": datetime(2026, 1, 1 + number, tzinfo=AMSTERDAM),
                },
            )
    migrate(db.engine, db.url)
    with db.session() as session:
        names = {s.id: s.former_names for s in session.scalars(select(Service))}
        org = session.get(Organization, "o1")
    assert names == {"s1": "WOT Nieuwland; Buurtteam Nieuwland", "s2": "Oost-team"}
    assert org is not None and org.former_names == "Stichting Wijkzorg"


# --- a contact who leaves ----------------------------------------------------------------------


def test_a_contact_who_leaves_is_kept_and_the_deputy_takes_over(
    demo: Database, smit: SignedIn
) -> None:
    fatma = _id(demo, Contact, "Fatma Kaya")
    jeroen = _id(demo, Contact, "Jeroen Visser")
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    since = datetime.now(AMSTERDAM)
    with demo.session() as session:
        result = editing.mark_departed(session, smit, fatma, day=date(2026, 11, 20))
    text_ = " ".join(result.warnings)
    assert "Fatma Kaya was de vaste contactpersoon van de praktijk bij Wijkteam Nieuwland" in text_
    assert "Jeroen Visser het aanspreekpunt" in text_
    with demo.session() as session:
        kept = session.get(Contact, fatma)
        assert kept is not None and kept.departed_on == date(2026, 11, 20)
        assert kept.deputy_contact_id == jeroen  # who took over stays named
        team = route(session, "3118AB", now=NOW).teams[0]
        detail = service_detail(session, nieuwland, now=NOW)
        [row] = [r for r in list_rows(session, now=NOW) if r.id == nieuwland]
        digest = recent_changes(session, since=since)
    assert team.contact is not None and team.contact.name == "Jeroen Visser"
    [leaver] = [c for c in detail.contacts if c.name == "Fatma Kaya"]
    assert leaver.departed and leaver.deputy is not None and leaver.deputy.name == "Jeroen Visser"
    assert detail.contacts[-1] is leaver  # who left comes last
    assert row.contact is not None and row.contact.name == "Jeroen Visser"
    assert [line.text for line in digest.lines if "Fatma" in line.text] == [
        "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: Jeroen Visser"
    ]
    # Someone who left cannot be chosen as a deputy; marking twice changes nothing.
    with pytest.raises(ValidationError) as refused, demo.session() as session:
        editing.update_contact(
            session, smit, jeroen, ContactInput(name="Jeroen Visser", deputy_contact_id=fatma)
        )
    assert "vertrokken" in refused.value.problems["vervanger"]
    with demo.session() as session:
        assert editing.mark_departed(session, smit, fatma).changes == 0


def test_a_fixed_contact_who_left_hands_over_even_when_nothing_was_mended(
    demo: Database,
) -> None:
    """A fixed contact still naming someone who left (an imported kaart) hands over too."""
    fatma = _id(demo, Contact, "Fatma Kaya")
    with demo.session() as session:  # as an import could leave it: marked, nothing mended
        session.execute(
            update(Contact).where(Contact.id == fatma).values(departed_on=date(2026, 11, 1))
        )
        team = route(session, "3118AB", now=NOW).teams[0]
    assert team.contact is not None and team.contact.name == "Jeroen Visser"
    assert team.contact.stands_in_for == "Fatma Kaya" and team.contact.fixed


def test_who_checked_stays_in_the_practice_unless_asked(demo: Database, tmp_path: Path) -> None:
    with demo.session() as session:
        export_kaart(session, tmp_path / "open")
        export_kaart(session, tmp_path / "alles", include_private=True)
    for folder, expected in (("open", False), ("alles", True)):
        # Who checked is never in an HSDS table; only a private export's extension names them.
        services = json.loads((tmp_path / folder / "services.json").read_text("utf-8"))
        assert all("assured_by" not in s for s in services)
        assert "assured_date" in services[0]  # HSDS's own field: when it was checked
        extension = json.loads((tmp_path / folder / "gpdesk_extension.json").read_text("utf-8"))
        fields = {(r["entity"], r["field"]) for r in extension}
        for entity in ("service", "contact"):
            assert ((entity, "assured_by") in fields) is expected, (folder, entity)
        assert ("contact", "assured_date") in fields  # HSDS contacts have no such field
    # An open export imported back leaves the names of who checked as they were.
    with demo.session() as session:
        assert not plan_import(session, tmp_path / "open").has_changes
        assert session.scalar(select(KaartChange.id).limit(1)) is not None
