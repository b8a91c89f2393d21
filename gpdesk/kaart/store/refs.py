"""The frozen results the kaart's readers return, so they can cross to the GUI thread safely.

Kept apart from the queries that fill them: the detail pane, the handout and the CLI only need
these shapes, never the ORM.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from gpdesk.kaart.postcodes import Pc4Range, format_ranges
from gpdesk.kaart.schedule import Slot
from gpdesk.models import ServiceKind, ServiceStatus


@dataclass(frozen=True)
class ContactRef:
    """A named person to call; ``fixed`` when it is the practice's own vaste contactpersoon.

    ``departed_on``: the person left (shown struck through, with the ``deputy`` taking over);
    such a ref is never the one to call. ``stands_in_for``: the name of who left, when this
    person is called in their place.
    """

    id: str
    name: str
    title: str | None = None
    department: str | None = None
    email: str | None = None
    phone: str | None = None
    deputy: ContactRef | None = None
    fixed: bool = False
    theme: str | None = None
    note: str | None = None
    assured_date: date | None = None
    assured_by: str | None = None
    stale: bool = True
    departed_on: date | None = None
    stands_in_for: str | None = None

    @property
    def departed(self) -> bool:
        """Whether this person left (kept on the kaart, struck through)."""
        return self.departed_on is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text)."""
        result: dict[str, Any] = jsonable(asdict(self))
        return result


@dataclass(frozen=True)
class PhoneRef:
    """A phone number of a service."""

    number: str
    extension: str | None = None
    type: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class LocationRef:
    """Where a service is delivered."""

    id: str
    name: str | None
    address: str | None
    description: str | None = None
    transportation: str | None = None


@dataclass(frozen=True)
class AreaRef:
    """A service area with its PC4 ranges and neighbourhood names."""

    id: str
    name: str | None
    wijk: str | None
    ranges: tuple[Pc4Range, ...]

    @property
    def ranges_label(self) -> str:
        """``3118–3119`` for display."""
        return format_ranges(self.ranges)


@dataclass(frozen=True)
class ThemeRef:
    """A theme (taxonomy term)."""

    id: str
    name: str


@dataclass(frozen=True)
class CapacityRef:
    """Places free; ``available`` 0 means a waiting list (see ``description``)."""

    available: float
    maximum: float | None
    unit: str
    description: str | None
    updated: datetime


@dataclass(frozen=True)
class FeedbackAgreementRef:
    """What the team promised this practice about feedback."""

    confirm_within_working_days: int | None
    letter_at_closure: bool
    channel: str | None
    notes: str | None


@dataclass(frozen=True)
class ServiceSummary:
    """One line of the kaart's result list."""

    id: str
    name: str
    alternate_name: str | None
    organization: str
    kind: ServiceKind
    status: ServiceStatus
    themes: tuple[str, ...]
    assured_date: date | None
    stale: bool
    has_capacity: bool | None
    """True: places free; False: waiting list; None: not reported."""


@dataclass(frozen=True)
class ServiceDetail:
    """Everything the detail pane shows: what, where, when, who, checked when.

    ``contacts`` are the service's own contacts minus those who are only someone's deputy (they
    appear as ``deputy`` of the one they stand in for); ``fixed_contacts`` are the practice's
    agreed contacts, the general one first, then per theme.
    """

    id: str
    name: str
    alternate_name: str | None
    organization_id: str
    organization: str
    kind: ServiceKind
    status: ServiceStatus
    description: str | None
    url: str | None
    email: str | None
    alert: str | None
    contacts: tuple[ContactRef, ...]
    fixed_contacts: tuple[ContactRef, ...]
    phones: tuple[PhoneRef, ...]
    locations: tuple[LocationRef, ...]
    opening_hours: tuple[str, ...]
    next_walk_in: Slot | None
    next_walk_in_label: str | None
    open_now: bool
    areas: tuple[AreaRef, ...]
    themes: tuple[ThemeRef, ...]
    languages: tuple[str, ...]
    capacities: tuple[CapacityRef, ...]
    has_capacity: bool | None
    eligibility_description: str | None
    minimum_age: int | None
    maximum_age: int | None
    fees_description: str | None
    application_process: str | None
    interpretation_services: str | None
    assured_date: date | None
    assured_by: str | None
    stale: bool
    last_modified: datetime | None
    feedback_agreement: FeedbackAgreementRef | None
    wait_time: str | None = None
    municipal_contract: bool | None = None
    """True: the municipality contracts the provider; False: the patient pays; None: unknown."""
    former_names: tuple[str, ...] = ()
    """Names the service went by before (the practice may still know it by one of them)."""
    organization_names: tuple[str, ...] = ()
    """The organisation's other and former names."""

    @property
    def closed(self) -> bool:
        """Temporarily closed: shown and labelled, never routed to."""
        return self.status is ServiceStatus.TEMPORARILY_CLOSED


def jsonable(value: Any) -> Any:
    """Plain JSON data from dataclass dicts: dates as ISO text, enums as their values."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class ServiceRow:
    """What one line of the kaart's result list shows besides the name.

    ``contact`` is who to call (the practice's general fixed contact, else the service's first
    named contact who has not left, else the deputy of one who has); ``next_walk_in`` the walk-in
    hour going on or next to start (None while the service is temporarily closed).
    """

    id: str
    name: str
    organization: str
    contact: ContactRef | None
    next_walk_in: Slot | None
    assured_date: date | None
    assured_by: str | None
    stale: bool
    has_capacity: bool | None
    status: ServiceStatus = ServiceStatus.ACTIVE
    alert: str | None = None
    """The service's short-term notice ("gesloten wegens verbouwing tot 1 april")."""

    @property
    def closed(self) -> bool:
        """Temporarily closed: the list says so, with the alert."""
        return self.status is ServiceStatus.TEMPORARILY_CLOSED
