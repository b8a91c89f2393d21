"""Carrying out a confirmed plan in one transaction.

Refuses if the kaart changed since the preview, writes in bulk, and records every created,
changed and removed row in ``KaartChange`` under one ``batch_id`` (plus a summary row and an
audit entry), so the whole batch can be undone.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.kaart.exchange.plan import (
    _CHANGE_TABLE,
    _CHUNK,
    BATCH_TYPE,
    CREATE,
    DELETE,
    IMPORT,
    UPDATE,
    ImportPlan,
    RowOp,
    _bulk_work,
)
from gpdesk.kaart.exchange.read import SPECS, TableSpec, convert, same_value, to_json_value, to_text
from gpdesk.kaart.postcodes import area_ranges
from gpdesk.models import ServiceAreaPostcode, utcnow
from gpdesk.models.kaart import new_id
from gpdesk.security import audit
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from gpdesk.security.accounts import SignedIn


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
