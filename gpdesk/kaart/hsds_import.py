"""Importing a sociale kaart: a preview first, then one transaction that can be undone.

``plan_import`` reads an HSDS 3.0 data package (JSON files per entity, nested service JSON, or
the CSV tables; a folder or a zip) or the practice's spreadsheet template and compares it with
the kaart: what is new, what changes field by field, what disappeared, and every problem with
file, row and field. It changes nothing. ``apply_import`` carries the plan out in one
transaction (refusing if the kaart changed since the preview), records every created, changed
and removed item in ``KaartChange`` under one ``batch_id`` plus an audit entry, and
``undo_import`` puts the kaart back as it was before a batch.

Safety rules, in the words of the preview:

- Valid rows are never lost because of invalid ones: a row with a missing id, a dangling owner,
  a bad postcode or unreadable hours is skipped and listed; everything else is applied.
- Matching is by HSDS id (the template: by organisation and name, see ``csv_template``).
- Removed are only items that an earlier import from the *same source* brought in and that the
  new package no longer has, and only for entities the package contains. Items the practice
  added itself or that came from elsewhere stay. A removal that would take along something the
  package does not own (the practice's fixed contact for that team, say) is not done, and the
  preview says why. The template removes nothing unless it is declared complete.

Every item is stored as one table row; ``batch_id`` groups a batch's ``KaartChange`` rows, and
one more row per batch (``resource_type`` "kaart_batch") holds the batch's source and counts.
"""

from __future__ import annotations

import functools
import gc
import json
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.csv_template import TEMPLATE_SOURCE, read_template, template_records
from gpdesk.kaart.hsds_read import (
    KIND_LABELS,
    SPECS,
    ColumnSpec,
    Problem,
    RawRecord,
    TableSpec,
    convert,
    entity_label,
    read_package,
    same_value,
    to_json_value,
    to_text,
)
from gpdesk.kaart.postcodes import area_ranges, parse_ranges
from gpdesk.kaart.schedule import AMSTERDAM, WEEKDAY_CODES, Rule
from gpdesk.models import KaartChange, ServiceAreaPostcode, utcnow
from gpdesk.models.kaart import ID_LENGTH, new_id
from gpdesk.patients.validation import normalise_postcode
from gpdesk.security import audit
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from gpdesk.security.accounts import SignedIn

__all__ = [
    "BATCH_TYPE",
    "ChangedItem",
    "FieldChange",
    "ImportBatch",
    "ImportPlan",
    "PlanItem",
    "Problem",
    "apply_import",
    "list_import_batches",
    "plan_import",
    "undo_import",
]

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
    "location_id": "locatie",
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
        """Dutch name of what was read."""
        return KIND_LABELS.get(self.kind, self.kind)

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


# --- the kaart as it is -----------------------------------------------------------------------


class Snapshot:
    """Every kaart row as plain dicts, loaded once per preview, plus who imported what."""

    def __init__(self, rows: dict[str, dict[str, dict[str, Any]]]) -> None:
        self._rows = rows
        self._children: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.owner: dict[tuple[str, str], str] = {}
        self.sources: set[str] = set()

    @classmethod
    def load(cls, session: Session) -> Snapshot:
        """One query per table, one for the change log."""
        rows: dict[str, dict[str, dict[str, Any]]] = {}
        for entity, spec in SPECS.items():
            names = [c.name for c in spec.columns]
            rows[entity] = {
                row[0]: dict(zip(names, row, strict=True))
                for row in session.execute(select(*[spec.table.c[n] for n in names]))
            }
        snapshot = cls(rows)
        snapshot._load_owners(session)
        return snapshot

    def _load_owners(self, session: Session) -> None:
        """Which source's import last created or changed each item (the "same source" rule)."""
        source_of: dict[str, str] = {}
        for batch_id, value in session.execute(
            select(KaartChange.resource_id, KaartChange.replacement_value).where(
                KaartChange.resource_type == BATCH_TYPE
            )
        ):
            source_of[batch_id] = str(_batch_info(value).get("source") or "")
        self.sources = set(source_of.values())
        latest: dict[tuple[str, str], tuple[datetime, str]] = {}
        for kind, rid, batch, moment in session.execute(
            select(
                KaartChange.resource_type,
                KaartChange.resource_id,
                KaartChange.batch_id,
                KaartChange.last_action_date,
            ).where(
                KaartChange.batch_id.is_not(None),
                KaartChange.last_action_type.in_((CREATE, UPDATE)),
            )
        ):
            key = (kind, rid)
            if batch in source_of and (key not in latest or moment >= latest[key][0]):
                latest[key] = (moment, batch)
        self.owner = {key: source_of[batch] for key, (_, batch) in latest.items()}

    def rows(self, entity: str) -> dict[str, dict[str, Any]]:
        """Every row of an entity, by id."""
        return self._rows[entity]

    def children(self, entity: str, column: str, parent_id: str) -> list[str]:
        """Ids of rows of ``entity`` whose ``column`` is ``parent_id``, sorted."""
        index = self._children.get((entity, column))
        if index is None:
            index = defaultdict(list)
            for rid in sorted(self._rows[entity]):
                value = self._rows[entity][rid].get(column)
                if value is not None:
                    index[value].append(rid)
            self._children[(entity, column)] = index
        return list(index.get(parent_id, ()))


def _batch_info(value: str) -> dict[str, Any]:
    try:
        data = json.loads(value or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# --- checking records -------------------------------------------------------------------------

_KEY_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "address": frozenset({"postal_code"}),
    "schedule": frozenset({"opens_at", "closes_at", "byday", "freq", "dtstart", "until"}),
    "service_area": frozenset({"extent"}),
    "phone": frozenset({"number"}),
    "attribute": frozenset({"link_id", "link_entity", "taxonomy_term_id"}),
    "service_capacity": frozenset({"available", "updated"}),
}
"""Fields without which a row means nothing: a bad value skips the row, not only the field."""
_BYDAY_PART: Final = frozenset(WEEKDAY_CODES)
_DOMAIN_CHECKED: Final = frozenset({"address", "service_area", "schedule"})


@dataclass
class _Candidate:
    """A checked record: typed values of the fields it brings."""

    entity: str
    id: str
    values: dict[str, Any]
    file: str
    row: int | None
    column: str | None
    """The template column it came from, if any (for messages)."""


