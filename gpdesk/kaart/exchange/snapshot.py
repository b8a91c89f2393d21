"""The kaart as it is, loaded once per preview.

Comparing a package row by row against the database would cost a query per record; a
``Snapshot`` holds every kaart row as plain dicts plus which source last imported each item
(the "same source" rule for removals).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.kaart.exchange.plan import BATCH_TYPE, CREATE, UPDATE
from gpdesk.kaart.exchange.read import SPECS
from gpdesk.models import KaartChange

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
