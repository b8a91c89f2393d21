"""Comparing a package with the kaart: what is new, what changes field by field.

``_Planner`` checks every raw record (values, references, required fields) and turns the
valid ones into candidates; ``_diff`` sets them against the ``Snapshot``. Nothing is written:
bad input becomes a ``Problem`` with file, row and field for the preview.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from gpdesk.errors import GpdeskError
from gpdesk.kaart.exchange.plan import CREATE, UPDATE, RowOp
from gpdesk.kaart.exchange.read import (
    SPECS,
    ColumnSpec,
    Problem,
    RawRecord,
    TableSpec,
    convert,
    entity_label,
    same_value,
    this_label,
)
from gpdesk.kaart.postcodes import parse_ranges
from gpdesk.kaart.schedule import WEEKDAY_CODES
from gpdesk.models.kaart import ID_LENGTH, join_names, split_names
from gpdesk.patients.validation import normalise_postcode

if TYPE_CHECKING:
    from gpdesk.kaart.exchange.snapshot import Snapshot


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
        this = this_label(spec.entity)
        if raw_id is None or isinstance(raw_id, dict | list | bool) or not str(raw_id).strip():
            self.unmatchable.add(spec.entity)
            self.problem(record, hint, "id", f"Het id van {this} ontbreekt; overgeslagen.")
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
        this = this_label(spec.entity)
        values: dict[str, Any] = {}
        for name, raw in record.data.items():
            column = spec.by_name.get(name)
            if column is None or name == "id":
                if column is None and not name.startswith("__") and raw not in (None, ""):
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
                    self.problem(record, hint, name, f"{exc}; {this} is overgeslagen.")
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
        this = this_label(spec.entity)
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
                    f"Verplicht veld ontbreekt ({names}); {this} is overgeslagen.",
                )
                self.skipped[spec.entity].add(rid)
                return None
        candidate = _Candidate(spec.entity, rid, values, record.file, record.row, hint)
        message = self._domain(candidate) if spec.entity in _DOMAIN_CHECKED else None
        if message is not None:
            field_name, text = message
            self.problem(
                candidate, hint, field_name, f"{text} {this.capitalize()} is overgeslagen."
            )
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
        this = this_label(spec.entity)
        if spec.entity == "attribute" and not self_refs:
            target = candidate.values.get("link_entity")
            link = candidate.values.get("link_id")
            partial = "link_id" not in candidate.values and "link_entity" not in candidate.values
            if partial and candidate.id in self.snapshot.rows("attribute"):
                pass
            elif target not in SPECS or SPECS[str(target)].private:
                known = ", ".join(e for e, t in SPECS.items() if not t.private)
                self.problem(
                    candidate,
                    candidate.column,
                    "link_entity",
                    f"link_entity '{target or ''}' is geen HSDS-tabel (verwacht een van: "
                    f"{known}); {this} is overgeslagen.",
                )
                return False
            elif link is None or not self._exists(str(target), str(link)):
                self.problem(
                    candidate,
                    candidate.column,
                    "link_id",
                    f"{this.capitalize()} verwijst naar "
                    f"{entity_label(str(target))} '{link or ''}' "
                    f"{'dat' if this_label(str(target)).startswith('dit') else 'die'} niet in "
                    "het pakket of op de kaart staat; overgeslagen.",
                )
                return False
        for column in _REF_COLUMNS[(spec.entity, self_refs)]:
            target_id = candidate.values.get(column.name)
            ref = str(column.ref)
            if target_id is None or self._exists(ref, str(target_id)):
                continue
            what = entity_label(ref)
            that = "dat" if this_label(ref).startswith("dit") else "die"
            why = (
                f"{that} is overgeslagen (zie de melding daar)"
                if str(target_id) in self.skipped[ref]
                else f"{that} niet in het pakket of op de kaart staat"
            )
            if column.owner:
                self.problem(
                    candidate,
                    candidate.column,
                    column.name,
                    f"{this.capitalize()} hoort bij {what} '{target_id}' {why}; overgeslagen.",
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


_NAMED: Final = frozenset({"service", "organization"})
"""Entities that keep their earlier names (``former_names``) when renamed."""


def _former_names(existing: Mapping[str, Any], values: Mapping[str, Any]) -> str | None:
    """The former names after this import: what was known, what the package adds, the old name.

    An import only adds names (a package that does not know a local rename must not erase
    it); Beheer removes them. The current name is never among them.
    """
    names = split_names(existing.get("former_names")) + split_names(values.get("former_names"))
    old, new = existing.get("name") or "", values.get("name") or existing.get("name") or ""
    if "name" in values and old and old.casefold() != new.casefold():
        names.append(old)
    return join_names([n for n in names if n.casefold() != new.casefold()])


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
            if entity in _NAMED and ({"name", "former_names"} & candidate.values.keys()):
                candidate.values["former_names"] = _former_names(existing, candidate.values)
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
