"""One service in full for the detail pane: ``service_detail`` and how a ``ServiceDetail`` is built.

The detail loads more than the list (deputies, phones, addresses, capacities, languages), so it
has its own query and builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, is_stale
from gpdesk.kaart.postcodes import Pc4Range, merge
from gpdesk.kaart.schedule import AMSTERDAM, slot_label
from gpdesk.kaart.store.contacts import (
    contact_ref,
    fixed_contact_ref,
    load_fixed_contacts,
    primary_contacts,
)
from gpdesk.kaart.store.loading import (
    DETAIL_OPTIONS,
    has_capacity,
    location_ref,
    schedule_set,
    service_themes,
)
from gpdesk.kaart.store.refs import (
    AreaRef,
    CapacityRef,
    FeedbackAgreementRef,
    PhoneRef,
    ServiceDetail,
)
from gpdesk.models import FeedbackAgreement, FixedContact, Service, utcnow
from gpdesk.models.kaart import ServiceStatus, split_names


def build_detail(
    service: Service,
    fixed: Sequence[FixedContact],
    agreement: FeedbackAgreement | None,
    now: datetime,
    months: int,
) -> ServiceDetail:
    """The ``ServiceDetail`` of a service loaded with ``DETAIL_OPTIONS``, as of ``now``."""
    today = now.astimezone(AMSTERDAM).date()
    schedules = schedule_set(service)
    running = service.status is ServiceStatus.ACTIVE
    walk_in = schedules.next_slot(now, walk_in_only=True) if running else None
    organization = service.organization
    fixed_refs = sorted(
        (ref for f in fixed if (ref := fixed_contact_ref(f, today, months=months)) is not None),
        key=lambda ref: (ref.theme is not None, ref.theme or "", ref.name),
    )
    return ServiceDetail(
        id=service.id,
        name=service.name,
        alternate_name=service.alternate_name,
        organization_id=service.organization_id,
        organization=service.organization.name,
        kind=service.kind,
        status=service.status,
        description=service.description,
        url=service.url,
        email=service.email,
        alert=service.alert,
        contacts=tuple(contact_ref(c, today, months=months) for c in primary_contacts(service)),
        fixed_contacts=tuple(fixed_refs),
        phones=tuple(
            PhoneRef(p.number, p.extension, p.type, p.description) for p in service.phones
        ),
        locations=tuple(location_ref(sal) for sal in service.service_at_locations),
        opening_hours=tuple(schedules.labels(today)),
        next_walk_in=walk_in,
        next_walk_in_label=None if walk_in is None else slot_label(walk_in),
        open_now=running and schedules.is_open(now),
        areas=tuple(
            AreaRef(
                area.id,
                area.name,
                area.wijk,
                tuple(merge(Pc4Range(p.pc4_from, p.pc4_to) for p in area.postcodes)),
            )
            for area in service.service_areas
        ),
        themes=service_themes(service),
        languages=tuple(sorted(lang.name or lang.code or "" for lang in service.languages)),
        capacities=tuple(
            CapacityRef(c.available, c.maximum, c.unit.name, c.description, c.updated)
            for c in service.capacities
        ),
        has_capacity=has_capacity(service),
        eligibility_description=service.eligibility_description,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        fees_description=service.fees_description,
        application_process=service.application_process,
        interpretation_services=service.interpretation_services,
        assured_date=service.assured_date,
        assured_by=service.assured_by,
        stale=is_stale(service.assured_date, today, months),
        last_modified=service.last_modified,
        feedback_agreement=(
            None
            if agreement is None
            else FeedbackAgreementRef(
                agreement.confirm_within_working_days,
                agreement.letter_at_closure,
                agreement.channel,
                agreement.notes,
            )
        ),
        wait_time=service.wait_time,
        municipal_contract=service.municipal_contract,
        former_names=tuple(split_names(service.former_names)),
        organization_names=tuple(
            [organization.alternate_name] if organization.alternate_name else []
        )
        + tuple(split_names(organization.former_names)),
    )


def service_detail(
    session: Session,
    service_id: str,
    *,
    now: datetime | None = None,
    months: int = DEFAULT_STALE_MONTHS,
) -> ServiceDetail:
    """Everything about one service; ``GpdeskError`` in Dutch when it does not exist."""
    service = session.scalar(
        select(Service).where(Service.id == service_id).options(*DETAIL_OPTIONS)
    )
    if service is None:
        raise GpdeskError(
            "Deze voorziening staat niet (meer) op de sociale kaart.",
            hint="Vernieuw de lijst; misschien is ze net verwijderd.",
        )
    agreement = session.scalar(
        select(FeedbackAgreement).where(FeedbackAgreement.service_id == service_id)
    )
    fixed = load_fixed_contacts(session, [service_id])[service_id]
    return build_detail(service, fixed, agreement, now or utcnow(), months)
