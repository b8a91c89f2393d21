"""Editing the people on the kaart: contacts, deputies, fixed contacts and feedback agreements.

GPs want fixed, named contacts; a contact who leaves leaves a gap. So a contact who leaves is
marked "vertrokken" (``mark_departed``) rather than deleted: the kaart keeps the name, struck
through, with the deputy who takes over. Marking (or deleting, ``delete_contact``) reports every
place the person stood in (deputy of a colleague, the practice's vaste contactpersoon) and lets
the practice's fixed contact fall back to the deputy instead of silently disappearing.
Use the public names through ``gpdesk.kaart.editing``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from gpdesk.errors import ValidationError
from gpdesk.kaart.editing import checks
from gpdesk.kaart.editing.checks import Problems
from gpdesk.kaart.editing.edit_log import CREATE, DELETE, EditLog, EditResult, not_found
from gpdesk.kaart.store.queries import local_today
from gpdesk.models import (
    Contact,
    FeedbackAgreement,
    FixedContact,
    Phone,
    Service,
    ServiceKind,
    TaxonomyTerm,
)
from gpdesk.security.accounts import SignedIn

SIGNAL_KINDS = frozenset({ServiceKind.WIJKTEAM, ServiceKind.CENTRAAL_LOKET})
"""Services that receive signals, and so may have a terugkoppelafspraak."""


@dataclass(frozen=True)
class ContactInput:
    """A named person at a service, as typed in the contact dialog."""

    name: str
    title: str = ""
    department: str = ""
    email: str = ""
    phone: str = ""
    deputy_contact_id: str | None = None


@dataclass(frozen=True)
class FixedContactInput:
    """The practice's own vaste contactpersoon at a team, for one theme (None: in general)."""

    contact_id: str | None
    theme_id: str | None = None
    deputy_contact_id: str | None = None
    direct_line: str = ""
    local_note: str = ""


@dataclass(frozen=True)
class FeedbackAgreementInput:
    """Terugkoppelafspraak: confirm within N working days (None: no promise), letter at closure."""

    confirm_within_working_days: int | str | None
    letter_at_closure: bool = True
    channel: str = ""
    notes: str = ""


@dataclass(frozen=True)
class _CleanContact:
    name: str
    title: str | None
    department: str | None
    email: str | None
    phone: str | None
    deputy_contact_id: str | None


def clean_contact(data: ContactInput, problems: Problems) -> _CleanContact | None:
    """Check a contact's fields; None (with messages) when something is wrong."""
    before = len(problems.found)
    name = problems.check(
        checks.NAME, partial(checks.require_name, data.name, checks.NAME, "de contactpersoon")
    )
    email = problems.check(checks.EMAIL, partial(checks.clean_email, data.email))
    phone = problems.check(checks.PHONE, partial(checks.clean_phone, data.phone))
    if name is None or len(problems.found) != before:
        return None
    return _CleanContact(
        name=name,
        title=checks.clean_line(data.title),
        department=checks.clean_line(data.department),
        email=email,
        phone=phone,
        deputy_contact_id=data.deputy_contact_id or None,
    )


def _service(session: Session, service_id: str) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise not_found("Deze voorziening")
    return service


def _check_deputy(
    session: Session, service_id: str | None, contact_id: str | None, deputy_id: str | None
) -> None:
    if deputy_id is None:
        return
    if deputy_id == contact_id:
        raise ValidationError({checks.DEPUTY: "Iemand kan niet zijn eigen vervanger zijn."})
    deputy = session.get(Contact, deputy_id)
    if deputy is None or deputy.service_id != service_id:
        raise ValidationError(
            {checks.DEPUTY: "Kies als vervanger een contactpersoon van dezelfde voorziening."}
        )
    if deputy.departed_on is not None:
        raise ValidationError(
            {checks.DEPUTY: f"{deputy.name or 'Deze persoon'} is vertrokken; kies een ander."}
        )


