"""Editing organisations and services: create, rename, delete, themes, checks, a whole dialog.

``save_service`` saves a whole service dialog (general fields, themes, where, when, area, the
practice's fixed contacts and feedback agreement) as one edit; it calls on ``people`` and
``where`` for their parts. A service or organisation that is renamed keeps its old name among
its former names, so the old name still finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.kaart.editing import checks
from gpdesk.kaart.editing.checks import Problems, ScheduleRuleInput
from gpdesk.kaart.editing.edit_log import (
    ASSURED_EVENT,
    CREATE,
    DELETE,
    UPDATE,
    EditLog,
    EditResult,
    load_service,
    not_found,
)
from gpdesk.kaart.editing.people import (
    FeedbackAgreementInput,
    FixedContactInput,
    apply_agreement,
    apply_fixed_contacts,
    clean_agreement,
    clean_fixed_contacts,
    set_first_phone,
)
from gpdesk.kaart.editing.where import (
    AreaInput,
    LocationInput,
    apply_area,
    apply_location,
    apply_rules,
    clean_area,
    clean_location,
)
from gpdesk.kaart.store.queries import AssurableKind, list_themes, mark_assured
from gpdesk.models import Attribute, Contact, Organization, Service, ServiceKind, ServiceStatus
from gpdesk.models.kaart import join_names, split_names
from gpdesk.security.accounts import SignedIn

# --- input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationInput:
    """An organisation as typed in its dialog."""

    name: str
    alternate_name: str = ""
    description: str = ""
    email: str = ""
    website: str = ""
    former_names: str = ""
    """Earlier names, separated by ";"."""


@dataclass(frozen=True)
class ServiceInput:
    """A service's own fields (the "algemeen" and "voor wie" parts of the dialog)."""

    name: str
    organization_id: str
    alternate_name: str = ""
    description: str = ""
    status: ServiceStatus = ServiceStatus.ACTIVE
    kind: ServiceKind = ServiceKind.OVERIG
    url: str = ""
    email: str = ""
    eligibility_description: str = ""
    minimum_age: int | str | None = None
    maximum_age: int | str | None = None
    fees_description: str = ""
    application_process: str = ""
    alert: str = ""
    """A short-term notice ("gesloten wegens verbouwing tot 1 april"), HSDS ``alert``."""
    wait_time: str = ""
    municipal_contract: bool | None = None
    """True: contracted by the municipality; False: the patient pays; None: not known."""
    former_names: str = ""
    """Earlier names, separated by ";"; renaming adds the old name by itself."""


@dataclass(frozen=True)
class ServiceSave:
    """The whole service dialog; a part left None is left as it is."""

    service: ServiceInput
    service_id: str | None = None
    themes: tuple[str, ...] | None = None
    location: LocationInput | None = None
    phone: str | None = None
    """The service's general number; "" removes it."""
    rules: tuple[ScheduleRuleInput, ...] | None = None
    area: AreaInput | None = None
    fixed_contacts: tuple[FixedContactInput, ...] | None = None
    agreement: FeedbackAgreementInput | None = None


# --- organisations ---------------------------------------------------------------------------


def _clean_organization(data: OrganizationInput, problems: Problems) -> dict[str, Any]:
    return {
        "name": problems.check(
            checks.NAME, partial(checks.require_name, data.name, checks.NAME, "de organisatie")
        ),
        "alternate_name": checks.clean_line(data.alternate_name),
        "description": checks.clean_text(data.description) or "",
        "email": problems.check(checks.EMAIL, partial(checks.clean_email, data.email)),
        "website": problems.check(checks.WEBSITE, partial(checks.clean_url, data.website)),
        "former_names": join_names(split_names(data.former_names)),
    }


def with_former_name(values: dict[str, Any], old_name: str) -> dict[str, Any]:
    """``values`` for a row called ``old_name`` until now: a new name keeps the old one.

    The old name joins the former names (a GP may still know the team by it); a name that
    is now the current one again leaves them.
    """
    new_name = values.get("name")
    names = split_names(values.get("former_names"))
    if new_name and old_name and new_name.casefold() != old_name.casefold():
        names.append(old_name)
    if new_name:
        names = [n for n in names if n.casefold() != new_name.casefold()]
    return {**values, "former_names": join_names(names)}


def create_organization(session: Session, by: SignedIn, data: OrganizationInput) -> str:
    """Add an organisation; returns its id."""
    log = EditLog(session, by, object_type="kaart_organization", action=CREATE)
    problems = Problems()
    values = _clean_organization(data, problems)
    problems.raise_if_any()
    organization = Organization(**values)
    session.add(organization)
    session.flush()
    log.created("organization", organization.id, values)
    log.finish(organization.id)
    return organization.id


