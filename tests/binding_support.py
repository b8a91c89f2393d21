"""Shared set-up for the binding tests: a demo database copied, then tampered with ``sqlite3``."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.models import Patient
from gpdesk.patients.context import PatientContext
from gpdesk.security.crypto import Vault
from gpdesk.security.integrity import check_record_states, check_sealed_values


def copy_database(source: Path, target: Path) -> None:
    """A byte-for-byte copy through SQLite's own backup (the WAL included)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def raw(path: Path, sql: str, *params: object) -> list[Any]:
    """What someone with the file and nothing else does: plain SQL, no gpdesk, no key."""
    with closing(sqlite3.connect(path)) as conn, conn:
        return conn.execute(sql, params).fetchall()


def swap(path: Path, table: str, column: str, a: int, b: int) -> None:
    """Swap one column's bytes between two rows."""
    with closing(sqlite3.connect(path)) as conn, conn:
        read = f"SELECT {column} FROM {table} WHERE id = ?"
        first = conn.execute(read, (a,)).fetchone()[0]
        second = conn.execute(read, (b,)).fetchone()[0]
        write = f"UPDATE {table} SET {column} = ? WHERE id = ?"
        conn.execute(write, (b"swapping", a))  # past a unique index
        conn.execute(write, (first, b))
        conn.execute(write, (second, a))


def row_bytes(path: Path, patient_id: int) -> tuple[Any, ...]:
    """A patient row as stored, to prove nothing was overwritten."""
    row: tuple[Any, ...] = raw(path, "SELECT * FROM patient WHERE id = ?", patient_id)[0]
    return row


def patient_id(db: Database, vault: Vault, ctx: PatientContext) -> int:
    """The row id of a patient, found through its blind index."""
    with db.session() as session:
        found = session.scalar(
            select(Patient.id).where(Patient.bsn_index == vault.blind_index("bsn", ctx.bsn))
        )
    assert found is not None
    return found


def findings(db: Database, vault: Vault) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """Where integrity (a) and (b) found problems: {(table, record id)} each."""
    with db.session() as session:
        values = check_sealed_values(session, vault)
        states = check_record_states(session, vault)
    return (
        {(f.table, int(f.record_id)) for f in values.findings},
        {(f.table, int(f.record_id)) for f in states.findings},
    )