def set_first_phone(
    log: EditLog, owner: Contact | Service, owner_field: str, number: str | None, description: str
) -> None:
    """The owner's main number is its first phone; replace, add or remove it (None removes)."""
    current = owner.phones[0] if owner.phones else None
    if current is not None and checks.same_phone(current.number, number):
        return
    if number is None:
        if current is not None:
            log.deleted("phone", current.id, {owner_field: owner.id, "number": current.number})
            owner.phones.remove(current)
            log.session.delete(current)
        return
    if current is None:
        phone = Phone(
            number=number, type="voice", description=description, **{owner_field: owner.id}
        )
        log.session.add(phone)
        log.session.flush()
        owner.phones.append(phone)
        log.created("phone", phone.id, {owner_field: owner.id, "number": number})
    else:
        log.field("phone", current.id, "number", current.number, number)
        current.number = number


def add_contact(log: EditLog, service: Service, data: _CleanContact) -> str:
    """Create a contact of ``service`` (validated input)."""
    _check_deputy(log.session, service.id, None, data.deputy_contact_id)
    contact = Contact(
        service_id=service.id,
        name=data.name,
        title=data.title,
        department=data.department,
        email=data.email,
        deputy_contact_id=data.deputy_contact_id,
        last_modified=log.now,
    )
    log.session.add(contact)
    log.session.flush()
    log.created(
        "contact",
        contact.id,
        {
            "service_id": service.id,
            "name": data.name,
            "title": data.title,
            "department": data.department,
            "email": data.email,
            "deputy_contact_id": data.deputy_contact_id,
        },
    )
    if data.phone is not None:
        set_first_phone(log, contact, "contact_id", data.phone, "Direct nummer")
    return contact.id


def create_contact(
    session: Session, by: SignedIn, service_id: str, data: ContactInput
) -> EditResult:
    """Add a named person to a service; ``result.id`` is the new contact's id."""
    log = EditLog(session, by, object_type="kaart_contact", action=CREATE)
    problems = Problems()
    clean = clean_contact(data, problems)
    problems.raise_if_any()
    assert clean is not None
    contact_id = add_contact(log, _service(session, service_id), clean)
    return log.finish(contact_id)


def update_contact(
    session: Session, by: SignedIn, contact_id: str, data: ContactInput
) -> EditResult:
    """Change a contact's name, title, e-mail, direct number or deputy."""
    log = EditLog(session, by, object_type="kaart_contact", object_id=contact_id)
    problems = Problems()
    clean = clean_contact(data, problems)
    problems.raise_if_any()
    assert clean is not None
    contact = session.scalar(
        select(Contact).where(Contact.id == contact_id).options(selectinload(Contact.phones))
    )
    if contact is None:
        raise not_found("Deze contactpersoon")
    _check_deputy(session, contact.service_id, contact.id, clean.deputy_contact_id)
    changed = log.assign(
        contact,
        "contact",
        {
            "name": clean.name,
            "title": clean.title,
            "department": clean.department,
            "email": clean.email,
            "deputy_contact_id": clean.deputy_contact_id,
        },
    )
    before = log.changes
    set_first_phone(log, contact, "contact_id", clean.phone, "Direct nummer")
    if changed or log.changes != before:
        contact.last_modified = log.now
    return log.finish(contact_id)


def _theme_label(fixed: FixedContact) -> str:
    return "" if fixed.taxonomy_term is None else f" voor {fixed.taxonomy_term.name}"