class _Planner:
    """Builds one plan; holds the problems found on the way."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.valid: dict[str, dict[str, _Candidate]] = {entity: {} for entity in SPECS}
        self.seen_ids: dict[str, set[str]] = defaultdict(set)
        self.unmatchable: set[str] = set()
        """Entities with a record that had no usable id: removal is off for them."""
        self.skipped: dict[str, set[str]] = defaultdict(set)
        self._new_children: dict[tuple[str, str], dict[str, list[str]]] = {}
        self.names: dict[tuple[str, str], str | None] = {}

    def problem(
        self,
        record: RawRecord | _Candidate,
        column: str | None,
        field_name: str | None,
        message: str,
        *,
        skipped: bool = True,
    ) -> None:
        self.problems.append(
            Problem(record.file, record.row, column or field_name, message, skipped=skipped)
        )

    # -- stage 1: values -------------------------------------------------------------------

    def check(self, records: Mapping[str, Sequence[RawRecord]]) -> None:
        """Type, validate, de-duplicate and resolve references, parents before children."""
        unknown: dict[str, set[str]] = defaultdict(set)
        for entity, spec in SPECS.items():
            for record in records.get(entity, ()):
                candidate = self._values(spec, record, unknown)
                if candidate is not None:
                    self._keep(candidate)
            self._references(spec)
        for entity, names in unknown.items():
            self.notes.append(
                f"{SPECS[entity].stem}: deze velden bewaart gpdesk niet en zijn overgeslagen: "
                + ", ".join(sorted(names))
                + "."
            )

    def _record_id(self, spec: TableSpec, record: RawRecord, hint: str | None) -> str | None:
        """The record's id as text, or None (with the problem) when it has no usable one."""
        raw_id = record.data.get("id")
        label = entity_label(spec.entity)
        if raw_id is None or isinstance(raw_id, dict | list | bool) or not str(raw_id).strip():
            self.unmatchable.add(spec.entity)
            self.problem(record, hint, "id", f"Het id van deze {label} ontbreekt; overgeslagen.")
            return None
        rid = str(raw_id).strip()
        if len(rid) > ID_LENGTH:
            self.unmatchable.add(spec.entity)
            self.problem(
                record,
                hint,
                "id",
                f"Het id is te lang (hoogstens {ID_LENGTH} tekens); overgeslagen.",
            )
            return None
        return rid

    def _fields(
        self,
        spec: TableSpec,
        record: RawRecord,
        rid: str,
        hint: str | None,
        unknown: dict[str, set[str]],
    ) -> dict[str, Any] | None:
        """Typed values of the record's known fields; None when a key field is bad."""
        existing = self.snapshot.rows(spec.entity).get(rid)
        key_fields = _KEY_FIELDS.get(spec.entity, frozenset())
        label = entity_label(spec.entity)
        values: dict[str, Any] = {}
        for name, raw in record.data.items():
            column = spec.by_name.get(name)
            if column is None or name == "id":
                if column is None and not name.startswith("__"):
                    unknown[spec.entity].add(name)
                continue
            try:
                limit = column.max_length
                if type(raw) is str and raw and column.kind == "str" and len(raw) <= (limit or 1e9):
                    value: Any = raw  # the common case, without the call
                else:
                    value = convert(column, raw)
            except ValueError as exc:
                if column.required or name in key_fields:
                    self.problem(record, hint, name, f"{exc}; deze {label} is overgeslagen.")
                    return None
                self.problem(
                    record, hint, name, f"{exc}; dit veld is niet ingelezen.", skipped=False
                )
                continue
            if value is None and not column.nullable:
                value = column.default
                if value is None and existing is not None:
                    self.problem(
                        record,
                        hint,
                        name,
                        "Leeg, maar verplicht; de oude waarde blijft staan.",
                        skipped=False,
                    )
                    continue
            values[name] = value
        return values

    def _values(
        self, spec: TableSpec, record: RawRecord, unknown: dict[str, set[str]]
    ) -> _Candidate | None:
        hint = record.data.get("__column__")
        rid = self._record_id(spec, record, hint)
        if rid is None:
            return None
        self.seen_ids[spec.entity].add(rid)
        label = entity_label(spec.entity)
        values = self._fields(spec, record, rid, hint, unknown)
        if values is None:
            self.skipped[spec.entity].add(rid)
            return None
        if rid not in self.snapshot.rows(spec.entity):
            missing = [name for name in _REQUIRED[spec.entity] if values.get(name) is None]
            if missing:
                names = ", ".join(missing)
                self.problem(
                    record,
                    hint,
                    names,
                    f"Verplicht veld ontbreekt ({names}); deze {label} is overgeslagen.",
                )
                self.skipped[spec.entity].add(rid)
                return None
        candidate = _Candidate(spec.entity, rid, values, record.file, record.row, hint)
        message = self._domain(candidate) if spec.entity in _DOMAIN_CHECKED else None
        if message is not None:
            field_name, text = message
            self.problem(candidate, hint, field_name, f"{text} Deze {label} is overgeslagen.")
            self.skipped[spec.entity].add(rid)
            return None
        return candidate

    def _domain(self, candidate: _Candidate) -> tuple[str, str] | None:
        """Checks HSDS cannot express: Dutch postcodes, postcode areas, weekday codes."""
        values = candidate.values
        if candidate.entity == "address" and "postal_code" in values:
            existing = self.snapshot.rows("address").get(candidate.id) or {}
            country = values.get("country", existing.get("country")) or "NL"
            if str(country).upper() in ("NL", "NLD"):
                try:
                    normalise_postcode(str(values["postal_code"] or ""))
                except GpdeskError as exc:
                    return "postal_code", f"'{values['postal_code']}': {exc.user_text()}"
        if candidate.entity == "service_area":
            extent = values.get("extent")
            if isinstance(extent, str) and any(ch.isdigit() for ch in extent):
                try:
                    if not parse_ranges(extent, strict=True):
                        raise GpdeskError("Geen postcodes gevonden.")
                except GpdeskError as exc:
                    return "extent", f"'{extent}' is geen postcodegebied: {exc.user_text()}"
        if candidate.entity == "schedule":
            byday = values.get("byday")
            if isinstance(byday, str) and byday.strip():
                for part in byday.upper().replace(" ", "").split(","):
                    code, prefix = part[-2:], part[:-2]
                    if code not in _BYDAY_PART or not (prefix in ("", "+") or _is_int(prefix)):
                        return "byday", f"'{byday}' zijn geen weekdagen (MO,TU,WE,TH,FR,SA,SU)."
                values["byday"] = byday.upper().replace(" ", "")
            if isinstance(values.get("freq"), str):
                values["freq"] = values["freq"].upper()
        return None

    def _keep(self, candidate: _Candidate) -> None:
        """Keep the first of records with the same id; an identical repeat merges silently."""
        table = self.valid[candidate.entity]
        first = table.get(candidate.id)
        if first is None:
            if candidate.id in self.skipped[candidate.entity]:
                self.problem(
                    candidate,
                    candidate.column,
                    "id",
                    "Dit id kwam al eerder voor (en "
                    "die rij is overgeslagen); ook deze rij is overgeslagen.",
                )
                return
            table[candidate.id] = candidate
            return
        conflict = [
            name
            for name, value in candidate.values.items()
            if name in first.values and not same_value(first.values[name], value)
        ]
        if not conflict:
            first.values.update(candidate.values)
            return
        where = f"{first.file} rij {first.row}" if first.row is not None else first.file
        self.problem(
            candidate,
            candidate.column,
            "id",
            f"Dubbel id: '{candidate.id}' staat ook "
            f"in {where}, met andere gegevens; deze rij is overgeslagen.",
        )

    def new_children(self, entity: str, column: str, parent_id: str) -> list[str]:
        """Ids of valid records of ``entity`` whose ``column`` is ``parent_id``."""
        key = (entity, column)
        index = self._new_children.get(key)
        if index is None:
            index = defaultdict(list)
            for rid in sorted(self.valid[entity]):
                value = self.valid[entity][rid].values.get(column)
                if value is not None:
                    index[str(value)].append(rid)
            self._new_children[key] = index
        return list(index.get(parent_id, ()))

    # -- stage 2: references ----------------------------------------------------------------

    def _exists(self, entity: str, rid: str) -> bool:
        return rid in self.valid[entity] or rid in self.snapshot.rows(entity)

    def _references(self, spec: TableSpec) -> None:
        """Drop rows whose owner is missing; clear other references that point nowhere."""
        table = self.valid[spec.entity]
        for rid in list(table):
            candidate = table[rid]
            if not self._refs_ok(spec, candidate, self_refs=False):
                del table[rid]
                self.skipped[spec.entity].add(rid)
        for rid in list(table):
            self._refs_ok(spec, table[rid], self_refs=True)

    def _refs_ok(self, spec: TableSpec, candidate: _Candidate, *, self_refs: bool) -> bool:
        label = entity_label(spec.entity)
        if spec.entity == "attribute" and not self_refs:
            target = candidate.values.get("link_entity")
            link = candidate.values.get("link_id")
            partial = "link_id" not in candidate.values and "link_entity" not in candidate.values
            if partial and candidate.id in self.snapshot.rows("attribute"):
                pass
            elif target not in SPECS or link is None or not self._exists(str(target), str(link)):
                self.problem(
                    candidate,
                    candidate.column,
                    "link_id",
                    f"Deze {label} verwijst naar "
                    f"een {target or '?'} '{link}' die niet in het pakket of op de kaart "
                    "staat; overgeslagen.",
                )
                return False
        for column in _REF_COLUMNS[(spec.entity, self_refs)]:
            target_id = candidate.values.get(column.name)
            ref = str(column.ref)
            if target_id is None or self._exists(ref, str(target_id)):
                continue
            what = entity_label(ref)
            why = (
                "die is overgeslagen (zie de melding daar)"
                if str(target_id) in self.skipped[ref]
                else "die niet in het pakket of op de kaart staat"
            )
            if column.owner:
                self.problem(
                    candidate,
                    candidate.column,
                    column.name,
                    f"Deze {label} hoort bij {what} '{target_id}' {why}; overgeslagen.",
                )
                return False
            self.problem(
                candidate,
                candidate.column,
                column.name,
                f"Verwijst naar {what} '{target_id}' {why}; die verwijzing is leeg gelaten.",
                skipped=False,
            )
            candidate.values[column.name] = None
        return True


