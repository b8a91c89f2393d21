"""One Opslaan of the service dialog on SQLite and PostgreSQL: contacts and service together.

The dialog's contact changes (``ContactChanges``) and its ``ServiceSave`` are written in one
transaction through the core, or not at all.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.errors import ValidationError
from gpdesk.kaart.editing import ContactInput, ServiceSave
from gpdesk.kaart.editing.forms import empty_service_form, service_form
from gpdesk.models import AuditEntry, Contact, FixedContact, KaartChange, Service
from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
from gpdesk.security.accounts import SignedIn, sign_in
from gpdesk.ui.beheer.kaart.contact_changes import ContactChanges, save_service_with_contacts
from tests.conftest import FAST_KDF


@pytest.fixture
def smit(db: Database) -> SignedIn:
    create_demo(db, kdf=FAST_KDF)
    return sign_in(db, "smit", DEMO_PASSWORD)


def _nieuwland(db: Database) -> str:
    with db.session() as session:
        found = session.scalar(select(Service.id).where(Service.name == "Wijkteam Nieuwland"))
    assert found is not None
    return found


def _save_of(db: Database, service_id: str) -> tuple[ServiceSave, ContactChanges]:
    with db.session() as session:
        form = service_form(session, service_id)
    save = ServiceSave(
        service_id=service_id,
        service=form.service,
        fixed_contacts=form.fixed_contacts,
    )
    return save, ContactChanges.of(form.contacts)


def _names(db: Database, service_id: str) -> dict[str, Contact]:
    with db.session() as session:
        rows = {
            c.name or "": c
            for c in session.scalars(select(Contact).where(Contact.service_id == service_id))
        }
        session.expunge_all()
    return rows


def _count(db: Database, model: type[AuditEntry] | type[KaartChange]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_new_contacts_deputies_and_a_leaver_in_one_save(db: Database, smit: SignedIn) -> None:
    service_id = _nieuwland(db)
    save, changes = _save_of(db, service_id)
    fatma = next(r for r in changes.rows if r.name == "Fatma Kaya")
    # Two new colleagues who stand in for each other: created, then linked.
    anna = changes.put(None, ContactInput(name="Anna Bos", phone="06 1234 5678"))
    bert = changes.put(None, ContactInput(name="Bert Kok", deputy_contact_id=anna))
    changes.put(anna, ContactInput(name="Anna Bos", phone="06-12345678", deputy_contact_id=bert))
    # Fatma leaves; Anna becomes the practice's vaste contactpersoon instead.
    fixed, warnings = changes.leave(
        fatma.id, save.fixed_contacts or (), team="Wijkteam Nieuwland", themes={}
    )
    assert any("Jeroen Visser het aanspreekpunt" in w for w in warnings)
    fixed = [replace(f, contact_id=anna) if f.theme_id is None else f for f in fixed]
    with db.session() as session:
        result = save_service_with_contacts(
            session, smit, replace(save, fixed_contacts=tuple(fixed)), changes
        )
    assert result.service_id == service_id and result.changes > 0
    people = _names(db, service_id)
    # Fatma is kept, marked as left, with Jeroen still her stand-in.
    assert people["Fatma Kaya"].departed_on is not None
    assert people["Fatma Kaya"].deputy_contact_id == people["Jeroen Visser"].id
    assert people["Anna Bos"].deputy_contact_id == people["Bert Kok"].id
    assert people["Bert Kok"].deputy_contact_id == people["Anna Bos"].id
    with db.session() as session:
        general = session.scalar(
            select(FixedContact).where(
                FixedContact.service_id == service_id, FixedContact.taxonomy_term_id.is_(None)
            )
        )
        assert general is not None and general.contact_id == people["Anna Bos"].id
        gone = session.scalars(
            select(KaartChange).where(
                KaartChange.resource_id == fatma.id, KaartChange.field_name == "departed_on"
            )
        ).all()
        assert [g.previous_value for g in gone] == [""] and gone[0].replacement_value
        assert not session.scalars(
            select(KaartChange).where(KaartChange.last_action_type == "delete")
        ).all()


def test_a_refused_service_saves_no_contact_either(db: Database, smit: SignedIn) -> None:
    service_id = _nieuwland(db)
    save, changes = _save_of(db, service_id)
    changes.put(None, ContactInput(name="Anna Bos"))
    audits, history = _count(db, AuditEntry), _count(db, KaartChange)
    bad = replace(save, service=replace(save.service, email="info(at)nieuwland"))
    with pytest.raises(ValidationError) as refused, db.session() as session:
        save_service_with_contacts(session, smit, bad, changes)
    assert "e-mail" in refused.value.problems
    assert "Anna Bos" not in _names(db, service_id)
    assert (_count(db, AuditEntry), _count(db, KaartChange)) == (audits, history)


def test_a_contact_problem_is_reported_on_the_contacts_tab(db: Database, smit: SignedIn) -> None:
    service_id = _nieuwland(db)
    save, changes = _save_of(db, service_id)
    jeroen = next(r for r in changes.rows if r.name == "Jeroen Visser")
    # A deputy the core refuses (removed meanwhile on another workstation, say).
    changes.updated[jeroen.id] = replace(jeroen.as_input(), deputy_contact_id="bestaat-niet")
    with pytest.raises(ValidationError) as refused, db.session() as session:
        save_service_with_contacts(session, smit, save, changes)
    assert set(refused.value.problems) == {"contactpersonen"}
    assert refused.value.problems["contactpersonen"].startswith("Jeroen Visser: ")


def test_a_new_service_with_its_contacts(db: Database, smit: SignedIn) -> None:
    with db.session() as session:
        organization_id = session.scalar(
            select(Service.organization_id).where(Service.name == "Wijkteam Nieuwland")
        )
    assert organization_id is not None
    form = empty_service_form(organization_id)
    changes = ContactChanges.of(form.contacts)
    changes.put(None, ContactInput(name="Anna Bos"))
    save = ServiceSave(service=replace(form.service, name="Buurtteam Test"))
    with db.session() as session:
        result = save_service_with_contacts(session, smit, save, changes)
    assert result.service_id is not None
    assert set(_names(db, result.service_id)) == {"Anna Bos"}
