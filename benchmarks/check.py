"""``gpdesk check`` on a full practice: the 20k-service kaart plus 10,000 patients (#14).

* ``database_check``: every part of ``gpdesk.security.check`` (audit chain with its seal, every
  sealed value in its place, every record's last recorded state, accounts, permissions, key
  cost) in one session. The floor is what no check can do without: reading the same sealed
  values and decrypting each with bare ``AESGCM.decrypt`` (associated data built beforehand).
  The check does more than that per value — it also walks the audit chain (one entry per stored
  patient, hashed), computes a keyed state per record and compares it with the chain's — so the
  target allows for that work and catches a check that turns quadratic or queries per row.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from benchmarks.common import bench_line, median, patient_place, random_bsn
from benchmarks.kaart_import import write_package

PATIENTS = 10_000
RUNS = 3
TARGET = 20
"""Ratio to the bare decryption of the same values (see the module docstring)."""

_COLUMNS = ("bsn", "name", "birth_date", "postcode", "phone")


def _fill(database: Path) -> bytes:
    """The demo practice, the 20k-service kaart and 10,000 patients, as gpdesk writes them.

    Returns the practice data key, opened the way a practice can: with the recovery key.
    """
    from gpdesk.db import open_database
    from gpdesk.kaart.exchange.importing import apply_import, plan_import
    from gpdesk.models import Practice
    from gpdesk.patients.context import PatientContext
    from gpdesk.patients.records import save_patient
    from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
    from gpdesk.security.accounts import sign_in
    from gpdesk.security.crypto import parse_recovery_key, recovery_kek, unwrap_key

    db = open_database(f"sqlite:///{database}")
    try:
        created = create_demo(db)
        with db.session() as session:
            wrapped = session.scalars(select(Practice.recovery_wrapped_key)).one()
        data_key = unwrap_key(wrapped, recovery_kek(parse_recovery_key(created.recovery_key)))
        manager = sign_in(db, "smit", DEMO_PASSWORD)
        with tempfile.TemporaryDirectory() as tmp:
            write_package(Path(tmp))
            with db.session() as session:
                plan = plan_import(session, Path(tmp))
            apply_import(db, plan, by=manager)
        gp = sign_in(db, "bakker", DEMO_PASSWORD)
        rng = random.Random(14)
        with db.session() as session:
            for number in range(PATIENTS):
                ctx = PatientContext(
                    bsn=random_bsn(rng),
                    name=f"Patiënt {number}",
                    birth_date=date(1940 + number % 80, 1 + number % 12, 1 + number % 28),
                    postcode=f"{3100 + number % 30} AB".replace(" ", ""),
                    phone=f"06{number:08d}",
                )
                save_patient(session, gp.vault, ctx, actor=gp.actor)
    finally:
        db.dispose()
    return data_key


def _floor(db: object, aead: AESGCM) -> float:
    """Read every sealed patient value and decrypt it bare; seconds."""
    from gpdesk.db import Database
    from gpdesk.models import Patient

    assert isinstance(db, Database)
    started = time.perf_counter()
    with db.session() as session:
        rows = session.execute(select(Patient.id, *(getattr(Patient, c) for c in _COLUMNS))).all()
        for row in rows:
            for column, blob in zip(_COLUMNS, row[1:], strict=True):
                if blob is not None:
                    aead.decrypt(blob[1:13], blob[13:], patient_place(column, row[0]))
    return time.perf_counter() - started


def _check(db: object, vault: object) -> float:
    from gpdesk.db import Database
    from gpdesk.security.check import check_session
    from gpdesk.security.crypto import Vault

    assert isinstance(db, Database) and isinstance(vault, Vault)
    started = time.perf_counter()
    with db.session() as session:
        report = check_session(session, vault)
    elapsed = time.perf_counter() - started
    if not report.ok:
        raise RuntimeError(report.text())
    return elapsed


def run() -> list[str]:
    """Alternate floor and check RUNS times; report the medians."""
    from gpdesk.db import open_database
    from gpdesk.security.crypto import Vault

    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "gpdesk.sqlite3"
        data_key = _fill(database)
        db = open_database(f"sqlite:///{database}")
        try:
            aead = AESGCM(data_key)
            floors, values = [], []
            for _ in range(RUNS):
                floors.append(_floor(db, aead))
                values.append(_check(db, Vault(data_key)))
        finally:
            db.dispose()
    return [
        bench_line("database_check", median(values) * 1000, median(floors) * 1000, "ms", TARGET),
        f"# database_check: {PATIENTS} patients and the 20k-service kaart; ratio to bare "
        "AES-GCM decryption of the same values",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
