"""Record states on SQLite and PostgreSQL: what gpdesk writes itself always checks clean.

Each write of a sealed record records its keyed state in its audit entry; the state covers the
sealed values and the plain columns that give them meaning (``SealedTable.bound``), read back
through the same typed columns on both databases. A practice that only ever changed through
gpdesk — patients stored and changed by the HIS, consents recorded and withdrawn, a decision
without consent — has no findings, and reads every record.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.models import AuditEntry
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.practice.demo import demo_patients
from gpdesk.security import account_seal, audit
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.sealed import parse_state
from gpdesk.signals.consent import (
    ConsentDraft,
    ConsentMethod,
    DataItem,
    NoConsentGround,
    NoConsentRequest,
    OrganisationRef,
    Purpose,
    Representative,
    consents_of,
    record_consent,
    record_without_consent,
    withdraw_consent,
)
from tests.security_support import EXTRA_PATIENT, make_demo, signed


def test_what_gpdesk_writes_checks_clean_and_reads(db: Database) -> None:
    make_demo(db)
    gp = signed(db, "bakker")
    patient_id = open_from_his(db, gp, EXTRA_PATIENT)
    changed = replace(EXTRA_PATIENT, phone=None, postcode="3118AB")
    assert open_from_his(db, gp, changed) == patient_id
    draft = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(OrganisationRef(name="Wijkteam Noord", id="org-1"),),
        items=frozenset({DataItem.NAME, DataItem.PHONE}),
        method=ConsentMethod.REPRESENTATIVE,
        representative=Representative(name="Ş. Öztürk", relation="curator"),
        patient_incapable=True,
    )
    with db.session() as session:
        kept = record_consent(session, gp.vault, gp.actor, patient_id, draft).scope.consent_id
        gone = record_consent(session, gp.vault, gp.actor, patient_id, draft).scope.consent_id
    assert kept is not None and gone is not None
    # A withdrawal at a moment in another time zone: stored as UTC, its state read back alike.
    moment = datetime.now(UTC).astimezone(timezone(timedelta(hours=2)))
    with db.session() as session:
        withdraw_consent(session, gp.vault, gp.actor, gone, reason="Geen hulp nodig.", at=moment)
    request = NoConsentRequest(
        ground=NoConsentGround.LEGAL_DUTY,
        reason="Meldcode huiselijk geweld: melding aan Veilig Thuis is nodig en in verhouding.",
        organisation=OrganisationRef(name="Veilig Thuis"),
        items=frozenset({DataItem.NAME, DataItem.BIRTH_DATE}),
    )
    with db.session() as session:
        record_without_consent(session, gp.vault, gp.actor, patient_id, request)

    progress: list[tuple[int, int]] = []
    with db.session() as session:
        values = check_sealed_values(session, gp.vault, progress=lambda *p: progress.append(p))
        states = check_record_states(session, gp.vault)
        assert audit.verify(session, vault=gp.vault).ok
    assert values.ok and states.ok, (values.findings, states.findings)
    records = len(demo_patients()) + 1 + 2 + 1
    assert values.records == states.records == records
    assert progress[0] == (0, records) and progress[-1] == (records, records)
    with db.session() as session:
        assert find_patient(session, gp.vault, changed.bsn, actor=gp.actor) == changed
        listed = consents_of(session, gp.vault, patient_id, actor=gp.actor)
    assert {c.representative for c in listed} == {draft.representative}


def test_each_write_records_one_state_and_reads_record_none(db: Database) -> None:
    make_demo(db)
    gp = signed(db, "bakker")
    patient_id = open_from_his(db, gp, EXTRA_PATIENT)
    with db.session() as session:
        find_patient(session, gp.vault, EXTRA_PATIENT.bsn, actor=gp.actor)
    with db.session() as session:
        rows = session.execute(select(AuditEntry.event, AuditEntry.state)).all()
    stores = [list(parse_state(state)) for event, state in rows if event == "patient.store"]
    assert all(len(store) == 1 for store in stores)  # one record each, its own
    assert stores[-1][0][:2] == ("patient", patient_id)
    # Account and permission writes record their rows' seals (account_seal), no patient state.
    written = {event for event, state in rows if state}
    assert written - set(account_seal.STATE_EVENTS) == {"patient.store"}
