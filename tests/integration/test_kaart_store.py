"""The sociale kaart on SQLite and a real PostgreSQL: demo data, routing, readers, checks."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, event, func, inspect, select, update

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart.demo import load_demo_kaart
from gpdesk.kaart.routing import route
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.kaart.store.queries import (
    list_services,
    list_themes,
    mark_assured,
    open_service_ids,
    search_documents,
    service_detail,
    walk_in_today_ids,
)
from gpdesk.models import (
    Contact,
    FeedbackAgreement,
    KaartChange,
    Service,
    ServiceArea,
    ServiceAreaPostcode,
    ServiceKind,
    ServiceStatus,
    TaxonomyTerm,
)
from gpdesk.models.kaart import hsds_columns
from gpdesk.models.kaart_private import GPDESK_PRIVATE

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)  # a Tuesday morning


@pytest.fixture
def kaart(db: Database) -> Database:
    with db.session() as session:
        load_demo_kaart(session, today=TODAY)
    return db


def _service_id(db: Database, name: str) -> str:
    with db.session() as session:
        found = session.scalar(select(Service.id).where(Service.name == name))
    assert found is not None, name
    return found


@contextmanager
def count_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


# --- the demo kaart ---------------------------------------------------------------------------


def test_demo_loads_quickly_and_completely(db: Database) -> None:
    started = clock.perf_counter()
    with db.session() as session:
        counts = load_demo_kaart(session, today=TODAY)
    assert clock.perf_counter() - started < 1.0
    assert counts["kaart_service"] >= 60
    with db.session() as session:
        kinds = dict(
            session.execute(
                select(Service.kind, func.count())
                .where(Service.status == ServiceStatus.ACTIVE)
                .group_by(Service.kind)
            ).all()
        )
        assert kinds[ServiceKind.WIJKTEAM] == 6
        assert kinds[ServiceKind.CENTRAAL_LOKET] == 1
        assert sum(kinds.values()) >= 60
        assert (
            session.scalar(select(func.count()).select_from(ServiceAreaPostcode))
            == counts["kaart_service_area_postcode"]
        )


def test_demo_refuses_a_kaart_that_is_not_empty(kaart: Database) -> None:
    with pytest.raises(GpdeskError) as info, kaart.session() as session:
        load_demo_kaart(session, today=TODAY)
    assert "niet leeg" in info.value.message


def test_every_wijkteam_has_contact_with_deputy_and_agreement(kaart: Database) -> None:
    with kaart.session() as session:
        teams = session.scalars(select(Service).where(Service.kind == ServiceKind.WIJKTEAM)).all()
        names = {t.name for t in teams}
        assert "Wijkteam Nieuwland" in names
        for team in teams:
            detail = service_detail(session, team.id, now=NOW)
            assert any(c.deputy is not None for c in detail.contacts), team.name
            assert detail.feedback_agreement is not None, team.name
            assert detail.feedback_agreement.letter_at_closure
            assert detail.feedback_agreement.confirm_within_working_days in (3, 5)
            assert detail.next_walk_in is not None, team.name
            assert len(detail.areas) == 1
        agreements = session.scalar(select(func.count()).select_from(FeedbackAgreement))
        assert agreements is not None and agreements >= 6


def test_demo_freshness_is_mixed(kaart: Database) -> None:
    with kaart.session() as session:
        summaries = list_services(session, today=TODAY)
    stale = [s for s in summaries if s.stale]
    assert 5 <= len(stale) < len(summaries) // 2
    assert any(s.assured_date is None for s in stale)


def test_demo_dates_follow_the_day_it_is_loaded(db: Database) -> None:
    later = date(2027, 11, 24)
    with db.session() as session:
        load_demo_kaart(session, today=later)
        nieuwland = session.scalar(select(Service).where(Service.name == "Wijkteam Nieuwland"))
        assert nieuwland is not None
        assert nieuwland.assured_date == date(2027, 11, 10)
        summaries = list_services(session, today=later)
    assert sum(s.stale for s in summaries) < len(summaries) // 2


# --- routing ----------------------------------------------------------------------------------


def test_route_3118ab_to_nieuwland_with_contact_and_walk_in(kaart: Database) -> None:
    with kaart.session() as session:
        routing = route(session, "3118AB", now=NOW)
    assert routing.postcode == "3118AB"
    assert not routing.fallback
    assert [t.name for t in routing.teams] == ["Wijkteam Nieuwland"]
    team = routing.teams[0]
    assert team.kind is ServiceKind.WIJKTEAM
    assert team.organization == "Stichting Wijkteams Schiedam"
    assert team.contact is not None
    assert team.contact.name == "Fatma Kaya"
    assert team.contact.fixed
    assert team.contact.email == "fatma.kaya@voorbeeld-schiedam.nl"
    assert team.contact.phone is not None and team.contact.phone.startswith("010-")
    assert team.contact.deputy is not None
    assert team.contact.deputy.name == "Jeroen Visser"
    assert team.next_walk_in == datetime(2026, 11, 26, 9, 0, tzinfo=AMSTERDAM)
    assert team.next_walk_in_label == "donderdag 26 november 09:00–11:00"
    assert not team.stale
    assert [d.name for d in routing.fallback_desks] == ["Sociale Plein (Wmo-loket)"]
    data = routing.as_dict()
    assert data["teams"][0]["next_walk_in"] == "2026-11-26T09:00:00+01:00"
    assert data["teams"][0]["kind"] == "wijkteam"
    assert data["fallback"] is False


@pytest.mark.parametrize("postcode", ["3118 ab", "3119ZZ", "3118"])
def test_route_accepts_other_spellings(kaart: Database, postcode: str) -> None:
    with kaart.session() as session:
        routing = route(session, postcode, now=NOW)
    assert [t.name for t in routing.teams] == ["Wijkteam Nieuwland"]


def test_route_3120_goes_to_the_central_desk(kaart: Database) -> None:
    with kaart.session() as session:
        routing = route(session, "3120AA", now=NOW)
    assert routing.fallback is True
    assert [t.name for t in routing.teams] == ["Sociale Plein (Wmo-loket)"]
    assert routing.teams == routing.fallback_desks
    desk = routing.teams[0]
    assert desk.kind is ServiceKind.CENTRAAL_LOKET
    assert desk.contact is not None and desk.contact.deputy is not None


def test_every_city_postcode_has_exactly_one_team(kaart: Database) -> None:
    expected = {
        3111: "Centrum",
        3112: "Centrum",
        3113: "Oost",
        3114: "Oost",
        3115: "Groenoord",
        3116: "Groenoord",
        3117: "Groenoord",
        3118: "Nieuwland",
        3119: "Nieuwland",
        3121: "Woudhoek",
        3122: "Woudhoek",
        3123: "Kethel/Spaland",
        3124: "Kethel/Spaland",
        3125: "Kethel/Spaland",
    }
    with kaart.session() as session:
        for pc4, team in expected.items():
            routing = route(session, f"{pc4}AB", now=NOW)
            assert not routing.fallback, pc4
            assert [t.name for t in routing.teams] == [f"Wijkteam {team}"]
        amsterdam = route(session, "1012AB", now=NOW)  # another city altogether
    assert amsterdam.outside and not amsterdam.fallback
    assert amsterdam.teams == () and amsterdam.fallback_desks == ()


def test_a_postcode_outside_the_kaart_is_the_patients_own_municipality(kaart: Database) -> None:
    with kaart.session() as session:
        routing = route(session, "1012 ab", now=NOW)
    data = routing.as_dict()
    assert data["outside"] is True
    assert data["fallback"] is False
    assert data["teams"] == []
    assert set(data) >= {"postcode", "teams", "fallback", "fallback_desks"}  # old keys stay


def _remove_desk_area(db: Database) -> None:
    desk = _service_id(db, "Sociale Plein (Wmo-loket)")
    with db.session() as session:
        session.execute(delete(ServiceArea).where(ServiceArea.service_id == desk))


def test_the_desks_werkgebied_decides_what_is_the_municipality(kaart: Database) -> None:
    with kaart.session() as session:
        assert route(session, "3120AA", now=NOW).fallback  # in the desk's area, no team's
        assert route(session, "3126AA", now=NOW).outside  # next to it, in nobody's
    _remove_desk_area(kaart)
    with kaart.session() as session:
        gap = route(session, "3120AA", now=NOW)
        nieuwland = route(session, "3118AB", now=NOW)
    # Without its own werkgebied the desk covers the teams' areas only: 3120 is then outside.
    assert gap.outside
    assert [d.name for d in nieuwland.fallback_desks] == ["Sociale Plein (Wmo-loket)"]


def test_a_closed_teams_wijk_still_belongs_to_the_municipality(kaart: Database) -> None:
    _remove_desk_area(kaart)
    with kaart.session() as session:
        session.execute(
            update(Service)
            .where(Service.name == "Wijkteam Nieuwland")
            .values(status=ServiceStatus.TEMPORARILY_CLOSED)
        )
    with kaart.session() as session:
        routing = route(session, "3118AB", now=NOW)
    assert routing.fallback and not routing.outside
    assert [t.name for t in routing.teams] == ["Sociale Plein (Wmo-loket)"]


@pytest.mark.parametrize("bad", ["31188AB", "ABCDEF", "0118AB", ""])
def test_route_refuses_an_invalid_postcode_in_dutch(kaart: Database, bad: str) -> None:
    with pytest.raises(ValidationError) as info, kaart.session() as session:
        route(session, bad, now=NOW)
    assert "postcode" in info.value.problems
    assert "De postcode" in info.value.message or "postcode" in info.value.message


def test_route_picks_the_fixed_contact_for_the_theme(kaart: Database) -> None:
    with kaart.session() as session:
        jeugd = session.scalar(
            select(TaxonomyTerm.id).where(TaxonomyTerm.name == "jeugd en opvoeding")
        )
        wonen = session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.name == "wonen"))
        themed = route(session, "3118AB", theme_id=jeugd, now=NOW).teams[0].contact
        general = route(session, "3118AB", theme_id=wonen, now=NOW).teams[0].contact
    assert themed is not None and themed.name == "Ilse van Dam"
    assert themed.theme == "jeugd en opvoeding"
    assert themed.deputy is not None and themed.deputy.name == "Fatma Kaya"
    assert general is not None and general.name == "Fatma Kaya"  # no agreement for wonen


def test_team_without_fixed_contact_shows_its_first_contact(kaart: Database) -> None:
    from gpdesk.models import FixedContact

    team_id = _service_id(kaart, "Wijkteam Woudhoek")
    with kaart.session() as session:
        session.execute(delete(FixedContact).where(FixedContact.service_id == team_id))
    with kaart.session() as session:
        contact = route(session, "3121AA", now=NOW).teams[0].contact
    assert contact is not None
    assert not contact.fixed
    assert contact.name == "Anouk Meijer"  # the primary contact, not her deputy
    assert contact.deputy is not None and contact.deputy.name == "Dennis Groen"


def test_when_the_fixed_contact_leaves_the_deputy_stands_in(kaart: Database) -> None:
    with kaart.session() as session:
        session.execute(delete(Contact).where(Contact.name == "Fatma Kaya"))
    with kaart.session() as session:
        contact = route(session, "3118AB", now=NOW).teams[0].contact
    assert contact is not None
    assert contact.name == "Jeroen Visser"
    assert contact.fixed


def test_closed_team_falls_back_to_the_desk(kaart: Database) -> None:
    with kaart.session() as session:
        session.execute(
            update(Service)
            .where(Service.name == "Wijkteam Nieuwland")
            .values(status=ServiceStatus.TEMPORARILY_CLOSED)
        )
    with kaart.session() as session:
        routing = route(session, "3118AB", now=NOW)
    assert routing.fallback
    assert [t.name for t in routing.teams] == ["Sociale Plein (Wmo-loket)"]


def test_two_teams_claiming_one_pc4_are_both_listed_in_order(kaart: Database) -> None:
    woudhoek = _service_id(kaart, "Wijkteam Woudhoek")
    with kaart.session() as session:
        area = ServiceArea(service_id=woudhoek, name="Extra", extent="3118")
        area.postcodes.append(ServiceAreaPostcode(pc4_from=3118, pc4_to=3118))
        session.add(area)
    with kaart.session() as session:
        names = [t.name for t in route(session, "3118AB", now=NOW).teams]
    assert names == ["Wijkteam Nieuwland", "Wijkteam Woudhoek"]


def test_route_on_an_empty_kaart(db: Database) -> None:
    with db.session() as session:
        routing = route(session, "3118AB", now=NOW)
    assert routing.fallback
    assert routing.teams == ()
    assert routing.fallback_desks == ()
    assert not routing.outside  # no areas at all: it cannot tell, so it never says "outside"


# --- readers ----------------------------------------------------------------------------------


def test_service_detail_of_a_team(kaart: Database) -> None:
    with kaart.session() as session:
        detail = service_detail(session, _service_id(kaart, "Wijkteam Nieuwland"), now=NOW)
    assert detail.kind is ServiceKind.WIJKTEAM
    assert detail.status is ServiceStatus.ACTIVE
    assert detail.contacts[0].name == "Fatma Kaya"
    assert "Jeroen Visser" not in [c.name for c in detail.contacts]  # shown as her deputy
    assert [(c.theme, c.name) for c in detail.fixed_contacts] == [
        (None, "Fatma Kaya"),
        ("geldzorgen/schulden", "Rachid Bouzid"),
        ("jeugd en opvoeding", "Ilse van Dam"),
    ]
    assert detail.fixed_contacts[1].stale  # checked in May: older than six months
    assert detail.locations[0].address == "Nieuwlandplein 12, 3118 XB Schiedam"
    assert detail.opening_hours == (
        "maandag t/m vrijdag 08:30–17:00",
        "inloop: donderdag 09:00–11:00",
    )
    assert detail.next_walk_in_label == "donderdag 26 november 09:00–11:00"
    assert detail.open_now
    assert detail.areas[0].ranges_label == "3118–3119"
    assert "jeugd en opvoeding" in [t.name for t in detail.themes]
    assert "Turks" in detail.languages
    assert detail.has_capacity is None
    assert detail.assured_date == date(2026, 11, 10)
    assert detail.assured_by == "R. Smit"
    assert not detail.stale
    assert detail.feedback_agreement is not None
    assert detail.feedback_agreement.channel == "Zorgmail"
    assert detail.feedback_agreement.confirm_within_working_days == 3


def test_service_detail_waiting_list_ages_and_fees(kaart: Database) -> None:
    with kaart.session() as session:
        jeugd_ggz = service_detail(session, _service_id(kaart, "Basis-GGZ jeugd"), now=NOW)
        schuld = service_detail(
            session, _service_id(kaart, "Schuldhulpverlening Schiedam"), now=NOW
        )
        respijt = service_detail(
            session, _service_id(kaart, "Respijtzorg en logeeropvang"), now=NOW
        )
    assert jeugd_ggz.has_capacity is False
    assert jeugd_ggz.capacities[0].available == 0
    assert jeugd_ggz.capacities[0].unit == "plaatsen"
    assert "Wachtlijst" in (jeugd_ggz.capacities[0].description or "")
    assert jeugd_ggz.maximum_age == 17
    assert jeugd_ggz.application_process
    assert respijt.has_capacity is True
    assert schuld.minimum_age == 18
    assert schuld.fees_description == "Gratis."
    assert schuld.next_walk_in_label == "dinsdag 24 november 13:00–15:00"
    assert schuld.feedback_agreement is None


def test_demo_texts_read_as_a_gp_says_them(kaart: Database) -> None:
    from gpdesk.kaart.handout import capacity_text

    with kaart.session() as session:
        details = {
            name: service_detail(session, _service_id(kaart, name), now=NOW)
            for name in ("Veilig Thuis advies en melding", "Basis-GGZ jeugd", "Wijkteam Nieuwland")
        }
        every = [service_detail(session, s.id, now=NOW) for s in list_services(session)]
    veilig_thuis = details["Veilig Thuis advies en melding"]
    assert "dag en nacht, 7 dagen per week" in veilig_thuis.opening_hours
    assert not any("00:00" in line for d in every for line in d.opening_hours)
    [waiting] = details["Basis-GGZ jeugd"].capacities
    assert capacity_text(waiting.available, waiting.unit, waiting.description) == (
        "Wachtlijst: ongeveer 10 weken."
    )
    # Signals are not built yet: the kaart says how to sign up by phone, mail or walk-in.
    assert not any("gpdesk" in (d.application_process or "") for d in every)
    assert "Bel of mail het wijkteam" in (details["Wijkteam Nieuwland"].application_process or "")


def test_service_detail_of_an_unknown_service(kaart: Database) -> None:
    with pytest.raises(GpdeskError) as info, kaart.session() as session:
        service_detail(session, "bestaat-niet", now=NOW)
    assert "niet (meer) op de sociale kaart" in info.value.message


def test_list_services(kaart: Database) -> None:
    with kaart.session() as session:
        active = list_services(session, today=TODAY)
        everything = list_services(session, today=TODAY, include_inactive=True)
    names = [s.name for s in active]
    assert names == sorted(names)
    assert len(everything) == len(active) + 1  # the opgeheven WOT Nieuwland
    assert {s.status for s in active} == {
        ServiceStatus.ACTIVE,
        ServiceStatus.TEMPORARILY_CLOSED,  # Buurthuis De Poort, labelled in the list
    }
    maatjes = next(s for s in active if s.name == "Maatjesproject")
    assert maatjes.has_capacity is False
    assert "eenzaamheid" in maatjes.themes


def test_search_documents_one_flat_record_per_active_service(kaart: Database) -> None:
    with kaart.session() as session:
        with count_queries(kaart) as statements:
            documents = search_documents(session, now=NOW)
        listed = session.scalar(
            select(func.count())
            .select_from(Service)
            .where(Service.status.in_((ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)))
        )
    assert len(documents) == listed
    assert len(statements) <= 12, statements  # a fixed number, not one per service
    by_name = {d["name"]: d for d in documents}
    nieuwland = by_name["Wijkteam Nieuwland"]
    assert nieuwland["pc4_ranges"] == [[3118, 3119]]
    assert nieuwland["kind"] == "wijkteam"
    assert nieuwland["walk_in"] == "donderdag 09:00–11:00"
    assert "Fatma Kaya" in nieuwland["contacts"]
    assert nieuwland["organization"] == "Stichting Wijkteams Schiedam"
    assert nieuwland["assured_date"] == "2026-11-10"
    assert nieuwland["open_now"] is True
    assert nieuwland["walk_in_today"] is False
    jongeren = by_name["Jongerenwerk"]
    assert (jongeren["min_age"], jongeren["max_age"]) == (12, 23)
    assert by_name["Maatjesproject"]["has_capacity"] is False
    assert by_name["Dagbesteding De Linde"]["has_capacity"] is True
    assert by_name["Schuldhulpverlening Schiedam"]["walk_in_today"] is True
    import json

    json.dumps(documents)  # plain data only
    for document in documents:
        assert {"id", "name", "themes", "contacts", "pc4_ranges", "has_capacity"} <= set(document)


def test_query_count_does_not_grow_with_the_kaart(kaart: Database) -> None:
    nieuwland = _service_id(kaart, "Wijkteam Nieuwland")
    with kaart.session() as session, count_queries(kaart) as statements:
        service_detail(session, nieuwland, now=NOW)
        detail_queries = len(statements)
        route(session, "3118AB", now=NOW)
        route_queries = len(statements) - detail_queries
    assert detail_queries <= 25
    # A second team claiming 3118 brings its contacts and hours along in the same queries.
    woudhoek = _service_id(kaart, "Wijkteam Woudhoek")
    with kaart.session() as session:
        area = ServiceArea(service_id=woudhoek, name="Extra", extent="3118")
        area.postcodes.append(ServiceAreaPostcode(pc4_from=3118, pc4_to=3118))
        session.add(area)
    with kaart.session() as session, count_queries(kaart) as statements:
        assert len(route(session, "3118AB", now=NOW).teams) == 2
    assert len(statements) == route_queries


def test_open_now_and_walk_in_today(kaart: Database) -> None:
    with kaart.session() as session:
        open_now = open_service_ids(session, NOW)
        open_night = open_service_ids(session, datetime(2026, 11, 24, 3, 0, tzinfo=AMSTERDAM))
        walk_in = walk_in_today_ids(session, NOW)
    veilig_thuis = _service_id(kaart, "Veilig Thuis advies en melding")
    assert veilig_thuis in open_now
    assert open_night == {veilig_thuis, _service_id(kaart, "Opvang bij huiselijk geweld")}
    assert _service_id(kaart, "Schuldhulpverlening Schiedam") in walk_in
    assert _service_id(kaart, "Wijkteam Nieuwland") not in walk_in


def test_themes(kaart: Database) -> None:
    with kaart.session() as session:
        names = [t.name for t in list_themes(session)]
    assert len(names) == 14
    assert "geldzorgen/schulden" in names
    assert names == sorted(names)


# --- checking ("gecontroleerd") ------------------------------------------------------------


def _snapshot(session: Any, row: Any) -> dict[str, Any]:
    session.refresh(row)
    return {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs}


def test_mark_assured_changes_only_the_check(kaart: Database) -> None:
    service_id = _service_id(kaart, "Valpreventie: In Balans")
    with kaart.session() as session:
        row = session.get(Service, service_id)
        before = _snapshot(session, row)
    assert before["assured_date"] == date(2025, 11, 30)
    with kaart.session() as session:
        mark_assured(session, "service", service_id, "  H.  Bakker ", TODAY)
    with kaart.session() as session:
        after = _snapshot(session, session.get(Service, service_id))
        change = session.scalars(
            select(KaartChange).where(KaartChange.resource_id == service_id)
        ).one()
        summary = next(s for s in list_services(session, today=TODAY) if s.id == service_id)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"assured_date", "assured_by"}
    assert after["assured_date"] == TODAY
    assert after["assured_by"] == "H. Bakker"
    assert after["last_modified"] == before["last_modified"]
    assert change.last_action_type == "assured"
    assert change.resource_type == "service"
    assert change.field_name == "assured_date"
    assert change.previous_value == "2025-11-30"
    assert change.replacement_value == "2026-11-24"
    assert change.updated_by == "H. Bakker"
    assert not summary.stale


def test_mark_assured_with_an_address_fills_the_hsds_assurer(kaart: Database) -> None:
    service_id = _service_id(kaart, "Maatjesproject")
    with kaart.session() as session:
        mark_assured(session, "service", service_id, "poh@praktijk.example", TODAY)
    with kaart.session() as session:
        row = session.get(Service, service_id)
        assert row is not None
        assert row.assurer_email == "poh@praktijk.example"


def test_mark_assured_on_a_contact(kaart: Database) -> None:
    with kaart.session() as session:
        contact = session.scalars(select(Contact).where(Contact.name == "Rachid Bouzid")).one()
        before = _snapshot(session, contact)
        contact_id = contact.id
    with kaart.session() as session:
        mark_assured(session, "contact", contact_id, "S. Visser", TODAY)
    with kaart.session() as session:
        after = _snapshot(session, session.get(Contact, contact_id))
        detail = service_detail(session, _service_id(kaart, "Wijkteam Nieuwland"), now=NOW)
    assert {k for k in before if before[k] != after[k]} == {"assured_date", "assured_by"}
    rachid = next(c for c in detail.fixed_contacts if c.name == "Rachid Bouzid")
    assert not rachid.stale
    assert rachid.assured_by == "S. Visser"


def test_mark_assured_refuses_unknown_and_anonymous(kaart: Database) -> None:
    with pytest.raises(GpdeskError), kaart.session() as session:
        mark_assured(session, "contact", "bestaat-niet", "M. Jansen", TODAY)
    with pytest.raises(ValidationError) as info, kaart.session() as session:
        mark_assured(session, "service", _service_id(kaart, "Maatjesproject"), "   ", TODAY)
    assert "gecontroleerd" in info.value.message


# --- the model ----------------------------------------------------------------------------


def test_deleting_a_service_takes_its_parts_along(kaart: Database) -> None:
    team_id = _service_id(kaart, "Wijkteam Nieuwland")
    with kaart.session() as session:
        session.execute(delete(Service).where(Service.id == team_id))
    with kaart.session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Contact).where(Contact.service_id == team_id)
            )
            == 0
        )
        assert (
            session.scalar(
                select(func.count())
                .select_from(ServiceArea)
                .where(ServiceArea.service_id == team_id)
            )
            == 0
        )
        routing = route(session, "3118AB", now=NOW)
    assert routing.fallback


def test_exporters_can_tell_hsds_from_gpdesk_columns() -> None:
    service_columns = {c.name for c in hsds_columns(Service.__table__)}  # type: ignore[arg-type]
    assert {"name", "status", "assured_date", "assurer_email", "minimum_age"} <= service_columns
    assert not {"kind", "assured_by"} & service_columns
    contact_columns = {c.name for c in hsds_columns(Contact.__table__)}  # type: ignore[arg-type]
    assert "deputy_contact_id" not in contact_columns
    assert FeedbackAgreement.__table__.info[GPDESK_PRIVATE] is True  # type: ignore[attr-defined]