def _mend_after(log: EditLog, contact: Contact) -> Contact | None:
    """Mend every place a leaver stood in, with a warning for each; returns their stand-in."""
    session = log.session
    name = contact.name or "(naam onbekend)"
    team = contact.service.name if contact.service is not None else "de voorziening"
    stand_in = (
        contact.deputy
        if contact.deputy is not None
        and contact.deputy.id != contact.id
        and contact.deputy.departed_on is None
        else None
    )
    for other in session.scalars(select(Contact).where(Contact.deputy_contact_id == contact.id)):
        if other.id == contact.id:
            continue
        log.field("contact", other.id, "deputy_contact_id", contact.id, None)
        other.deputy_contact_id = None
        log.warn(
            f"{name} was de vervanger van {other.name or 'een collega'} ({team}). "
            "Kies een nieuwe vervanger."
        )
    fixed_rows = session.scalars(
        select(FixedContact)
        .where(
            or_(FixedContact.contact_id == contact.id, FixedContact.deputy_contact_id == contact.id)
        )
        .options(selectinload(FixedContact.taxonomy_term), selectinload(FixedContact.deputy))
    ).all()
    for fixed in fixed_rows:
        where = f"{team}{_theme_label(fixed)}"
        if fixed.contact_id == contact.id:
            log.field("fixed_contact", fixed.id, "contact_id", contact.id, None)
            fixed.contact_id = None
            fallback = fixed.deputy if fixed.deputy_contact_id not in (None, contact.id) else None
            if fallback is None and stand_in is not None:
                log.field(
                    "fixed_contact",
                    fixed.id,
                    "deputy_contact_id",
                    fixed.deputy_contact_id,
                    stand_in.id,
                )
                fixed.deputy_contact_id = stand_in.id
                fallback = stand_in
            if fallback is not None:
                log.warn(
                    f"{name} was de vaste contactpersoon van de praktijk bij {where}. "
                    f"Tot u een nieuwe kiest, is {fallback.name} het aanspreekpunt."
                )
            else:
                log.warn(
                    f"{name} was de vaste contactpersoon van de praktijk bij {where}. "
                    "Er is geen vervanger: kies een nieuwe vaste contactpersoon."
                )
        elif fixed.deputy_contact_id == contact.id:
            log.field("fixed_contact", fixed.id, "deputy_contact_id", contact.id, None)
            fixed.deputy_contact_id = None
            log.warn(
                f"{name} was de vervanger van de vaste contactpersoon bij {where}. "
                "Kies een nieuwe vervanger."
            )
    return stand_in


def remove_contact(log: EditLog, contact: Contact) -> None:
    """Delete a contact and mend every place the person stood in, with a warning for each."""
    stand_in = _mend_after(log, contact)
    log.deleted(
        "contact",
        contact.id,
        {
            "service_id": contact.service_id,
            "name": contact.name,
            "title": contact.title,
            "email": contact.email,
            "deputy_contact_id": None if stand_in is None else stand_in.id,
            "phone": contact.phones[0].number if contact.phones else None,
        },
    )
    log.session.delete(contact)


def depart(log: EditLog, contact: Contact, day: date) -> None:
    """Mark a contact as left on ``day``: kept and struck through, their places mended."""
    if contact.departed_on is not None:
        return  # already gone; nothing to mend again
    _mend_after(log, contact)
    log.field("contact", contact.id, "departed_on", None, day)
    contact.departed_on = day
    contact.last_modified = log.now


def _load_contact(session: Session, contact_id: str) -> Contact:
    contact = session.scalar(
        select(Contact)
        .where(Contact.id == contact_id)
        .options(
            selectinload(Contact.phones),
            selectinload(Contact.deputy),
            selectinload(Contact.service),
        )
    )
    if contact is None:
        raise not_found("Deze contactpersoon")
    return contact


def mark_departed(
    session: Session, by: SignedIn, contact_id: str, *, day: date | None = None
) -> EditResult:
    """A contact leaves: keep them as "vertrokken" and report where they stood in.

    The person stays on the kaart (struck through, "vertrokken; vervanger: …"), so the GP
    still sees who left and who took over; routing and the practice's fixed contact fall to
    the deputy. ``warnings`` say what to arrange (a new deputy, a new vaste contactpersoon).
    """
    log = EditLog(session, by, object_type="kaart_contact", object_id=contact_id)
    depart(log, _load_contact(session, contact_id), day or local_today())
    return log.finish(contact_id, detail="vertrokken")