_REF_COLUMNS: Final[dict[tuple[str, bool], tuple[ColumnSpec, ...]]] = {
    (entity, self_refs): tuple(
        c for c in spec.columns if c.ref is not None and c.self_ref is self_refs
    )
    for entity, spec in SPECS.items()
    for self_refs in (False, True)
}
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    entity: tuple(c.name for c in spec.columns if c.required) for entity, spec in SPECS.items()
}


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


# --- diff and removals ------------------------------------------------------------------------


_DEFAULTS: Final[dict[str, dict[str, Any]]] = {
    entity: {c.name: c.default for c in spec.columns} for entity, spec in SPECS.items()
}


def _full_row(spec: TableSpec, rid: str, values: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(_DEFAULTS[spec.entity])
    row.update(values)
    row["id"] = rid
    return row


@dataclass
class _Diff:
    ops: list[RowOp] = field(default_factory=list)
    unchanged: int = 0


def _diff(planner: _Planner) -> _Diff:
    result = _Diff()
    for entity, spec in SPECS.items():
        existing_rows = planner.snapshot.rows(entity)
        for rid, candidate in planner.valid[entity].items():
            existing = existing_rows.get(rid)
            if existing is None:
                result.ops.append(
                    RowOp(CREATE, entity, rid, _full_row(spec, rid, candidate.values))
                )
                continue
            changed = {
                name: value
                for name, value in candidate.values.items()
                if not same_value(existing.get(name), value)
            }
            if changed:
                result.ops.append(RowOp(UPDATE, entity, rid, changed, existing))
            else:
                result.unchanged += 1
    return result


class _Removals:
    """Which missing items may go, what they take along, and what stays (with the reason)."""

    def __init__(
        self, planner: _Planner, source: str, present: set[str], ops: Sequence[RowOp]
    ) -> None:
        self.planner = planner
        self.snapshot = planner.snapshot
        self.source = source
        self.present = present
        self.touched = {(op.entity, op.id) for op in ops}
        self._referrers: dict[tuple[str, str], list[tuple[str, str, ColumnSpec | None]]] | None
        self._referrers = None

    def referrers(self, entity: str, rid: str) -> list[tuple[str, str, ColumnSpec | None]]:
        """Rows pointing at (entity, id): (their entity, id, column; None = attribute link)."""
        if self._referrers is None:
            index: dict[tuple[str, str], list[tuple[str, str, ColumnSpec | None]]] = defaultdict(
                list
            )
            for spec_entity, spec in SPECS.items():
                refs = [c for c in spec.columns if c.ref is not None]
                rows = dict(self.snapshot.rows(spec_entity))
                for cid, candidate in self.planner.valid[spec_entity].items():
                    rows[cid] = {**rows.get(cid, {}), **candidate.values}
                for row_id, row in rows.items():
                    for column in refs:
                        target = row.get(column.name)
                        if target is not None and column.ref is not None:
                            index[(column.ref, target)].append((spec_entity, row_id, column))
                    if spec_entity == "attribute" and row.get("link_id") is not None:
                        index[(str(row.get("link_entity")), row["link_id"])].append(
                            (spec_entity, row_id, None)
                        )
            self._referrers = index
        return self._referrers.get((entity, rid), [])

    def _blocker(self, entity: str, rid: str, kept: set[tuple[str, str]]) -> str | None:
        """Why a referrer that would be removed along must stay, or None if it may go."""
        key = (entity, rid)
        if key in kept:
            return "er hoort iets bij dat blijft staan"
        if key in self.touched:
            return "het pakket verwijst er nog naar"
        if SPECS[entity].private and entity not in self.present:
            return (
                "de praktijk heeft er een eigen afspraak bij (vaste contactpersoon of "
                "terugkoppelafspraak)"
            )
        owner = self.snapshot.owner.get(key)
        if owner is not None and owner != self.source:
            return f"er hoort iets bij dat uit bron '{owner}' komt"
        return None

    def closure(
        self, start: tuple[str, str], kept: set[tuple[str, str]]
    ) -> tuple[set[tuple[str, str]], str | None]:
        """The item and everything that goes with it; or the reason it must stay."""
        found = {start}
        queue = [start]
        while queue:
            entity, rid = queue.pop()
            for ref_entity, ref_id, column in self.referrers(entity, rid):
                key = (ref_entity, ref_id)
                if key in found:
                    continue
                cascades = column is None or column.owner
                if not cascades:
                    if key in self.touched:
                        return found, "het pakket verwijst er nog naar"
                    continue
                reason = self._blocker(ref_entity, ref_id, kept)
                if reason is not None:
                    return found, reason
                found.add(key)
                queue.append(key)
        return found, None

    def descendants(self, start: tuple[str, str]) -> set[tuple[str, str]]:
        """Everything that belongs to an item (follows its cascading references)."""
        found: set[tuple[str, str]] = set()
        queue = [start]
        while queue:
            entity, rid = queue.pop()
            for ref_entity, ref_id, column in self.referrers(entity, rid):
                key = (ref_entity, ref_id)
                if key not in found and (column is None or column.owner):
                    found.add(key)
                    queue.append(key)
        return found

    def resolve(
        self, initial: Iterable[tuple[str, str]]
    ) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
        """(items to delete, items kept with the reason); repeated until nothing changes.

        What belongs to a kept item stays with it, even when it is missing from the package
        too: a team kept for the practice's agreement keeps its phone and hours.
        """
        wanted = set(initial)
        kept: dict[tuple[str, str], str] = {}
        along: set[tuple[str, str]] = set()
        while True:
            removed: set[tuple[str, str]] = set()
            changed = False
            for key in sorted(wanted - kept.keys() - along):
                found, reason = self.closure(key, set(kept) | along)
                if reason is not None:
                    kept[key] = reason
                    changed = True
                else:
                    removed |= found
            for key in list(kept):
                new = self.descendants(key) - along
                if new:
                    along |= new
                    changed = True
            if not changed:
                return removed - kept.keys() - along, kept


def _missing(planner: _Planner, source: str, entities: set[str]) -> list[tuple[str, str]]:
    """Items of these entities that the source brought in earlier and the package lacks."""
    snapshot = planner.snapshot
    found: list[tuple[str, str]] = []
    for entity in sorted(entities):
        if entity in planner.unmatchable:
            planner.notes.append(
                f"Niet elke {entity_label(entity)} in het pakket heeft een id; daarom wordt "
                f"geen enkele {entity_label(entity)} verwijderd."
            )
            continue
        seen = planner.seen_ids[entity]
        found += [
            (entity, rid)
            for rid in sorted(snapshot.rows(entity))
            if rid not in seen and snapshot.owner.get((entity, rid)) == source
        ]
    return found


def _removal_ops(
    planner: _Planner,
    *,
    source: str,
    present: set[str],
    complete: bool,
    template: bool,
    extra: Sequence[tuple[str, str, str, int]],
    ops: list[RowOp],
) -> list[RowOp]:
    """Deletes (children first) and the references to clear, as row operations."""
    snapshot = planner.snapshot
    initial = _missing(planner, source, {"service"} if template else present) if complete else []
    initial += [(entity, rid) for entity, rid, _, _ in extra if rid in snapshot.rows(entity)]
    if not initial:
        return []
    removals = _Removals(planner, source, present, ops)
    removed, kept = removals.resolve(initial)
    for (entity, rid), reason in sorted(kept.items()):
        name = _display(planner, entity, rid)[0]
        planner.notes.append(
            f"{entity_label(entity).capitalize()} '{name}' staat niet meer in het pakket, maar "
            f"blijft op de kaart: {reason}."
        )
    result: list[RowOp] = []
    cleared: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for entity, rid in removed:
        for ref_entity, ref_id, column in removals.referrers(entity, rid):
            if (ref_entity, ref_id) in removed or column is None or column.owner:
                continue
            if ref_id in snapshot.rows(ref_entity) and (ref_entity, ref_id) not in removals.touched:
                cleared[(ref_entity, ref_id)][column.name] = None
    for (entity, rid), values in sorted(cleared.items()):
        result.append(RowOp(UPDATE, entity, rid, values, snapshot.rows(entity)[rid]))
    order = {entity: number for number, entity in enumerate(SPECS)}
    for entity, rid in sorted(removed, key=lambda key: (-order[key[0]], key[1])):
        result.append(RowOp(DELETE, entity, rid, {}, snapshot.rows(entity)[rid]))
    return result


# --- names for the preview ----------------------------------------------------------------------


def _row_of(planner: _Planner, entity: str, rid: str) -> Mapping[str, Any] | None:
    candidate = planner.valid[entity].get(rid)
    existing = planner.snapshot.rows(entity).get(rid)
    if candidate is None:
        return existing
    if existing is None:
        return candidate.values
    return {**existing, **candidate.values}


def _name_of(planner: _Planner, entity: str | None, rid: Any) -> str | None:
    """The display name of an item (package or kaart), remembered: parents are asked often."""
    if entity is None or rid is None:
        return None
    key = (entity, str(rid))
    if key in planner.names:
        return planner.names[key]
    row = _row_of(planner, entity, key[1])
    name = None if row is None else _display_row(planner, entity, row, key[1])
    planner.names[key] = name
    return name


def _address_name(row: Mapping[str, Any]) -> str:
    street = ", ".join(str(p) for p in (row.get("address_1"), row.get("address_2")) if p)
    return f"{street}, {row.get('postal_code') or ''} {row.get('city') or ''}".strip(", ")


def _schedule_name(row: Mapping[str, Any]) -> str:
    return _rule_name(
        Rule(
            opens_at=row.get("opens_at"),
            closes_at=row.get("closes_at"),
            byday=row.get("byday"),
            freq=row.get("freq"),
            interval=row.get("interval"),
            bymonthday=row.get("bymonthday"),
            dtstart=row.get("dtstart"),
            attending_type=row.get("attending_type"),
            description=row.get("description"),
        )
    )


@functools.lru_cache(maxsize=4096)
def _rule_name(rule: Rule) -> str:
    """Dutch label of hours; most schedules repeat a few patterns, so it is remembered."""
    label = rule.label or "(geen tijden)"
    return f"inloop {label}" if rule.is_walk_in else label


def _location_name(planner: _Planner, location_id: str) -> str:
    for aid in planner.new_children("address", "location_id", location_id):
        return _name_of(planner, "address", aid) or "locatie"
    for aid in planner.snapshot.children("address", "location_id", location_id):
        return _name_of(planner, "address", aid) or "locatie"
    return "locatie"


_NAMERS: Final[dict[str, Any]] = {
    "contact": lambda p, row, rid: str(row.get("name") or row.get("title") or "(naam onbekend)"),
    "address": lambda p, row, rid: _address_name(row),
    "phone": lambda p, row, rid: str(row.get("number") or ""),
    "schedule": lambda p, row, rid: _schedule_name(row),
    "service_area": lambda p, row, rid: str(
        row.get("extent") or row.get("name") or row.get("description") or ""
    ),
    "service_at_location": lambda p, row, rid: (
        _name_of(p, "location", row.get("location_id")) or "locatie"
    ),
    "location": lambda p, row, rid: row.get("name") or _location_name(p, rid or str(row.get("id"))),
    "attribute": lambda p, row, rid: str(
        row.get("label") or _name_of(p, "taxonomy_term", row.get("taxonomy_term_id")) or "thema"
    ),
    "service_capacity": lambda p, row, rid: str(
        row.get("description") or f"{row.get('available')} plaatsen"
    ),
    "fixed_contact": lambda p, row, rid: (
        _name_of(p, "contact", row.get("contact_id")) or entity_label("fixed_contact")
    ),
    "feedback_agreement": lambda p, row, rid: entity_label("feedback_agreement"),
}
"""How to name items without a name of their own (an address, a phone number, hours)."""


def _display_row(
    planner: _Planner, entity: str, row: Mapping[str, Any], rid: str | None = None
) -> str:
    namer = _NAMERS.get(entity)
    if namer is not None:
        return str(namer(planner, row, rid))
    name = row.get("name")
    return name if isinstance(name, str) and name else str(rid or row.get("id"))


_CONTEXT: Final[Mapping[str, tuple[tuple[str, str], ...]]] = {
    "service": (("organization_id", "organization"),),
    "contact": (("service_id", "service"), ("organization_id", "organization")),
    "phone": (
        ("contact_id", "contact"),
        ("service_id", "service"),
        ("location_id", "location"),
        ("organization_id", "organization"),
    ),
    "schedule": (
        ("service_id", "service"),
        ("service_at_location_id", "service_at_location"),
        ("location_id", "location"),
    ),
    "service_area": (("service_id", "service"),),
    "service_at_location": (("service_id", "service"),),
    "address": (("location_id", "location"),),
    "language": (("service_id", "service"), ("location_id", "location")),
    "service_capacity": (("service_id", "service"),),
    "fixed_contact": (("service_id", "service"),),
    "feedback_agreement": (("service_id", "service"),),
    "location": (("organization_id", "organization"),),
    "taxonomy_term": (("taxonomy_id", "taxonomy"),),
}
"""Where an item belongs, for the preview's "bij" column: the first reference that is set."""


def _place_owner(planner: _Planner, location_id: str) -> str | None:
    """What a place is for: the location's own name, else the service delivered there."""
    location = _row_of(planner, "location", location_id)
    if location is not None and location.get("name"):
        return str(location["name"])
    for sal in planner.new_children("service_at_location", "location_id", location_id) or (
        planner.snapshot.children("service_at_location", "location_id", location_id)
    ):
        row = _row_of(planner, "service_at_location", sal)
        if row is not None:
            return _name_of(planner, "service", row.get("service_id"))
    return None


def _display(planner: _Planner, entity: str, rid: str) -> tuple[str, str | None]:
    row = _row_of(planner, entity, rid) or {"id": rid}
    name = _display_row(planner, entity, row, rid)
    context: str | None = None
    if entity == "attribute":
        context = _name_of(planner, str(row.get("link_entity")), row.get("link_id"))
    elif entity in ("address", "location"):
        location = rid if entity == "location" else row.get("location_id")
        context = _place_owner(planner, str(location)) if location is not None else None
        if context is not None:
            return name, context
    for column, target in _CONTEXT.get(entity, ()):
        if row.get(column) is not None:
            context = _name_of(planner, target, row.get(column))
            break
    return name, context


def _change_text(planner: _Planner, column: ColumnSpec, value: Any) -> str | None:
    if value is None:
        return None
    if column.ref is not None:
        return _name_of(planner, column.ref, value) or str(value)
    if isinstance(value, datetime):
        return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return to_text(value)


def _items(
    planner: _Planner, ops: Sequence[RowOp]
) -> tuple[list[PlanItem], list[ChangedItem], list[PlanItem]]:
    added: list[PlanItem] = []
    changed: list[ChangedItem] = []
    removed: list[PlanItem] = []
    for op in ops:
        name, context = _display(planner, op.entity, op.id)
        if op.action == CREATE:
            added.append(PlanItem(op.entity, op.id, name, context))
        elif op.action == DELETE:
            removed.append(PlanItem(op.entity, op.id, name, context))
        else:
            spec = SPECS[op.entity]
            previous = op.previous or {}
            changes = tuple(
                FieldChange(
                    name_,
                    _change_text(planner, spec.by_name[name_], previous.get(name_)),
                    _change_text(planner, spec.by_name[name_], value),
                )
                for name_, value in op.values.items()
            )
            changed.append(ChangedItem(op.entity, op.id, name, context, changes))
    order = {entity: number for number, entity in enumerate(SPECS)}

    def key(item: PlanItem) -> tuple[int, str, str]:
        return (order[item.type], item.context or "", item.name)

    return sorted(added, key=key), sorted(changed, key=key), sorted(removed, key=key)


# --- plan_import ------------------------------------------------------------------------------


def plan_import(
    session: Session,
    path: str | Path,
    *,
    source_name: str | None = None,
    complete: bool | None = None,
) -> ImportPlan:
    """Read ``path`` and compare it with the kaart; changes nothing.

    ``source_name`` names where the package comes from (default: the data package's name, or
    the file name; for the template "sjabloon"): only items an earlier import from the same
    source brought in can be removed. ``complete`` (default: yes for an HSDS package, no for
    the template) says the package is the whole kaart of that source.

    Raises:
        ValidationError: the path does not exist.
    """
    with _bulk_work():
        return _plan(session, path, source_name=source_name, complete=complete)


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


def _plan(
    session: Session, path: str | Path, *, source_name: str | None, complete: bool | None
) -> ImportPlan:
    package = read_package(path)
    snapshot = Snapshot.load(session)
    planner = _Planner(snapshot)
    planner.problems.extend(package.problems)
    planner.notes.extend(package.notes)
    extra: list[tuple[str, str, str, int]] = []
    template = package.kind == "sjabloon"
    records: dict[str, list[RawRecord]]
    if template and package.template is not None:
        sheet = read_template(package.template)
        planner.problems.extend(sheet.problems)
        planner.notes.extend(sheet.notes)
        built = template_records(sheet, snapshot)
        records = defaultdict(list)
        for record in built.records:
            records[record.entity].append(record)
        extra = built.removals
        rows_read = len(package.template.rows)
        source = source_name or TEMPLATE_SOURCE
        is_complete = bool(complete)
        if is_complete:
            planner.seen_ids["service"] = built.service_ids
        skipped_rows = any(p.skipped and p.row is not None for p in sheet.problems)
        if is_complete and skipped_rows:
            planner.unmatchable.add("service")
    else:
        records = package.records
        rows_read = len({(r.file, r.row) for recs in records.values() for r in recs})
        source = source_name or package.name or package.path.stem or package.path.name
        is_complete = True if complete is None else complete
    planner.check(records)
    diff = _diff(planner)
    removal = _removal_ops(
        planner,
        source=source,
        present=set(package.present),
        complete=is_complete,
        template=template,
        extra=extra,
        ops=diff.ops,
    )
    ops = diff.ops + removal
    _explain_removals(planner, source, template=template, complete=is_complete, removed=removal)
    added, changed, removed = _items(planner, ops)
    skipped = {(p.file, p.row) for p in planner.problems if p.skipped and p.row is not None}
    return ImportPlan(
        path=str(package.path),
        kind=package.kind or "onbekend",
        source_name=source,
        complete=is_complete,
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        problems=tuple(planner.problems),
        unchanged=diff.unchanged,
        rows_read=rows_read,
        rows_skipped=len(skipped),
        notes=tuple(dict.fromkeys(planner.notes)),
        ops=tuple(ops),
    )


def _explain_removals(
    planner: _Planner, source: str, *, template: bool, complete: bool, removed: Sequence[RowOp]
) -> None:
    deletes = sum(1 for op in removed if op.action == DELETE)
    if template and not complete:
        planner.notes.append(
            "Bij een sjabloon wordt niets verwijderd: voorzieningen die niet in het bestand "
            "staan, blijven op de kaart. Alleen tijden en thema's in een ingevuld vak vervangen "
            "wat er stond."
        )
    elif not complete:
        planner.notes.append(
            "Dit pakket is niet als volledig aangemerkt: er wordt niets verwijderd."
        )
    elif source not in planner.snapshot.sources:
        planner.notes.append(
            f"Uit bron '{source}' is nog niet eerder geïmporteerd, dus er wordt niets "
            "verwijderd. Wat u zelf hebt ingevoerd of uit een andere bron komt, blijft staan."
        )
    elif deletes:
        planner.notes.append(
            f"Verwijderd wordt alleen wat een eerdere import uit bron '{source}' heeft "
            "toegevoegd en nu niet meer in het pakket staat. Wat u zelf hebt ingevoerd of uit "
            "een andere bron komt, blijft staan."
        )


# --- applying -----------------------------------------------------------------------------------


def _row_json(spec: TableSpec, row: Mapping[str, Any]) -> str:
    data = {c.name: to_json_value(row.get(c.name)) for c in spec.columns}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _row_from_json(spec: TableSpec, text: str) -> dict[str, Any]:
    data = json.loads(text)
    return {c.name: convert(c, data.get(c.name)) for c in spec.columns}


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _current_rows(session: Session, entity: str, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    spec = SPECS[entity]
    names = [c.name for c in spec.columns]
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(ids))):
        query = select(*[spec.table.c[n] for n in names]).where(spec.table.c.id.in_(chunk))
        for row in session.execute(query):
            found[row[0]] = dict(zip(names, row, strict=True))
    return found


