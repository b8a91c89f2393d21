"""What withdrawing a consent will do, said before it is done (the GUI's confirmation).

``withdrawal_effects`` must predict exactly what the withdrawal then reports, change nothing,
and be refused to a user who may not open patients. SQLite and a real PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.models import AuditEntry, OutboxMessage, OutboxState, SignalStatus
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.signals.consent import withdraw_consent
from gpdesk.signals.store import (
    WithdrawalEffect,
    change_status,
    withdrawal_effects,
    withdrawal_hook_for,
)
from tests.integration.test_signal_store import _mark_sent, _submit
from tests.store_support import NOW, consented, open_patient, ready_practice, signed


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def bakker(practice: Database) -> SignedIn:
    return signed(practice, "bakker")


def _rows(db: Database) -> tuple[int, int, list[OutboxState]]:
    with db.session() as session:
        audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        outbox = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        states = list(session.scalars(select(OutboxMessage.state).order_by(OutboxMessage.id)))
    return audit, outbox, states


def test_the_effects_say_beforehand_what_the_withdrawal_then_does(
    practice: Database, bakker: SignedIn
) -> None:
    patient_id = open_patient(practice, bakker)
    stored = consented(practice, bakker, patient_id)
    sent = _submit(practice, bakker, patient_id).reference
    _mark_sent(practice, bakker.vault, sent)
    pending = _submit(practice, bakker, patient_id).reference
    cancelled = _submit(practice, bakker, patient_id).reference
    with practice.session() as session:
        change_status(
            session, bakker.vault, bakker.actor, cancelled, SignalStatus.CANCELLED,
            reason="Dubbel aangemaakt.",
        )  # fmt: skip
    before = _rows(practice)
    with practice.session() as session:
        effects = withdrawal_effects(session, bakker.actor, stored.id)
    assert effects == (
        WithdrawalEffect(sent, "Wijkteam Nieuwland", notifies=True),
        WithdrawalEffect(pending, "Wijkteam Nieuwland", notifies=False),
    )  # a cancelled signal is left alone, as the withdrawal leaves it
    assert _rows(practice) == before  # looking changed nothing, and is not a second audit

    with practice.session() as session:
        result = withdraw_consent(
            session, bakker.vault, bakker.actor, stored.id, at=NOW + timedelta(hours=1),
            hooks=[withdrawal_hook_for(bakker.vault)],
        )  # fmt: skip
    assert [(a.reference, a.outcome) for a in result.affected] == [
        (e.reference, e.outcome) for e in effects
    ]


def test_no_signal_on_the_consent_means_no_effect(practice: Database, bakker: SignedIn) -> None:
    patient_id = open_patient(practice, bakker)
    stored = consented(practice, bakker, patient_id)
    with practice.session() as session:
        assert withdrawal_effects(session, bakker.actor, stored.id) == ()


def test_a_user_who_may_not_open_patients_is_refused(practice: Database, bakker: SignedIn) -> None:
    patient_id = open_patient(practice, bakker)
    stored = consented(practice, bakker, patient_id)
    smit = signed(practice, "smit")  # the practice manager
    with pytest.raises(PermissionDeniedError), practice.session() as session:
        withdrawal_effects(session, smit.actor, stored.id)
