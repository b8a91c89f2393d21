"""How plan items are named in the preview: by what a practice recognises, not by id.

A phone is shown with its service, an address by street and place, opening hours in words, so
the practice can judge the plan without knowing HSDS.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from gpdesk.kaart.exchange.plan import CREATE, DELETE, ChangedItem, FieldChange, PlanItem, RowOp
from gpdesk.kaart.exchange.read import SPECS, ColumnSpec, entity_label, to_text
from gpdesk.kaart.schedule import AMSTERDAM, Rule

if TYPE_CHECKING:
    from gpdesk.kaart.exchange.compare import _Planner


# --- names for the preview ----------------------------------------------------------------------

_PLACE: Final = entity_label("location")
"""A place without a name or address of its own is named by what it is."""


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
        return _name_of(planner, "address", aid) or _PLACE
    for aid in planner.snapshot.children("address", "location_id", location_id):
        return _name_of(planner, "address", aid) or _PLACE
    return _PLACE


_NAMERS: Final[dict[str, Any]] = {
    "contact": lambda p, row, rid: str(row.get("name") or row.get("title") or "(naam onbekend)"),
    "address": lambda p, row, rid: _address_name(row),
    "phone": lambda p, row, rid: str(row.get("number") or ""),
    "schedule": lambda p, row, rid: _schedule_name(row),
    "service_area": lambda p, row, rid: str(
        row.get("extent") or row.get("name") or row.get("description") or ""
    ),
    "service_at_location": lambda p, row, rid: (
        _name_of(p, "location", row.get("location_id")) or _PLACE
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
