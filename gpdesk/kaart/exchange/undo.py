"""Undoing an import batch and listing the batches that can be undone.

An undo is refused rather than half-done when later work depends on the batch (a later change
to the same item, or a reference to an item the undo would remove).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.exchange.apply import (
    _change_rows,
    _chunks,
    _current_rows,
    _existing_ids,
    _header_row,
    _in_session,
    _row_from_json,
    _write,
    bulk_insert,
)
from gpdesk.kaart.exchange.plan import (
    _CHANGE_TABLE,
    _PREVIEW_IDS,
    BATCH_TYPE,
    CREATE,
    DELETE,
    IMPORT,
    UNDO,
    UPDATE,
    ImportBatch,
    RowOp,
)
from gpdesk.kaart.exchange.read import SPECS, convert, entity_label, same_value
from gpdesk.kaart.exchange.snapshot import _batch_info
from gpdesk.models import KaartChange, utcnow
from gpdesk.models.kaart import new_id
from gpdesk.security import audit
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from gpdesk.security.accounts import SignedIn


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
