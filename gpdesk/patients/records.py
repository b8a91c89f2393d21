"""Storing patients handed over by the HIS, encrypted, and finding them again by BSN.

Every store and read writes its NEN 7513 audit entry in the same transaction; the patient is
identified in the audit trail only by ``patient_ref`` (the keyed blind index of the BSN). Each
field is sealed for its place (``patient``, column, row id), every store records the row's keyed
state in its audit entry (``gpdesk.security.sealed``), and a lookup by BSN checks that the row it
found holds that BSN: a swapped index, a swapped or old value is refused, never shown or
overwritten.
"""

from __future__ import annotations

import hmac
import logging
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.errors import TamperedError
from gpdesk.models import Patient
from gpdesk.patients.context import PatientContext
from gpdesk.security import audit
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refuse_unless_current, refusing_tampered, state_of

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.security.accounts import SignedIn
    from gpdesk.security.actor import Actor

SYSTEM = "systeem"
"""Audit username for work no person did (demo data, restore)."""
TABLE = "patient"
"""Where the sealed fields live: part of every field's associated data."""

log = logging.getLogger(__name__)


def patient_ref(vault: Vault, bsn: str) -> str:
    """How the audit trail names a patient: the BSN's blind index, never the BSN."""
    return vault.blind_index("bsn", bsn).hex()


def _seal_into(row: Patient, vault: Vault, ctx: PatientContext) -> None:
    """Seal every field for this row (which has its id: flushed before when new)."""
    at = row.id
    row.bsn = vault.seal(TABLE, "bsn", at, ctx.bsn)
    row.name = vault.seal(TABLE, "name", at, ctx.name)
    row.birth_date = vault.seal(TABLE, "birth_date", at, ctx.birth_date.isoformat())
    row.postcode = vault.seal(TABLE, "postcode", at, ctx.postcode)
    row.postcode_index = vault.blind_index("postcode", ctx.postcode)
    row.phone = None if ctx.phone is None else vault.seal(TABLE, "phone", at, ctx.phone)


def _open(session: Session, row: Patient, vault: Vault, bsn: str) -> PatientContext:
    """The patient in ``row``; refused unless it is the one asked for, as gpdesk last wrote it.

    ``bsn`` is the BSN the row was looked up by: a row whose BSN index was copied from another
    patient opens fine but holds someone else. A row put back from an older copy opens fine
    too, but its state is not the last one the audit chain recorded. Both are refused like a
    value that does not open.
    """
    at = row.id
    opened = vault.open(TABLE, "bsn", at, row.bsn)
    if not hmac.compare_digest(opened.encode(), bsn.encode()):
        log.warning("refused record %s %s: not the BSN it was found by", TABLE, at)
        raise TamperedError(TABLE, at)
    refuse_unless_current(session, vault, TABLE, at, row.bsn_index.hex())
    return PatientContext(
        bsn=opened,
        name=vault.open(TABLE, "name", at, row.name),
        birth_date=date.fromisoformat(vault.open(TABLE, "birth_date", at, row.birth_date)),
        postcode=vault.open(TABLE, "postcode", at, row.postcode),
        phone=None if row.phone is None else vault.open(TABLE, "phone", at, row.phone),
    )


def save_patient(
    session: Session, vault: Vault, ctx: PatientContext, *, actor: Actor | None = None
) -> int:
    """Insert or refresh the patient by BSN; the HIS is the source of truth for these fields.

    A stored row that does not open, or holds another BSN than its index says, is never
    overwritten: the hand-off is refused (``TamperedError``) and audited, and the row stays for
    ``gpdesk check`` and the praktijkmanager.
    """
    bsn_index = vault.blind_index("bsn", ctx.bsn)
    row = session.scalar(select(Patient).where(Patient.bsn_index == bsn_index))
    if row is not None:
        with refusing_tampered(session, actor=actor, vault=vault, patient_ref=bsn_index.hex()):
            current = _open(session, row, vault, ctx.bsn)
        if current == ctx:
            return row.id
    action = audit.Action.CREATE if row is None else audit.Action.UPDATE
    if row is None:
        # Flushed with placeholders first: the values are sealed for the id it gets.
        row = Patient(bsn_index=bsn_index, postcode_index=b"", bsn=b"", name=b"",
                      birth_date=b"", postcode=b"")  # fmt: skip
        session.add(row)
        session.flush()
    _seal_into(row, vault, ctx)
    session.flush()
    audit.record(
        session, event="patient.store", action=action, actor=actor,
        username=None if actor else SYSTEM, patient_ref=bsn_index.hex(),
        object_type="patient", object_id=row.id,
        checks=audit.Checks(treatment_relationship=True), vault=vault,
        state=state_of(session, vault, TABLE, row.id),
    )  # fmt: skip
    return row.id


def find_patient(
    session: Session, vault: Vault, bsn: str, *, actor: Actor
) -> PatientContext | None:
    """Exact lookup through the blind index; the read is audited when the patient exists.

    The row found must hold the BSN asked for and open in its place; otherwise nothing is shown
    (``TamperedError``, audited).
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    index = vault.blind_index("bsn", bsn)
    row = session.scalar(select(Patient).where(Patient.bsn_index == index))
    if row is None:
        return None
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=index.hex()):
        patient = _open(session, row, vault, bsn)
    audit.record(
        session, event="patient.read", action=audit.Action.READ, actor=actor,
        patient_ref=row.bsn_index.hex(), object_type="patient", object_id=row.id, vault=vault,
    )  # fmt: skip
    return patient


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
