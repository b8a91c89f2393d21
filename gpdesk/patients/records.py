"""Storing patients handed over by the HIS, encrypted, and finding them again by BSN."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.models import Patient
from gpdesk.patients.context import PatientContext
from gpdesk.security.crypto import Vault


def _seal_into(row: Patient, vault: Vault, ctx: PatientContext) -> None:
    row.bsn = vault.seal("patient.bsn", ctx.bsn)
    row.name = vault.seal("patient.name", ctx.name)
    row.birth_date = vault.seal("patient.birth_date", ctx.birth_date.isoformat())
    row.postcode = vault.seal("patient.postcode", ctx.postcode)
    row.postcode_index = vault.blind_index("postcode", ctx.postcode)
    row.phone = None if ctx.phone is None else vault.seal("patient.phone", ctx.phone)


def _open(row: Patient, vault: Vault) -> PatientContext:
    return PatientContext(
        bsn=vault.open("patient.bsn", row.bsn),
        name=vault.open("patient.name", row.name),
        birth_date=date.fromisoformat(vault.open("patient.birth_date", row.birth_date)),
        postcode=vault.open("patient.postcode", row.postcode),
        phone=None if row.phone is None else vault.open("patient.phone", row.phone),
    )


def save_patient(session: Session, vault: Vault, ctx: PatientContext) -> int:
    """Insert or refresh the patient by BSN; the HIS is the source of truth for these fields."""
    bsn_index = vault.blind_index("bsn", ctx.bsn)
    row = session.scalar(select(Patient).where(Patient.bsn_index == bsn_index))
    if row is None:
        row = Patient(bsn_index=bsn_index)
        session.add(row)
    _seal_into(row, vault, ctx)
    session.flush()
    return row.id


def find_patient(session: Session, vault: Vault, bsn: str) -> PatientContext | None:
    """Exact lookup through the blind index; the BSN itself is never in a WHERE clause."""
    row = session.scalar(select(Patient).where(Patient.bsn_index == vault.blind_index("bsn", bsn)))
    return None if row is None else _open(row, vault)


def count_patients(session: Session) -> int:
    """How many patients gpdesk holds (for Beheer; reveals nothing about anyone)."""
    return session.scalar(select(func.count()).select_from(Patient)) or 0