def _existing_ids(session: Session, entity: str, ids: Sequence[str]) -> set[str]:
    spec = SPECS[entity]
    if len(ids) > 20 * _CHUNK:
        return set(session.scalars(select(spec.table.c.id))) & set(ids)
    found: set[str] = set()
    for chunk in _chunks(sorted(set(ids))):
        found.update(session.scalars(select(spec.table.c.id).where(spec.table.c.id.in_(chunk))))
    return found


def _same_row(spec: TableSpec, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(same_value(a.get(c.name), b.get(c.name)) for c in spec.columns)


_STALE: Final = (
    "De sociale kaart is gewijzigd sinds de voorvertoning",
    "Maak de voorvertoning opnieuw en kijk of de import nog klopt.",
)


def _verify(session: Session, ops: Sequence[RowOp]) -> None:
    """Refuse when the kaart is no longer what the preview compared with."""
    by_entity: dict[str, list[RowOp]] = defaultdict(list)
    for op in ops:
        by_entity[op.entity].append(op)
    for entity, entity_ops in by_entity.items():
        spec = SPECS[entity]
        creates = [op.id for op in entity_ops if op.action == CREATE]
        if creates and _existing_ids(session, entity, creates):
            raise GpdeskError(f"{_STALE[0]} (er is intussen iets toegevoegd).", hint=_STALE[1])
        others = [op for op in entity_ops if op.action != CREATE]
        if not others:
            continue
        current = _current_rows(session, entity, [op.id for op in others])
        for op in others:
            row = current.get(op.id)
            if row is None or op.previous is None or not _same_row(spec, row, op.previous):
                raise GpdeskError(
                    f"{_STALE[0]} (iemand heeft intussen iets aangepast).", hint=_STALE[1]
                )


def _insert_rows(session: Session, grouped: Mapping[tuple[str, str], list[RowOp]]) -> None:
    """Bulk inserts, parents first; self-references (deputy, parent) are set afterwards."""
    deferred: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for entity, spec in SPECS.items():
        creates = grouped.get((CREATE, entity))
        if not creates:
            continue
        self_refs = [c.name for c in spec.columns if c.self_ref]
        rows: list[dict[str, Any]] = []
        for op in creates:
            row = dict(op.values)
            later = {name: row[name] for name in self_refs if row.get(name) is not None}
            if later:
                deferred[entity].append((op.id, later))
                row.update(dict.fromkeys(later))
            rows.append(row)
        bulk_insert(session, spec.table, rows)
    for entity, updates in deferred.items():
        _update_rows(session, entity, updates)


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """A plain DBAPI ``executemany`` of rows that all have the same keys.

    SQLAlchemy's executemany builds and processes a parameter dict per row, which costs as
    much as the database's own work for a large kaart. Here the statement is compiled once and
    each column's bind processor (the same ones SQLAlchemy would use: enums to text, aware
    datetimes to UTC, dates for SQLite) is applied directly.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=names)
    processors = {
        name: table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    }
    order = list(compiled.positiontup) if compiled.positiontup is not None else names
    getter = itemgetter(*order)
    converting = [
        (i, process) for i, n in enumerate(order) if (process := processors[n]) is not None
    ]
    params: list[Any] = []
    for row in rows:
        values = list(getter(row)) if len(order) > 1 else [row[order[0]]]
        for index, process in converting:
            if values[index] is not None:
                values[index] = process(values[index])
        params.append(
            tuple(values)
            if compiled.positiontup is not None
            else dict(zip(order, values, strict=True))
        )
    for chunk in _chunks(params, 5000):
        connection.exec_driver_sql(compiled.string, list(chunk))


def _delete_rows(session: Session, grouped: Mapping[tuple[str, str], list[RowOp]]) -> None:
    """Deletes, children first (with the postcode ranges of removed areas)."""
    for entity in reversed(SPECS):
        deletes = grouped.get((DELETE, entity))
        if not deletes:
            continue
        ids = [op.id for op in deletes]
        if entity == "service_area":
            for chunk in _chunks(ids):
                session.execute(
                    delete(ServiceAreaPostcode).where(
                        ServiceAreaPostcode.service_area_id.in_(chunk)
                    )
                )
        table = SPECS[entity].table
        for chunk in _chunks(ids):
            session.execute(delete(table).where(table.c.id.in_(chunk)))


def _write(session: Session, ops: Sequence[RowOp]) -> None:
    """Inserts (parents first), updates, deletes (children first), then postcode ranges."""
    grouped: dict[tuple[str, str], list[RowOp]] = defaultdict(list)
    for op in ops:
        grouped[(op.action, op.entity)].append(op)
    _insert_rows(session, grouped)
    for entity in SPECS:
        updates = grouped.get((UPDATE, entity))
        if updates:
            _update_rows(session, entity, [(op.id, dict(op.values)) for op in updates])
    _delete_rows(session, grouped)
    area_ids = [
        op.id
        for op in ops
        if op.entity == "service_area"
        and (op.action == CREATE or {"extent", "name", "description"} & op.values.keys())
    ]
    _derive_postcodes(session, area_ids)


def _update_rows(session: Session, entity: str, rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Executemany UPDATE ... WHERE id = ?, one statement per set of columns."""
    table = SPECS[entity].table
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for rid, values in rows:
        columns = tuple(sorted(values))
        params = {f"v_{name}": values[name] for name in columns}
        params["k_id"] = rid
        by_columns[columns].append(params)
    for columns, batch in by_columns.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("k_id"))
            .values({name: bindparam(f"v_{name}") for name in columns})
        )
        session.execute(statement, batch)


