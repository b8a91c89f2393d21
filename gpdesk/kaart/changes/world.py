"""What the database says now about the items in a digest: names, owners, hours, addresses.

The log only holds ids and values; a line needs the current name of a team or person and the
service to open. ``ChangeWorld`` loads all of that in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from gpdesk.errors import GpdeskError
from gpdesk.kaart.changes.groups import ChangeGroup
from gpdesk.kaart.postcodes import Pc4Range, format_ranges, merge
from gpdesk.kaart.schedule import ScheduleSet
from gpdesk.kaart.store.loading import schedule_set
from gpdesk.models import (
    Address,
    Contact,
    FeedbackAgreement,
    FixedContact,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from gpdesk.patients.validation import format_postcode

_M = TypeVar(
    "_M",
    Address,
    Contact,
    FeedbackAgreement,
    FixedContact,
    Location,
    Organization,
    Phone,
    Schedule,
    ServiceArea,
    TaxonomyTerm,
)


class ChangeWorld:
    """Names and owners of the items in the period, loaded in a fixed number of queries."""

    def __init__(self, session: Session, groups: dict[tuple[str, str], ChangeGroup]) -> None:
        self.session = session
        self.groups = groups
        ids: dict[str, set[str]] = defaultdict(set)
        for (kind, rid), group in groups.items():
            ids[kind].add(rid)
            for row in group.rows:
                value = row.previous_value or row.replacement_value
                if row.field_name.endswith("_id") and value:
                    ids[row.field_name.removesuffix("_id")].add(value)
        self.phones = self._rows(Phone, ids["phone"])
        self.schedules = self._rows(Schedule, ids["schedule"])
        self.areas = self._rows(ServiceArea, ids["service_area"])
        self.fixed = self._rows(FixedContact, ids["fixed_contact"])
        self.agreements = self._rows(FeedbackAgreement, ids["feedback_agreement"])
        self.addresses = self._rows(Address, ids["address"])
        location_ids = ids["location"] | {a.location_id for a in self.addresses.values()}
        sal_ids = (
            ids["service_at_location"]
            | {s.service_at_location_id for s in self.schedules.values()}
            | {a.service_at_location_id for a in self.areas.values()}
        ) - {None}
        self.links = list(
            session.scalars(
                select(ServiceAtLocation).where(
                    or_(
                        ServiceAtLocation.id.in_(sal_ids),
                        ServiceAtLocation.location_id.in_(location_ids),
                    )
                )
            )
        )
        self.locations = self._rows(
            Location, location_ids | {sal.location_id for sal in self.links}
        )
        self.addresses_at: dict[str, Address] = {}
        for address in session.scalars(
            select(Address)
            .where(Address.location_id.in_(list(self.locations)))
            .order_by(Address.id)
        ):
            self.addresses_at.setdefault(address.location_id, address)
        contact_ids = (
            ids["contact"]
            | ids["deputy_contact"]
            | {p.contact_id for p in self.phones.values() if p.contact_id}
            | {f.contact_id for f in self.fixed.values() if f.contact_id}
            | {f.deputy_contact_id for f in self.fixed.values() if f.deputy_contact_id}
        )
        self.contacts = self._rows(Contact, contact_ids)
        service_ids = (
            ids["service"]
            | ids["schedule"]  # the demo logs a team's hours under the team's id
            | {c.service_id for c in self.contacts.values() if c.service_id}
            | {p.service_id for p in self.phones.values() if p.service_id}
            | {s.service_id for s in self.schedules.values() if s.service_id}
            | {a.service_id for a in self.areas.values() if a.service_id}
            | {f.service_id for f in self.fixed.values()}
            | {a.service_id for a in self.agreements.values()}
            | {sal.service_id for sal in self.links}
        )
        self.services = {
            s.id: s
            for s in session.scalars(
                select(Service)
                .where(Service.id.in_(service_ids))
                .options(
                    selectinload(Service.schedules),
                    selectinload(Service.service_at_locations).selectinload(
                        ServiceAtLocation.schedules
                    ),
                    selectinload(Service.service_areas).selectinload(ServiceArea.postcodes),
                )
            )
        }
        org_ids = ids["organization"] | {s.organization_id for s in self.services.values()}
        self.organizations = self._rows(Organization, org_ids)
        self.terms = self._rows(TaxonomyTerm, ids["taxonomy_term"])

    def _rows(self, model: type[_M], ids: Iterable[str]) -> dict[str, _M]:
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        rows = self.session.scalars(select(model).where(model.id.in_(wanted)))
        return {row.id: row for row in rows}

    def name(self, kind: str, rid: str | None) -> str:
        """The current name, else the name logged when it was created or deleted."""
        if not rid:
            return ""
        current: Service | Contact | Organization | None = (
            self.services.get(rid)
            if kind == "service"
            else self.contacts.get(rid)
            if kind == "contact"
            else self.organizations.get(rid)
        )
        if current is not None and current.name:
            return current.name
        group = self.groups.get((kind, rid))
        return group.value("name") if group is not None else ""

    def service_of(self, group: ChangeGroup) -> str | None:
        """The service an item belongs to, now or (when deleted) as logged."""
        kind, rid = group.resource_type, group.resource_id
        if kind == "service":
            return rid
        service_id: str | None = None
        sal_id: str | None = None
        if kind == "contact" and rid in self.contacts:
            service_id = self.contacts[rid].service_id
        elif kind == "phone" and rid in self.phones:
            phone = self.phones[rid]
            service_id = phone.service_id
            if service_id is None and phone.contact_id in self.contacts:
                service_id = self.contacts[phone.contact_id].service_id
            sal_id = phone.service_at_location_id
        elif kind == "schedule" and rid in self.schedules:
            service_id = self.schedules[rid].service_id
            sal_id = self.schedules[rid].service_at_location_id
        elif kind == "schedule" and rid in self.services:
            service_id = rid  # the demo logs a team's hours under the team's own id
        elif kind == "service_area" and rid in self.areas:
            service_id = self.areas[rid].service_id
            sal_id = self.areas[rid].service_at_location_id
        elif kind == "fixed_contact" and rid in self.fixed:
            service_id = self.fixed[rid].service_id
        elif kind == "feedback_agreement" and rid in self.agreements:
            service_id = self.agreements[rid].service_id
        elif kind == "service_at_location":
            sal_id = rid
        if service_id is None and sal_id is not None:
            service_id = next((s.service_id for s in self.links if s.id == sal_id), None)
        if service_id is None and group.value("contact_id") in self.contacts:
            service_id = self.contacts[group.value("contact_id")].service_id
        return service_id or group.value("service_id") or None

    def person(self, contact_id: str | None) -> str:
        """A contact with their team, e.g. "Fatma Kaya (Wijkteam Nieuwland)"."""
        name = self.name("contact", contact_id) or "(naam onbekend)"
        contact = self.contacts.get(contact_id or "")
        group = self.groups.get(("contact", contact_id or ""))
        service_id = (
            contact.service_id
            if contact is not None
            else (group.value("service_id") if group is not None else None)
        )
        team = self.name("service", service_id)
        return f"{name} ({team})" if team else name

    def hours(self, service_id: str, today: date) -> str:
        """The service's hours now, in Dutch, on one line."""
        service = self.services.get(service_id)
        if service is None:
            return ""
        schedules: ScheduleSet = schedule_set(service)
        return schedules.summary(today) or "geen vaste tijden meer"

    def area(self, service_id: str) -> str:
        """The service's postcodes now, e.g. "3118–3119"."""
        service = self.services.get(service_id)
        if service is None:
            return ""
        ranges = merge(
            Pc4Range(p.pc4_from, p.pc4_to) for a in service.service_areas for p in a.postcodes
        )
        return format_ranges(ranges) or "geen postcodes meer"

    def address(self, location_id: str | None) -> str:
        """The location's address now, e.g. "Nieuwlandplein 1, 3118 AB Schiedam"."""
        location = self.locations.get(location_id or "")
        if location is None:
            return ""
        a = self.addresses_at.get(location.id)
        if a is None:
            return location.name or ""
        try:
            postcode = format_postcode(a.postal_code)
        except GpdeskError:  # an imported postcode in another form is shown as it is
            postcode = a.postal_code
        return f"{a.address_1}, {postcode} {a.city}".strip(", ")

    def services_at(self, location_id: str) -> list[str]:
        """The services at a location (one building often houses several)."""
        return sorted({sal.service_id for sal in self.links if sal.location_id == location_id})
