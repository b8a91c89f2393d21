"""Signals in several states in a ready demo home, for the Signaleren list's tests.

``seed_signals(home)`` stores, through the store's own functions, for ``PATIENT`` (J. de Vries):
an old signal the team did not answer in time (verlopen), a recent sent one, an urgent one
the outbox could not send (niet verzonden, its reason), and an afgerond one; and for ``OTHER``
(F. el Amrani) one sent signal. Times are relative to the real clock, because "verlopen" is
judged against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gpdesk.config import Home
from gpdesk.db import Database
from gpdesk.models import EventSource, OutboxMessage, OutboxState, Signal, SignalStatus
from gpdesk.patients.context import PatientContext
from gpdesk.security.accounts import SignedIn
from gpdesk.signals.store import add_event, change_status, submit
from tests.gui.signal_gui_support import PATIENT, database
from tests.store_support import consented, open_patient, request, signed

OTHER = PatientContext.from_fields(
    {
        "bsn": "252760189",
        "naam": "F. el Amrani",
        "geboortedatum": "1988-06-14",
        "postcode": "3119KL",
        "telefoon": "0623456789",
    }
)


NOT_SENT_REASON = "De mailserver (127.0.0.1:587) neemt niet op."


@dataclass(frozen=True)
class Seeded:
    """The references, by what they show."""

    overdue: str
    recent: str
    urgent_waiting: str
    completed: str
    other_patient: str


def mark_sent(db: Database, who: SignedIn, reference: str, at: datetime, days: int) -> None:
    """What the outbox worker does when every channel delivered; the answer due after ``days``."""
    with db.session() as session:
        row = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        for message in session.scalars(
            select(OutboxMessage).where(OutboxMessage.signal_id == row.id)
        ):
            message.state = OutboxState.SENT
            message.sent_at = at
        row.sent_at = at
        row.expected_by = (at + timedelta(days=days)).date()
        add_event(
            session, who.vault, row, SignalStatus.SENT, source=EventSource.SYSTEM, at=at,
            actor_label="gpdesk",
        )  # fmt: skip


def _submit(db: Database, who: SignedIn, patient_id: int, at: datetime, **changes: object) -> str:
    with db.session() as session:
        record = submit(session, who.vault, who.actor, request(patient_id, **changes), now=at)
        return record.reference


def seed_signals(home: Home) -> Seeded:
    """Five signals in the home's database (see the module note)."""
    db = database(home)
    try:
        now = datetime.now(UTC)
        bakker = signed(db, "bakker")
        patient = open_patient(db, bakker, PATIENT)
        other = open_patient(db, bakker, OTHER)
        consented(db, bakker, patient, at=now - timedelta(days=40))
        consented(db, bakker, other, at=now - timedelta(days=40))
        completed = _submit(db, bakker, patient, now - timedelta(days=30))
        mark_sent(db, bakker, completed, now - timedelta(days=30), 3)
        with db.session() as session:
            change_status(
                session, bakker.vault, bakker.actor, completed, SignalStatus.COMPLETED,
                now=now - timedelta(days=20),
            )  # fmt: skip
        overdue = _submit(db, bakker, patient, now - timedelta(days=12))
        mark_sent(db, bakker, overdue, now - timedelta(days=12), 5)
        other_ref = _submit(db, bakker, other, now - timedelta(days=3))
        mark_sent(db, bakker, other_ref, now - timedelta(days=3), 5)
        recent = _submit(db, bakker, patient, now - timedelta(hours=2))
        mark_sent(db, bakker, recent, now - timedelta(hours=2), 5)
        urgent = _submit(db, bakker, patient, now - timedelta(minutes=5), urgent=True)
        with db.session() as session:  # what the outbox does after its last try
            row = session.scalars(select(Signal).where(Signal.reference == urgent)).one()
            for message in session.scalars(
                select(OutboxMessage).where(OutboxMessage.signal_id == row.id)
            ):
                message.state, message.last_error = OutboxState.FAILED, NOT_SENT_REASON
                message.attempts, message.next_attempt_at = 6, None
        return Seeded(overdue, recent, urgent, completed, other_ref)
    finally:
        db.dispose()