def _derive_postcodes(session: Session, area_ids: Sequence[str]) -> None:
    """(Re)build the PC4 ranges of service areas from their text, as the demo loader does."""
    if not area_ids:
        return
    table = SPECS["service_area"].table
    for chunk in _chunks(sorted(set(area_ids))):
        session.execute(
            delete(ServiceAreaPostcode).where(ServiceAreaPostcode.service_area_id.in_(chunk))
        )
        rows = session.execute(
            select(table.c.id, table.c.extent, table.c.name, table.c.description).where(
                table.c.id.in_(chunk)
            )
        ).all()
        postcodes = [
            {"service_area_id": rid, "pc4_from": r.start, "pc4_to": r.end}
            for rid, extent, name, description in rows
            for r in area_ranges(extent=extent, name=name, description=description)
        ]
        if postcodes:
            session.execute(insert(ServiceAreaPostcode), postcodes)


def _change_rows(
    ops: Sequence[RowOp], batch_id: str, by: str, moment: datetime
) -> list[dict[str, Any]]:
    """The ``KaartChange`` rows of a batch, in the form the digest (``changes``) reads.

    A created item gets one row (the item exists, so its fields can be read from it); a
    changed item one row per changed field; a removed item one row per filled field (so the
    digest can still name it) plus one with ``field_name`` "" holding the whole row as JSON in
    ``previous_value``, from which ``undo_import`` re-creates it.
    """
    rows: list[dict[str, Any]] = []
    base = {"batch_id": batch_id, "updated_by": by, "last_action_date": moment}

    def add(op: RowOp, name: str, previous: str, replacement: str) -> None:
        rows.append(
            {
                **base,
                "id": f"{batch_id}-{len(rows):07d}",  # unique, cheap, in the batch's order
                "resource_id": op.id,
                "resource_type": op.entity,
                "field_name": name,
                "previous_value": previous,
                "replacement_value": replacement,
                "last_action_type": op.action,
            }
        )

    for op in ops:
        if op.action == CREATE:
            add(op, "", "", "")
        elif op.action == DELETE:
            assert op.previous is not None
            spec = SPECS[op.entity]
            for column in spec.columns:
                text = to_text(op.previous.get(column.name))
                if text and column.name != "id":
                    add(op, column.name, text, "")
            add(op, "", _row_json(spec, op.previous), "")
        else:
            previous = op.previous or {}
            for name, value in op.values.items():
                add(op, name, to_text(previous.get(name)), to_text(value))
    return rows