def delete_contact(session: Session, by: SignedIn, contact_id: str) -> EditResult:
    """Take a contact off the kaart for good (entered by mistake); report where they stood in.

    For someone who left, prefer ``mark_departed``: the kaart then still says who took over.

    The practice's fixed contact falls back to its deputy (or to the leaver's own deputy),
    so the GP still sees a name; ``warnings`` say what to arrange.
    """
    log = EditLog(session, by, object_type="kaart_contact", object_id=contact_id, action=DELETE)
    remove_contact(log, _load_contact(session, contact_id))
    return log.finish(contact_id)


# --- the practice's private layer ------------------------------------------------------------


@dataclass(frozen=True)
class _CleanFixed:
    contact_id: str | None
    theme_id: str | None
    deputy_contact_id: str | None
    direct_line: str | None
    local_note: str | None


def clean_fixed_contacts(
    rows: Sequence[FixedContactInput], problems: Problems
) -> list[_CleanFixed]:
    """Check the fixed contacts of one team: someone to call, one row per theme."""
    cleaned: list[_CleanFixed] = []
    seen: set[str | None] = set()
    for row in rows:
        if row.contact_id is None and row.deputy_contact_id is None:
            problems.add(checks.FIXED_CONTACT, "Kies wie de vaste contactpersoon is.")
            continue
        if row.contact_id is not None and row.contact_id == row.deputy_contact_id:
            problems.add(
                checks.FIXED_CONTACT,
                "De vervanger moet iemand anders zijn dan de vaste contactpersoon.",
            )
            continue
        if row.theme_id in seen:
            problems.add(
                checks.FIXED_CONTACT,
                "Per thema is er één vaste contactpersoon; er staan er twee voor hetzelfde thema.",
            )
            continue
        seen.add(row.theme_id)
        line = problems.check(
            checks.DIRECT_LINE, partial(checks.clean_phone, row.direct_line, checks.DIRECT_LINE)
        )
        cleaned.append(
            _CleanFixed(
                contact_id=row.contact_id,
                theme_id=row.theme_id,
                deputy_contact_id=row.deputy_contact_id,
                direct_line=line,
                local_note=checks.clean_text(row.local_note),
            )
        )
    return cleaned


def _check_people(session: Session, service_id: str, ids: Sequence[str | None]) -> None:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return
    found = set(
        session.scalars(
            select(Contact.id).where(Contact.id.in_(wanted), Contact.service_id == service_id)
        )
    )
    if found != wanted:
        raise ValidationError(
            {
                checks.FIXED_CONTACT: "Kies contactpersonen van dit team; "
                "iemand staat er niet (meer) bij."
            }
        )


def apply_fixed_contacts(log: EditLog, service: Service, rows: Sequence[_CleanFixed]) -> None:
    """Make the team's fixed contacts exactly ``rows`` (matched by theme)."""
    session = log.session
    _check_people(
        session, service.id, [r.contact_id for r in rows] + [r.deputy_contact_id for r in rows]
    )
    themes = {r.theme_id for r in rows if r.theme_id is not None}
    if themes and len(
        set(session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.id.in_(themes))))
    ) != len(themes):
        raise ValidationError({checks.FIXED_CONTACT: "Een gekozen thema bestaat niet meer."})
    existing = {
        f.taxonomy_term_id: f
        for f in session.scalars(select(FixedContact).where(FixedContact.service_id == service.id))
    }
    for row in rows:
        values = {
            "contact_id": row.contact_id,
            "deputy_contact_id": row.deputy_contact_id,
            "direct_line": row.direct_line,
            "local_note": row.local_note,
        }
        current = existing.pop(row.theme_id, None)
        if current is None:
            fixed = FixedContact(service_id=service.id, taxonomy_term_id=row.theme_id, **values)
            session.add(fixed)
            session.flush()
            log.created(
                "fixed_contact",
                fixed.id,
                {"service_id": service.id, "taxonomy_term_id": row.theme_id, **values},
            )
        else:
            log.assign(current, "fixed_contact", values)
    for gone in existing.values():
        log.deleted(
            "fixed_contact",
            gone.id,
            {
                "service_id": service.id,
                "taxonomy_term_id": gone.taxonomy_term_id,
                "contact_id": gone.contact_id,
            },
        )
        session.delete(gone)


