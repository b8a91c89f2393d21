"""The "Wat is er veranderd" digest: the change log in plain Dutch lines a GP reads in seconds.

GPs asked that changes be announced, named contacts above all: a contact who leaves leaves a
gap, and teams change names often. ``recent_changes`` reads the ``KaartChange`` rows since a
moment, whoever wrote them (the Beheer editor, an import batch, the demo), groups them per item
and phrases one line per thing that changed, named contacts first:

- "Contactpersoon Fatma Kaya (Wijkteam Nieuwland) is vertrokken — vervanger: Jeroen Visser"
- "Nieuw telefoonnummer voor Fatma Kaya (Wijkteam Nieuwland): 010-123 45 67"
- "Wijkteam Oost heet nu Wijkteam Oost-Kethel", "Nieuw: …", "Opgeheven: …"

Details that follow from a bigger change are left out (the phone of a contact who left, the
contacts of a new service). Each line carries its date, who made it and the service to open.
The digest also counts what is verouderd, for a gentle nudge to check it.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from gpdesk.errors import GpdeskError
from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS, months_before
from gpdesk.kaart.postcodes import Pc4Range, format_ranges, merge
from gpdesk.kaart.schedule import AMSTERDAM, ScheduleSet, format_date
from gpdesk.kaart.store import ASSURED, schedule_set
from gpdesk.models import (
    Address,
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
    ServiceAtLocation,
    ServiceStatus,
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


class ChangeKind(enum.StrEnum):
    """What a digest line is about; also the order in which lines are shown."""

    CONTACT = "contact"
    """Named people: left, new, replaced, new deputy or number; the practice's fixed contact."""
    RENAMED = "renamed"
    REMOVED = "removed"
    NEW = "new"
    STATUS = "status"
    REACH = "reach"
    """A service's phone number, e-mail address or website."""
    HOURS = "hours"
    AREA = "area"
    ADDRESS = "address"
    AGREEMENT = "agreement"
    OTHER = "other"
    ASSURED = "assured"
    """Someone checked an item and found it right (not shown unless asked for)."""


DEFAULT_KINDS: Final = frozenset(ChangeKind) - {ChangeKind.ASSURED}
_ORDER: Final = {kind: index for index, kind in enumerate(ChangeKind)}

_DASH: Final = "—"
BATCH_HEADER: Final = "kaart_batch"
"""``resource_type`` of an import's summary row (``hsds_import.BATCH_TYPE``): not a change."""
_STATUS_PHRASES: Final = {
    ServiceStatus.INACTIVE.value: "{name} is niet meer actief",
    ServiceStatus.TEMPORARILY_CLOSED.value: "{name} is tijdelijk gesloten",
    ServiceStatus.ACTIVE.value: "{name} is weer actief",
}
_FIELD_LABELS: Final = {
    "alternate_name": "andere naam",
    "description": "beschrijving",
    "eligibility_description": "voor wie",
    "minimum_age": "leeftijd",
    "maximum_age": "leeftijd",
    "fees_description": "kosten",
    "application_process": "aanmelden",
    "interpretation_services": "tolken",
    "accreditations": "keurmerken",
    "alert": "melding",
    "kind": "soort",
    "organization_id": "organisatie",
    "legal_status": "rechtsvorm",
    "parent_organization_id": "hoofdorganisatie",
}
_IGNORED_FIELDS: Final = frozenset({"last_modified", "assured_date", "assured_by", "assurer_email"})


@dataclass(frozen=True)
class DigestLine:
    """One change in plain Dutch, with when, by whom, and the service to open (if any)."""

    kind: ChangeKind
    text: str
    when: datetime
    by: str
    service_id: str | None = None
    batch_id: str | None = None

    @property
    def date_label(self) -> str:
        """The day in Dutch local time, e.g. "24 november"."""
        return format_date(self.when.astimezone(AMSTERDAM).date())

    @property
    def meta(self) -> str:
        """Day and author, the second line under the text: "24 november · R. Smit"."""
        return f"{self.date_label} · {self.by}"


