"""Consent stored, found, checked and withdrawn on SQLite and a real PostgreSQL.

Also: names and reasons are ciphertext at rest, every action has its audit entry in the same
transaction, a failing withdrawal hook leaves nothing half-written, and migration 0006 goes down
and up again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from gpdesk.db import Database, _alembic_config, current_revision, head_revision
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.models import AuditEntry, Consent, NoConsentDecision, Patient
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import open_from_his, patient_ref
from gpdesk.security.accounts import SignedIn
from gpdesk.security.audit import Checks
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.signals.consent import (
    AffectedSignal,
    ConsentDraft,
    ConsentMethod,
    DataItem,
    NoConsentGround,
    NoConsentRequest,
    OrganisationRef,
    Purpose,
    Representative,
    WithdrawnConsent,
    check_consent,
    consents_of,
    find_valid_consent,
    record_consent,
    record_without_consent,
    withdraw_consent,
)
from tests.security_support import EXTRA_PATIENT, make_demo, signed

WIJKTEAMS = OrganisationRef("Stichting Wijkteams Schiedam", "7d935b3c-88d4-5d44-9b5a-46a247252a7f")
VEILIG_THUIS = OrganisationRef("Veilig Thuis Maasmond", "a63f65c1-5d37-5c64-914c-e4bfbfd04bb8")
BASIC = frozenset({DataItem.NAME, DataItem.PHONE, DataItem.POSTCODE, DataItem.QUESTION})
CHILD = PatientContext(
    bsn="121547280",
    name="T. Öztürk",
    birth_date=date(2014, 3, 22),
    postcode="3121BC",
    phone="0687654321",
)
MOTHER = Representative("Ayşe Öztürk-Yılmaz", "moeder")
REASON = "Ernstige zorgen over de veiligheid van de kinderen; meldcode doorlopen."


def _draft(**changes: Any) -> ConsentDraft:
    base = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(WIJKTEAMS,),
        items=BASIC,
        method=ConsentMethod.ORAL,
    )
    return replace(base, **changes)


@pytest.fixture
def practice(db: Database) -> Database:
    make_demo(db)
    return db


@pytest.fixture
def bakker(practice: Database) -> SignedIn:
    return signed(practice, "bakker")


def _patient(db: Database, who: SignedIn, ctx: PatientContext = EXTRA_PATIENT) -> int:
    return open_from_his(db, who, ctx)


def _entries(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        query = select(AuditEntry).where(AuditEntry.event == event).order_by(AuditEntry.seq)
        return list(session.scalars(query))


def test_record_find_and_check(practice: Database, bakker: SignedIn) -> None:
    patient_id = _patient(practice, bakker)
    with practice.session() as session:
        stored = record_consent(session, bakker.vault, bakker.actor, patient_id, _draft())
    assert stored.recorded_by == "H. Bakker (huisarts)"
    assert stored.scope.valid_until == stored.scope.given_on.replace(
        year=stored.scope.given_on.year + 1
    )
    with practice.session() as session:
        found = find_valid_consent(session, patient_id)
        assert found is not None and found.consent_id == stored.id
        assert found.organisations == (WIJKTEAMS,)
        ok = check_consent(session, patient_id, Purpose.REFERRAL, WIJKTEAMS, BASIC)
        assert ok.require() == stored.id
        gap = check_consent(session, patient_id, Purpose.REFERRAL, WIJKTEAMS, {DataItem.BIRTH_DATE})
        assert gap.message == "De toestemming dekt 'geboortedatum' niet."
        other = check_consent(session, patient_id, Purpose.REFERRAL, VEILIG_THUIS, BASIC)
        assert other.message == "De toestemming geldt niet voor 'Veilig Thuis Maasmond'."
        assert find_valid_consent(session, patient_id, organisation=VEILIG_THUIS) is None
    [entry] = _entries(practice, "consent.record")
    assert entry.username == "bakker" and entry.role == "gp"
    assert entry.patient_ref == patient_ref(bakker.vault, EXTRA_PATIENT.bsn)
    assert entry.object_type == "consent" and entry.object_id == str(stored.id)
    assert entry.checks == Checks(treatment_relationship=True, consent=True).to_json()
    assert entry.detail is not None and "Stichting Wijkteams Schiedam" in entry.detail
    assert EXTRA_PATIENT.name not in (entry.detail or "")


def test_a_child_with_the_mother_and_encryption_at_rest(
    practice: Database, bakker: SignedIn
) -> None:
    patient_id = _patient(practice, bakker, CHILD)
    with practice.session() as session:
        stored = record_consent(
            session, bakker.vault, bakker.actor, patient_id, _draft(representative=MOTHER)
        )
    assert stored.patient_agreed and stored.representative == MOTHER
    with practice.engine.connect() as conn:
        row = conn.execute(select(Consent.__table__)).mappings().one()
    for column in ("representative_name", "representative_relation"):
        raw = bytes(row[column])
        assert MOTHER.name.encode() not in raw and b"moeder" not in raw
    with practice.session() as session:
        [again] = consents_of(session, bakker.vault, patient_id, actor=bakker.actor)
    assert again.representative == MOTHER
    assert len(_entries(practice, "consent.read")) == 1


def test_bad_input_writes_nothing(practice: Database, bakker: SignedIn) -> None:
    patient_id = _patient(practice, bakker, CHILD)
    before = len(_entries(practice, "consent.record"))
    with pytest.raises(ValidationError) as info, practice.session() as session:
        record_consent(session, bakker.vault, bakker.actor, patient_id, _draft())
    assert "Van 12 tot en met 15 jaar" in info.value.message
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0
    assert len(_entries(practice, "consent.record")) == before


def test_a_practice_manager_records_no_consent(practice: Database) -> None:
    bakker = signed(practice, "bakker")
    patient_id = _patient(practice, bakker)
    smit = signed(practice, "smit")
    with pytest.raises(PermissionDeniedError), practice.session() as session:
        record_consent(session, smit.vault, smit.actor, patient_id, _draft())


def test_an_assistant_records_on_behalf_of_the_gp(practice: Database) -> None:
    jansen = signed(practice, "jansen")
    patient_id = _patient(practice, jansen)
    with practice.session() as session:
        stored = record_consent(
            session, jansen.vault, jansen.actor, patient_id, _draft(), on_behalf_of="bakker"
        )
    assert stored.recorded_by == "M. Jansen (doktersassistent)"
    [entry] = _entries(practice, "consent.record")
    assert entry.on_behalf_of == "bakker"


def test_expiry(practice: Database, bakker: SignedIn) -> None:
    patient_id = _patient(practice, bakker)
    with practice.session() as session:
        stored = record_consent(session, bakker.vault, bakker.actor, patient_id, _draft())
    after = datetime.combine(stored.scope.valid_until + timedelta(days=1), datetime.min.time())
    later = after.replace(hour=12, tzinfo=UTC)
    with practice.session() as session:
        assert find_valid_consent(session, patient_id, at=later) is None
        answer = check_consent(session, patient_id, Purpose.REFERRAL, WIJKTEAMS, BASIC, at=later)
    assert answer.message.startswith("De toestemming is verlopen na ")


class _Outbox:
    """Stands in for the signals a withdrawal will touch once signals exist."""

    def __init__(self, fail: bool = False) -> None:
        self.seen: list[WithdrawnConsent] = []
        self.fail = fail

    def __call__(self, session: Session, withdrawn: WithdrawnConsent) -> Iterable[AffectedSignal]:
        self.seen.append(withdrawn)
        assert session.get(Consent, withdrawn.consent_id) is not None
        if self.fail:
            raise GpdeskError("Het postvak uit kon niet worden bijgewerkt.")
        return [
            AffectedSignal("SIG-2026-000001", "verzenden gestopt"),
            AffectedSignal("SIG-2026-000002", "intrekking gemeld aan het team"),
        ]


def test_withdrawal_is_audited_and_tells_which_signals_it_touched(
    practice: Database, bakker: SignedIn
) -> None:
    patient_id = _patient(practice, bakker)
    jansen = signed(practice, "jansen")
    with practice.session() as session:
        stored = record_consent(session, bakker.vault, bakker.actor, patient_id, _draft())
    outbox = _Outbox()
    with practice.session() as session:
        result = withdraw_consent(
            session, jansen.vault, jansen.actor, stored.id,
            reason="Patiënt belde: wil het zelf regelen.", hooks=[outbox],
        )  # fmt: skip
    assert [s.reference for s in result.affected] == ["SIG-2026-000001", "SIG-2026-000002"]
    assert outbox.seen[0].patient_id == patient_id
    assert outbox.seen[0].scope.organisations == (WIJKTEAMS,)
    with practice.session() as session:
        assert find_valid_consent(session, patient_id) is None
        answer = check_consent(session, patient_id, Purpose.REFERRAL, WIJKTEAMS, BASIC)
        assert answer.message.startswith("De toestemming is ingetrokken op ")
        [record] = consents_of(session, bakker.vault, patient_id, actor=bakker.actor)
    assert record.withdrawn_by == "M. Jansen (doktersassistent)"
    assert record.withdrawal_reason == "Patiënt belde: wil het zelf regelen."
    [entry] = _entries(practice, "consent.withdraw")
    assert entry.username == "jansen" and entry.object_id == str(stored.id)
    assert entry.detail is not None and entry.detail.endswith("2 signalen geraakt")
    with pytest.raises(GpdeskError) as info, practice.session() as session:
        withdraw_consent(session, bakker.vault, bakker.actor, stored.id)
    assert "al ingetrokken" in info.value.message


def test_a_failing_hook_leaves_the_consent_in_force(practice: Database, bakker: SignedIn) -> None:
    patient_id = _patient(practice, bakker)
    with practice.session() as session:
        stored = record_consent(session, bakker.vault, bakker.actor, patient_id, _draft())
    with pytest.raises(GpdeskError), practice.session() as session:
        withdraw_consent(session, bakker.vault, bakker.actor, stored.id, hooks=[_Outbox(True)])
    with practice.session() as session:
        assert find_valid_consent(session, patient_id) is not None
    assert _entries(practice, "consent.withdraw") == []


def test_a_gp_shares_without_consent_on_a_ground(practice: Database, bakker: SignedIn) -> None:
    patient_id = _patient(practice, bakker)
    request = NoConsentRequest(
        NoConsentGround.VITAL_INTEREST, REASON, VEILIG_THUIS, frozenset({DataItem.NAME})
    )
    with practice.session() as session:
        decision_id = record_without_consent(
            session, bakker.vault, bakker.actor, patient_id, request
        )
    with practice.engine.connect() as conn:
        row = conn.execute(select(NoConsentDecision.__table__)).mappings().one()
    assert row["id"] == decision_id and row["organisation_name"] == "Veilig Thuis Maasmond"
    assert REASON.encode() not in bytes(row["reason"])
    [entry] = _entries(practice, "consent.none")
    assert (
        entry.checks == Checks(treatment_relationship=True, consent=False, emergency=True).to_json()
    )
    assert entry.detail == "grond vitaal belang; met Veilig Thuis Maasmond"
    visser = signed(practice, "visser")
    with pytest.raises(PermissionDeniedError), practice.session() as session:
        record_without_consent(session, visser.vault, visser.actor, patient_id, request)
    assert len(_entries(practice, "consent.none")) == 1


def test_migration_0006_goes_down_and_up(db: Database) -> None:
    from alembic import command

    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0005")
    tables = set(inspect(db.engine).get_table_names())
    assert not {"consent", "consent_organisation", "no_consent_decision"} & tables
    assert current_revision(db.engine) == "0005"
    with db.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    assert current_revision(db.engine) == head_revision()
    assert {"consent", "consent_organisation", "no_consent_decision"} <= set(
        inspect(db.engine).get_table_names()
    )


def test_removing_a_patient_removes_their_consents(practice: Database, bakker: SignedIn) -> None:
    patient_id = _patient(practice, bakker)
    with practice.session() as session:
        record_consent(session, bakker.vault, bakker.actor, patient_id, _draft())
    with practice.session() as session:
        patient = session.get(Patient, patient_id)
        session.delete(patient)
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Consent)) == 0
