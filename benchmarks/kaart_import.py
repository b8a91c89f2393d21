"""Importing a large sociale kaart: 20,000 services as an HSDS JSON package into empty SQLite.

Value: ``plan_import`` (read, check, compare, preview) plus ``apply_import`` (one transaction:
rows, postcode ranges, change log, audit entry) into an empty, migrated SQLite database.
Floor: bare ``json.load`` of the same files plus ``executemany`` of the same rows into the same
tables of another empty, migrated SQLite database (same connection settings), in one
transaction. Target: within 5x of the floor. Both run in this process, floor first, then the
value, then the floor again (the lower floor counts), so a cold cache does not flatter us.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.common import bench_line
from benchmarks.kaart_corpus import DAYS, generate

SERVICES = 20_000
_NS = uuid.UUID("0b7c0a52-8f0e-4a57-9c57-7a2fd0f6b001")
_DAY_CODES = {
    "maandag": "MO",
    "dinsdag": "TU",
    "woensdag": "WE",
    "donderdag": "TH",
    "vrijdag": "FR",
}


def _id(*parts: object) -> str:
    return str(uuid.uuid5(_NS, "|".join(str(p) for p in parts)))


def package(records: list[dict[str, Any]], seed: int = 11) -> dict[str, list[dict[str, Any]]]:
    """The corpus as HSDS entity lists (the file name stem -> records)."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {
        key: []
        for key in (
            "taxonomies",
            "taxonomy_terms",
            "organizations",
            "units",
            "locations",
            "addresses",
            "services",
            "service_at_location",
            "contacts",
            "phones",
            "schedules",
            "service_areas",
            "service_capacity",
            "attributes",
        )
    }
    taxonomy = _id("taxonomy")
    out["taxonomies"].append(
        {"id": taxonomy, "name": "gpdesk-thema", "description": "Thema's", "version": "1"}
    )
    unit = _id("unit")
    out["units"].append({"id": unit, "name": "plaatsen"})
    terms: dict[str, str] = {}
    organizations: dict[str, str] = {}
    for number, record in enumerate(records):
        org = record["organization"]
        if org not in organizations:
            organizations[org] = _id("org", org)
            out["organizations"].append(
                {"id": organizations[org], "name": org, "description": f"{org} in de regio."}
            )
        sid = _id("service", number)
        out["services"].append(
            {
                "id": sid,
                "organization_id": organizations[org],
                "name": record["name"],
                "alternate_name": record["alternate_name"],
                "description": record["description"],
                "status": "active",
                "minimum_age": record["min_age"],
                "maximum_age": record["max_age"],
                "assured_date": record["assured_date"],
                "kind": record["kind"],
                "email": f"info{number}@voorbeeld.nl",
            }
        )
        location = _id("location", number)
        pc4 = rng.randrange(3011, 3125)
        out["locations"].append({"id": location, "location_type": "physical", "name": None})
        out["addresses"].append(
            {
                "id": _id("address", number),
                "location_id": location,
                "address_1": f"Lindelaan {rng.randint(1, 250)}",
                "city": "Schiedam",
                "postal_code": f"{pc4} {rng.choice(('AB', 'CD', 'EF', 'GH'))}",
                "country": "NL",
                "state_province": "Zuid-Holland",
                "address_type": "physical",
            }
        )
        out["service_at_location"].append(
            {"id": _id("sal", number), "service_id": sid, "location_id": location}
        )
        out["phones"].append(
            {"id": _id("phone", number), "service_id": sid, "number": f"010-{number:07d}"}
        )
        contact_ids = [_id("contact", number, i) for i in range(len(record["contacts"]))]
        # Deputies first, so a plain executemany (the floor) never meets a forward reference.
        for index, name in reversed(list(enumerate(record["contacts"]))):
            out["contacts"].append(
                {
                    "id": contact_ids[index],
                    "service_id": sid,
                    "name": name,
                    "title": "coördinator",
                    "email": f"contact{number}-{index}@voorbeeld.nl",
                    "deputy_contact_id": contact_ids[1]
                    if index == 0 and len(contact_ids) > 1
                    else None,
                }
            )
            out["phones"].append(
                {
                    "id": _id("phone", number, index),
                    "contact_id": contact_ids[index],
                    "number": f"06-{number:04d}{index:04d}",
                }
            )
        day = _DAY_CODES[rng.choice(DAYS)]
        out["schedules"].append(
            {
                "id": _id("walk-in", number),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": day,
                "opens_at": "09:00",
                "closes_at": "11:00",
                "attending_type": "inloop",
            }
        )
        if rng.random() < 0.5:
            out["schedules"].append(
                {
                    "id": _id("open", number),
                    "service_id": sid,
                    "freq": "WEEKLY",
                    "byday": "MO,TU,WE,TH,FR",
                    "opens_at": "08:30",
                    "closes_at": "17:00",
                    "attending_type": "op afspraak",
                }
            )
        if record["pc4_ranges"]:
            extent = ", ".join(f"{low}-{high}" for low, high in record["pc4_ranges"])
            out["service_areas"].append(
                {
                    "id": _id("area", number),
                    "service_id": sid,
                    "extent": extent,
                    "extent_type": "text",
                }
            )
        if record["has_capacity"] is not None:
            out["service_capacity"].append(
                {
                    "id": _id("capacity", number),
                    "service_id": sid,
                    "unit_id": unit,
                    "available": 2 if record["has_capacity"] else 0,
                    "updated": "2026-11-16T08:00:00+00:00",
                }
            )
        for theme in record["themes"]:
            if theme not in terms:
                terms[theme] = _id("term", theme)
                out["taxonomy_terms"].append(
                    {
                        "id": terms[theme],
                        "name": theme,
                        "description": "",
                        "taxonomy": "gpdesk-thema",
                        "taxonomy_id": taxonomy,
                    }
                )
            out["attributes"].append(
                {
                    "id": _id("attribute", number, theme),
                    "link_id": sid,
                    "link_entity": "service",
                    "link_type": "thema",
                    "taxonomy_term_id": terms[theme],
                    "label": theme,
                }
            )
    return out