@dataclass(frozen=True)
class Digest:
    """The changes since ``since``, named contacts first, and how much is verouderd."""

    since: datetime
    lines: tuple[DigestLine, ...]
    stale_services: int = 0
    stale_contacts: int = 0
    stale_months: int = DEFAULT_STALE_MONTHS
    more: int = 0
    """Lines left out beyond the limit."""

    @property
    def since_label(self) -> str:
        """The period in words, e.g. "sinds 3 november"."""
        return f"sinds {format_date(self.since.astimezone(AMSTERDAM).date())}"

    @property
    def nudge(self) -> str | None:
        """A short sentence asking to check what is verouderd; None when all is fresh."""
        parts = []
        if self.stale_services:
            noun = "voorziening" if self.stale_services == 1 else "voorzieningen"
            parts.append(f"{self.stale_services} {noun}")
        if self.stale_contacts:
            noun = "contactpersoon" if self.stale_contacts == 1 else "contactpersonen"
            parts.append(f"{self.stale_contacts} {noun}")
        if not parts:
            return None
        verb = "is" if self.stale_services + self.stale_contacts == 1 else "zijn"
        return (
            f"{' en '.join(parts)} {verb} langer dan {self.stale_months} maanden niet "
            "gecontroleerd."
        )

    @property
    def empty_text(self) -> str:
        """What to say when nothing changed."""
        return f"Geen wijzigingen in de sociale kaart {self.since_label}."


# --- grouping --------------------------------------------------------------------------------


@dataclass
class _Group:
    """All rows about one item in the period."""

    resource_type: str
    resource_id: str
    rows: list[KaartChange] = field(default_factory=list)

    def _actions(self) -> set[str]:
        return {r.last_action_type for r in self.rows}

    @property
    def created(self) -> bool:
        return "create" in self._actions()

    @property
    def deleted(self) -> bool:
        return "delete" in self._actions()

    @property
    def only_assured(self) -> bool:
        return self._actions() == {ASSURED}

    @property
    def latest(self) -> KaartChange:
        return self.rows[-1]

    def value(self, name: str) -> str:
        """The field's value as created or as it was when deleted (updates: the newest)."""
        for row in reversed(self.rows):
            if row.field_name == name:
                return (
                    row.previous_value
                    if row.last_action_type == "delete"
                    else (row.replacement_value)
                )
        return ""

    def updates(self) -> dict[str, tuple[str, str]]:
        """Field -> (value before the period, value now), for updates that did change."""
        found: dict[str, tuple[str, str]] = {}
        for row in self.rows:
            if row.last_action_type != "update" or row.field_name in _IGNORED_FIELDS:
                continue
            before = found[row.field_name][0] if row.field_name in found else row.previous_value
            found[row.field_name] = (before, row.replacement_value)
        return {k: v for k, v in found.items() if v[0] != v[1]}


def _who(row: KaartChange) -> str:
    name = row.updated_by.strip()
    if row.batch_id is None:
        return name or "onbekend"
    if not name:
        return "import"
    return name if "import" in name.lower() else f"{name} (import)"


# --- what the database says now ---------------------------------------------------------------


class _World:
    """Names and owners of the items in the period, loaded in a fixed number of queries."""

    def __init__(self, session: Session, groups: dict[tuple[str, str], _Group]) -> None:
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

    def service_of(self, group: _Group) -> str | None:
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


# --- phrasing ----------------------------------------------------------------------------------

_KIND_PHRASES: Final = {
    "wijkteam": "een wijkteam",
    "centraal_loket": "het centrale loket",
    "overig": "een gewone voorziening",
}
_PER_SERVICE: Final = {
    "schedule": ChangeKind.HOURS,
    "service_area": ChangeKind.AREA,
    "service_area_postcode": ChangeKind.AREA,
    "location": ChangeKind.ADDRESS,
    "address": ChangeKind.ADDRESS,
    "service_at_location": ChangeKind.ADDRESS,
    "attribute": ChangeKind.OTHER,
}


