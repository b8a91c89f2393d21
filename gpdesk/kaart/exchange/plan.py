"""What an import will do, as the preview shows it: the plan, its items and its batches.

``ImportPlan`` is the one object the preview, the CLI and ``apply_import`` share, so what the
practice confirmed is exactly what is carried out. The change-log vocabulary (``CREATE``,
``BATCH_TYPE``, ...) lives here too, because planning, applying and undoing must agree on it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Final, Literal, NamedTuple, cast

from sqlalchemy import Table

from gpdesk.kaart.exchange.read import KIND_LABELS, SHAPE_LABELS, Problem, entity_label
from gpdesk.models import KaartChange

BATCH_TYPE: Final = "kaart_batch"
"""``KaartChange.resource_type`` of the one row per batch holding its source and counts."""
CREATE: Final = "create"
UPDATE: Final = "update"
DELETE: Final = "delete"
IMPORT: Final = "import"
UNDO: Final = "undo"
_CHUNK: Final = 500
_CHANGE_TABLE: Final = cast(Table, KaartChange.__table__)
_PREVIEW_IDS: Final = 5

FIELD_LABELS: Final[Mapping[str, str]] = {
    "name": "naam",
    "alternate_name": "andere naam",
    "description": "beschrijving",
    "email": "e-mail",
    "url": "website",
    "website": "website",
    "number": "nummer",
    "extension": "toestelnummer",
    "title": "functie",
    "department": "afdeling",
    "status": "status",
    "kind": "soort",
    "assured_date": "gecontroleerd op",
    "assured_by": "gecontroleerd door",
    "assurer_email": "e-mail van wie controleerde",
    "minimum_age": "minimumleeftijd",
    "maximum_age": "maximumleeftijd",
    "fees_description": "kosten",
    "application_process": "aanmelden",
    "eligibility_description": "voor wie",
    "interpretation_services": "tolk",
    "alert": "melding",
    "wait_time": "wachttijd",
    "municipal_contract": "contract met de gemeente",
    "former_names": "eerdere namen",
    "departed_on": "vertrokken op",
    "opens_at": "open vanaf",
    "closes_at": "open tot",
    "byday": "dagen",
    "freq": "herhaling",
    "attending_type": "soort tijden",
    "extent": "postcodes",
    "wijk": "wijken",
    "address_1": "adres",
    "postal_code": "postcode",
    "city": "plaats",
    "available": "plaatsen vrij",
    "maximum": "plaatsen totaal",
    "updated": "bijgewerkt",
    "deputy_contact_id": "vervanger",
    "organization_id": "organisatie",
    "service_id": "voorziening",
    "location_id": "vestiging",
    "contact_id": "contactpersoon",
    "taxonomy_term_id": "thema",
    "direct_line": "direct nummer",
    "local_note": "eigen notitie",
    "last_modified": "laatst gewijzigd",
}
"""Dutch words for the fields a preview shows most; any other field shows its HSDS name."""


# --- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanItem:
    """One kaart item (one table row): its entity, id, a readable name and what it belongs to."""

    type: str
    id: str
    name: str
    context: str | None = None

    @property
    def type_label(self) -> str:
        """Dutch word for the type: "voorziening", "contactpersoon", ..."""
        return entity_label(self.type)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {**asdict(self), "type_label": self.type_label}


@dataclass(frozen=True)
class FieldChange:
    """One field of one item, as text: ``old`` → ``new`` (None: empty)."""

    field: str
    old: str | None
    new: str | None

    @property
    def label(self) -> str:
        """Dutch name of the field."""
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class ChangedItem(PlanItem):
    """An item with its field-by-field changes."""

    changes: tuple[FieldChange, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, each change with its Dutch label."""
        data = super().as_dict()
        data["changes"] = [{**asdict(c), "label": c.label} for c in self.changes]
        return data


