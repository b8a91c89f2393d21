"""Reading signals back: one in full (decrypted, audited), or a list from plain columns only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.models import (
    Patient,
    Signal,
    SignalStatus,
    utcnow,
)
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
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
