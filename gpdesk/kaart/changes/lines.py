"""What the "Wat is er veranderd" digest hands the screen: its kinds, lines and the whole digest.

These are the plain results the panel and tests read; how they are worked out from the change
log lives in ``gpdesk.kaart.changes.digest`` and ``gpdesk.kaart.changes.phrasing``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from gpdesk.kaart.freshness import DEFAULT_STALE_MONTHS
from gpdesk.kaart.schedule import AMSTERDAM, format_date


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
