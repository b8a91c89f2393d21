"""Binding what was sealed before migration 0007 to its place, at the first sign-in after it.

Values from before 0007 (format byte 0x01) name only their column. Alembic has no key, so the
migration only marks the practice (``practice.binding = 1``); the first sign-in or unlock then
calls ``rebind_if_needed`` inside its own transaction: every 0x01 value is opened with its old
associated data and sealed again for its table, column and record, one audit entry
("data.rebind") records a baseline state for every sealed record, and the practice is marked
``binding = 2``. It all commits with the sign-in, or not at all. Nothing else reads 0x01
values: after the rebind, an old value copied into the file is refused like any other.

A 0x01 value that does not open is left as it is (it was damaged before the upgrade, or
changed since); it is counted, logged by place, and ``gpdesk check`` names it. Its record gets
a baseline like every other, so it is reported as "does not open", not as rolled back.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.models import Practice
from gpdesk.security import audit
from gpdesk.security.crypto import FORMAT_V1, Vault
from gpdesk.security.sealed import (
    REBIND_EVENT,
    SEALED_TABLES,
    current_states,
    state_json,
    state_key,
)

log = logging.getLogger(__name__)

BOUND = 2
"""``practice.binding`` once every value is bound to table, column and record."""


@dataclass(frozen=True)
class Rebound:
    """What ``rebind_if_needed`` did: values sealed again, values left (did not open), records."""

    resealed: int
    unreadable: int
    records: int


def rebind_if_needed(session: Session, vault: Vault) -> Rebound | None:
    """Re-seal every unbound value and record the baseline, once; None when already done.

    Cheap when there is nothing to do (one small query), so every sign-in can call it. The
    practice row is claimed with an UPDATE first, so two workstations signing in at once
    re-bind once: the second waits for the first and then finds nothing to do.
    """
    binding = session.scalar(select(Practice.binding).limit(1))
    if binding is None or binding >= BOUND:
        return None
    claim = session.execute(update(Practice).where(Practice.binding < BOUND).values(binding=BOUND))
    claimed = claim.rowcount if isinstance(claim, CursorResult) else 0
    if not claimed:
        return None
    resealed = unreadable = 0
    for table in SEALED_TABLES:
        t = table.table
        columns = [t.c[c.name] for c in table.sealed]
        rows = session.execute(select(t.c.id, *columns).order_by(t.c.id)).all()
        for row in rows:
            values: dict[str, bytes] = {}
            for column, blob in zip(table.sealed, row[1:], strict=True):
                if blob is None or bytes(blob[:1]) != FORMAT_V1:
                    continue
                try:
                    plain = vault.open_unbound(column.unbound_purpose, bytes(blob))
                except GpdeskError:
                    unreadable += 1
                    log.warning("rebind: %s.%s of record %s does not open; left as it is",
                                table.name, column.name, row.id)  # fmt: skip
                    continue
                values[column.name] = vault.seal(table.name, column.name, row.id, plain)
            if values:
                session.execute(update(t).where(t.c.id == row.id).values(**values))
                resealed += len(values)
    if not (resealed or unreadable):
        # Nothing was unbound (a new practice's first rows, or values already bound): every
        # record written since has its state in the chain already.
        return Rebound(resealed=0, unreadable=0, records=0)
    key = state_key(vault)
    baseline: dict[str, dict[int, str]] = defaultdict(dict)
    for table in SEALED_TABLES:
        baseline[table.name] = dict(current_states(session, key, table))
    records = sum(len(ids) for ids in baseline.values())
    detail = f"{resealed} waarden opnieuw versleuteld, {records} records"
    if unreadable:
        detail += f"; {unreadable} waarden konden niet worden geopend"
    audit.record(
        session, event=REBIND_EVENT, action=audit.Action.UPDATE, username="systeem",
        detail=detail, vault=vault, state=state_json(baseline),
    )  # fmt: skip
    log.info("rebind: %s values sealed for their place, %s records", resealed, records)
    return Rebound(resealed=resealed, unreadable=unreadable, records=records)
