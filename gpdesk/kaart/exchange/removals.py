"""What disappeared from a package, and what may therefore be removed from the kaart.

Only items the same source brought in, in a file the package contains, are removed; the
practice's own work is never touched. Kept apart from the comparison because these rules are
what protects the practice's data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from gpdesk.kaart.exchange.naming import _display
from gpdesk.kaart.exchange.plan import DELETE, UPDATE, RowOp
from gpdesk.kaart.exchange.read import SPECS, ColumnSpec, entity_label

if TYPE_CHECKING:
    from gpdesk.kaart.exchange.compare import _Planner


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