def _header_row(
    batch_id: str, by: str, moment: datetime, action: str, info: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "batch_id": batch_id,
        "updated_by": by,
        "last_action_date": moment,
        "resource_id": batch_id,
        "resource_type": BATCH_TYPE,
        "field_name": "",
        "previous_value": "",
        "replacement_value": json.dumps(dict(info), ensure_ascii=False, sort_keys=True),
        "last_action_type": action,
    }


def _in_session(db_or_session: Database | Session, work: Any) -> str:
    if isinstance(db_or_session, Database):
        with db_or_session.session() as session:
            result: str = work(session)
            return result
    result = work(db_or_session)
    return result


def apply_import(db_or_session: Database | Session, plan: ImportPlan, *, by: SignedIn) -> str:
    """Carry out a previewed import in one transaction; returns the batch id.

    Needs the "sociale kaart bewerken" permission. Refuses (nothing changed) when the kaart was
    changed since the preview. Problems in the plan were already left out: only valid rows are
    applied. With a ``Database`` a transaction of its own is used; with a ``Session``, the
    caller's.

    Raises:
        PermissionDeniedError: the user may not edit the kaart.
        GpdeskError: the kaart changed since the preview, or there is nothing to apply.
    """
    require(by.actor.permissions, Permission.KAART_EDIT)
    if not plan.ops:
        raise GpdeskError("Er is niets om toe te passen.", hint="De kaart is al zoals het pakket.")

    def work(session: Session) -> str:
        batch_id = new_id()
        moment = utcnow()
        who = by.actor.display_name
        # The audit entry first: it takes the write lock, so two workstations cannot interleave.
        audit.record(
            session,
            event="kaart.import",
            action=audit.Action.CREATE,
            actor=by.actor,
            object_type="kaart_batch",
            object_id=batch_id,
            detail=plan.detail,
        )
        _verify(session, plan.ops)
        try:
            _write(session, plan.ops)
            rows = _change_rows(plan.ops, batch_id, who, moment)
            rows.append(
                _header_row(
                    batch_id,
                    who,
                    moment,
                    IMPORT,
                    {
                        "source": plan.source_name,
                        "file": Path(plan.path).name,
                        "kind": plan.kind,
                        "added": len(plan.added),
                        "changed": len(plan.changed),
                        "removed": len(plan.removed),
                        "skipped_rows": plan.rows_skipped,
                    },
                )
            )
            bulk_insert(session, _CHANGE_TABLE, rows)
            session.flush()
        except IntegrityError:
            raise GpdeskError(f"{_STALE[0]}.", hint=_STALE[1]) from None
        return batch_id

    with _bulk_work():
        return _in_session(db_or_session, work)


