"""Storing patients handed over by the HIS, encrypted, and finding them again by BSN.

Every store and read writes its NEN 7513 audit entry in the same transaction; the patient is
identified in the audit trail only by ``patient_ref`` (the keyed blind index of the BSN).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.models import Patient
from gpdesk.patients.context import PatientContext
from gpdesk.security import audit
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.security.accounts import SignedIn
    from gpdesk.security.actor import Actor

SYSTEM = "systeem"
"""Audit username for work no person did (demo data, restore)."""


def patient_ref(vault: Vault, bsn: str) -> str:
    """How the audit trail names a patient: the BSN's blind index, never the BSN."""
    return vault.blind_index("bsn", bsn).hex()


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


def save_patient(
    session: Session, vault: Vault, ctx: PatientContext, *, actor: Actor | None = None
) -> int:
    """Insert or refresh the patient by BSN; the HIS is the source of truth for these fields."""
    bsn_index = vault.blind_index("bsn", ctx.bsn)
    row = session.scalar(select(Patient).where(Patient.bsn_index == bsn_index))
    if row is not None and _open(row, vault) == ctx:
        return row.id
    action = audit.Action.CREATE if row is None else audit.Action.UPDATE
    if row is None:
        row = Patient(bsn_index=bsn_index)
        session.add(row)
    _seal_into(row, vault, ctx)
    session.flush()
    audit.record(
        session, event="patient.store", action=action, actor=actor,
        username=None if actor else SYSTEM, patient_ref=bsn_index.hex(),
        object_type="patient", object_id=row.id,
        checks=audit.Checks(treatment_relationship=True), vault=vault,
    )  # fmt: skip
    return row.id


def find_patient(
    session: Session, vault: Vault, bsn: str, *, actor: Actor
) -> PatientContext | None:
    """Exact lookup through the blind index; the read is audited when the patient exists."""
    require(actor.permissions, Permission.PATIENT_OPEN)
    row = session.scalar(select(Patient).where(Patient.bsn_index == vault.blind_index("bsn", bsn)))
    if row is None:
        return None
    audit.record(
        session, event="patient.read", action=audit.Action.READ, actor=actor,
        patient_ref=row.bsn_index.hex(), object_type="patient", object_id=row.id, vault=vault,
    )  # fmt: skip
    return _open(row, vault)


def open_from_his(db: Database, signed: SignedIn, ctx: PatientContext) -> int:
    """The HIS put this patient in context: check the right, store, and log the access."""
    require(signed.actor.permissions, Permission.PATIENT_OPEN)
    with db.session() as session:
        patient_id = save_patient(session, signed.vault, ctx, actor=signed.actor)
        audit.record(
            session, event="patient.open", action=audit.Action.READ, actor=signed.actor,
            patient_ref=patient_ref(signed.vault, ctx.bsn), object_type="patient",
            object_id=patient_id, checks=audit.Checks(treatment_relationship=True),
            vault=signed.vault,
        )  # fmt: skip
    return patient_id


def count_patients(session: Session) -> int:
    """How many patients gpdesk holds (for Beheer; reveals nothing about anyone)."""
    return session.scalar(select(func.count()).select_from(Patient)) or 0