def update_organization(
    session: Session, by: SignedIn, organization_id: str, data: OrganizationInput
) -> EditResult:
    """Change an organisation's name, description or contact details."""
    log = EditLog(session, by, object_type="kaart_organization", object_id=organization_id)
    problems = Problems()
    values = _clean_organization(data, problems)
    problems.raise_if_any()
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise not_found("Deze organisatie")
    log.assign(organization, "organization", with_former_name(values, organization.name))
    return log.finish()


def delete_organization(session: Session, by: SignedIn, organization_id: str) -> EditResult:
    """Remove an organisation that no longer offers any service."""
    log = EditLog(
        session, by, object_type="kaart_organization", object_id=organization_id, action=DELETE
    )
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise not_found("Deze organisatie")
    count = session.scalar(
        select(func.count()).select_from(Service).where(Service.organization_id == organization_id)
    )
    if count:
        raise GpdeskError(
            f"{organization.name} heeft nog {count} "
            f"{'voorziening' if count == 1 else 'voorzieningen'}.",
            hint="Verwijder of verplaats die eerst, of zet ze op 'opgeheven'.",
        )
    log.deleted(
        "organization",
        organization.id,
        {"name": organization.name, "email": organization.email, "website": organization.website},
    )
    session.delete(organization)
    return log.finish()


# --- services --------------------------------------------------------------------------------


def _clean_service(data: ServiceInput, problems: Problems) -> dict[str, Any]:
    name = problems.check(
        checks.NAME, partial(checks.require_name, data.name, checks.NAME, "de voorziening")
    )
    if not data.organization_id:
        problems.add(checks.ORGANIZATION, "Kies de organisatie die deze voorziening biedt.")
    low, high = checks.clean_ages(data.minimum_age, data.maximum_age, problems)
    return {
        "name": name,
        "organization_id": data.organization_id,
        "alternate_name": checks.clean_line(data.alternate_name),
        "description": checks.clean_text(data.description),
        "status": ServiceStatus(data.status),
        "kind": ServiceKind(data.kind),
        "url": problems.check(checks.WEBSITE, partial(checks.clean_url, data.url)),
        "email": problems.check(checks.EMAIL, partial(checks.clean_email, data.email)),
        "eligibility_description": checks.clean_text(data.eligibility_description),
        "minimum_age": low,
        "maximum_age": high,
        "fees_description": checks.clean_text(data.fees_description),
        "application_process": checks.clean_text(data.application_process),
        "alert": checks.clean_text(data.alert),
        "wait_time": checks.clean_text(data.wait_time),
        "municipal_contract": data.municipal_contract,
        "former_names": join_names(split_names(data.former_names)),
    }


def _check_organization(session: Session, organization_id: str) -> None:
    if session.get(Organization, organization_id) is None:
        raise ValidationError({checks.ORGANIZATION: "Deze organisatie bestaat niet meer."})


def _add_service(log: EditLog, values: dict[str, Any]) -> Service:
    _check_organization(log.session, values["organization_id"])
    service = Service(**values, last_modified=log.now)
    log.session.add(service)
    log.session.flush()
    log.created("service", service.id, values)
    return load_service(log.session, service.id)


def _update_service(log: EditLog, service: Service, values: dict[str, Any]) -> None:
    if values["organization_id"] != service.organization_id:
        _check_organization(log.session, values["organization_id"])
    log.assign(service, "service", with_former_name(values, service.name))


def create_service(session: Session, by: SignedIn, data: ServiceInput) -> str:
    """Add a service to an organisation; returns its id."""
    return save_service(session, by, ServiceSave(service=data)).id or ""


def update_service(
    session: Session, by: SignedIn, service_id: str, data: ServiceInput
) -> EditResult:
    """Change a service's own fields (name, status, kind, who it is for, ...)."""
    return save_service(session, by, ServiceSave(service=data, service_id=service_id))


def delete_service(session: Session, by: SignedIn, service_id: str) -> EditResult:
    """Remove a service with its contacts, hours, area and the practice's agreements with it.

    For a service that stopped, prefer status "opgeheven": the practice then still sees why a
    team is gone.
    """
    log = EditLog(session, by, object_type="kaart_service", object_id=service_id, action=DELETE)
    service = session.get(Service, service_id)
    if service is None:
        raise not_found("Deze voorziening")
    log.deleted(
        "service",
        service.id,
        {
            "name": service.name,
            "organization_id": service.organization_id,
            "kind": service.kind,
            "status": service.status,
        },
    )
    session.execute(
        delete(Attribute).where(Attribute.link_entity == "service", Attribute.link_id == service_id)
    )
    session.delete(service)
    return log.finish()


