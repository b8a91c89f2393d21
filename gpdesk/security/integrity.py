"""Whether the sealed data is what gpdesk last wrote: for ``gpdesk check`` and Beheer.

Two checks, each one streamed pass over the tables in ``SEALED_TABLES`` (no query per row), each
returning counts and findings (table, record id, a Dutch problem; never a value):

* ``check_sealed_values``: every sealed value opens in its place (table, column, record), and
  each blind index fits the value it indexes (a swapped ``bsn_index`` is found here).
* ``check_record_states``: every record's current state equals the last state the keyed audit
  chain recorded for it (``gpdesk.security.sealed``). This is what finds a row put back from an
  older copy, a value swapped together with its row's plain columns, a row added or removed in
  the file. It trusts the chain as it reads it: ``gpdesk check`` verifies the chain, its seal
  and its anchor (``gpdesk.security.audit.verify``) alongside, and a chain that does not verify
  makes this outcome unreliable too.

What neither can see: the whole database replaced by an older copy of itself (values, states
and chain all old, and consistent). Only the audit anchor outside the database (#9) catches that.

Both take an optional ``progress(done, total)`` callback, called every few hundred records.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import RowMapping, func, select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.models import AuditEntry
from gpdesk.security.crypto import Vault
from gpdesk.security.finding import Finding
from gpdesk.security.sealed import (
    REMOVED_STATE,
    SEALED_TABLES,
    SealedTable,
    current_states,
    parse_state,
    state_key,
)

Progress = Callable[[int, int], None]
"""Called with (records done, records in all); for a progress bar off the GUI thread."""

_EVERY = 500
_BATCH = 2000
_BINARY_BATCH = 20
"""Rows per fetch of a table holding received letters: each may be megabytes."""


def _batch(table: SealedTable) -> int:
    return _BINARY_BATCH if any(c.binary for c in table.sealed) else _BATCH


NOT_OPENING = "{label} opent niet op deze plek: gewijzigd, verplaatst of teruggezet buiten gpdesk"
INDEX_MISFIT = "de zoeksleutel van {label} hoort niet bij dit record: verwisseld buiten gpdesk"
ROLLED_BACK = (
    "niet meer zoals gpdesk het laatst opsloeg: teruggezet uit een oudere kopie of gewijzigd "
    "buiten gpdesk"
)
NOT_RECORDED = "niet vastgelegd in het logboek: buiten gpdesk toegevoegd"
REMOVED = "ontbreekt: buiten gpdesk verwijderd"


@dataclass(frozen=True)
class IntegrityResult:
    """What one check looked at and found."""

    records: int
    """Records checked."""
    values: int = 0
    """Sealed values opened (``check_sealed_values`` only)."""
    findings: tuple[Finding, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Nothing found."""
        return not self.findings


class _Counter:
    """Progress over all registered tables, reported every ``_EVERY`` records."""

    def __init__(self, session: Session, progress: Progress | None) -> None:
        self.progress = progress
        self.done = 0
        self.total = 0
        if progress is not None:
            for table in SEALED_TABLES:
                t = table.table
                self.total += session.scalar(select(func.count()).select_from(t)) or 0
            progress(0, self.total)

    def step(self) -> None:
        self.done += 1
        if self.progress is not None and self.done % _EVERY == 0:
            self.progress(self.done, self.total)

    def finish(self) -> None:
        if self.progress is not None:
            self.progress(self.done, max(self.total, self.done))


def check_sealed_values(
    session: Session, vault: Vault, *, progress: Progress | None = None
) -> IntegrityResult:
    """Open every sealed value in its place, and check each blind index against its value."""
    counter = _Counter(session, progress)
    findings: list[Finding] = []
    records = values = 0
    for table in SEALED_TABLES:
        t = table.table
        indexes = [name for _col, name, _purpose in table.indexes]
        query = select(t.c.id, *(t.c[c.name] for c in table.sealed), *(t.c[i] for i in indexes))
        rows = session.execute(query.order_by(t.c.id).execution_options(yield_per=_batch(table)))
        for row in rows.mappings():
            records += 1
            values += _check_row(vault, table, row, findings)
            counter.step()
    counter.finish()
    return IntegrityResult(records=records, values=values, findings=tuple(findings))


def _check_row(vault: Vault, table: SealedTable, row: RowMapping, findings: list[Finding]) -> int:
    """Open one record's values; add what does not fit to ``findings``; how many were opened."""
    record_id: int = row["id"]
    opened: dict[str, str] = {}
    count = 0
    for column in table.sealed:
        blob = row[column.name]
        if blob is None:
            continue
        count += 1
        try:
            if column.binary:  # no index is kept on bytes: opening is the check
                vault.open_bytes(table.name, column.name, record_id, bytes(blob))
                continue
            opened[column.name] = vault.open(table.name, column.name, record_id, bytes(blob))
        except GpdeskError:
            problem = NOT_OPENING.format(label=column.label)
            findings.append(Finding(table.name, str(record_id), _first_up(problem)))
    for column_name, index_name, purpose in table.indexes:
        value = opened.get(column_name)
        stored = row[index_name]
        if value is None or stored is None:
            continue
        if not hmac.compare_digest(vault.blind_index(purpose, value), bytes(stored)):
            label = table.column(column_name).label
            problem = INDEX_MISFIT.format(label=label)
            findings.append(Finding(table.name, str(record_id), _first_up(problem)))
    return count


def check_record_states(
    session: Session, vault: Vault, *, progress: Progress | None = None
) -> IntegrityResult:
    """Compare every record's state now with the last state the audit chain recorded for it."""
    recorded: dict[tuple[str, int], str] = {}
    query = (
        select(AuditEntry.state)
        .where(AuditEntry.state.is_not(None))
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=_BATCH)
    )
    for text in session.scalars(query):
        for table_name, record_id, digest in parse_state(text):
            recorded[table_name, record_id] = digest
    counter = _Counter(session, progress)
    key = state_key(vault)
    findings: list[Finding] = []
    records = 0
    for table in SEALED_TABLES:
        for record_id, state in current_states(session, key, table, batch=_batch(table)):
            records += 1
            last = recorded.pop((table.name, record_id), None)
            if last is None:
                findings.append(Finding(table.name, str(record_id), _first_up(NOT_RECORDED)))
            elif not hmac.compare_digest(last, state):
                findings.append(Finding(table.name, str(record_id), _first_up(ROLLED_BACK)))
            counter.step()
    known = {table.name for table in SEALED_TABLES}
    for (table_name, record_id), last in sorted(recorded.items()):
        if table_name in known and last != REMOVED_STATE:
            findings.append(Finding(table_name, str(record_id), _first_up(REMOVED)))
    counter.finish()
    return IntegrityResult(records=records, findings=tuple(findings))


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]