# --- undo -----------------------------------------------------------------------------------------


def _headers(session: Session) -> list[tuple[KaartChange, dict[str, Any]]]:
    rows = session.scalars(
        select(KaartChange)
        .where(KaartChange.resource_type == BATCH_TYPE)
        .order_by(KaartChange.last_action_date.desc(), KaartChange.id)
    )
    return [(row, _batch_info(row.replacement_value)) for row in rows]


def list_import_batches(session: Session) -> list[ImportBatch]:
    """Every import and undo, newest first, with whether it was undone (for Beheer)."""
    headers = _headers(session)
    undone = {
        str(info.get("undo_of")): row.resource_id
        for row, info in headers
        if row.last_action_type == UNDO
    }
    return [
        ImportBatch(
            batch_id=row.resource_id,
            at=row.last_action_date,
            by=row.updated_by,
            action=row.last_action_type,
            source=str(info.get("source") or ""),
            file=str(info.get("file") or ""),
            kind=str(info.get("kind") or ""),
            added=int(info.get("added") or 0),
            changed=int(info.get("changed") or 0),
            removed=int(info.get("removed") or 0),
            skipped_rows=int(info.get("skipped_rows") or 0),
            undo_of=info.get("undo_of"),
            undone_by_batch=undone.get(row.resource_id),
        )
        for row, info in headers
    ]


def _refuse(reason: str, items: Sequence[str]) -> GpdeskError:
    shown = ", ".join(items[:_PREVIEW_IDS])
    more = f" en {len(items) - _PREVIEW_IDS} meer" if len(items) > _PREVIEW_IDS else ""
    return GpdeskError(
        f"Deze import kan niet meer ongedaan worden gemaakt: {reason} ({shown}{more}).",
        hint="Pas de kaart met de hand aan in Beheer > Sociale kaart.",
    )


