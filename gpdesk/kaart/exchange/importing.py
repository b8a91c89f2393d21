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
- Matching is by HSDS id (the template: by organisation and name, see ``template.sheet``).
- Removed are only items that an earlier import from the *same source* brought in and that the
  new package no longer has, and only for entities the package contains. Items the practice
  added itself or that came from elsewhere stay. A removal that would take along something the
  package does not own (the practice's fixed contact for that team, say) is not done, and the
  preview says why. The template removes nothing unless it is declared complete.

Every item is stored as one table row; ``batch_id`` groups a batch's ``KaartChange`` rows, and
one more row per batch (``resource_type`` "kaart_batch") holds the batch's source and counts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from gpdesk.kaart.exchange.apply import apply_import, bulk_insert
from gpdesk.kaart.exchange.compare import _diff, _Planner
from gpdesk.kaart.exchange.naming import _items
from gpdesk.kaart.exchange.plan import (
    BATCH_TYPE,
    CREATE,
    DELETE,
    FIELD_LABELS,
    IMPORT,
    UNDO,
    UPDATE,
    ChangedItem,
    FieldChange,
    ImportBatch,
    ImportPlan,
    PlanItem,
    RowOp,
    _bulk_work,
)
from gpdesk.kaart.exchange.read import Problem, RawRecord, read_package
from gpdesk.kaart.exchange.removals import _removal_ops
from gpdesk.kaart.exchange.snapshot import Snapshot
from gpdesk.kaart.exchange.template.sheet import TEMPLATE_SOURCE, read_template, template_records
from gpdesk.kaart.exchange.undo import list_import_batches, undo_import

__all__ = [
    "BATCH_TYPE",
    "CREATE",
    "DELETE",
    "FIELD_LABELS",
    "IMPORT",
    "UNDO",
    "UPDATE",
    "ChangedItem",
    "FieldChange",
    "ImportBatch",
    "ImportPlan",
    "PlanItem",
    "Problem",
    "RowOp",
    "Snapshot",
    "apply_import",
    "bulk_insert",
    "list_import_batches",
    "plan_import",
    "undo_import",
]


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
        shape=package.shape,
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
