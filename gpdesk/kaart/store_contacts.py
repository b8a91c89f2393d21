"""Who to call: the practice's fixed contacts and a service's own people as ``ContactRef``.

The list, the detail pane, routing and the CLI all pick a contact the same way, so these rules
live in one place: the fixed contact for the theme, else the general one, else the first named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.kaart_refs import ContactRef
from gpdesk.models import Contact, FixedContact, Service


def load_fixed_contacts(
    session: Session, service_ids: Iterable[str]
) -> dict[str, list[FixedContact]]:
    """The practice's fixed contacts per team, in one query (plus their people and phones)."""
    ids = list(service_ids)
    found: dict[str, list[FixedContact]] = defaultdict(list)
    if not ids:
        return found
    rows = session.scalars(
        select(FixedContact)
        .where(FixedContact.service_id.in_(ids))
        .options(
            selectinload(FixedContact.contact).selectinload(Contact.phones),
            selectinload(FixedContact.contact)
            .selectinload(Contact.deputy)
            .selectinload(Contact.phones),
            selectinload(FixedContact.deputy).selectinload(Contact.phones),
            selectinload(FixedContact.taxonomy_term),
        )
        .order_by(FixedContact.service_id, FixedContact.id)
    )
    for row in rows:
        found[row.service_id].append(row)
    return found


def _first_phone(contact: Contact) -> str | None:
    return contact.phones[0].number if contact.phones else None


def contact_ref(
    contact: Contact,
    today: date,
    *,
    months: int = DEFAULT_STALE_MONTHS,
    deputy: Contact | None = None,
    with_deputy: bool = True,
    phone: str | None = None,
    fixed: bool = False,
    theme: str | None = None,
    note: str | None = None,
) -> ContactRef:
    """A ContactRef of a loaded contact; the deputy is the given one or the contact's own."""
    stand_in = deputy if deputy is not None else contact.deputy if with_deputy else None
    return ContactRef(
        id=contact.id,
        name=contact.name or contact.title or "(naam onbekend)",
        title=contact.title,
        department=contact.department,
        email=contact.email,
        phone=phone or _first_phone(contact),
        deputy=(
            None
            if stand_in is None or stand_in.id == contact.id
            else contact_ref(stand_in, today, months=months, with_deputy=False)
        ),
        fixed=fixed,
        theme=theme,
        note=note,
        assured_date=contact.assured_date,
        assured_by=contact.assured_by,
        stale=is_stale(contact.assured_date, today, months),
    )


def fixed_contact_ref(
    fixed: FixedContact, today: date, *, months: int = DEFAULT_STALE_MONTHS
) -> ContactRef | None:
    """The fixed contact as a ContactRef; when the person left, the deputy stands in."""
    person = fixed.contact or fixed.deputy
    if person is None:
        return None
    deputy = fixed.deputy if fixed.contact is not None else None
    return contact_ref(
        person,
        today,
        months=months,
        deputy=deputy,
        with_deputy=deputy is None and fixed.contact is not None,
        phone=fixed.direct_line,
        fixed=True,
        theme=None if fixed.taxonomy_term is None else fixed.taxonomy_term.name,
        note=fixed.local_note,
    )


def primary_contacts(service: Service) -> list[Contact]:
    """The service's contacts minus those who are only someone else's deputy, by name."""
    deputies = {c.deputy_contact_id for c in service.contacts if c.deputy_contact_id}
    primary = [c for c in service.contacts if c.id not in deputies]
    return primary or list(service.contacts)


def best_contact(
    service: Service,
    fixed: Sequence[FixedContact],
    today: date,
    *,
    theme_id: str | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> ContactRef | None:
    """Who to call: the fixed contact for the theme, else the general fixed one, else the first."""
    ordered = sorted(
        (f for f in fixed if f.taxonomy_term_id in (theme_id, None)),
        key=lambda f: (f.taxonomy_term_id is None, f.id),
    )
    for candidate in ordered:
        ref = fixed_contact_ref(candidate, today, months=months)
        if ref is not None:
            return ref
    first = primary_contacts(service)
    return contact_ref(first[0], today, months=months) if first else None