def undo_import(db_or_session: Database | Session, batch_id: str, *, by: SignedIn) -> str:
    """Put the kaart back as it was before a batch; returns the undo's own batch id.

    Deletes what the batch created, restores changed fields and re-creates what it removed.
    Refuses (nothing changed) when a later import or edit touched the same items, or when
    something the batch created has since been linked to by other rows.

    Raises:
        PermissionDeniedError: the user may not edit the kaart.
        GpdeskError: unknown batch, already undone, or later changes in the way.
    """
    require(by.actor.permissions, Permission.KAART_EDIT)

    def work(session: Session) -> str:
        header = session.scalar(
            select(KaartChange).where(
                KaartChange.resource_type == BATCH_TYPE, KaartChange.resource_id == batch_id
            )
        )
        if header is None:
            raise GpdeskError(
                "Deze import is niet gevonden.",
                hint="Kijk met 'gpdesk kaart imports' welke er zijn.",
            )
        if header.last_action_type != IMPORT:
            raise GpdeskError(
                "Een ongedaan gemaakte import kan niet nog eens worden teruggedraaid.",
                hint="Importeer het pakket opnieuw als u het terug wilt.",
            )
        for batch in list_import_batches(session):
            if batch.undo_of == batch_id:
                raise GpdeskError("Deze import is al ongedaan gemaakt.")
        undo_id = new_id()
        moment = utcnow()
        audit.record(
            session,
            event="kaart.undo",
            action=audit.Action.UPDATE,
            actor=by.actor,
            object_type="kaart_batch",
            object_id=batch_id,
            detail=f"import {batch_id} ongedaan gemaakt",
        )
        changes = list(
            session.scalars(
                select(KaartChange).where(
                    KaartChange.batch_id == batch_id, KaartChange.resource_type != BATCH_TYPE
                )
            )
        )
        _check_later(session, changes, header.last_action_date, batch_id)
        ops = _inverse_ops(session, changes)
        _check_references(session, ops)
        _write(session, ops)
        info = _batch_info(header.replacement_value)
        rows = _change_rows(ops, undo_id, by.actor.display_name, moment)
        rows.append(
            _header_row(
                undo_id,
                by.actor.display_name,
                moment,
                UNDO,
                {
                    "undo_of": batch_id,
                    "source": info.get("source", ""),
                    "file": info.get("file", ""),
                    "kind": info.get("kind", ""),
                    "added": sum(1 for op in ops if op.action == CREATE),
                    "changed": len({op.id for op in ops if op.action == UPDATE}),
                    "removed": sum(1 for op in ops if op.action == DELETE),
                    "skipped_rows": 0,
                },
            )
        )
        bulk_insert(session, _CHANGE_TABLE, rows)
        session.flush()
        return undo_id

    return _in_session(db_or_session, work)


def _check_later(
    session: Session, changes: Sequence[KaartChange], since: datetime, batch_id: str
) -> None:
    """Refuse when another batch or an edit recorded a change to the same items afterwards."""
    keys = {(c.resource_type, c.resource_id) for c in changes}
    later: list[str] = []
    by_type: dict[str, list[str]] = defaultdict(list)
    for kind, rid in keys:
        by_type[kind].append(rid)
    for kind, ids in by_type.items():
        for chunk in _chunks(sorted(ids)):
            rows = session.execute(
                select(KaartChange.resource_id).where(
                    KaartChange.resource_type == kind,
                    KaartChange.resource_id.in_(chunk),
                    KaartChange.last_action_date > since,
                    (KaartChange.batch_id.is_(None)) | (KaartChange.batch_id != batch_id),
                )
            )
            later.extend(f"{entity_label(kind)} {rid}" for (rid,) in rows)
    if later:
        raise _refuse("daarna is hetzelfde nog eens gewijzigd", sorted(set(later)))


def _undo_rows(
    session: Session,
    creates: Mapping[str, list[KaartChange]],
    deletes: Mapping[str, list[KaartChange]],
    differs: list[str],
) -> list[RowOp]:
    """Delete what was created, re-create what was deleted (from the row's JSON)."""
    ops: list[RowOp] = []
    for entity, spec in SPECS.items():
        created = creates.get(entity, [])
        current = _current_rows(session, entity, [c.resource_id for c in created])
        for change in created:
            row = current.get(change.resource_id)
            if row is None:
                differs.append(f"{entity_label(entity)} {change.resource_id} bestaat niet meer")
            else:
                ops.append(RowOp(DELETE, entity, change.resource_id, {}, row))
        removed = [c for c in deletes.get(entity, []) if c.field_name == ""]
        if removed and _existing_ids(session, entity, [c.resource_id for c in removed]):
            differs.append(f"{entity_label(entity)} is opnieuw aangemaakt")
        ops += [
            RowOp(CREATE, entity, c.resource_id, _row_from_json(spec, c.previous_value))
            for c in removed
        ]
    return ops


def _undo_fields(
    session: Session, updates: Mapping[tuple[str, str], list[KaartChange]], differs: list[str]
) -> list[RowOp]:
    """Put changed fields back, if they still hold what the batch wrote."""
    ops: list[RowOp] = []
    by_entity: dict[str, list[tuple[str, list[KaartChange]]]] = defaultdict(list)
    for (entity, rid), fields in updates.items():
        by_entity[entity].append((rid, fields))
    for entity, items in by_entity.items():
        spec = SPECS[entity]
        current = _current_rows(session, entity, [rid for rid, _ in items])
        for rid, fields in items:
            row = current.get(rid)
            if row is None:
                differs.append(f"{entity_label(entity)} {rid} bestaat niet meer")
                continue
            restore: dict[str, Any] = {}
            for change in fields:
                column = spec.by_name.get(change.field_name)
                if column is None:
                    continue
                if not same_value(row.get(column.name), convert(column, change.replacement_value)):
                    differs.append(f"{entity_label(entity)} {rid}")
                    break
                value = convert(column, change.previous_value)
                if value is None and not column.nullable:
                    value = column.default if column.default is not None else ""
                restore[column.name] = value
            else:
                ops.append(RowOp(UPDATE, entity, rid, restore, row))
    return ops


def _inverse_ops(session: Session, changes: Sequence[KaartChange]) -> list[RowOp]:
    """The operations that undo ``changes``, checked against the kaart as it is now."""
    creates: dict[str, list[KaartChange]] = defaultdict(list)
    updates: dict[tuple[str, str], list[KaartChange]] = defaultdict(list)
    deletes: dict[str, list[KaartChange]] = defaultdict(list)
    for change in changes:
        if change.resource_type not in SPECS:
            continue
        if change.last_action_type == CREATE:
            creates[change.resource_type].append(change)
        elif change.last_action_type == DELETE:
            deletes[change.resource_type].append(change)
        elif change.last_action_type == UPDATE:
            updates[(change.resource_type, change.resource_id)].append(change)
    differs: list[str] = []
    ops = _undo_rows(session, creates, deletes, differs) + _undo_fields(session, updates, differs)
    if differs:
        raise _refuse("het is daarna nog aangepast", differs)
    return ops


def _pointing_at(session: Session, targets: Mapping[str, list[str]]) -> Iterator[tuple[str, str]]:
    """(entity, id) of every row that references one of the target rows."""
    for entity, spec in SPECS.items():
        for column in spec.columns:
            if column.ref is None or column.ref not in targets:
                continue
            for chunk in _chunks(sorted(targets[column.ref])):
                query = select(spec.table.c.id).where(spec.table.c[column.name].in_(chunk))
                for (rid,) in session.execute(query):
                    yield entity, rid
    attributes = SPECS["attribute"].table
    for link_entity, ids in targets.items():
        for chunk in _chunks(sorted(ids)):
            query = select(attributes.c.id).where(
                attributes.c.link_entity == link_entity, attributes.c.link_id.in_(chunk)
            )
            for (rid,) in session.execute(query):
                yield "attribute", rid


def _check_references(session: Session, ops: Sequence[RowOp]) -> None:
    """Refuse when rows outside the batch point at rows the undo would delete."""
    deleting = {(op.entity, op.id) for op in ops if op.action == DELETE}
    if not deleting:
        return
    targets: dict[str, list[str]] = defaultdict(list)
    for entity, rid in deleting:
        targets[entity].append(rid)
    blocking = sorted(
        {
            f"{entity_label(entity)} {rid}"
            for entity, rid in _pointing_at(session, targets)
            if (entity, rid) not in deleting
        }
    )
    if blocking:
        raise _refuse("er is intussen iets aan gekoppeld", blocking)