class _Phraser:
    """Turns the period's groups into lines, leaving out what a bigger change already says."""

    def __init__(self, world: _World, today: date) -> None:
        self.world = world
        self.today = today
        groups = world.groups
        self.whole_services = {
            rid for (k, rid), g in groups.items() if k == "service" and (g.created or g.deleted)
        }
        self.whole_contacts = {
            rid for (k, rid), g in groups.items() if k == "contact" and (g.created or g.deleted)
        }
        self.left_contacts = {rid for (k, rid), g in groups.items() if k == "contact" and g.deleted}
        self.assured_services = {
            rid for (k, rid), g in groups.items() if k == "service" and g.only_assured
        }
        self.lines: list[DigestLine] = []
        self.per_service: dict[tuple[ChangeKind, str], tuple[_Group, list[str]]] = {}
        self.small: dict[str, list[_Group]] = defaultdict(list)

    def add(self, kind: ChangeKind, text: str, group: _Group, service_id: str | None) -> None:
        row = group.latest
        if service_id is not None and service_id not in self.world.services:
            service_id = None  # nothing to open any more
        self.lines.append(
            DigestLine(kind, text, row.last_action_date, _who(row), service_id, row.batch_id)
        )

    def run(self) -> list[DigestLine]:
        handlers = {
            "contact": self.contact,
            "phone": self.phone,
            "service": self.service,
            "organization": self.organization,
            "fixed_contact": self.fixed_contact,
            "feedback_agreement": self.agreement,
        }
        for group in self.world.groups.values():
            service_id = self.world.service_of(group)
            if group.resource_type != "service" and service_id in self.whole_services:
                continue  # "Nieuw: ..." or "Opgeheven: ..." says it all
            handler = handlers.get(group.resource_type)
            if handler is not None:
                handler(group, service_id)
            elif group.resource_type in _PER_SERVICE:
                self.collect(group, service_id)
            elif not group.only_assured:
                self.small[_who(group.latest)].append(group)
        self.per_service_lines()
        for groups in self.small.values():
            count = len(groups)
            noun = "wijziging" if count == 1 else "wijzigingen"
            latest = max(groups, key=lambda g: g.latest.last_action_date)
            self.add(ChangeKind.OTHER, f"{count} andere {noun} in de sociale kaart", latest, None)
        return self.lines

    # -- people ---------------------------------------------------------------------------------

    def contact(self, group: _Group, service_id: str | None) -> None:
        world, rid = self.world, group.resource_id
        who = world.person(rid)
        team = world.name("service", service_id)
        if group.created and group.deleted:
            return
        if group.only_assured:
            if service_id not in self.assured_services:
                self.add(ChangeKind.ASSURED, f"{who} gecontroleerd", group, service_id)
            return
        if group.deleted:
            deputy_id = group.value("deputy_contact_id")
            deputy = world.name("contact", deputy_id)
            tail = (
                f"vervanger: {deputy}"
                if deputy and deputy_id not in self.left_contacts
                else "nog geen vervanger bekend"
            )
            self.add(
                ChangeKind.CONTACT, f"Contactpersoon {who} is vertrokken {_DASH} {tail}", group,
                service_id,
            )  # fmt: skip
            return
        if group.created:
            title = group.value("title")
            text = f"Nieuwe contactpersoon bij {team}: " if team else "Nieuwe contactpersoon: "
            text += world.name("contact", rid) + (f", {title}" if title else "")
            self.add(ChangeKind.CONTACT, text, group, service_id)
            return
        updates = group.updates()
        if "name" in updates:
            old, new = updates["name"]
            where = f" ({team})" if team else ""
            self.add(
                ChangeKind.CONTACT, f"Contactpersoon {old}{where} is vervangen door {new}", group,
                service_id,
            )  # fmt: skip
        if "deputy_contact_id" in updates:
            new_deputy = updates["deputy_contact_id"][1]
            text = (
                f"Nieuwe vervanger voor {who}: {world.name('contact', new_deputy)}"
                if new_deputy
                else f"{who} heeft geen vervanger meer"
            )
            self.add(ChangeKind.CONTACT, text, group, service_id)
        for name, noun in (("email", "e-mailadres"), ("phone", "telefoonnummer")):
            if name in updates:
                new = updates[name][1]
                text = (
                    f"Nieuw {noun} voor {who}: {new}"
                    if new
                    else f"{noun.capitalize()} van {who} vervalt"
                )
                self.add(ChangeKind.CONTACT, text, group, service_id)
        if {"title", "department"} & set(updates):
            new = updates.get("title", ("", ""))[1] or updates.get("department", ("", ""))[1]
            self.add(ChangeKind.CONTACT, f"Nieuwe functie voor {who}: {new}", group, service_id)

    def phone(self, group: _Group, service_id: str | None) -> None:
        world = self.world
        current = world.phones.get(group.resource_id)
        contact_id = (current.contact_id if current else None) or group.value("contact_id") or None
        if (contact_id and contact_id in self.whole_contacts) or (group.created and group.deleted):
            return
        if contact_id:
            owner, kind = world.person(contact_id), ChangeKind.CONTACT
        else:
            owner = world.name("service", service_id) or world.name(
                "organization", group.value("organization_id")
            )
            owner, kind = owner or "een voorziening", ChangeKind.REACH
        if group.deleted:
            text = f"Telefoonnummer {group.value('number')} van {owner} vervalt"
        elif group.created or "number" in group.updates():
            number = current.number if current is not None else group.value("number")
            text = f"Nieuw telefoonnummer voor {owner}: {number}"
        else:
            return
        self.add(kind, text, group, service_id)

    def fixed_contact(self, group: _Group, service_id: str | None) -> None:
        world = self.world
        updates = group.updates()
        leavers = [old for old, _ in updates.values() if old]
        if (
            leavers
            and set(updates) <= {"contact_id", "deputy_contact_id"}
            and all(old in self.left_contacts for old in leavers)
        ):
            return  # follows from a contact who left: that line says it
        current = world.fixed.get(group.resource_id)
        term_id = current.taxonomy_term_id if current else group.value("taxonomy_term_id")
        term = world.terms.get(term_id or "")
        where = world.name("service", service_id) + (f" ({term.name})" if term else "")
        if group.deleted or current is None:
            text = f"Vaste contactpersoon van de praktijk bij {where} vervalt"
        else:
            person = world.name("contact", current.contact_id or current.deputy_contact_id)
            text = f"Vaste contactpersoon van de praktijk bij {where}: {person or 'niemand'}"
            if current.contact_id and current.deputy_contact_id:
                text += f" {_DASH} vervanger: {world.name('contact', current.deputy_contact_id)}"
        self.add(ChangeKind.CONTACT, text, group, service_id)

    def agreement(self, group: _Group, service_id: str | None) -> None:
        current = self.world.agreements.get(group.resource_id)
        team = self.world.name("service", service_id)
        if group.deleted or current is None:
            text = f"Terugkoppelafspraak met {team} vervalt"
        else:
            parts = []
            if current.confirm_within_working_days:
                days = current.confirm_within_working_days
                parts.append(f"bevestiging binnen {days} {'werkdag' if days == 1 else 'werkdagen'}")
            parts.append("brief bij afsluiting" if current.letter_at_closure else "geen brief")
            text = f"Terugkoppelafspraak met {team}: {', '.join(parts)}"
        self.add(ChangeKind.AGREEMENT, text, group, service_id)

    # -- services and organisations -----------------------------------------------------------

    def service(self, group: _Group, service_id: str | None) -> None:
        world, rid = self.world, group.resource_id
        name = world.name("service", rid) or "(naam onbekend)"
        if group.created and group.deleted:
            return
        if group.only_assured:
            self.add(ChangeKind.ASSURED, f"{name} gecontroleerd", group, rid)
            return
        if group.created:
            service = world.services.get(rid)
            org = world.name("organization", service.organization_id if service else None)
            text = f"Nieuw: {name}" + (f" ({org})" if org and org != name else "")
            self.add(ChangeKind.NEW, text, group, rid)
            return
        if group.deleted:
            self.add(ChangeKind.REMOVED, f"Opgeheven: {name}", group, rid)
            return
        self.service_updates(group, name, group.updates())

    def service_updates(
        self, group: _Group, name: str, updates: dict[str, tuple[str, str]]
    ) -> None:
        rid = group.resource_id
        if "name" in updates:
            old, new = updates.pop("name")
            self.add(ChangeKind.RENAMED, f"{old} heet nu {new}", group, rid)
        if "status" in updates:
            status = updates.pop("status")[1]
            if status == ServiceStatus.DEFUNCT.value:
                self.add(ChangeKind.REMOVED, f"Opgeheven: {name}", group, rid)
            elif status in _STATUS_PHRASES:
                self.add(ChangeKind.STATUS, _STATUS_PHRASES[status].format(name=name), group, rid)
        for key, noun, article in (("email", "e-mailadres", "Nieuw"), ("url", "website", "Nieuwe")):
            if key in updates:
                new = updates.pop(key)[1]
                text = (
                    f"{article} {noun} voor {name}: {new}"
                    if new
                    else (f"{noun.capitalize()} van {name} vervalt")
                )
                self.add(ChangeKind.REACH, text, group, rid)
        if "themes" in updates:
            new = updates.pop("themes")[1]
            self.add(ChangeKind.OTHER, f"Thema's van {name}: {new or 'geen'}", group, rid)
        if "kind" in updates:
            new = updates.pop("kind")[1]
            self.add(ChangeKind.OTHER, f"{name} is nu {_KIND_PHRASES.get(new, new)}", group, rid)
        if "schedules" in updates:
            updates.pop("schedules")
            self.collect(group, rid, kind=ChangeKind.HOURS)
        labels = sorted({_FIELD_LABELS.get(k, k.replace("_", " ")) for k in updates})
        if labels:
            self.add(
                ChangeKind.OTHER, f"Gegevens van {name} bijgewerkt: {', '.join(labels)}", group, rid
            )

    def organization(self, group: _Group, _service_id: str | None) -> None:
        name = self.world.name("organization", group.resource_id) or "(naam onbekend)"
        if group.created and group.deleted:
            return
        if group.created:
            self.add(ChangeKind.NEW, f"Nieuwe organisatie: {name}", group, None)
        elif group.deleted:
            self.add(ChangeKind.REMOVED, f"Opgeheven: {name} (organisatie)", group, None)
        else:
            updates = group.updates()
            if "name" in updates:
                old, new = updates.pop("name")
                self.add(ChangeKind.RENAMED, f"{old} heet nu {new}", group, None)
            if updates:
                self.add(ChangeKind.OTHER, f"Gegevens van {name} bijgewerkt", group, None)

    # -- hours, area, address: one line per service ------------------------------------------

    def collect(
        self, group: _Group, service_id: str | None, *, kind: ChangeKind | None = None
    ) -> None:
        kind = kind or _PER_SERVICE[group.resource_type]
        if group.only_assured:
            return
        services: list[str] = [service_id] if service_id else []
        if group.resource_type in ("location", "address"):
            location_id = group.resource_id
            if group.resource_type == "address":
                address = self.world.addresses.get(group.resource_id)
                location_id = address.location_id if address else group.value("location_id")
            services = self.world.services_at(location_id) or services
        if group.resource_type == "attribute" and not services:
            link = group.value("link_id")
            services = [link] if link in self.world.services else []
        if not services:
            self.small[_who(group.latest)].append(group)
            return
        key = (kind, services[0])
        previous = self.per_service.get(key)
        if previous is None or previous[0].latest.last_action_date < group.latest.last_action_date:
            self.per_service[key] = (group, services)

    def per_service_lines(self) -> None:
        world = self.world
        for (kind, service_id), (group, services) in self.per_service.items():
            name = world.name("service", service_id) or "(naam onbekend)"
            if len(services) > 1:
                name += f" en {len(services) - 1} andere voorzieningen"
            if kind is ChangeKind.HOURS:
                text = f"Nieuwe tijden voor {name}: {world.hours(service_id, self.today)}"
            elif kind is ChangeKind.AREA:
                text = f"Werkgebied van {name} is nu {world.area(service_id)}"
            elif kind is ChangeKind.ADDRESS:
                links = [s for s in world.links if s.service_id == service_id]
                address = world.address(links[0].location_id) if links else ""
                text = (
                    f"Nieuw adres voor {name}: {address}"
                    if address
                    else f"{name} heeft geen adres meer"
                )
            else:
                text = f"Thema's van {name} gewijzigd"
            self.add(kind, text, group, service_id)