class RowOp(NamedTuple):
    """What ``apply_import`` does to one row; ``previous`` is the row as the preview saw it.

    A named tuple rather than a dataclass: a large kaart has hundreds of thousands.
    """

    action: Literal["create", "update", "delete"]
    entity: str
    id: str
    values: Mapping[str, Any]
    previous: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class ImportPlan:
    """The preview of an import; ``apply_import`` carries out exactly this.

    ``rows_read`` counts records (JSON) or rows (CSV) read; ``rows_skipped`` the distinct rows
    left out because of a problem (a warning does not skip). ``notes`` explain in Dutch what
    the preview cannot show as items, such as why nothing is removed.
    """

    path: str
    kind: str
    source_name: str
    complete: bool
    added: tuple[PlanItem, ...]
    changed: tuple[ChangedItem, ...]
    removed: tuple[PlanItem, ...]
    problems: tuple[Problem, ...]
    unchanged: int
    rows_read: int
    rows_skipped: int
    notes: tuple[str, ...] = ()
    shape: str | None = None
    """Which of Open Referral's published forms was read (``SHAPE_LABELS``), if HSDS."""
    ops: tuple[RowOp, ...] = field(default=(), repr=False, compare=False)

    @property
    def has_changes(self) -> bool:
        """Whether applying would change the kaart."""
        return bool(self.ops)

    @property
    def unreadable(self) -> bool:
        """Nothing at all could be read: only problems, not one valid row."""
        return bool(self.problems) and not self.ops and not self.unchanged

    @property
    def counts(self) -> dict[str, int]:
        """Numbers for the summary line and scripts."""
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "problems": len(self.problems),
            "rows_read": self.rows_read,
            "rows_skipped": self.rows_skipped,
        }

    @property
    def kind_label(self) -> str:
        """Dutch name of what was read, with the form Open Referral publishes it in."""
        label = KIND_LABELS.get(self.kind, self.kind)
        if self.shape is None:
            return label
        return f"{label}: {SHAPE_LABELS.get(self.shape, self.shape)}"

    @property
    def detail(self) -> str:
        """``N nieuw, M gewijzigd, K verwijderd``: the audit entry's detail."""
        added, changed, removed = len(self.added), len(self.changed), len(self.removed)
        return f"{added} nieuw, {changed} gewijzigd, {removed} verwijderd"

    @property
    def summary_nl(self) -> str:
        """One clear Dutch line for the preview."""
        if self.unreadable:
            return "Er kon niets worden ingelezen; zie de problemen."
        text = self.detail + f", {self.unchanged} ongewijzigd"
        if self.problems:
            warnings = sum(1 for p in self.problems if not p.skipped)
            errors = len(self.problems) - warnings
            parts = [
                _count(errors, "probleem", "problemen") if errors else "",
                _count(warnings, "waarschuwing", "waarschuwingen") if warnings else "",
            ]
            text += "; " + " en ".join(p for p in parts if p)
            text += f", {_count(self.rows_skipped, 'rij', 'rijen')} overgeslagen"
        if not self.has_changes:
            text += ". Er is niets te wijzigen."
        else:
            text += "."
        return text

    def as_dict(self) -> dict[str, Any]:
        """The plan as JSON data (``gpdesk kaart import --json``)."""
        return {
            "path": self.path,
            "kind": self.kind,
            "shape": self.shape,
            "source": self.source_name,
            "complete": self.complete,
            "summary": self.summary_nl,
            "counts": self.counts,
            "added": [item.as_dict() for item in self.added],
            "changed": [item.as_dict() for item in self.changed],
            "removed": [item.as_dict() for item in self.removed],
            "problems": [asdict(p) for p in self.problems],
            "notes": list(self.notes),
        }


def _count(number: int, one: str, more: str) -> str:
    return f"{number} {one if number == 1 else more}"


@dataclass(frozen=True)
class ImportBatch:
    """One applied import (or undo), newest first in ``list_import_batches``."""

    batch_id: str
    at: datetime
    by: str
    action: str
    """"import" or "undo"."""
    source: str
    file: str
    kind: str
    added: int
    changed: int
    removed: int
    skipped_rows: int
    undo_of: str | None = None
    undone_by_batch: str | None = None

    @property
    def undone(self) -> bool:
        """Whether a later undo reversed this import."""
        return self.undone_by_batch is not None

    @property
    def detail(self) -> str:
        """``N nieuw, M gewijzigd, K verwijderd``."""
        return f"{self.added} nieuw, {self.changed} gewijzigd, {self.removed} verwijderd"


@contextmanager
def _bulk_work() -> Iterator[None]:
    """Pause the cycle collector during bulk work, on the main thread only.

    A large kaart makes millions of small acyclic objects; collecting again and again while
    they pile up costs about a sixth of an import. On a worker thread (the GUI's background
    tasks) the collector is left alone: a collection that then runs there could reach Qt
    objects that belong to the GUI thread.
    """
    pause = threading.current_thread() is threading.main_thread() and gc.isenabled()
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause:
            gc.enable()
