"""Turning checked template rows into HSDS records, so the template imports like a package.

Ids are derived from organisation and name (``derived_id``), so re-importing the same sheet is
a no-op; values the practice edited in gpdesk are kept (see ``sheet``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any, Protocol

from gpdesk.kaart.exchange.read import Problem, RawRecord
from gpdesk.kaart.exchange.template.columns import (
    CAPACITY_UNIT,
    NAMESPACE,
    THEME_TAXONOMY,
    WALK_IN,
    Sheet,
    TemplateRow,
)
from gpdesk.kaart.schedule import AMSTERDAM, Rule
from gpdesk.kaart.textnorm import fold
from gpdesk.models.kaart import join_names

if TYPE_CHECKING:
    from gpdesk.kaart.exchange.template.hours import WeeklyHours


# --- rows to HSDS records ---------------------------------------------------------------------


class Existing(Protocol):
    """What the template needs to know about the kaart as it is (rows by entity and id)."""

    def rows(self, entity: str) -> Mapping[str, Mapping[str, Any]]:
        """Every row of an entity, by id."""

    def children(self, entity: str, column: str, parent_id: str) -> list[str]:
        """Ids of ``entity`` rows whose ``column`` is ``parent_id``, sorted."""


@dataclass
class TemplateRecords:
    """What a sheet amounts to in HSDS terms."""

    records: list[RawRecord]
    removals: list[tuple[str, str, str, int]]
    """(entity, id, file, row): hours or themes replaced by a filled-in cell."""
    service_ids: set[str]


def derived_id(*parts: str) -> str:
    """A stable UUID 5 from names: the same sheet gives the same ids."""
    return str(uuid.uuid5(NAMESPACE, "|".join(fold(p) for p in parts)))


class _Builder:
    """Turns checked rows into records, matching what is already on the kaart."""

    def __init__(self, sheet: Sheet, existing: Existing) -> None:
        self.sheet = sheet
        self.existing = existing
        self.out = TemplateRecords([], [], set())
        self.org_by_name: dict[str, str] = {}
        for oid, org in sorted(existing.rows("organization").items()):
            self.org_by_name.setdefault(fold(org["name"] or ""), oid)
        self.service_by_key: dict[tuple[str, str], str] = {}
        orgs = existing.rows("organization")
        for sid, service in sorted(existing.rows("service").items()):
            owner = orgs.get(service["organization_id"])
            if owner is not None:
                key = (fold(owner["name"] or ""), fold(service["name"] or ""))
                self.service_by_key.setdefault(key, sid)
        taxonomies = existing.rows("taxonomy")
        self.theme_taxonomy = next(
            (tid for tid, t in sorted(taxonomies.items()) if t["name"] == THEME_TAXONOMY),
            None,
        )
        self.term_by_name: dict[str, str] = {}
        terms = existing.rows("taxonomy_term")
        theme_terms = sorted(terms.items(), key=lambda item: (not self._is_theme(item[1]), item[0]))
        for term_id, term in theme_terms:
            self.term_by_name.setdefault(fold(term["name"] or ""), term_id)
        self.unit_id = next(
            (
                u
                for u, unit in sorted(existing.rows("unit").items())
                if unit["name"] == CAPACITY_UNIT
            ),
            None,
        )

    def _is_theme(self, term: Mapping[str, Any]) -> bool:
        return term.get("taxonomy") == THEME_TAXONOMY or (
            self.theme_taxonomy is not None and term.get("taxonomy_id") == self.theme_taxonomy
        )

    def add(self, entity: str, data: dict[str, Any], row: int, column: str | None) -> None:
        record = RawRecord(entity, data, self.sheet.file, row)
        record.data["__column__"] = column
        self.out.records.append(record)

    def build(self) -> TemplateRecords:
        for row in self.sheet.rows:
            self._row(row)
        return self.out

    def _first(self, entity: str, column: str, parent: str | None) -> str | None:
        if parent is None:
            return None
        found = self.existing.children(entity, column, parent)
        return found[0] if found else None

    def _reuse(self, entity: str, column: str, parent: str, known: bool) -> str | None:
        """The first existing child of a matched service (its phone, area, ...), if any."""
        return self._first(entity, column, parent) if known else None

    def _organization(self, row: TemplateRow) -> str:
        key = fold(row.organisatie)
        if key not in self.org_by_name:
            oid = derived_id("organisatie", row.organisatie)
            self.org_by_name[key] = oid
            self.add(
                "organization",
                {"id": oid, "name": row.organisatie, "description": ""},
                row.row,
                "organisatie",
            )
        return self.org_by_name[key]

    def _row(self, row: TemplateRow) -> None:
        values = row.values
        org_id = self._organization(row)
        key = (fold(row.organisatie), fold(row.naam))
        existing_id = self.service_by_key.get(key)
        sid = existing_id or derived_id("voorziening", row.organisatie, row.naam)
        self.service_by_key[key] = sid
        self.out.service_ids.add(sid)
        service: dict[str, Any] = {"id": sid, "organization_id": org_id, "name": row.naam}
        for column, target in (
            ("beschrijving", "description"),
            ("website", "url"),
            ("email", "email"),
            ("kosten", "fees_description"),
            ("aanmelden", "application_process"),
            ("minimumleeftijd", "minimum_age"),
            ("maximumleeftijd", "maximum_age"),
            ("soort", "kind"),
            ("status", "status"),
            ("melding", "alert"),
            ("voor_wie", "eligibility_description"),
            ("gecontracteerd", "municipal_contract"),
            ("wachttijd", "wait_time"),
        ):
            if column in values:
                service[target] = values[column]
        if "eerdere_namen" in values:
            service["former_names"] = join_names(values["eerdere_namen"])
        self._assured("service", service, values)
        checker = service.get("assured_by")
        if isinstance(checker, str) and "@" in checker:
            service["assurer_email"] = checker
        self.add("service", service, row.row, "naam")
        known = existing_id is not None
        if "telefoon" in values:
            pid = self._reuse("phone", "service_id", sid, known) or derived_id(sid, "telefoon")
            phone = {"id": pid, "number": values["telefoon"]}
            if pid not in self.existing.rows("phone"):
                phone |= {"service_id": sid, "type": "voice"}
            self.add("phone", phone, row.row, "telefoon")
        self._address(row, sid, org_id, known)
        self._contacts(row, sid, known)
        if "werkgebied" in values:
            aid = self._reuse("service_area", "service_id", sid, known) or derived_id(
                sid, "werkgebied"
            )
            area = {"id": aid, "extent": values["werkgebied"], "extent_type": "text"}
            if aid not in self.existing.rows("service_area"):
                area["service_id"] = sid
            self.add("service_area", area, row.row, "werkgebied")
        for column, walk_in in (("inloop", True), ("openingstijden", False)):
            if column in values:
                self._hours(row, sid, values[column], walk_in=walk_in, column=column)
        if "themas" in values:
            self._themes(row, sid, values["themas"])
        if "wachtlijst" in values:
            self._capacity(row, sid, waiting_list=values["wachtlijst"])

    def _same_address(self, address_id: str, values: Mapping[str, Any]) -> bool:
        address = self.existing.rows("address")[address_id]
        return (
            fold(address["address_1"] or "") == fold(values["adres"])
            and fold(address["postal_code"] or "").replace(" ", "")
            == fold(values["postcode"]).replace(" ", "")
            and fold(address["city"] or "") == fold(values["plaats"])
        )

    def _address(self, row: TemplateRow, sid: str, org_id: str, known: bool) -> None:
        """The service's address: edited in place when the location is the service's own.

        A location other services also use (a community centre) is never edited from one
        row: the service is moved to a location of its own instead.
        """
        values = row.values
        if "adres" not in values:
            return
        links = self.existing.rows("service_at_location")
        sal_ids = self.existing.children("service_at_location", "service_id", sid) if known else []
        for sal_id in sal_ids:
            location = links[sal_id]["location_id"]
            if any(
                self._same_address(a, values)
                for a in self.existing.children("address", "location_id", location)
            ):
                return  # already there
        location_id = derived_id(sid, "locatie")
        if sal_ids:
            sal_id = sal_ids[0]
            current = links[sal_id]["location_id"]
            sharing = [
                other
                for other in self.existing.children("service_at_location", "location_id", current)
                if links[other]["service_id"] != sid
            ]
            if not sharing:
                location_id = current
            else:
                record = {"id": sal_id, "location_id": location_id}
                self.add("service_at_location", record, row.row, "adres")
        else:
            sal_id = derived_id(sid, "voorziening-op-locatie")
            self.add(
                "service_at_location",
                {"id": sal_id, "service_id": sid, "location_id": location_id},
                row.row,
                "adres",
            )
        if location_id not in self.existing.rows("location"):
            self.add(
                "location",
                {"id": location_id, "location_type": "physical", "organization_id": org_id},
                row.row,
                "adres",
            )
        address_id = self._first("address", "location_id", location_id) or derived_id(sid, "adres")
        address = {
            "id": address_id,
            "address_1": values["adres"],
            "postal_code": values["postcode"],
            "city": values["plaats"],
        }
        if address_id not in self.existing.rows("address"):
            address |= {"location_id": location_id, "country": "NL", "address_type": "physical"}
        self.add("address", address, row.row, "adres")

    def _person(self, row: TemplateRow, sid: str, role: str, name: str | None) -> tuple[str, bool]:
        """(contact id, is new) for the contact or the deputy of a service."""
        contacts = self.existing.rows("contact")
        derived = derived_id(sid, role)
        if derived in contacts:
            return derived, False
        if name:
            for cid in self.existing.children("contact", "service_id", sid):
                if fold(contacts[cid]["name"] or "") == fold(name):
                    return cid, False
        return derived, True

    def _contacts(self, row: TemplateRow, sid: str, known: bool) -> None:
        values = row.values
        fields = ("contactpersoon", "functie", "contact_email", "contact_telefoon")
        deputy_id: str | None = None
        if "vervanger" in values:
            if not any(k in values for k in fields):
                self.sheet.problems.append(
                    Problem(
                        self.sheet.file,
                        row.row,
                        "vervanger",
                        "Een vervanger zonder contactpersoon is niet ingelezen.",
                        skipped=False,
                    )
                )
            else:
                name, phone = values["vervanger"]
                deputy_id, new = self._person(row, sid, "vervanger", name)
                deputy = {"id": deputy_id, "name": name}
                if new:
                    deputy["service_id"] = sid
                self._assured("contact", deputy, values)
                self.add("contact", deputy, row.row, "vervanger")
                if phone:
                    self._contact_phone(row, deputy_id, phone, "vervanger")
        if not any(k in values for k in fields):
            return
        cid, new = self._person(row, sid, "contactpersoon", values.get("contactpersoon"))
        contact: dict[str, Any] = {"id": cid}
        if new:
            contact["service_id"] = sid
        for column, target in (
            ("contactpersoon", "name"),
            ("functie", "title"),
            ("contact_email", "email"),
        ):
            if column in values:
                contact[target] = values[column]
        if deputy_id is not None:
            contact["deputy_contact_id"] = deputy_id
        self._assured("contact", contact, values)
        self.add("contact", contact, row.row, "contactpersoon")
        if "contact_telefoon" in values:
            self._contact_phone(row, cid, values["contact_telefoon"], "contact telefoon")

    def _assured(self, entity: str, record: dict[str, Any], values: Mapping[str, Any]) -> None:
        """Set who checked when, unless the kaart already has a more recent check."""
        checked = values.get("gecontroleerd_op")
        current = self.existing.rows(entity).get(record["id"], {}).get("assured_date")
        if isinstance(checked, date) and isinstance(current, date) and current > checked:
            self.sheet.notes.append(
                "Waar de kaart al een recentere controledatum had, is die bewaard."
            )
            return
        if checked is not None:
            record["assured_date"] = checked
        if "gecontroleerd_door" in values:
            record["assured_by"] = values["gecontroleerd_door"]

    def _contact_phone(self, row: TemplateRow, cid: str, number: str, column: str) -> None:
        pid = self._first("phone", "contact_id", cid) or derived_id(cid, "telefoon")
        phone = {"id": pid, "number": number}
        if pid not in self.existing.rows("phone"):
            phone |= {"contact_id": cid, "type": "voice"}
        self.add("phone", phone, row.row, column)

    def _hours(
        self, row: TemplateRow, sid: str, hours: list[WeeklyHours], *, walk_in: bool, column: str
    ) -> None:
        schedules = self.existing.rows("schedule")
        mine = [
            s_id
            for s_id in self.existing.children("schedule", "service_id", sid)
            if Rule(attending_type=schedules[s_id]["attending_type"]).is_walk_in == walk_in
        ]

        def content(s_id: str) -> tuple[Any, ...]:
            s = schedules[s_id]
            days = ",".join(sorted((s["byday"] or "").upper().replace(" ", "").split(",")))
            return (days, s["opens_at"], s["closes_at"])

        wanted = [(h, (",".join(sorted(h.byday.split(","))), h.opens, h.closes)) for h in hours]
        unmatched_old = [s_id for s_id in mine if content(s_id) not in {w for _, w in wanted}]
        existing_content = {content(s_id) for s_id in mine}
        for index, (entry, key) in enumerate(wanted):
            if key in existing_content:
                continue  # already there, unchanged
            fields = {
                "freq": "WEEKLY",
                "byday": entry.byday,
                "opens_at": entry.opens,
                "closes_at": entry.closes,
            }
            if unmatched_old:
                self.add("schedule", {"id": unmatched_old.pop(0), **fields}, row.row, column)
                continue
            new_id = derived_id(sid, column, str(index), entry.byday, entry.opens.isoformat())
            self.add(
                "schedule",
                {
                    "id": new_id,
                    "service_id": sid,
                    "attending_type": WALK_IN if walk_in else None,
                    **fields,
                },
                row.row,
                column,
            )
        for s_id in unmatched_old:
            self.out.removals.append(("schedule", s_id, self.sheet.file, row.row))

    def _theme_taxonomy(self, row: TemplateRow) -> str:
        if self.theme_taxonomy is None:
            self.theme_taxonomy = derived_id("taxonomie", THEME_TAXONOMY)
            self.add(
                "taxonomy",
                {"id": self.theme_taxonomy, "name": THEME_TAXONOMY, "description": "Thema's"},
                row.row,
                "thema's",
            )
        return self.theme_taxonomy

    def _themes(self, row: TemplateRow, sid: str, names: list[str]) -> None:
        terms = self.existing.rows("taxonomy_term")
        attributes = self.existing.rows("attribute")
        wanted: list[str] = []
        for name in names:
            term_id = self.term_by_name.get(fold(name))
            if term_id is None:
                term_id = derived_id("thema", name)
                self.term_by_name[fold(name)] = term_id
                self.add(
                    "taxonomy_term",
                    {
                        "id": term_id,
                        "name": name,
                        "description": "",
                        "taxonomy": THEME_TAXONOMY,
                        "taxonomy_id": self._theme_taxonomy(row),
                        "language": "nl",
                    },
                    row.row,
                    "thema's",
                )
            if term_id not in wanted:
                wanted.append(term_id)
        linked: dict[str, str] = {}
        for a_id in self.existing.children("attribute", "link_id", sid):
            attribute = attributes[a_id]
            term = terms.get(attribute["taxonomy_term_id"])
            is_theme = attribute["link_type"] == "thema" or (
                term is not None and self._is_theme(term)
            )
            if attribute["link_entity"] == "service" and is_theme:
                linked.setdefault(attribute["taxonomy_term_id"], a_id)
                if attribute["taxonomy_term_id"] not in wanted:
                    self.out.removals.append(("attribute", a_id, self.sheet.file, row.row))
        for term_id in wanted:
            if term_id in linked:
                continue
            label = names[wanted.index(term_id)]
            self.add(
                "attribute",
                {
                    "id": derived_id(sid, "thema", term_id),
                    "link_id": sid,
                    "link_entity": "service",
                    "link_type": "thema",
                    "taxonomy_term_id": term_id,
                    "label": label,
                },
                row.row,
                "thema's",
            )

    def _capacity(self, row: TemplateRow, sid: str, *, waiting_list: bool) -> None:
        capacities = self.existing.rows("service_capacity")
        current = self._first("service_capacity", "service_id", sid)
        if current is not None and (capacities[current]["available"] > 0) is not waiting_list:
            return  # already says the same thing
        available = 0.0 if waiting_list else 1.0
        description = "Wachtlijst." if waiting_list else "Geen wachtlijst."
        checked = row.values.get("gecontroleerd_op")
        updated = (
            datetime.combine(checked, time(), tzinfo=AMSTERDAM).astimezone(UTC)
            if isinstance(checked, date)
            else datetime.now(UTC).replace(microsecond=0)
        )
        if current is not None:
            record = {"id": current, "available": available, "description": description}
            self.add("service_capacity", record | {"updated": updated}, row.row, "wachtlijst")
            return
        if self.unit_id is None:
            self.unit_id = derived_id("eenheid", CAPACITY_UNIT)
            self.add("unit", {"id": self.unit_id, "name": CAPACITY_UNIT}, row.row, "wachtlijst")
        self.add(
            "service_capacity",
            {
                "id": derived_id(sid, "capaciteit"),
                "service_id": sid,
                "unit_id": self.unit_id,
                "available": available,
                "description": description,
                "updated": updated,
            },
            row.row,
            "wachtlijst",
        )


def template_records(sheet: Sheet, existing: Existing) -> TemplateRecords:
    """The HSDS records a checked sheet stands for, ids matched to the kaart as it is.

    Each record's data carries ``__column__``: the template column it came from, so later
    problems (a dangling reference, a too-long value) name the cell the user must fix.
    """
    return _Builder(sheet, existing).build()
