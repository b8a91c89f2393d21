"""The change log grouped per item: one ``ChangeGroup`` holds every row about one thing.

Phrasing needs to know whether an item was created, deleted or only checked in the period, and
what a field was before and after; grouping answers that once, whatever wrote the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from gpdesk.kaart.store.queries import ASSURED
from gpdesk.models import KaartChange

_IGNORED_FIELDS: Final = frozenset({"last_modified", "assured_date", "assured_by", "assurer_email"})


@dataclass
class ChangeGroup:
    """All rows about one item in the period."""

    resource_type: str
    resource_id: str
    rows: list[KaartChange] = field(default_factory=list)

    def _actions(self) -> set[str]:
        return {r.last_action_type for r in self.rows}

    @property
    def created(self) -> bool:
        """Whether the item was made in the period (its lines then say "Nieuw")."""
        return "create" in self._actions()

    @property
    def deleted(self) -> bool:
        """Whether the item was removed in the period (its lines then say it left or ended)."""
        return "delete" in self._actions()

    @property
    def departed(self) -> bool:
        """Whether a contact was marked as left in the period (kept, struck through)."""
        return any(
            r.field_name == "departed_on" and r.replacement_value and not r.previous_value
            for r in self.rows
            if r.last_action_type == "update"
        )

    @property
    def only_assured(self) -> bool:
        """Whether the only rows are checks, which are shown only when asked for."""
        return self._actions() == {ASSURED}

    @property
    def latest(self) -> KaartChange:
        """The newest row: its date and author stand for the whole group."""
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


def author_label(row: KaartChange) -> str:
    """Who made a change as the digest shows it; import batches say so."""
    name = row.updated_by.strip()
    if row.batch_id is None:
        return name or "onbekend"
    if not name:
        return "import"
    return name if "import" in name.lower() else f"{name} (import)"
