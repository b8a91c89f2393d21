"""The demo sociale kaart: a fictional city in the spirit of Schiedam, shipped as HSDS-style JSON.

``resources/demo/kaart/`` holds one JSON file per HSDS entity (``services.json``, ...; the file
names are the HSDS data package paths, the keys the HSDS field names plus gpdesk's flagged
extensions) and ``gpdesk_private.json`` for the practice's own layer. The data was checked on
dates around ``DEMO_REFERENCE_DATE``; loading shifts every date by the days since then, so a
demo made next year still shows mostly fresh entries with a few stale ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Final, cast

from sqlalchemy import Date, Enum, Table, Time, func, insert, select, update
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.kaart.postcodes import area_ranges
from gpdesk.kaart.store.queries import local_today
from gpdesk.models import (
    Base,
    FeedbackAgreement,
    FixedContact,
    KaartChange,
    Service,
    ServiceAreaPostcode,
)
from gpdesk.models.base import UtcDateTime
from gpdesk.models.kaart import HSDS_ENTITY, HSDS_MODELS, HSDS_PATHS

DEMO_REFERENCE_DATE: Final = date(2026, 11, 24)
"""The day the demo data was last checked as a whole; dates are shifted relative to it."""

PRIVATE_FILE: Final = "gpdesk_private.json"
_PRIVATE_MODELS: Final[dict[str, type[Base]]] = {
    "fixed_contacts": FixedContact,
    "feedback_agreements": FeedbackAgreement,
}


def demo_kaart_dir() -> Traversable:
    """Where the demo kaart's JSON files are installed."""
    return files("gpdesk.resources") / "demo" / "kaart"


def _read(folder: Traversable, name: str) -> Any:
    return json.loads((folder / name).read_text("utf-8"))


def _coerce(column: Any, value: Any, shift: timedelta) -> Any:
    """JSON text to the column's Python type; dates and timestamps moved by ``shift``."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, UtcDateTime):
        moment = datetime.fromisoformat(value)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment + shift
    if isinstance(kind, Date):
        return date.fromisoformat(value) + shift
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    return value


def _rows(
    model: type[Base], records: Iterable[dict[str, Any]], shift: timedelta
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Insertable rows, and the self-references (deputy, parent) to set once all rows exist."""
    table = cast(Table, model.__table__)
    columns = {c.name: c for c in table.columns}
    self_refs = {c.name for c in table.columns for fk in c.foreign_keys if fk.column.table is table}
    rows: list[dict[str, Any]] = []
    later: list[dict[str, Any]] = []
    for record in records:
        unknown = set(record) - set(columns)
        if unknown:
            raise ValueError(f"{table.name}: unknown fields {sorted(unknown)}")
        row: dict[str, Any] = {}
        for name, value in record.items():
            column = columns[name]
            if value is None and (not column.nullable and column.default is not None):
                continue  # let the column default fill it
            if name in self_refs:
                if value is not None:
                    later.append({"id": record["id"], name: value})
                continue
            row[name] = _coerce(column, value, shift)
        rows.append(row)
    return rows, later


def _insert(
    session: Session, model: type[Base], records: list[dict[str, Any]], shift: timedelta
) -> int:
    rows, later = _rows(model, records, shift)
    if rows:
        session.execute(insert(model), rows)
    if later:
        session.execute(update(model), later)
    return len(rows)


def load_demo_kaart(session: Session, *, today: date | None = None) -> dict[str, int]:
    """Insert the whole demo kaart into an empty kaart, in the caller's transaction.

    Returns the number of rows per table. Postcode ranges are derived from each service area's
    extent/name/description, as they would be for an imported kaart.
    """
    if session.scalar(select(func.count()).select_from(Service)):
        raise GpdeskError(
            "De sociale kaart is niet leeg; de demokaart wordt er niet overheen gezet.",
            hint="Gebruik een lege gpdesk-map voor de demo.",
        )
    shift = (today or local_today()) - DEMO_REFERENCE_DATE
    folder = demo_kaart_dir()
    counts: dict[str, int] = {}
    models: tuple[type[Base], ...] = (*HSDS_MODELS, KaartChange)
    for model in models:
        entity = cast(Table, model.__table__).info[HSDS_ENTITY]
        records: list[dict[str, Any]] = _read(folder, f"{HSDS_PATHS[entity]}.json")
        counts[model.__tablename__] = _insert(session, model, records, shift)
        if entity == "service_area":
            postcodes = [
                {"service_area_id": area["id"], "pc4_from": r.start, "pc4_to": r.end}
                for area in records
                for r in area_ranges(
                    extent=area.get("extent"),
                    name=area.get("name"),
                    description=area.get("description"),
                )
            ]
            session.execute(insert(ServiceAreaPostcode), postcodes)
            counts[ServiceAreaPostcode.__tablename__] = len(postcodes)
    private: dict[str, list[dict[str, Any]]] = _read(folder, PRIVATE_FILE)
    for key, model in _PRIVATE_MODELS.items():
        counts[model.__tablename__] = _insert(session, model, private.get(key, []), shift)
    session.flush()
    return counts
