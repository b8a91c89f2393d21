"""Reading signals back: one in full (decrypted, audited), or a list from plain columns only.

A list names its patients through ``patient_labels`` (name and birth date, opened and audited
per patient), never through the summaries themselves.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import TamperedError
from gpdesk.models import (
    Patient,
    Signal,
    SignalStatus,
    utcnow,
)
from gpdesk.patients.validation import format_birth_date
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refuse_unless_current, report_tampered
from gpdesk.signals.store.shapes import (
    CLOSED,
    SignalRecord,
    SignalSummary,
    is_overdue,
    load_record,
    signal_row,
)


def signal_detail(session: Session, vault: Vault, actor: Actor, reference: str) -> SignalRecord:
    """One signal with its timeline and outbox, decrypted; the read is audited."""
    require(actor.permissions, Permission.PATIENT_OPEN)
    row = signal_row(session, reference)
    record = load_record(session, vault, actor, row)
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    audit.record(
        session, event="signal.read", action=audit.Action.READ, actor=actor,
        patient_ref=patient.bsn_index.hex(), object_type="signal", object_id=row.id,
        checks=audit.Checks(treatment_relationship=True), vault=vault,
    )  # fmt: skip
    return record


def list_signals(
    session: Session,
    vault: Vault,
    actor: Actor,
    *,
    patient_id: int | None = None,
    open_only: bool = False,
    now: datetime | None = None,
) -> list[SignalSummary]:
    """Signals newest first, from plain columns only: nothing is decrypted, so lists stay fast.

    ``open_only`` leaves out the ended ones (afgerond, geweigerd, geannuleerd, niet bereikt,
    niet verschenen).
    """
    del vault  # nothing to open; kept so every call in this module reads alike
    require(actor.permissions, Permission.PATIENT_OPEN)
    t = Signal.__table__.c
    query = select(
        t.id, t.reference, t.patient_id, t.status, t.team_id, t.team_name, t.created_at,
        t.sent_at, t.expected_by, t.urgent, t.themes,
    ).order_by(t.created_at.desc(), t.id.desc())  # fmt: skip
    if patient_id is not None:
        query = query.where(t.patient_id == patient_id)
    if open_only:
        query = query.where(t.status.not_in(list(CLOSED)))
    moment = now or utcnow()
    result = []
    for r in session.execute(query):
        status = SignalStatus(r.status)
        result.append(
            SignalSummary(
                id=r.id,
                reference=r.reference,
                patient_id=r.patient_id,
                status=status,
                team_id=r.team_id,
                team_name=r.team_name,
                created_at=r.created_at,
                sent_at=r.sent_at,
                expected_by=r.expected_by,
                overdue=is_overdue(status, r.expected_by, moment),
                urgent=bool(r.urgent),
                themes=tuple(code for code in r.themes.split(",") if code),
            )
        )
    return result


LIST_EVENT = "signal.list"
"""The audit event of a patient named in the Signaleren list."""
PATIENT_TABLE = "patient"


@dataclass(frozen=True, repr=False)
class PatientLabel:
    """A patient as a work list names them: the name and birth date the banner shows."""

    name: str
    birth_date: date | None
    """None: the stored record did not open (refused and audited); the name says so."""

    def __repr__(self) -> str:
        return "PatientLabel(<redacted>)"  # a repr ends up in logs and tracebacks

    @property
    def text(self) -> str:
        """``J. de Vries · 01-02-1970``, as in the patient banner (without the postcode)."""
        if self.birth_date is None:
            return self.name
        return f"{self.name} · {format_birth_date(self.birth_date)}"


UNREADABLE: Final = PatientLabel("patiënt niet te openen", None)
"""A record changed outside gpdesk: never shown, the list still loads."""


def patient_labels(
    session: Session,
    vault: Vault,
    actor: Actor,
    patient_ids: Collection[int],
    *,
    audited: Collection[int] = (),
) -> dict[int, PatientLabel]:
    """The name and birth date of each patient in a signal list, for the practice's work list.

    Each patient named is a read of their data: it is audited (``signal.list``, per patient),
    except the ``audited`` ones, already named by the same list on the same screen (a refresh
    after the outbox sent something shows no one new). A record that does not open, or is not
    as gpdesk last wrote it, is refused and audited as any read would, and named
    ``UNREADABLE`` rather than failing the whole list.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    wanted = sorted(set(patient_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Patient.id, Patient.bsn_index, Patient.name, Patient.birth_date).where(
            Patient.id.in_(wanted)
        )
    ).all()
    labels: dict[int, PatientLabel] = {}
    refused: list[tuple[TamperedError, str]] = []
    for row in rows:
        ref = row.bsn_index.hex()
        try:
            name = vault.open(PATIENT_TABLE, "name", row.id, row.name)
            born = date.fromisoformat(
                vault.open(PATIENT_TABLE, "birth_date", row.id, row.birth_date)
            )
            refuse_unless_current(session, vault, PATIENT_TABLE, row.id, ref)
        except TamperedError as refusal:
            refused.append((refusal, ref))
            labels[row.id] = UNREADABLE
            continue
        labels[row.id] = PatientLabel(name, born)
    for tampered, ref in refused:  # each committed on its own, as ``refusing_tampered`` does
        report_tampered(session, tampered, actor=actor, vault=vault, patient_ref=ref)
    already = set(audited)
    for row in rows:
        if row.id in already or labels[row.id] is UNREADABLE:
            continue
        audit.record(
            session, event=LIST_EVENT, action=audit.Action.READ, actor=actor,
            patient_ref=row.bsn_index.hex(), object_type="patient", object_id=row.id,
            checks=audit.Checks(treatment_relationship=True), vault=vault,
        )  # fmt: skip
    return labels
