"""Who to call: the practice's fixed contacts and a service's own people as ``ContactRef``.

The list, the detail pane, routing and the CLI all pick a contact the same way, so these rules
live in one place: the fixed contact for the theme, else the general one, else the first named.
Someone who left (``Contact.departed_on``) is kept on the kaart but never the one to call: their
deputy is called instead, and says whom they stand in for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.store.refs import ContactRef
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


def present(contact: Contact | None) -> Contact | None:
    """The contact, unless they left (or there is none)."""
    return contact if contact is not None and contact.departed_on is None else None


def stand_in_for(contact: Contact) -> Contact | None:
    """Who takes over from a contact who left: their deputy, if still there."""
    deputy = contact.deputy
    return present(deputy) if deputy is not None and deputy.id != contact.id else None


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
    stands_in_for: str | None = None,
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
        departed_on=contact.departed_on,
        stands_in_for=stands_in_for,
    )


def fixed_contact_ref(
    fixed: FixedContact, today: date, *, months: int = DEFAULT_STALE_MONTHS
) -> ContactRef | None:
    """The fixed contact as a ContactRef; when the person left, the deputy stands in.

    A fixed contact who left but is still named (marked "vertrokken" rather than taken off)
    hands over to the row's deputy, else to their own deputy; with nobody to hand over to, the
    leaver comes back marked as departed, so the screen can say a new one must be chosen.
    """
    theme = None if fixed.taxonomy_term is None else fixed.taxonomy_term.name
    leaver = fixed.contact if fixed.contact is not None and fixed.contact.departed_on else None
    if leaver is not None:
        stand_in = present(fixed.deputy) or stand_in_for(leaver)
        if stand_in is None:
            return contact_ref(
                leaver, today, months=months, with_deputy=False, fixed=True, theme=theme
            )
        return contact_ref(
            stand_in,
            today,
            months=months,
            with_deputy=False,
            fixed=True,
            theme=theme,
            note=fixed.local_note,
            stands_in_for=leaver.name,
        )
    person = fixed.contact or fixed.deputy
    if person is None:
        return None
    deputy = present(fixed.deputy) if fixed.contact is not None else None
    return contact_ref(
        person,
        today,
        months=months,
        deputy=deputy,
        with_deputy=deputy is None and fixed.contact is not None,
        # The direct line was the agreed person's; a deputy standing in has their own number.
        phone=fixed.direct_line if fixed.contact is not None else None,
        fixed=True,
        theme=theme,
        note=fixed.local_note,
    )


def primary_contacts(service: Service) -> list[Contact]:
    """The service's contacts minus those who are only someone else's deputy, by name.

    Those who left come last: they are shown struck through, with who took over.
    """
    deputies = {c.deputy_contact_id for c in service.contacts if c.deputy_contact_id}
    primary = [c for c in service.contacts if c.id not in deputies] or list(service.contacts)
    return sorted(primary, key=lambda c: c.departed_on is not None)


def reachable_contact(
    service: Service, today: date, *, months: int = DEFAULT_STALE_MONTHS
) -> ContactRef | None:
    """The service's own person to call: the first who is still there, else a leaver's deputy."""
    first = primary_contacts(service)
    for contact in first:
        if contact.departed_on is None:
            return contact_ref(contact, today, months=months)
    for contact in first:
        stand_in = stand_in_for(contact)
        if stand_in is not None:
            return contact_ref(
                stand_in, today, months=months, with_deputy=False, stands_in_for=contact.name
            )
    return None


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
        if ref is not None and not ref.departed:
            return ref
    return reachable_contact(service, today, months=months)
