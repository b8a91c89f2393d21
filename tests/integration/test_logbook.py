"""The Logboek's readable lines on SQLite and a real PostgreSQL: names of staff and kaart items."""

from __future__ import annotations

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.kaart import editing
from gpdesk.models import Contact, Service
from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
from gpdesk.practice.logbook import logbook_page
from gpdesk.roles import Role
from gpdesk.security.accounts import sign_in
from gpdesk.security.audit import AuditFilter
from gpdesk.security.permissions import Permission
from gpdesk.security.users import add_user, reset_password, set_active, set_permission
from tests.conftest import FAST_KDF


def test_lines_name_the_people_and_kaart_items(db: Database) -> None:
    create_demo(db, kdf=FAST_KDF)
    smit = sign_in(db, "smit", DEMO_PASSWORD)
    add_user(db, smit, username="dekker", display_name="P. Dekker", role=Role.GP, kdf=FAST_KDF)
    set_active(db, smit, "dekker", active=False)
    reset_password(db, smit, "jansen")
    set_permission(db, smit, Role.ASSISTANT, Permission.AUDIT_READ, allowed=True)
    with db.session() as session:
        service = session.scalar(select(Service).where(Service.name == "Wijkteam Nieuwland"))
        assert service is not None
        contact_id = session.scalar(
            select(Contact.id).where(Contact.name == "Fatma Kaya", Contact.service_id == service.id)
        )
        assert contact_id is not None
        editing.assure(session, smit, "service", service.id)
    with db.session() as session:
        editing.delete_contact(session, smit, contact_id)  # gone: its name comes from history

    with db.session() as session:
        lines = logbook_page(session, AuditFilter(), limit=8)
    whats = [line.what for line in lines]
    assert whats[:7] == [
        "sociale kaart: contactpersoon Fatma Kaya verwijderd",
        "sociale kaart gecontroleerd: voorziening Wijkteam Nieuwland",
        "rechten gewijzigd: doktersassistent mag nu logboek inzien en exporteren",
        "wachtwoord opnieuw ingesteld voor M. Jansen",
        "account uitgeschakeld: P. Dekker (huisarts)",
        "gebruiker toegevoegd: P. Dekker (huisarts)",
        "aangemeld",
    ]
    assert {line.who for line in lines[:7]} == {"R. Smit"}

    with db.session() as session:
        mine = logbook_page(session, AuditFilter(username="smit"), limit=500)
    assert all(line.record.username == "smit" for line in mine)
