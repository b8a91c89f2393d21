"""One edit of the kaart: permission, change log and audit entry, written together or not at all.

Every edit function opens an ``EditLog`` in the caller's session. It refuses at once without
``Permission.KAART_EDIT``, writes a ``KaartChange`` row per field that really changed (create:
from empty, delete: to empty, so the digest and an undo can name what went), and closes with
one ``kaart.change`` audit entry. Because all of it goes through the caller's unit of work, the
change, its history and its audit entry commit together.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gpdesk.errors import GpdeskError
from gpdesk.models import (
    KaartChange,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
    utcnow,
)
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission, require

AUDIT_EVENT: Final = "kaart.change"
ASSURED_EVENT: Final = "kaart.assured"
"""The audit event of a check that changed nothing (as the Sociale kaart screen writes it)."""
CREATE: Final = "create"
UPDATE: Final = "update"
DELETE: Final = "delete"

PRIVATE_RESOURCE_TYPES: Final = frozenset({"fixed_contact", "feedback_agreement"})
"""``KaartChange.resource_type`` values of the practice's private layer: never export these."""

_ACTIONS: Final = {
    CREATE: audit.Action.CREATE,
    UPDATE: audit.Action.UPDATE,
    DELETE: audit.Action.DELETE,
}


@dataclass(frozen=True)
class EditResult:
    """What an edit did: the id it concerns, how many fields changed, what the user should know.

    ``warnings`` are plain Dutch sentences, e.g. that a contact who left was someone's deputy.
    """

    id: str | None
    changes: int
    warnings: tuple[str, ...] = ()


def as_text(value: Any) -> str:
    """A field value as the change log stores it: dates ISO, times HH:MM, yes/no in Dutch."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def not_found(what: str) -> GpdeskError:
    """The row was deleted meanwhile (another workstation, an import)."""
    return GpdeskError(
        f"{what} staat niet (meer) op de sociale kaart.",
        hint="Vernieuw de lijst; misschien is het net gewijzigd of verwijderd.",
    )


def load_service(session: Session, service_id: str) -> Service:
    """A service with everything an edit touches (phones, hours, areas, locations) loaded."""
    service = session.scalar(
        select(Service)
        .where(Service.id == service_id)
        .options(
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.service_areas).selectinload(ServiceArea.postcodes),
            selectinload(Service.service_at_locations)
            .selectinload(ServiceAtLocation.location)
            .selectinload(Location.addresses),
        )
    )
    if service is None:
        raise not_found("Deze voorziening")
    return service


class EditLog:
    """Collects the ``KaartChange`` rows of one edit and closes it with one audit entry."""

    def __init__(
        self,
        session: Session,
        by: SignedIn,
        *,
        object_type: str,
        object_id: str | None = None,
        action: str = UPDATE,
    ) -> None:
        require(by.actor.permissions, Permission.KAART_EDIT)
        self.session = session
        self.by = by
        self.object_type = object_type
        self.object_id = object_id
        self.action = action
        self.now = utcnow()
        self.changes = 0
        self.warnings: list[str] = []
        self._created: set[str] = set()

    @property
    def who(self) -> str:
        """The name the digest shows for this edit."""
        return self.by.actor.display_name

    def field(
        self,
        resource_type: str,
        resource_id: str,
        field_name: str,
        previous: Any,
        replacement: Any,
        *,
        action: str = UPDATE,
    ) -> bool:
        """Log one field if its value really changed; True when it did.

        A field set on a row created in this same edit counts as part of creating it.
        """
        old, new = as_text(previous), as_text(replacement)
        if old == new and action == UPDATE:
            return False
        if action == UPDATE and resource_id in self._created:
            action = CREATE
        self.session.add(
            KaartChange(
                resource_id=resource_id,
                resource_type=resource_type,
                field_name=field_name,
                previous_value=old,
                replacement_value=new,
                last_action_type=action,
                last_action_date=self.now,
                updated_by=self.who,
                batch_id=None,
            )
        )
        self.changes += 1
        return True

    def created(self, resource_type: str, resource_id: str, fields: Mapping[str, Any]) -> None:
        """A new row: one change per filled field (one bare row when nothing is filled)."""
        self._created.add(resource_id)
        filled = {k: v for k, v in fields.items() if as_text(v)}
        for name, value in filled.items():
            self.field(resource_type, resource_id, name, None, value, action=CREATE)
        if not filled:
            self.field(resource_type, resource_id, "", None, None, action=CREATE)

    def deleted(self, resource_type: str, resource_id: str, fields: Mapping[str, Any]) -> None:
        """A removed row: one change per field it had, so the digest can still name it."""
        filled = {k: v for k, v in fields.items() if as_text(v)}
        for name, value in filled.items():
            self.field(resource_type, resource_id, name, value, None, action=DELETE)
        if not filled:
            self.field(resource_type, resource_id, "", None, None, action=DELETE)

    def assign(self, row: Any, resource_type: str, values: Mapping[str, Any]) -> int:
        """Set attributes of an ORM row, logging each that changed; returns how many changed."""
        changed = 0
        for name, value in values.items():
            if self.field(resource_type, row.id, name, getattr(row, name), value):
                setattr(row, name, value)
                changed += 1
        return changed

    def warn(self, message: str) -> None:
        """Something the user must know or do after this edit."""
        if message not in self.warnings:
            self.warnings.append(message)

    def finish(
        self,
        result_id: str | None = None,
        *,
        detail: str | None = None,
        event: str = AUDIT_EVENT,
    ) -> EditResult:
        """Flush, and write the audit entry when anything changed."""
        self.session.flush()
        object_id = result_id or self.object_id
        if self.changes:
            audit.record(
                self.session,
                event=event,
                action=_ACTIONS[self.action],
                actor=self.by.actor,
                object_type=self.object_type,
                object_id=object_id,
                detail=detail or f"{self.changes} gewijzigde velden",
            )
        return EditResult(object_id, self.changes, tuple(self.warnings))