def write_package(folder: Path, count: int = SERVICES) -> int:
    """Write the JSON package; returns the number of rows in it."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = 0
    for stem, items in package(generate(count, seed=7)).items():
        (folder / f"{stem}.json").write_text(json.dumps(items, ensure_ascii=False), "utf-8")
        rows += len(items)
    return rows


def _empty_database(path: Path) -> Any:
    from gpdesk.db import open_database

    return open_database(f"sqlite:///{path}")


def floor(folder: Path, database: Path) -> float:
    """json.load every file and executemany its rows into the same table, one transaction."""
    from gpdesk.kaart.exchange.read import SPECS

    db = _empty_database(database)
    started = time.perf_counter()
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for spec in SPECS.values():
            path = folder / f"{spec.stem}.json"
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as handle:
                items = json.load(handle)
            if not items:
                continue
            columns = list(items[0].keys() | set().union(*(i.keys() for i in items)))
            sql = (
                f"INSERT INTO {spec.table.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            cursor.executemany(sql, [tuple(i.get(c) for c in columns) for i in items])
        connection.commit()
    finally:
        connection.close()
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed


def ours(folder: Path, database: Path) -> tuple[float, dict[str, int]]:
    """plan_import + apply_import into an empty database; (seconds, plan counts)."""
    from gpdesk.kaart.exchange.importing import apply_import, plan_import
    from gpdesk.roles import Role
    from gpdesk.security.accounts import SignedIn
    from gpdesk.security.actor import Actor
    from gpdesk.security.crypto import Vault
    from gpdesk.security.permissions import Permission

    by = SignedIn(
        Actor(1, "bench", "Benchmark", Role.PRACTICE_MANAGER, frozenset(Permission)),
        Vault.create(),
    )
    db = _empty_database(database)
    started = time.perf_counter()
    with db.session() as session:
        plan = plan_import(session, folder)
    apply_import(db, plan, by=by)
    elapsed = time.perf_counter() - started
    db.dispose()
    if plan.problems:
        raise RuntimeError(f"unexpected problems: {plan.problems[:3]}")
    return elapsed, plan.counts


def run() -> list[str]:
    """Floor, value, floor again; report the value against the lower floor."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "pakket"
        write_package(folder)
        first = floor(folder, root / "floor1.sqlite3")
        value, _ = ours(folder, root / "ours.sqlite3")
        second = floor(folder, root / "floor2.sqlite3")
    return [bench_line("kaart_import_20k", value, min(first, second), "s", 5)]


if __name__ == "__main__":
    print("\n".join(run()))
