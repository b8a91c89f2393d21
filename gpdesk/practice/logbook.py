"""The Logboek as a privacy officer reads it: each audit entry with a Dutch line and names.

An audit entry stores usernames and ids; the Logboek shows "R. Smit" and "Wijkteam Nieuwland".
The names come from the staff and kaart tables as they are now, and for a kaart item that was
since removed from the kaart's own change history. Never a patient: the patient stays a keyed
reference in the entry and the screen only says that one was involved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.models import Contact, KaartChange, Organization, Service, User
from gpdesk.security import audit
from gpdesk.security.audit import AuditFilter, AuditRecord, name_key

_KAART_TABLES: dict[str, type[Service] | type[Organization]] = {
    "kaart_service": Service,
    "kaart_organization": Organization,
}
_CHANGE_TYPES = {"kaart_service": "service", "kaart_organization": "organization"}


@dataclass(frozen=True)
class LogbookLine:
    """One entry for the Logboek screen: the record itself, who did it, and what happened."""

    record: AuditRecord
    who: str
    """The actor's name ("R. Smit"), or the username as typed for an unknown one."""
    what: str
    """The Dutch line of ``audit.describe``."""


def logbook_page(
    session: Session, flt: AuditFilter, *, before_seq: int | None = None, limit: int = 200
) -> list[LogbookLine]:
    """One page of the Logboek, newest first, with names filled in."""
    records = audit.page(session, flt, before_seq=before_seq, limit=limit)
    return readable(session, records)


def readable(session: Session, records: Iterable[AuditRecord]) -> list[LogbookLine]:
    """Entries with their Dutch line and the actor's name, names looked up in a few queries."""
    rows = list(records)
    names = names_for(session, rows)
    lines = []
    for rec in rows:
        who = names.get(name_key("user", rec.username or "")) or rec.username or "–"
        lines.append(LogbookLine(record=rec, who=who, what=audit.describe(rec, names)))
    return lines


def names_for(session: Session, records: Iterable[AuditRecord]) -> dict[str, str]:
    """Current names for the staff and kaart items the entries mention, by ``name_key``."""
    names = {
        name_key("user", username): display
        for username, display in session.execute(select(User.username, User.display_name))
    }
    wanted: dict[str, set[str]] = {}
    for rec in records:
        if rec.object_id and (
            rec.object_type in audit.KAART_OBJECTS or rec.object_type == "kaart_batch"
        ):
            key = name_key(rec.object_type, rec.object_id)
            kind, _, object_id = key.partition(":")
            wanted.setdefault(kind, set()).add(object_id)
    for kind, table in _KAART_TABLES.items():
        ids = wanted.get(kind, set())
        if ids:
            for object_id, name in session.execute(
                select(table.id, table.name).where(table.id.in_(ids))
            ):
                names[f"{kind}:{object_id}"] = name or ""
    contact_ids = wanted.get("kaart_contact", set())
    if contact_ids:
        for contact_id, person, service in session.execute(
            select(Contact.id, Contact.name, Service.name)
            .outerjoin(Service, Contact.service_id == Service.id)
            .where(Contact.id.in_(contact_ids))
        ):
            text = person or ""
            names[f"kaart_contact:{contact_id}"] = f"{text} ({service})" if service else text
    _names_of_removed(session, wanted, names)
    batches = wanted.get("kaart_batch", set())
    if batches:
        for batch_id, info in session.execute(
            select(KaartChange.resource_id, KaartChange.replacement_value).where(
                KaartChange.resource_type == "kaart_batch",
                KaartChange.resource_id.in_(batches),
                KaartChange.field_name == "",
            )
        ):
            file = _json_field(info, "file") or _json_field(info, "source")
            if file:
                names.setdefault(f"kaart_batch:{batch_id}", file)
    return names


def _names_of_removed(session: Session, wanted: dict[str, set[str]], names: dict[str, str]) -> None:
    """Kaart items no longer on the kaart keep the name their change history recorded."""
    types = {**_CHANGE_TYPES, "kaart_contact": "contact"}
    for kind, resource_type in types.items():
        missing = {i for i in wanted.get(kind, set()) if f"{kind}:{i}" not in names}
        if not missing:
            continue
        for resource_id, previous, replacement in session.execute(
            select(
                KaartChange.resource_id, KaartChange.previous_value, KaartChange.replacement_value
            )
            .where(
                KaartChange.resource_type == resource_type,
                KaartChange.resource_id.in_(missing),
                KaartChange.field_name == "name",
            )
            .order_by(KaartChange.last_action_date)
        ):
            name = replacement or previous
            if name:
                names[f"{kind}:{resource_id}"] = name  # the latest name wins


def _json_field(text: str, key: str) -> str:
    try:
        value = json.loads(text).get(key, "")
    except (ValueError, AttributeError):
        return ""
    return str(value) if value else ""