# --- public ------------------------------------------------------------------------------------


def stale_counts(
    session: Session, *, today: date, months: int = DEFAULT_STALE_MONTHS
) -> tuple[int, int]:
    """(active services, their contacts) not checked for more than ``months`` months."""
    cutoff = months_before(today, months)
    active = Service.status == ServiceStatus.ACTIVE
    services = session.scalar(
        select(func.count())
        .select_from(Service)
        .where(active, or_(Service.assured_date.is_(None), Service.assured_date < cutoff))
    )
    contacts = session.scalar(
        select(func.count())
        .select_from(Contact)
        .join(Service, Service.id == Contact.service_id)
        .where(active, or_(Contact.assured_date.is_(None), Contact.assured_date < cutoff))
    )
    return services or 0, contacts or 0


def recent_changes(
    session: Session,
    *,
    since: datetime,
    kinds: Iterable[ChangeKind] = DEFAULT_KINDS,
    today: date | None = None,
    months: int = DEFAULT_STALE_MONTHS,
    limit: int | None = 50,
) -> Digest:
    """The kaart's changes since ``since`` as Dutch lines, named contacts first, newest first.

    Works for every writer of ``KaartChange`` (the editor, imports with a ``batch_id``, the
    demo). ``kinds`` narrows the lines (``ChangeKind.ASSURED`` adds the checks); ``limit``
    caps them, ``Digest.more`` says how many were left out.
    """
    if since.tzinfo is None:
        raise ValueError("naive datetime; pass an aware one")
    day = today or datetime.now(AMSTERDAM).date()
    rows = session.scalars(
        select(KaartChange)
        .where(
            KaartChange.last_action_date >= since,
            KaartChange.resource_type != BATCH_HEADER,
        )
        .order_by(KaartChange.last_action_date, KaartChange.id)
    ).all()
    groups: dict[tuple[str, str], _Group] = {}
    for row in rows:
        key = (row.resource_type, row.resource_id)
        groups.setdefault(key, _Group(*key)).rows.append(row)
    wanted = set(kinds)
    lines = [line for line in _Phraser(_World(session, groups), day).run() if line.kind in wanted]
    lines.sort(key=lambda line: (_ORDER[line.kind], -line.when.timestamp(), line.text))
    shown = lines if limit is None else lines[:limit]
    stale_services, stale_contacts = stale_counts(session, today=day, months=months)
    return Digest(
        since=since,
        lines=tuple(shown),
        stale_services=stale_services,
        stale_contacts=stale_contacts,
        stale_months=months,
        more=len(lines) - len(shown),
    )
