"""Turning grouped changes into Dutch digest lines, leaving out what a bigger change says.

The wording GPs asked for ("Contactpersoon … is vertrokken — vervanger: …", "Nieuw: …") and the
rules for what to leave out live here, apart from loading the rows and the current names.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Final

from gpdesk.kaart.changes.groups import ChangeGroup, author_label
from gpdesk.kaart.changes.lines import ChangeKind, DigestLine
from gpdesk.kaart.changes.world import ChangeWorld
from gpdesk.models import ServiceStatus

_DASH: Final = "—"
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
    "wait_time": "wachttijd",
    "municipal_contract": "contract met de gemeente",
    "former_names": "eerdere namen",
    "kind": "soort",
    "organization_id": "organisatie",
    "legal_status": "rechtsvorm",
    "parent_organization_id": "hoofdorganisatie",
}
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


class DigestPhraser:
    """Turns the period's groups into lines, leaving out what a bigger change already says."""

    def __init__(self, world: ChangeWorld, today: date) -> None:
        self.world = world
        self.today = today
        groups = world.groups
        self.whole_services = {
            rid for (k, rid), g in groups.items() if k == "service" and (g.created or g.deleted)
        }
        self.whole_contacts = {
            rid for (k, rid), g in groups.items() if k == "contact" and (g.created or g.deleted)
        }
        self.left_contacts = {
            rid for (k, rid), g in groups.items() if k == "contact" and (g.deleted or g.departed)
        }
        self.assured_services = {
            rid for (k, rid), g in groups.items() if k == "service" and g.only_assured
        }
        self.lines: list[DigestLine] = []
        self.per_service: dict[tuple[ChangeKind, str], tuple[ChangeGroup, list[str]]] = {}
        self.small: dict[str, list[ChangeGroup]] = defaultdict(list)

    def add(self, kind: ChangeKind, text: str, group: ChangeGroup, service_id: str | None) -> None:
        """Add a line dated and signed by the group's newest row; a gone service is not linked."""
        row = group.latest
        if service_id is not None and service_id not in self.world.services:
            service_id = None  # nothing to open any more
        self.lines.append(
            DigestLine(
                kind, text, row.last_action_date, author_label(row), service_id, row.batch_id
            )
        )

    def run(self) -> list[DigestLine]:
        """Every line of the period, unsorted; small changes are counted per author."""
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
                self.small[author_label(group.latest)].append(group)
        self.per_service_lines()
        for groups in self.small.values():
            count = len(groups)
            noun = "wijziging" if count == 1 else "wijzigingen"
            latest = max(groups, key=lambda g: g.latest.last_action_date)
            self.add(ChangeKind.OTHER, f"{count} andere {noun} in de sociale kaart", latest, None)
        return self.lines

    # -- people ---------------------------------------------------------------------------------

    def contact(self, group: ChangeGroup, service_id: str | None) -> None:
        """Lines about a named person: left, new, replaced, new deputy, number or function."""
        world, rid = self.world, group.resource_id
        who = world.person(rid)
        team = world.name("service", service_id)
        if group.created and group.deleted:
            return
        if group.only_assured:
            if service_id not in self.assured_services:
                self.add(ChangeKind.ASSURED, f"{who} gecontroleerd", group, service_id)
            return
        if group.deleted or group.departed:
            current = world.contacts.get(rid)
            deputy_id = (
                current.deputy_contact_id
                if group.departed and current is not None
                else group.value("deputy_contact_id")
            )
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

    def phone(self, group: ChangeGroup, service_id: str | None) -> None:
        """A phone number line, unless the contact it belongs to came or left as a whole."""
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

    def fixed_contact(self, group: ChangeGroup, service_id: str | None) -> None:
        """The practice's own fixed contact at a team, unless a leaver's line already says it."""
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

    def agreement(self, group: ChangeGroup, service_id: str | None) -> None:
        """The feedback agreement with a team, as it stands now."""
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

    def service(self, group: ChangeGroup, service_id: str | None) -> None:
        """A service that is new, removed, only checked, or changed field by field."""
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
        self, group: ChangeGroup, name: str, updates: dict[str, tuple[str, str]]
    ) -> None:
        """Lines for a changed service: name, status, reach, themes, kind, hours, other fields."""
        rid = group.resource_id
        if "name" in updates:
            old, new = updates.pop("name")
            updates.pop("former_names", None)  # the old name went there: part of the rename
            self.add(ChangeKind.RENAMED, f"{old} heet nu {new}", group, rid)
        if "status" in updates:
            status = updates.pop("status")[1]
            if status == ServiceStatus.DEFUNCT.value:
                self.add(ChangeKind.REMOVED, f"Opgeheven: {name}", group, rid)
            elif status in _STATUS_PHRASES:
                text = _STATUS_PHRASES[status].format(name=name)
                notice = updates.get("alert", ("", ""))[1]
                if status == ServiceStatus.TEMPORARILY_CLOSED.value and notice:
                    updates.pop("alert")  # why it closed belongs on the same line
                    text += f": {' '.join(notice.split())}"
                self.add(ChangeKind.STATUS, text, group, rid)
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

    def organization(self, group: ChangeGroup, _service_id: str | None) -> None:
        """An organisation that is new, removed, renamed or otherwise changed."""
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
                updates.pop("former_names", None)
                self.add(ChangeKind.RENAMED, f"{old} heet nu {new}", group, None)
            if updates:
                self.add(ChangeKind.OTHER, f"Gegevens van {name} bijgewerkt", group, None)

    # -- hours, area, address: one line per service ------------------------------------------

    def collect(
        self, group: ChangeGroup, service_id: str | None, *, kind: ChangeKind | None = None
    ) -> None:
        """Keep the newest hours/area/address change per service, so each gets one line."""
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
            self.small[author_label(group.latest)].append(group)
            return
        key = (kind, services[0])
        previous = self.per_service.get(key)
        if previous is None or previous[0].latest.last_action_date < group.latest.last_action_date:
            self.per_service[key] = (group, services)

    def per_service_lines(self) -> None:
        """One line per service and kind collected by ``collect``, saying how it is now."""
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
