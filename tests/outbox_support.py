"""Shared set-up for the outbox tests: a demo practice, a team's delivery, signal rows.

Signals are made here directly with the models (as ``gpdesk.signals.store`` makes them at
submit: the row, its sealed snapshot, its outbox rows and an audit entry with their states),
so the outbox is tested on its own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.models.consent import ConsentMethod, DataItem, Purpose
from gpdesk.models.kaart import Service
from gpdesk.models.kaart_private import FeedbackAgreement
from gpdesk.models.patient import Patient
from gpdesk.models.signal import MessageKind, OutboxMessage, Signal, SignalStatus
from gpdesk.practice.demo import demo_patients
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn
from gpdesk.signals import snapshot
from gpdesk.signals.consent import ConsentDraft, OrganisationRef, record_consent
from gpdesk.signals.outgoing import OutgoingSignal, Team
from gpdesk.signals.store.shapes import channels_for, outbox_row, record_states
from gpdesk.transport import config
from tests.security_support import make_demo, signed
from tests.signal_support import CONSENT, CREATED, make_signal
from tests.transport_support import SMTP_PASSWORD, SMTP_USER, Pki

DOMAIN = "desingel.example"
TEAM_ADDRESS = "wijkteam@example.org"
PRACTICE_ADDRESS = "praktijk@example.org"
AGREED_DAYS = 3

_numbers = itertools.count(1)


@dataclass(frozen=True)
class Practice:
    """The demo practice with a GP (sends), a manager (sets up) and one team to send to."""

    db: Database
    gp: SignedIn
    manager: SignedIn
    team_id: str
    team_name: str
    organisation: OrganisationRef
    patient_id: int


def practice(db: Database) -> Practice:
    """The demo practice, a team from its kaart with a feedback agreement of 3 working days."""
    make_demo(db)
    gp = signed(db, "bakker")
    manager = signed(db, "smit")
    with db.session() as session:
        service = session.scalars(select(Service).order_by(Service.id)).first()
        assert service is not None
        agreement = session.scalar(
            select(FeedbackAgreement).where(FeedbackAgreement.service_id == service.id)
        )
        if agreement is None:
            agreement = FeedbackAgreement(service_id=service.id)
            session.add(agreement)
        agreement.confirm_within_working_days = AGREED_DAYS
        organisation = OrganisationRef(service.organization.name, service.organization_id)
        index = gp.vault.blind_index("bsn", demo_patients()[0].bsn)
        patient_id = session.scalar(select(Patient.id).where(Patient.bsn_index == index))
        assert patient_id is not None
        team_id, team_name = service.id, service.name
    return Practice(db, gp, manager, team_id, team_name, organisation, patient_id)


def gateway_settings(pki: Pki, port: int, **changes: Any) -> config.TransportRequest:
    """The practice's gateway as a beheerder enters it: STARTTLS, login, the test CA."""
    request = config.TransportRequest(
        host="127.0.0.1",
        port=port,
        security="starttls",
        from_address=PRACTICE_ADDRESS,
        username=SMTP_USER,
        password=SMTP_PASSWORD,
        ca_file=pki.ca.cert_pem,
    )
    return replace(request, **changes)


def set_gateway(p: Practice, pki: Pki, port: int, **changes: Any) -> None:
    """Store the gateway settings as the practice manager."""
    with p.db.session() as session:
        config.save_transport(
            session, p.manager.vault, p.manager.actor, gateway_settings(pki, port, **changes)
        )


def set_delivery(
    p: Practice,
    *,
    email: str | None = TEAM_ADDRESS,
    certificate: bytes | None = None,
    export_folder: Path | None = None,
) -> None:
    """Where the team receives signals, as the practice manager sets it."""
    with p.db.session() as session:
        config.set_team_delivery(
            session, p.manager.actor, p.team_id, email=email, certificate=certificate,
            export_folder=export_folder,
        )  # fmt: skip


@dataclass(frozen=True)
class Stored:
    """A signal as submit stores it: its id, reference, snapshot, consent and outbox rows."""

    signal_id: int
    reference: str
    outgoing: OutgoingSignal
    consent_id: int
    outbox_ids: tuple[int, ...]


def add_signal(p: Practice, *, created: datetime = CREATED) -> Stored:
    """A signal with a valid consent, its sealed snapshot and its outbox rows, audited."""
    reference = f"SIG-2026-{next(_numbers):06d}"
    vault = p.gp.vault
    draft = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(p.organisation,),
        items=frozenset({DataItem.NAME, DataItem.PHONE, DataItem.POSTCODE, DataItem.QUESTION}),
        method=ConsentMethod.ORAL,
    )
    with p.db.session() as session:
        consent = record_consent(session, vault, p.gp.actor, p.patient_id, draft)
    consent_id = consent.scope.consent_id
    assert consent_id is not None
    team = Team(id=p.team_id, name=p.team_name, organisation=p.organisation)
    statement = replace(CONSENT, organisations=(p.organisation,))
    outgoing = make_signal(reference=reference, team=team, created_at=created, consent=statement)
    with p.db.session() as session:
        row = Signal(
            reference=reference,
            patient_id=p.patient_id,
            team_id=p.team_id,
            team_name=p.team_name,
            themes=",".join(t.code for t in outgoing.themes),
            route=outgoing.route.value,
            urgent=outgoing.urgent,
            status=SignalStatus.DRAFT,
            requester_id=p.gp.actor.user_id,
            consent_id=consent_id,
            created_at=created,
            content=b"",
        )
        session.add(row)
        session.flush()
        row.content = vault.seal("signal", "content", row.id, snapshot.dumps(outgoing))
        rows = queue(session, row, MessageKind.SIGNAL, now=created)
        patient = session.get_one(Patient, p.patient_id)
        audit.record(
            session, event="signal.store", action=audit.Action.CREATE, actor=p.gp.actor,
            patient_ref=patient.bsn_index.hex(), object_type="signal", object_id=row.id,
            vault=vault,
            state=record_states(
                session, vault,
                [("signal", row.id), *(("outbox_message", m.id) for m in rows)],
            ),
        )  # fmt: skip
        return Stored(row.id, reference, outgoing, consent_id, tuple(m.id for m in rows))


def queue(
    session: Session, signal: Signal, kind: MessageKind, *, now: datetime
) -> list[OutboxMessage]:
    """The outbox rows the store adds for ``signal``: one per channel of its team, due ``now``."""
    delivery = config.delivery_row(session, signal.team_id)
    rows = [
        outbox_row((signal.id, signal.reference), kind, channel, domain=DOMAIN, at=now)
        for channel in channels_for(delivery)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def outbox_rows(db: Database, signal_id: int) -> list[OutboxMessage]:
    """The signal's outbox rows, detached, oldest first."""
    with db.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.signal_id == signal_id)
                .order_by(OutboxMessage.id)
            )
        )


def signal_row(db: Database, signal_id: int) -> Signal:
    """The signal row, detached."""
    with db.session() as session:
        return session.get_one(Signal, signal_id)
