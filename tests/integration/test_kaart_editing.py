"""Editing the sociale kaart on SQLite and a real PostgreSQL: checks, change log, audit, routing."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import delete, func, select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart import editing
from gpdesk.kaart.editing import (
    AreaInput,
    ContactInput,
    FeedbackAgreementInput,
    FixedContactInput,
    LocationInput,
    OrganizationInput,
    ScheduleRuleInput,
    ServiceInput,
    ServiceSave,
)
from gpdesk.kaart.routing import route
from gpdesk.kaart.schedule import AMSTERDAM
from gpdesk.kaart.store.queries import list_services, list_themes, service_detail
from gpdesk.models import (
    Attribute,
    AuditEntry,
    Contact,
    FixedContact,
    KaartChange,
    Organization,
    Service,
    ServiceKind,
    ServiceStatus,
    TaxonomyTerm,
)
from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn, sign_in
from gpdesk.security.permissions import PermissionDeniedError
from tests.conftest import FAST_KDF

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=AMSTERDAM)  # a Tuesday morning


@pytest.fixture
def demo(db: Database) -> Database:
    create_demo(db, kdf=FAST_KDF)
    with db.session() as session:  # the demo's own history; each test sees only its changes
        session.execute(delete(KaartChange))
    return db


@pytest.fixture
def smit(demo: Database) -> SignedIn:
    return sign_in(demo, "smit", DEMO_PASSWORD)


def _id(db: Database, model: type[Service] | type[Contact] | type[Organization], name: str) -> str:
    with db.session() as session:
        found = session.scalar(select(model.id).where(model.name == name))
    assert found is not None, name
    return found


def _changes(db: Database, **where: str) -> list[KaartChange]:
    with db.session() as session:
        query = select(KaartChange).where(KaartChange.batch_id.is_(None))
        for key, value in where.items():
            query = query.where(getattr(KaartChange, key) == value)
        rows = list(session.scalars(query.order_by(KaartChange.last_action_date)))
        session.expunge_all()
    return rows


def _kaart_audits(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.event.in_(("kaart.change", "kaart.assured")))
                .order_by(AuditEntry.seq)
            )
        )
        session.expunge_all()
    return rows


def _audit_ok(db: Database) -> None:
    with db.session() as session:
        assert audit.verify(session).ok


def _contact_input(db: Database, contact_id: str, **changes: str | None) -> ContactInput:
    with db.session() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        fields: dict[str, str | None] = {
            "name": contact.name or "",
            "title": contact.title or "",
            "department": contact.department or "",
            "email": contact.email or "",
            "phone": contact.phones[0].number if contact.phones else "",
            "deputy_contact_id": contact.deputy_contact_id,
        }
    fields.update(changes)
    return ContactInput(**fields)  # type: ignore[arg-type]


def _service_input(db: Database, service_id: str, **changes: object) -> ServiceInput:
    with db.session() as session:
        s = session.get(Service, service_id)
        assert s is not None
        fields: dict[str, object] = {
            "name": s.name,
            "organization_id": s.organization_id,
            "alternate_name": s.alternate_name or "",
            "description": s.description or "",
            "status": s.status,
            "kind": s.kind,
            "url": s.url or "",
            "email": s.email or "",
            "eligibility_description": s.eligibility_description or "",
            "minimum_age": s.minimum_age,
            "maximum_age": s.maximum_age,
            "fees_description": s.fees_description or "",
            "application_process": s.application_process or "",
            "alert": s.alert or "",
            "wait_time": s.wait_time or "",
            "municipal_contract": s.municipal_contract,
            "former_names": s.former_names or "",
        }
    fields.update(changes)
    return ServiceInput(**fields)  # type: ignore[arg-type]


# --- permission --------------------------------------------------------------------------------


def test_a_gp_may_not_edit_the_kaart(demo: Database) -> None:
    bakker = sign_in(demo, "bakker", DEMO_PASSWORD)
    fatma = _id(demo, Contact, "Fatma Kaya")
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with pytest.raises(PermissionDeniedError) as info, demo.session() as session:
        editing.update_contact(
            session, bakker, fatma, _contact_input(demo, fatma, phone="0101234567")
        )
    assert "sociale kaart bewerken" in info.value.message
    for attempt in (
        lambda s: editing.delete_contact(s, bakker, fatma),
        lambda s: editing.set_service_area(s, bakker, nieuwland, AreaInput("3118")),
        lambda s: editing.assure(s, bakker, "service", nieuwland),
        lambda s: editing.create_organization(s, bakker, OrganizationInput("Nieuw")),
    ):
        with pytest.raises(PermissionDeniedError), demo.session() as session:
            attempt(session)
    assert _changes(demo) == []
    assert _kaart_audits(demo) == []


# --- contacts ----------------------------------------------------------------------------------


def test_changing_a_contacts_phone_is_logged_audited_and_visible(
    demo: Database, smit: SignedIn
) -> None:
    fatma = _id(demo, Contact, "Fatma Kaya")
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with demo.session() as session:
        result = editing.update_contact(
            session, smit, fatma, _contact_input(demo, fatma, phone="010 123 45 67")
        )
    assert result.id == fatma and result.changes == 1 and result.warnings == ()
    [change] = _changes(demo, resource_type="phone")
    assert change.field_name == "number"
    assert change.previous_value == "010-001 11 97"
    assert change.replacement_value == "010-123 45 67"
    assert change.last_action_type == "update"
    assert change.updated_by == "R. Smit"
    assert change.batch_id is None
    [entry] = _kaart_audits(demo)
    assert entry.action == "U" and entry.username == "smit"
    assert entry.object_type == "kaart_contact" and entry.object_id == fatma
    _audit_ok(demo)
    with demo.session() as session:
        detail = service_detail(session, nieuwland, now=NOW)
        team = route(session, "3118AB", now=NOW).teams[0]
    [kaya] = [c for c in detail.contacts if c.name == "Fatma Kaya"]
    assert kaya.phone == "010-123 45 67"
    assert team.contact is not None and team.contact.name == "Fatma Kaya"


def test_saving_an_unchanged_contact_writes_nothing(demo: Database, smit: SignedIn) -> None:
    fatma = _id(demo, Contact, "Fatma Kaya")
    with demo.session() as session:
        result = editing.update_contact(
            session, smit, fatma, _contact_input(demo, fatma, phone="0100011197")
        )
    assert result.changes == 0
    assert _changes(demo) == []
    assert _kaart_audits(demo) == []


def test_contact_validation_is_dutch_and_per_field(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.create_contact(
            session,
            smit,
            nieuwland,
            ContactInput(name="  ", email="fatma@", phone="12345"),
        )
    problems = info.value.problems
    assert problems["naam"] == "Vul de naam van de contactpersoon in."
    assert problems["e-mail"].startswith("Dit e-mailadres klopt niet")
    assert "10 cijfers" in problems["telefoon"]
    assert _changes(demo) == []


def test_a_contact_cannot_be_their_own_deputy(demo: Database, smit: SignedIn) -> None:
    fatma = _id(demo, Contact, "Fatma Kaya")
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.update_contact(
            session, smit, fatma, _contact_input(demo, fatma, deputy_contact_id=fatma)
        )
    assert info.value.problems == {"vervanger": "Iemand kan niet zijn eigen vervanger zijn."}


def test_new_contact_with_deputy(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    jeroen = _id(demo, Contact, "Jeroen Visser")
    with demo.session() as session:
        result = editing.create_contact(
            session,
            smit,
            nieuwland,
            ContactInput(
                name="Sanne de Wit",
                title="wijkcoach",
                email="sanne.de.wit@voorbeeld-schiedam.nl",
                phone="06 1234 5678",
                deputy_contact_id=jeroen,
            ),
        )
    assert result.id is not None
    fields = {c.field_name: c.replacement_value for c in _changes(demo, resource_id=result.id)}
    assert fields["name"] == "Sanne de Wit"
    assert fields["deputy_contact_id"] == jeroen
    assert {c.last_action_type for c in _changes(demo, resource_id=result.id)} == {"create"}
    [phone] = _changes(demo, resource_type="phone", field_name="number")
    assert phone.replacement_value == "06-12345678"
    with demo.session() as session:
        detail = service_detail(session, nieuwland, now=NOW)
    [sanne] = [c for c in detail.contacts if c.name == "Sanne de Wit"]
    assert sanne.deputy is not None and sanne.deputy.name == "Jeroen Visser"
    assert sanne.phone == "06-12345678"
    _audit_ok(demo)


def test_fixed_contact_leaves_and_the_deputy_stands_in(demo: Database, smit: SignedIn) -> None:
    fatma = _id(demo, Contact, "Fatma Kaya")
    with demo.session() as session:
        result = editing.delete_contact(session, smit, fatma)
    text = " ".join(result.warnings)
    assert "Fatma Kaya was de vaste contactpersoon van de praktijk bij Wijkteam Nieuwland" in text
    assert "Jeroen Visser het aanspreekpunt" in text
    # She also stood in for the jeugd contact (Ilse van Dam): that gap is reported too.
    assert "vervanger van de vaste contactpersoon bij Wijkteam Nieuwland voor jeugd" in text
    with demo.session() as session:
        team = route(session, "3118AB", now=NOW).teams[0]
        assert session.get(Contact, fatma) is None
        general = session.scalar(
            select(FixedContact).where(
                FixedContact.service_id == team.id, FixedContact.taxonomy_term_id.is_(None)
            )
        )
        assert general is not None and general.contact_id is None  # the gap stays visible
    assert team.contact is not None and team.contact.name == "Jeroen Visser"
    assert team.contact.fixed
    deleted = _changes(demo, resource_id=fatma)
    assert {c.last_action_type for c in deleted} == {"delete"}
    fields = {c.field_name: c.previous_value for c in deleted}
    assert fields["name"] == "Fatma Kaya"
    assert fields["deputy_contact_id"] == _id(demo, Contact, "Jeroen Visser")
    assert _changes(demo, resource_type="fixed_contact")
    [entry] = _kaart_audits(demo)
    assert entry.action == "D"
    _audit_ok(demo)


def test_deleting_a_deputy_reports_whom_they_stood_in_for(demo: Database, smit: SignedIn) -> None:
    jeroen = _id(demo, Contact, "Jeroen Visser")
    fatma = _id(demo, Contact, "Fatma Kaya")
    with demo.session() as session:
        result = editing.delete_contact(session, smit, jeroen)
    assert any(
        "Jeroen Visser was de vervanger van Fatma Kaya (Wijkteam Nieuwland)" in w
        for w in result.warnings
    )
    assert any("vervanger van de vaste contactpersoon" in w for w in result.warnings)
    with demo.session() as session:
        kaya = session.get(Contact, fatma)
        assert kaya is not None and kaya.deputy_contact_id is None
    [cleared] = _changes(demo, resource_id=fatma)
    assert (cleared.field_name, cleared.previous_value) == ("deputy_contact_id", jeroen)


# --- services --------------------------------------------------------------------------------


def test_renaming_a_team_is_logged_per_field(demo: Database, smit: SignedIn) -> None:
    oost = _id(demo, Service, "Wijkteam Oost")
    with demo.session() as session:
        result = editing.update_service(
            session, smit, oost, _service_input(demo, oost, name="Wijkteam Oost-Kethel")
        )
    assert result.changes == 2
    changes = {c.field_name: c for c in _changes(demo, resource_id=oost)}
    assert (changes["name"].previous_value, changes["name"].replacement_value) == (
        "Wijkteam Oost",
        "Wijkteam Oost-Kethel",
    )
    # The old name stays findable: it joins the former names.
    assert changes["former_names"].replacement_value == "Wijkteam Oost"
    with demo.session() as session:
        assert route(session, "3113AB", now=NOW).teams[0].name == "Wijkteam Oost-Kethel"
        service = session.get(Service, oost)
        assert service is not None and service.last_modified is not None
        assert service.former_names == "Wijkteam Oost"
    # Renamed back: the current name is never a former one.
    with demo.session() as session:
        editing.update_service(
            session, smit, oost, _service_input(demo, oost, name="Wijkteam Oost")
        )
        service = session.get(Service, oost)
        assert service is not None and service.former_names == "Wijkteam Oost-Kethel"


def test_service_validation_collects_every_problem(demo: Database, smit: SignedIn) -> None:
    oost = _id(demo, Service, "Wijkteam Oost")
    bad = ServiceSave(
        service_id=oost,
        service=_service_input(
            demo,
            oost,
            name="",
            email="info(at)oost",
            url="ftp://oost.nl",
            minimum_age="achttien",
            maximum_age=130,
        ),
        phone="0101",
        area=AreaInput("3113, Kethel"),
        rules=(
            ScheduleRuleInput("ma", "09:00", "17:00"),
            ScheduleRuleInput("di", "11:00", "09:00", kind="inloop"),
        ),
        location=LocationInput(address_1="Broersvest 1", postal_code="3111 S", city=""),
        agreement=FeedbackAgreementInput(confirm_within_working_days=25),
    )
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.save_service(session, smit, bad)
    problems = info.value.problems
    assert problems["naam"] == "Vul de naam van de voorziening in."
    assert problems["e-mail"].startswith("Dit e-mailadres klopt niet")
    assert problems["website"].startswith("Dit webadres klopt niet")
    assert problems["minimumleeftijd"] == (
        "Vul de minimumleeftijd in als een heel getal, bijvoorbeeld 18."
    )
    assert problems["maximumleeftijd"] == "De maximumleeftijd ligt tussen 0 en 120 jaar."
    assert "10 cijfers" in problems["telefoon"]
    assert problems["werkgebied"].startswith("Het werkgebied is niet herkend")
    assert problems["tijden"] == "Regel 2: de eindtijd moet na de begintijd liggen."
    assert problems["postcode"].startswith("De postcode moet bestaan uit 4 cijfers en 2 letters")
    assert problems["plaats"] == "Vul de plaats in."
    assert problems["bevestiging_binnen"] == "Kies een termijn van 1 tot en met 20 werkdagen."
    assert _changes(demo) == [] and _kaart_audits(demo) == []


def test_minimum_age_above_maximum_is_refused(demo: Database, smit: SignedIn) -> None:
    oost = _id(demo, Service, "Wijkteam Oost")
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.update_service(
            session, smit, oost, _service_input(demo, oost, minimum_age="65", maximum_age="18")
        )
    assert info.value.problems == {
        "maximumleeftijd": "De maximumleeftijd mag niet lager zijn dan de minimumleeftijd."
    }


def test_new_organisation_and_service_in_one_save(demo: Database, smit: SignedIn) -> None:
    with demo.session() as session:
        org_id = editing.create_organization(
            session,
            smit,
            OrganizationInput(
                name="Buurtkracht Schiedam",
                email="info@buurtkracht.example.nl",
                website="www.buurtkracht.example.nl",
            ),
        )
        themes = {t.name: t.id for t in list_themes(session)}
    with demo.session() as session:
        org = session.get(Organization, org_id)
        assert org is not None and org.website == "https://www.buurtkracht.example.nl"
    save = ServiceSave(
        service=ServiceInput(
            name="Buurtkamer De Brug",
            organization_id=org_id,
            description="Koffie, contact en hulp bij formulieren.",
            minimum_age="18",
            email="brug@buurtkracht.example.nl",
        ),
        themes=(themes["eenzaamheid"], themes["sociaal netwerk"]),
        location=LocationInput(
            name="De Brug", address_1="Brugstraat 5", postal_code="3118ab", city="Schiedam"
        ),
        phone="0101234567",
        rules=(
            ScheduleRuleInput.from_text("ma-vr 09:00-12:00"),
            ScheduleRuleInput.from_text("di 13:30-15:30", kind="inloop", note="Zonder afspraak."),
        ),
        area=AreaInput("3118-3119", name="Nieuwland", wijk="Nieuwland"),
    )
    with demo.session() as session:
        result = editing.save_service(session, smit, save)
    assert result.id is not None
    with demo.session() as session:
        detail = service_detail(session, result.id, now=NOW)
    assert detail.organization == "Buurtkracht Schiedam"
    assert detail.minimum_age == 18
    assert [t.name for t in detail.themes] == ["eenzaamheid", "sociaal netwerk"]
    assert detail.locations[0].address == "Brugstraat 5, 3118 AB Schiedam"
    assert detail.phones[0].number == "010-123 45 67"
    assert set(detail.opening_hours) == {
        "maandag t/m vrijdag 09:00–12:00",
        "inloop: dinsdag 13:30–15:30",
    }
    assert detail.next_walk_in_label == "dinsdag 24 november 13:30–15:30"
    assert detail.areas[0].ranges_label == "3118–3119"
    assert detail.stale  # nobody checked it yet
    created = _changes(demo, resource_id=result.id)
    assert {c.last_action_type for c in created} == {"create"}
    assert {"name", "organization_id"} <= {c.field_name for c in created}
    audits = _kaart_audits(demo)
    assert [(a.action, a.object_type) for a in audits] == [
        ("C", "kaart_organization"),
        ("C", "kaart_service"),
    ]
    assert audits[1].object_id == result.id
    _audit_ok(demo)


def test_feedback_agreement_only_for_teams(demo: Database, smit: SignedIn) -> None:
    desk = _id(demo, Service, "Buurtcentrum De Schalm")
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.set_feedback_agreement(session, smit, desk, FeedbackAgreementInput(5))
    assert "alleen met een wijkteam" in info.value.message
    with demo.session() as session:
        editing.set_feedback_agreement(
            session,
            smit,
            nieuwland,
            FeedbackAgreementInput(
                2, letter_at_closure=True, channel="Zorgmail", notes="Bel bij spoed."
            ),
        )
    with demo.session() as session:
        agreement = service_detail(session, nieuwland, now=NOW).feedback_agreement
    assert agreement is not None
    assert agreement.confirm_within_working_days == 2
    assert agreement.channel == "Zorgmail"
    assert _changes(demo, resource_type="feedback_agreement")
    for bad in (0, 21, "twee"):
        with pytest.raises(ValidationError) as info, demo.session() as session:
            editing.set_feedback_agreement(session, smit, nieuwland, FeedbackAgreementInput(bad))
        assert info.value.problems["bevestiging_binnen"] == (
            "Kies een termijn van 1 tot en met 20 werkdagen."
        )


def test_fixed_contact_per_theme_with_deputy(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    rachid = _id(demo, Contact, "Rachid Bouzid")
    jeroen = _id(demo, Contact, "Jeroen Visser")
    with demo.session() as session:
        wonen = session.scalar(select(TaxonomyTerm.id).where(TaxonomyTerm.name == "wonen"))
    with demo.session() as session:
        editing.set_fixed_contact(
            session,
            smit,
            nieuwland,
            FixedContactInput(
                contact_id=rachid,
                theme_id=wonen,
                deputy_contact_id=jeroen,
                direct_line="010 123 45 99",
                local_note="Woonzaken",
            ),
        )
    with demo.session() as session:
        contact = route(session, "3118AB", theme_id=wonen, now=NOW).teams[0].contact
        fixed_count = session.scalar(
            select(func.count())
            .select_from(FixedContact)
            .where(FixedContact.service_id == nieuwland)
        )
    assert contact is not None and contact.name == "Rachid Bouzid"
    assert contact.theme == "wonen" and contact.phone == "010-123 45 99"
    assert contact.deputy is not None and contact.deputy.name == "Jeroen Visser"
    assert fixed_count == 4  # general, jeugd, geld and now wonen
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.set_fixed_contact(
            session,
            smit,
            nieuwland,
            FixedContactInput(contact_id=rachid, theme_id=wonen, deputy_contact_id=rachid),
        )
    assert info.value.problems["vaste_contactpersoon"] == (
        "De vervanger moet iemand anders zijn dan de vaste contactpersoon."
    )
    outsider = _id(demo, Contact, "Ellen Dekker")  # Sociale Plein, not Nieuwland
    with pytest.raises(ValidationError), demo.session() as session:
        editing.set_fixed_contact(session, smit, nieuwland, FixedContactInput(contact_id=outsider))


def test_closing_and_deleting_services(demo: Database, smit: SignedIn) -> None:
    name = "Wijkteam Woudhoek"
    woudhoek = _id(demo, Service, name)
    with demo.session() as session:
        editing.update_service(
            session, smit, woudhoek, _service_input(demo, woudhoek, status=ServiceStatus.DEFUNCT)
        )
    with demo.session() as session:
        assert route(session, "3121AB", now=NOW).fallback
        assert name not in {s.name for s in list_services(session)}
    with demo.session() as session:
        editing.delete_service(session, smit, woudhoek)
    with demo.session() as session:
        assert session.get(Service, woudhoek) is None
        assert not session.scalar(
            select(func.count()).select_from(Attribute).where(Attribute.link_id == woudhoek)
        )
    assert {
        c.field_name for c in _changes(demo, resource_id=woudhoek, last_action_type="delete")
    } >= {
        "name",
        "kind",
    }
    _audit_ok(demo)


def test_an_organisation_with_services_is_not_deleted(demo: Database, smit: SignedIn) -> None:
    org = _id(demo, Organization, "Stichting Wijkteams Schiedam")
    with pytest.raises(GpdeskError) as info, demo.session() as session:
        editing.delete_organization(session, smit, org)
    assert re.search(r"heeft nog \d+ voorzieningen", info.value.message)
    with demo.session() as session:
        empty = editing.create_organization(session, smit, OrganizationInput("Tijdelijk"))
    with demo.session() as session:
        editing.delete_organization(session, smit, empty)
    with demo.session() as session:
        assert session.get(Organization, empty) is None


# --- werkgebied --------------------------------------------------------------------------------


def test_shrinking_nieuwland_sends_3119_to_the_central_desk(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with demo.session() as session:
        result = editing.set_service_area(
            session, smit, nieuwland, AreaInput("3118", name="Nieuwland", wijk="Nieuwland")
        )
    assert result.warnings == ()
    with demo.session() as session:
        r3118 = route(session, "3118AB", now=NOW)
        r3119 = route(session, "3119AB", now=NOW)
        detail = service_detail(session, nieuwland, now=NOW)
    assert [t.name for t in r3118.teams] == ["Wijkteam Nieuwland"]
    assert r3119.fallback
    assert [t.name for t in r3119.teams] == ["Sociale Plein (Wmo-loket)"]
    assert detail.areas[0].ranges_label == "3118"
    assert detail.areas[0].wijk == "Nieuwland"
    [postcodes] = _changes(demo, field_name="postcodes")
    assert (postcodes.previous_value, postcodes.replacement_value) == ("3118-3119", "3118")
    _audit_ok(demo)


def test_overlapping_areas_are_allowed_with_a_warning(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with demo.session() as session:
        result = editing.set_service_area(session, smit, nieuwland, AreaInput("3117-3119"))
    assert any("Wijkteam Groenoord" in w for w in result.warnings)


def test_area_text_is_read_strictly(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.set_service_area(session, smit, nieuwland, AreaInput("3118 en Kethel"))
    assert info.value.problems["werkgebied"].startswith("Het werkgebied is niet herkend")
    with demo.session() as session:
        assert [t.name for t in route(session, "3119AB", now=NOW).teams] == ["Wijkteam Nieuwland"]


# --- hours ---------------------------------------------------------------------------------------


def test_walk_in_hours_move_to_tuesday(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with demo.session() as session:
        service = session.get(Service, nieuwland)
        assert service is not None
        opening = next(s for s in service.schedules if s.attending_type == "op afspraak")
        rows = (
            ScheduleRuleInput(
                "ma-vr",
                "08:30",
                "17:00",
                kind="op afspraak",
                note=opening.description or "",
                schedule_id=opening.id,
            ),
            ScheduleRuleInput.from_text("di 13:00-15:00", kind="inloop"),
        )
    with demo.session() as session:
        editing.set_schedules(session, smit, nieuwland, rows)
    with demo.session() as session:
        detail = service_detail(session, nieuwland, now=NOW)
        team = route(session, "3118AB", now=NOW).teams[0]
    assert set(detail.opening_hours) == {
        "maandag t/m vrijdag 08:30–17:00",
        "inloop: dinsdag 13:00–15:00",
    }
    assert team.next_walk_in_label == "dinsdag 24 november 13:00–15:00"
    deleted = _changes(demo, resource_type="schedule", last_action_type="delete")
    assert {c.field_name: c.previous_value for c in deleted}["byday"] == "TH"
    # The unchanged opening hours wrote nothing.
    assert not _changes(demo, resource_id=opening.id)


def test_hours_keep_rules_the_editor_cannot_show(demo: Database, smit: SignedIn) -> None:
    with demo.session() as session:
        monthly = session.scalar(
            select(Service).join(Service.schedules).where(Service.schedules.any(freq="MONTHLY"))
        )
        assert monthly is not None
        service_id = monthly.id
        kept = [
            ScheduleRuleInput("", "", "", keep=True, schedule_id=s.id)
            for s in monthly.schedules
            if s.freq == "MONTHLY"
        ]
        before = service_detail(session, service_id, now=NOW).opening_hours
    with demo.session() as session:
        editing.set_schedules(
            session, smit, service_id, [*kept, ScheduleRuleInput.from_text("za 10:00-12:00")]
        )
    with demo.session() as session:
        after = service_detail(session, service_id, now=NOW).opening_hours
    assert [line for line in before if "van de maand" in line] == [
        line for line in after if "van de maand" in line
    ]
    assert "zaterdag 10:00–12:00" in after


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ScheduleRuleInput("dins", "09:00", "11:00"), "Regel 1: 'dins' is geen dag."),
        (ScheduleRuleInput("di", "9 uur", "11:00"), "Regel 1: schrijf de begintijd als uren"),
        (ScheduleRuleInput("di", "11:00", "11:00"), "Regel 1: de eindtijd moet na de begintijd"),
        (ScheduleRuleInput("vr-ma", "09:00", "11:00"), "Regel 1: schrijf een reeks dagen"),
        (ScheduleRuleInput("di", "09:00", "11:00", kind="soms"), "Regel 1: kies als soort"),
    ],
)
def test_hours_validation(
    demo: Database, smit: SignedIn, row: ScheduleRuleInput, message: str
) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with pytest.raises(ValidationError) as info, demo.session() as session:
        editing.set_schedules(session, smit, nieuwland, [row])
    assert info.value.problems["tijden"].startswith(message)


# --- gecontroleerd ---------------------------------------------------------------------------


def test_assure_checks_permission_and_audits(demo: Database, smit: SignedIn) -> None:
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    with demo.session() as session:
        result = editing.assure(session, smit, "service", nieuwland, with_contacts=True)
    assert result.changes == 5  # the team and its four contacts
    with demo.session() as session:
        service = session.get(Service, nieuwland)
        assert service is not None and service.assured_by == "R. Smit"
        assert all(c.assured_by == "R. Smit" for c in service.contacts)
    assured = _changes(demo, last_action_type="assured")
    assert len(assured) == 5
    [entry] = _kaart_audits(demo)
    assert (entry.event, entry.detail) == ("kaart.assured", "gecontroleerd (5 items)")
    _audit_ok(demo)


def test_a_service_can_become_a_wijkteam_with_an_agreement(demo: Database, smit: SignedIn) -> None:
    """Kind and agreement in one save: the kind is applied before the agreement is checked."""
    desk = _id(demo, Service, "Buurtcentrum De Schalm")
    with demo.session() as session:
        editing.save_service(
            session,
            smit,
            ServiceSave(
                service_id=desk,
                service=_service_input(demo, desk, kind=ServiceKind.WIJKTEAM),
                agreement=FeedbackAgreementInput(5),
            ),
        )
    with demo.session() as session:
        detail = service_detail(session, desk, now=NOW)
    assert detail.kind is ServiceKind.WIJKTEAM
    assert detail.feedback_agreement is not None


# --- the digest after real edits -----------------------------------------------------------------


def test_digest_phrases_what_the_editor_did(demo: Database, smit: SignedIn) -> None:
    from gpdesk.kaart.changes.digest import recent_changes
    from gpdesk.models import utcnow

    since = utcnow()
    fatma = _id(demo, Contact, "Fatma Kaya")
    jeroen = _id(demo, Contact, "Jeroen Visser")
    oost = _id(demo, Service, "Wijkteam Oost")
    nieuwland = _id(demo, Service, "Wijkteam Nieuwland")
    org = _id(demo, Organization, "Stichting Wijkteams Schiedam")
    with demo.session() as session:
        editing.delete_contact(session, smit, fatma)
    with demo.session() as session:
        editing.update_contact(
            session, smit, jeroen, _contact_input(demo, jeroen, phone="010-123 45 67")
        )
    with demo.session() as session:
        editing.update_service(
            session, smit, oost, _service_input(demo, oost, name="Wijkteam Oost-Kethel")
        )
    with demo.session() as session:
        editing.set_service_area(session, smit, nieuwland, AreaInput("3118"))
    with demo.session() as session:
        editing.save_service(
            session,
            smit,
            ServiceSave(
                service=ServiceInput(name="Buurtkamer De Brug", organization_id=org),
                phone="0101234567",
                rules=(ScheduleRuleInput.from_text("di 13:30-15:30", kind="inloop"),),
            ),
        )
    with demo.session() as session:
        digest = recent_changes(session, since=since)
    assert [line.text for line in digest.lines] == [
        "Nieuw telefoonnummer voor Jeroen Visser (Wijkteam Nieuwland): 010-123 45 67",
        "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: Jeroen Visser",
        "Wijkteam Oost heet nu Wijkteam Oost-Kethel",
        "Nieuw: Buurtkamer De Brug (Stichting Wijkteams Schiedam)",
        "Werkgebied van Wijkteam Nieuwland is nu 3118",
    ]
    assert {line.by for line in digest.lines} == {"R. Smit"}
    assert digest.lines[0].service_id == nieuwland
    assert digest.stale_services > 0 and digest.nudge is not None


# --- the editor's forms ------------------------------------------------------------------------


def test_saving_every_demo_service_unchanged_changes_nothing(
    demo: Database, smit: SignedIn
) -> None:
    """Opening a dialog and pressing Opslaan must never rewrite what was there."""
    from gpdesk.kaart.editing.forms import kaart_rows, service_form

    with demo.session() as session:
        rows = kaart_rows(session)
        forms = [service_form(session, r.service_id) for r in rows if r.service_id]
    assert len(forms) >= 60
    for form in forms:
        with demo.session() as session:
            result = editing.save_service(
                session,
                smit,
                ServiceSave(
                    service_id=form.service_id,
                    service=form.service,
                    themes=form.themes,
                    location=form.location,
                    phone=form.phone,
                    rules=form.rules,
                    area=form.area,
                    fixed_contacts=form.fixed_contacts,
                    agreement=form.agreement,
                ),
            )
        assert result.changes == 0, (form.service.name, _changes(demo)[-1].field_name)
    for contact in forms[0].contacts:
        with demo.session() as session:
            assert (
                editing.update_contact(session, smit, contact.id, contact.as_input()).changes == 0
            )
    assert _kaart_audits(demo) == []


def test_the_list_shows_services_and_empty_organisations(demo: Database, smit: SignedIn) -> None:
    from gpdesk.kaart.editing.forms import form_choices, kaart_rows, service_form

    with demo.session() as session:
        editing.create_organization(session, smit, OrganizationInput("Nog leeg"))
    with demo.session() as session:
        rows = kaart_rows(session)
        choices = form_choices(session)
        nieuwland = next(r for r in rows if r.name == "Wijkteam Nieuwland")
        form = service_form(session, nieuwland.service_id or "")
    empty = next(r for r in rows if r.name == "Nog leeg")
    assert empty.service_id is None and empty.kind_label == "organisatie"
    assert nieuwland.contacts == 4 and nieuwland.kind_label == "wijkteam"
    assert nieuwland.status_label == "actief"
    assert any(r.stale for r in rows)
    assert form.area.postcodes == "3118-3119"
    assert [(r.days, r.opens, r.closes, r.kind) for r in form.rules] == [
        ("ma-vr", "08:30", "17:00", "op afspraak"),
        ("do", "09:00", "11:00", "inloop"),
    ]
    assert form.location.address_1 and form.location_shared_with
    kaya = next(c for c in form.contacts if c.name == "Fatma Kaya")
    assert kaya.deputy_name == "Jeroen Visser"
    assert "Fatma Kaya" in next(c for c in form.contacts if c.name == "Jeroen Visser").stands_in_for
    assert form.fixed_contacts[0].theme_id is None  # the general one first
    assert form.agreement is not None
    assert len(choices.themes) == 14
    assert any(c.services > 1 for c in choices.locations)