# --- themes ----------------------------------------------------------------------------------


def _apply_themes(log: EditLog, service: Service, theme_ids: Sequence[str]) -> None:
    session = log.session
    wanted = set(theme_ids)
    themes = {t.id: t.name for t in list_themes(session)}
    if not wanted <= set(themes):
        raise ValidationError({checks.THEMES: "Een gekozen thema bestaat niet meer."})
    links = session.scalars(
        select(Attribute).where(
            Attribute.link_entity == "service",
            Attribute.link_id == service.id,
            Attribute.taxonomy_term_id.in_(list(themes)),
        )
    ).all()
    current = {link.taxonomy_term_id for link in links}
    if current == wanted:
        return
    for link in links:
        if link.taxonomy_term_id not in wanted:
            session.delete(link)
    for term_id in sorted(wanted - current):
        session.add(
            Attribute(
                link_id=service.id,
                link_entity="service",
                link_type="thema",
                taxonomy_term_id=term_id,
                label=themes[term_id],
            )
        )
    log.field(
        "service",
        service.id,
        "themes",
        ", ".join(sorted(themes[t] for t in current)),
        ", ".join(sorted(themes[t] for t in wanted)),
    )


def set_service_themes(
    session: Session, by: SignedIn, service_id: str, theme_ids: Sequence[str]
) -> EditResult:
    """Make the service's themes exactly ``theme_ids`` (other taxonomies stay untouched)."""
    log = EditLog(session, by, object_type="kaart_service", object_id=service_id)
    service = load_service(session, service_id)
    _apply_themes(log, service, theme_ids)
    return log.finish()


# --- gecontroleerd ---------------------------------------------------------------------------


def assure(
    session: Session,
    by: SignedIn,
    kind: AssurableKind,
    item_id: str,
    *,
    with_contacts: bool = False,
    today: date | None = None,
) -> EditResult:
    """Record that the signed-in user checked a service (and its contacts) or a contact.

    Like ``store.assure_service`` (the Sociale kaart screen's button): audit event
    "kaart.assured", one entry for the whole check.
    """
    log = EditLog(session, by, object_type=f"kaart_{kind}", object_id=item_id)
    mark_assured(session, kind, item_id, log.who, today)
    count = 1
    if with_contacts and kind == "service":
        for contact_id in session.scalars(select(Contact.id).where(Contact.service_id == item_id)):
            mark_assured(session, "contact", contact_id, log.who, today)
            count += 1
    log.changes += count
    return log.finish(
        detail="gecontroleerd" if count == 1 else f"gecontroleerd ({count} items)",
        event=ASSURED_EVENT,
    )


# --- the whole dialog ------------------------------------------------------------------------


def save_service(session: Session, by: SignedIn, save: ServiceSave) -> EditResult:
    """Save a service dialog as one edit: every part checked first, then all written together.

    Returns the service's id (new or existing) and warnings such as an area shared with
    another team or an address shared with other services.
    """
    log = EditLog(
        session,
        by,
        object_type="kaart_service",
        object_id=save.service_id,
        action=CREATE if save.service_id is None else UPDATE,
    )
    problems = Problems()
    values = _clean_service(save.service, problems)
    location = None if save.location is None else clean_location(save.location, problems)
    number = (
        None
        if save.phone is None
        else problems.check(checks.PHONE, partial(checks.clean_phone, save.phone))
    )
    rules = None if save.rules is None else checks.clean_rules(save.rules, problems)
    area = None if save.area is None else clean_area(save.area, problems)
    fixed = (
        None if save.fixed_contacts is None else clean_fixed_contacts(save.fixed_contacts, problems)
    )
    agreement = None if save.agreement is None else clean_agreement(save.agreement, problems)
    problems.raise_if_any()

    if save.service_id is None:
        service = _add_service(log, values)
    else:
        service = load_service(session, save.service_id)
        _update_service(log, service, values)
    if save.themes is not None:
        _apply_themes(log, service, save.themes)
    if location is not None:
        apply_location(log, service, location)
    if save.phone is not None:
        set_first_phone(log, service, "service_id", number, "Algemeen nummer")
    if rules is not None and save.rules is not None:
        apply_rules(log, service, save.rules, rules)
    if area is not None:
        apply_area(log, service, area)
    if fixed is not None:
        apply_fixed_contacts(log, service, fixed)
    if agreement is not None:
        apply_agreement(log, service, agreement)
    if log.changes and save.service_id is not None:
        service.last_modified = log.now
    return log.finish(service.id)
