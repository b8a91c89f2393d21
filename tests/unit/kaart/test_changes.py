"""The "Wat is er veranderd" digest: plain Dutch lines from KaartChange rows, whoever wrote them.

Runs on an in-memory SQLite with the tables only (no migrations, no practice): the phrasing is
what is under test here; tests/integration/test_kaart_editing.py checks it after real edits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session

from gpdesk.kaart.changes.digest import ChangeKind, Digest, DigestLine, recent_changes
from gpdesk.models import (
    Address,
    Base,
    Contact,
    FeedbackAgreement,
    FixedContact,
    KaartChange,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAreaPostcode,
    ServiceAtLocation,
    ServiceKind,
)

TODAY = date(2026, 11, 24)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
T0 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    event.listen(engine, "connect", lambda conn, _rec: conn.execute("PRAGMA foreign_keys=ON"))
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add(Organization(id="org", name="Stichting Wijkteams Schiedam"))
        s.add_all(
            [
                Service(
                    id="nieuwland",
                    organization_id="org",
                    name="Wijkteam Nieuwland",
                    kind=ServiceKind.WIJKTEAM,
                    assured_date=TODAY,
                ),
                Service(
                    id="oost",
                    organization_id="org",
                    name="Wijkteam Oost-Kethel",
                    kind=ServiceKind.WIJKTEAM,
                    assured_date=date(2025, 1, 1),
                ),
            ]
        )
        s.flush()
        s.add_all(
            [
                Contact(
                    id="jeroen", service_id="nieuwland", name="Jeroen Visser", assured_date=TODAY
                ),
                Contact(id="ilse", service_id="nieuwland", name="Ilse van Dam"),
                Phone(id="ph-jeroen", contact_id="jeroen", number="010-001 12 68"),
                Phone(id="ph-oost", service_id="oost", number="010-222 33 44"),
                Schedule(
                    id="sch-oost",
                    service_id="oost",
                    freq="WEEKLY",
                    byday="MO",
                    opens_at=time(13),
                    closes_at=time(15),
                    attending_type="inloop",
                ),
                ServiceArea(id="area-n", service_id="nieuwland", name="Nieuwland"),
                Location(id="loc", name="Wijkcentrum"),
                FeedbackAgreement(id="fa-n", service_id="nieuwland", confirm_within_working_days=3),
            ]
        )
        s.flush()
        s.add_all(
            [
                ServiceAreaPostcode(service_area_id="area-n", pc4_from=3118, pc4_to=3118),
                Address(
                    id="adr",
                    location_id="loc",
                    address_1="Nieuwlandplein 1",
                    postal_code="3118AB",
                    city="Schiedam",
                ),
                ServiceAtLocation(id="sal", service_id="nieuwland", location_id="loc"),
                FixedContact(
                    id="fixed-n",
                    service_id="nieuwland",
                    contact_id=None,
                    deputy_contact_id="jeroen",
                ),
            ]
        )
        s.flush()
        yield s
    engine.dispose()


def change(
    session: Session,
    resource_type: str,
    resource_id: str,
    action: str,
    field: str = "",
    old: str = "",
    new: str = "",
    *,
    at: datetime = T0,
    by: str = "R. Smit",
    batch: str | None = None,
) -> None:
    session.add(
        KaartChange(
            resource_type=resource_type,
            resource_id=resource_id,
            last_action_type=action,
            field_name=field,
            previous_value=old,
            replacement_value=new,
            last_action_date=at,
            updated_by=by,
            batch_id=batch,
        )
    )
    session.flush()


def digest(session: Session, **kwargs: object) -> Digest:
    return recent_changes(session, since=SINCE, today=TODAY, **kwargs)  # type: ignore[arg-type]


def texts(result: Digest) -> list[str]:
    return [line.text for line in result.lines]


def test_a_contact_who_left_names_the_deputy(session: Session) -> None:
    for field, value in (
        ("name", "Fatma Kaya"),
        ("service_id", "nieuwland"),
        ("deputy_contact_id", "jeroen"),
        ("phone", "010-001 11 97"),
    ):
        change(session, "contact", "fatma", "delete", field, value)
    change(session, "phone", "ph-fatma", "delete", "contact_id", "fatma")
    change(session, "phone", "ph-fatma", "delete", "number", "010-001 11 97")
    change(session, "fixed_contact", "fixed-n", "update", "contact_id", "fatma", "")
    result = digest(session)
    assert texts(result) == [
        "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: Jeroen Visser"
    ]
    [line] = result.lines
    assert line.kind is ChangeKind.CONTACT
    assert line.service_id == "nieuwland"
    assert line.by == "R. Smit"
    assert line.meta == "10 november · R. Smit"


def test_a_contact_who_left_without_deputy(session: Session) -> None:
    change(session, "contact", "fatma", "delete", "name", "Fatma Kaya")
    change(session, "contact", "fatma", "delete", "service_id", "nieuwland")
    assert texts(digest(session)) == [
        "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — nog geen vervanger bekend"
    ]


def test_new_phone_number_for_a_contact_and_for_a_team(session: Session) -> None:
    change(session, "phone", "ph-jeroen", "update", "number", "010-001 12 68", "010-123 45 67")
    change(session, "phone", "ph-oost", "update", "number", "010-111", "010-222 33 44")
    assert texts(digest(session)) == [
        "Nieuw telefoonnummer voor Jeroen Visser (Wijkteam Nieuwland): 010-001 12 68",
        "Nieuw telefoonnummer voor Wijkteam Oost-Kethel: 010-222 33 44",
    ]


def test_renamed_team_new_and_closed_services(session: Session) -> None:
    change(session, "service", "oost", "update", "name", "Wijkteam Oost", "Wijkteam Oost-Kethel")
    change(session, "service", "nieuwland", "create", "name", "", "Wijkteam Nieuwland")
    change(session, "service", "gone", "delete", "name", "Buurtkamer De Brug")
    result = digest(session)
    assert texts(result) == [
        "Wijkteam Oost heet nu Wijkteam Oost-Kethel",
        "Opgeheven: Buurtkamer De Brug",
        "Nieuw: Wijkteam Nieuwland (Stichting Wijkteams Schiedam)",
    ]
    assert [line.kind for line in result.lines] == [
        ChangeKind.RENAMED,
        ChangeKind.REMOVED,
        ChangeKind.NEW,
    ]
    assert result.lines[1].service_id is None  # nothing left to open


def test_named_contacts_come_first_then_newest(session: Session) -> None:
    change(session, "service", "oost", "update", "name", "Oost", "Wijkteam Oost-Kethel", at=T0)
    change(
        session, "contact", "ilse", "update", "deputy_contact_id", "", "jeroen",
        at=T0 - timedelta(days=5),
    )  # fmt: skip
    change(
        session, "contact", "jeroen", "update", "email", "", "j.visser@voorbeeld.nl",
        at=T0 + timedelta(days=1),
    )  # fmt: skip
    assert texts(digest(session)) == [
        "Nieuw e-mailadres voor Jeroen Visser (Wijkteam Nieuwland): j.visser@voorbeeld.nl",
        "Nieuwe vervanger voor Ilse van Dam (Wijkteam Nieuwland): Jeroen Visser",
        "Oost heet nu Wijkteam Oost-Kethel",
    ]


def test_a_replaced_contact(session: Session) -> None:
    change(
        session, "contact", "ilse", "update", "name", "Joost Blom", "Ilse van Dam", by="S. Visser"
    )
    [line] = digest(session).lines
    assert (
        line.text == "Contactpersoon Joost Blom (Wijkteam Nieuwland) is vervangen door Ilse van Dam"
    )
    assert line.by == "S. Visser"


def test_changes_by_an_import_batch_say_so(session: Session) -> None:
    change(session, "service", "oost", "update", "name", "Wijkteam Oost", "Wijkteam Oost-Kethel",
           by="R. Smit", batch="b1")  # fmt: skip
    change(session, "contact", "new-one", "create", "name", "", "Sanne de Wit", batch="b2", by="")
    change(session, "contact", "new-one", "create", "service_id", "", "oost", batch="b2", by="")
    result = digest(session)
    assert [(line.text, line.by) for line in result.lines] == [
        ("Nieuwe contactpersoon bij Wijkteam Oost-Kethel: Sanne de Wit", "import"),
        ("Wijkteam Oost heet nu Wijkteam Oost-Kethel", "R. Smit (import)"),
    ]
    assert result.lines[1].batch_id == "b1"


def test_rows_as_an_import_writes_them(session: Session) -> None:
    """Imports log a created item as one bare row and a removed one field by field."""
    change(session, "kaart_batch", "b", "import", "", "", '{"file": "kaart.zip"}', batch="b")
    change(session, "contact", "ilse", "create", batch="b")
    change(session, "contact", "gone", "delete", "name", "Fatma Kaya", batch="b")
    change(session, "contact", "gone", "delete", "service_id", "nieuwland", batch="b")
    change(session, "contact", "gone", "delete", "", '{"id": "gone"}', batch="b")
    assert texts(digest(session)) == [
        "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — nog geen vervanger bekend",
        "Nieuwe contactpersoon bij Wijkteam Nieuwland: Ilse van Dam",
    ]


def test_a_new_service_hides_its_own_details(session: Session) -> None:
    change(session, "service", "oost", "create", "name", "", "Wijkteam Oost-Kethel", batch="b")
    change(session, "phone", "ph-oost", "create", "number", "", "010-222 33 44", batch="b")
    change(session, "schedule", "sch-oost", "create", "byday", "", "MO", batch="b")
    change(session, "contact", "c9", "create", "service_id", "", "oost", batch="b")
    assert texts(digest(session)) == ["Nieuw: Wijkteam Oost-Kethel (Stichting Wijkteams Schiedam)"]


def test_hours_area_and_address_are_one_line_per_service(session: Session) -> None:
    change(session, "schedule", "sch-oost", "update", "byday", "WE", "MO")
    change(session, "schedule", "old", "delete", "service_id", "oost")
    change(session, "schedule", "oost", "update", "byday", "WE", "MO")  # as the demo logs it
    change(session, "service_area", "area-n", "update", "postcodes", "3118-3119", "3118")
    change(session, "address", "adr", "update", "address_1", "Plein 2", "Nieuwlandplein 1")
    result = digest(session)
    assert sorted(texts(result)) == [
        "Nieuw adres voor Wijkteam Nieuwland: Nieuwlandplein 1, 3118 AB Schiedam",
        "Nieuwe tijden voor Wijkteam Oost-Kethel: inloop: maandag 13:00–15:00",
        "Werkgebied van Wijkteam Nieuwland is nu 3118",
    ]


def test_the_practices_own_layer(session: Session) -> None:
    change(session, "fixed_contact", "fixed-n", "update", "deputy_contact_id", "", "jeroen")
    change(session, "feedback_agreement", "fa-n", "update", "confirm_within_working_days", "5", "3")
    assert texts(digest(session)) == [
        "Vaste contactpersoon van de praktijk bij Wijkteam Nieuwland: Jeroen Visser",
        "Terugkoppelafspraak met Wijkteam Nieuwland: bevestiging binnen 3 werkdagen, "
        "brief bij afsluiting",
    ]


def test_status_and_other_fields(session: Session) -> None:
    change(session, "service", "oost", "update", "status", "active", "temporarily closed")
    change(session, "service", "nieuwland", "update", "status", "active", "defunct")
    change(session, "service", "nieuwland", "update", "description", "a", "b", at=T0 - timedelta(1))
    change(session, "service", "nieuwland", "update", "minimum_age", "", "18", at=T0 - timedelta(1))
    assert texts(digest(session)) == [
        "Opgeheven: Wijkteam Nieuwland",
        "Wijkteam Oost-Kethel is tijdelijk gesloten",
        "Gegevens van Wijkteam Nieuwland bijgewerkt: beschrijving, leeftijd",
    ]


def test_a_change_undone_in_the_period_is_not_shown(session: Session) -> None:
    change(session, "service", "oost", "update", "name", "Wijkteam Oost-Kethel", "Oost", at=T0)
    change(
        session, "service", "oost", "update", "name", "Oost", "Wijkteam Oost-Kethel",
        at=T0 + timedelta(hours=1),
    )  # fmt: skip
    assert texts(digest(session)) == []


def test_older_changes_and_checks_are_left_out_unless_asked(session: Session) -> None:
    change(session, "service", "oost", "update", "name", "A", "B", at=SINCE - timedelta(days=1))
    change(session, "service", "nieuwland", "assured", "assured_date", "", "2026-11-10")
    change(session, "contact", "jeroen", "assured", "assured_date", "", "2026-11-10")
    result = digest(session)
    assert result.lines == ()
    assert result.empty_text == "Geen wijzigingen in de sociale kaart sinds 1 november."
    checks = digest(session, kinds={ChangeKind.ASSURED})
    assert texts(checks) == ["Wijkteam Nieuwland gecontroleerd"]  # the contact goes with it


def test_unknown_kinds_of_change_are_summed_up(session: Session) -> None:
    for i in range(3):
        change(session, "language", f"lang{i}", "create", "name", "", "Arabisch", batch="b")
    assert texts(digest(session)) == ["3 andere wijzigingen in de sociale kaart"]


def test_limit_and_kinds(session: Session) -> None:
    for i in range(5):
        change(session, "organization", f"o{i}", "create", "name", "", f"Org {i}",
               at=T0 + timedelta(minutes=i))  # fmt: skip
    result = digest(session, limit=2)
    assert texts(result) == ["Nieuwe organisatie: Org 4", "Nieuwe organisatie: Org 3"]
    assert result.more == 3
    assert digest(session, kinds={ChangeKind.CONTACT}).lines == ()


def test_the_nudge_counts_what_is_verouderd(session: Session) -> None:
    result = digest(session)
    # Oost was checked in January 2025; Ilse van Dam never; Jeroen and Nieuwland today.
    assert (result.stale_services, result.stale_contacts) == (1, 1)
    assert result.nudge == (
        "1 voorziening en 1 contactpersoon zijn langer dan 6 maanden niet gecontroleerd."
    )
    assert Digest(since=SINCE, lines=()).nudge is None
    assert Digest(since=SINCE, lines=(), stale_services=1).nudge == (
        "1 voorziening is langer dan 6 maanden niet gecontroleerd."
    )


def test_line_labels_are_dutch_local_time() -> None:
    late = DigestLine(
        ChangeKind.NEW, "Nieuw: X", datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "R. Smit"
    )
    assert late.date_label == "1 december"  # 00:30 in Amsterdam
    assert Digest(since=SINCE, lines=()).since_label == "sinds 1 november"


def test_a_naive_since_is_refused(session: Session) -> None:
    with pytest.raises(ValueError, match="naive"):
        recent_changes(session, since=datetime(2026, 11, 1))


def test_the_number_of_queries_does_not_grow_with_the_changes(session: Session) -> None:
    def queries() -> int:
        statements: list[str] = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            digest(session)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    def add(count: int, start: int) -> None:
        for i in range(start, start + count):
            change(session, "phone", "ph-jeroen", "update", "number", "1", f"2{i}")
            change(session, "contact", f"c{i}", "delete", "name", f"Persoon {i}")
            change(session, "contact", f"c{i}", "delete", "service_id", "nieuwland")
            change(session, "address", "adr", "update", "city", "A", f"B{i}")
            change(session, "schedule", "sch-oost", "update", "byday", "WE", f"MO{i}")

    add(1, 0)
    few = queries()
    add(20, 1)
    assert queries() == few


def test_closing_says_why_and_a_leaver_marked_departed_names_the_deputy(session: Session) -> None:
    change(session, "service", "oost", "update", "status", "active", "temporarily closed")
    change(session, "service", "oost", "update", "alert", "", "Dicht tot 1 april.")
    session.add(  # kept on the kaart, struck through, with the deputy who took over
        Contact(
            id="fatma",
            service_id="nieuwland",
            name="Fatma Kaya",
            deputy_contact_id="jeroen",
            departed_on=date(2026, 11, 20),
        )
    )
    change(session, "contact", "fatma", "update", "departed_on", "", "2026-11-20")
    change(session, "fixed_contact", "fixed-n", "update", "contact_id", "fatma", "")
    assert texts(digest(session)) == [
        "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: Jeroen Visser",
        "Wijkteam Oost-Kethel is tijdelijk gesloten: Dicht tot 1 april.",
    ]


def test_a_rename_does_not_also_report_the_former_names(session: Session) -> None:
    change(session, "service", "oost", "update", "name", "Wijkteam Oost", "Wijkteam Oost-Kethel")
    change(session, "service", "oost", "update", "former_names", "", "Wijkteam Oost")
    change(session, "service", "oost", "update", "wait_time", "", "2 weken")
    assert texts(digest(session)) == [
        "Wijkteam Oost heet nu Wijkteam Oost-Kethel",
        "Gegevens van Wijkteam Oost-Kethel bijgewerkt: wachttijd",
    ]