def set_fixed_contacts(
    session: Session, by: SignedIn, service_id: str, rows: Sequence[FixedContactInput]
) -> EditResult:
    """Replace the practice's fixed contacts at one team (one per theme, None = general)."""
    log = EditLog(session, by, object_type="kaart_fixed_contact", object_id=service_id)
    problems = Problems()
    cleaned = clean_fixed_contacts(rows, problems)
    problems.raise_if_any()
    apply_fixed_contacts(log, _service(session, service_id), cleaned)
    return log.finish(service_id)


def set_fixed_contact(
    session: Session, by: SignedIn, service_id: str, data: FixedContactInput
) -> EditResult:
    """Set the practice's fixed contact at a team for one theme, keeping the other themes."""
    current = [
        FixedContactInput(
            contact_id=f.contact_id,
            theme_id=f.taxonomy_term_id,
            deputy_contact_id=f.deputy_contact_id,
            direct_line=f.direct_line or "",
            local_note=f.local_note or "",
        )
        for f in session.scalars(select(FixedContact).where(FixedContact.service_id == service_id))
        if f.taxonomy_term_id != data.theme_id
    ]
    return set_fixed_contacts(session, by, service_id, [*current, data])


@dataclass(frozen=True)
class _CleanAgreement:
    confirm_within_working_days: int | None
    letter_at_closure: bool
    channel: str | None
    notes: str | None


def clean_agreement(data: FeedbackAgreementInput, problems: Problems) -> _CleanAgreement | None:
    """Check a terugkoppelafspraak."""
    days = problems.check(
        checks.CONFIRM_DAYS, lambda: checks.clean_working_days(data.confirm_within_working_days)
    )
    if checks.CONFIRM_DAYS in problems.found:
        return None
    return _CleanAgreement(
        confirm_within_working_days=days,
        letter_at_closure=bool(data.letter_at_closure),
        channel=checks.clean_line(data.channel),
        notes=checks.clean_text(data.notes),
    )


def apply_agreement(log: EditLog, service: Service, data: _CleanAgreement) -> None:
    """Create or update the team's agreement; only teams that receive signals have one."""
    if service.kind not in SIGNAL_KINDS:
        raise ValidationError(
            {
                checks.CONFIRM_DAYS: "Een terugkoppelafspraak maakt u alleen met een wijkteam "
                "of het centrale loket."
            }
        )
    values = {
        "confirm_within_working_days": data.confirm_within_working_days,
        "letter_at_closure": data.letter_at_closure,
        "channel": data.channel,
        "notes": data.notes,
    }
    current = log.session.scalar(
        select(FeedbackAgreement).where(FeedbackAgreement.service_id == service.id)
    )
    if current is None:
        agreement = FeedbackAgreement(service_id=service.id, **values)
        log.session.add(agreement)
        log.session.flush()
        log.created("feedback_agreement", agreement.id, {"service_id": service.id, **values})
    else:
        log.assign(current, "feedback_agreement", values)


def set_feedback_agreement(
    session: Session, by: SignedIn, service_id: str, data: FeedbackAgreementInput
) -> EditResult:
    """Record what a wijkteam promised this practice about confirmations and letters."""
    log = EditLog(session, by, object_type="kaart_feedback_agreement", object_id=service_id)
    problems = Problems()
    clean = clean_agreement(data, problems)
    problems.raise_if_any()
    assert clean is not None
    apply_agreement(log, _service(session, service_id), clean)
    return log.finish(service_id)
