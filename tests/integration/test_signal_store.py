"""Signals stored, numbered, read, moved along and withdrawn, on SQLite and a real PostgreSQL.

Every refusal leaves nothing behind (no signal, no outbox row, no number taken); the stored
message and the outbox rows never hold the BSN or the privénotitie; every write records its
rows' state, so ``gpdesk check`` finds the signals as gpdesk wrote them.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, TamperedError, ValidationError
from gpdesk.models import (
    AuditEntry,
    Channel,
    Consent,
    DataItem,
    EventSource,
    MessageKind,
    NoConsentDecision,
    NoConsentGround,
    OutboxMessage,
    OutboxState,
    Service,
    ServiceArea,
    ServiceAreaPostcode,
    ServiceKind,
    Signal,
    SignalCounter,
    SignalEvent,
    SignalStatus,
)
from gpdesk.patients.records import patient_ref
from gpdesk.security.accounts import SignedIn
from gpdesk.security.audit import Checks
from gpdesk.security.crypto import Vault
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.signals import snapshot
from gpdesk.signals.consent import (
    ConsentError,
    ConsentMethod,
    NoConsentRequest,
    OrganisationRef,
    withdraw_consent,
)
from gpdesk.signals.outgoing import ConsentGiven, SharedWithoutConsent
from gpdesk.signals.store import (
    SignalRecord,
    add_event,
    change_status,
    compose,
    list_signals,
    signal_detail,
    submit,
    withdrawal_hook,
    withdrawal_hook_for,
)
from gpdesk.signals.team import choose_team
from tests.store_support import (
    CHILD,
    DESK,
    EXTRA_PATIENT,
    MOTHER,
    NIEUWLAND,
    NOW,
    PRIVATE_NOTE,
    WIJKTEAMS,
    consent_draft,
    consented,
    deliver_to,
    open_patient,
    ready_practice,
    request,
    signed,
)

GROUND_REASON = "Ernstige zorgen over de veiligheid van de kinderen; meldcode doorlopen."


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def bakker(practice: Database) -> SignedIn:
    return signed(practice, "bakker")


@pytest.fixture
def patient_id(practice: Database, bakker: SignedIn) -> int:
    return open_patient(practice, bakker)


def _submit(
    db: Database, who: SignedIn, patient: int, at: datetime = NOW, **changes: Any
) -> SignalRecord:
    with db.session() as session:
        return submit(session, who.vault, who.actor, request(patient, **changes), now=at)


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _entries(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        query = select(AuditEntry).where(AuditEntry.event == event).order_by(AuditEntry.seq)
        return list(session.scalars(query))


def _checks_clean(db: Database, vault: Vault) -> None:
    with db.session() as session:
        assert check_record_states(session, vault).findings == ()
        assert check_sealed_values(session, vault).findings == ()


def _nothing_stored(db: Database) -> None:
    assert _count(db, Signal) == 0
    assert _count(db, OutboxMessage) == 0
    assert _count(db, SignalCounter) == 0
    assert _entries(db, "signal.submit") == []


def _mark_sent(db: Database, vault: Vault, reference: str, at: datetime = NOW) -> None:
    """What the outbox worker does when every channel delivered."""
    with db.session() as session:
        row = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        for message in session.scalars(
            select(OutboxMessage).where(OutboxMessage.signal_id == row.id)
        ):
            message.state = OutboxState.SENT
            message.sent_at = at
        row.sent_at = at
        row.expected_by = (at + timedelta(days=3)).date()
        add_event(
            session, vault, row, SignalStatus.SENT, source=EventSource.SYSTEM, at=at,
            actor_label="gpdesk",
        )  # fmt: skip


# -- submit ------------------------------------------------------------------------------------


def test_submit_with_a_stored_consent(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    stored = consented(practice, bakker, patient_id)
    record = _submit(practice, bakker, patient_id)
    assert record.reference == "SIG-2026-000001"
    assert record.status is SignalStatus.DRAFT
    assert record.team_name == "Wijkteam Nieuwland" and record.team_id == NIEUWLAND
    assert record.private_note == PRIVATE_NOTE
    assert record.signal.requester.gp_name == "H. Bakker"
    assert record.signal.practice.reply_email == "praktijk@desingel.example"
    assert isinstance(record.signal.consent, ConsentGiven)
    assert [(e.status, e.who) for e in record.timeline] == [
        (SignalStatus.DRAFT, "H. Bakker (huisarts)")
    ]
    assert {(c.channel, c.state) for c in record.outbox} == {
        (Channel.SMTP, OutboxState.PENDING),
        (Channel.FOLDER, OutboxState.PENDING),
    }
    with practice.session() as session:
        row = session.scalars(select(Signal)).one()
        assert row.consent_id == stored.id and row.no_consent_id is None
        assert row.requester_id == bakker.actor.user_id and row.prepared_by_id is None
        messages = list(session.scalars(select(OutboxMessage)))
    assert {m.message_id for m in messages} == {"<SIG-2026-000001@desingel.example>"}
    assert all(m.kind is MessageKind.SIGNAL and m.next_attempt_at is not None for m in messages)
    [entry] = _entries(practice, "signal.submit")
    assert entry.patient_ref == patient_ref(bakker.vault, EXTRA_PATIENT.bsn)
    assert entry.object_type == "signal" and entry.object_id == str(row.id)
    assert entry.checks == Checks(treatment_relationship=True, consent=True).to_json()
    assert entry.detail == ("SIG-2026-000001 aan Wijkteam Nieuwland; wonen_werk_inkomen_schulden")
    assert entry.state is not None and '"signal"' in entry.state
    _checks_clean(practice, bakker.vault)


def test_never_the_bsn_or_the_private_note_in_what_leaves(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id, items=frozenset(DataItem) - {DataItem.MEDICAL})
    record = _submit(practice, bakker, patient_id, items=frozenset(DataItem) - {DataItem.MEDICAL})
    assert record.signal.not_sent == ("BSN", "privénotitie")
    with practice.session() as session:
        row = session.scalars(select(Signal)).one()
        text = bakker.vault.open("signal", "content", row.id, row.content)
        messages = session.execute(select(OutboxMessage.__table__)).mappings().all()
    assert snapshot.loads(text) == record.signal
    assert EXTRA_PATIENT.bsn not in text and PRIVATE_NOTE not in text
    assert EXTRA_PATIENT.name in text  # sent, so the check above looked in the right place
    for message in messages:
        for value in message.values():
            assert EXTRA_PATIENT.bsn not in str(value)
            assert PRIVATE_NOTE not in str(value)
    with practice.engine.connect() as conn:
        raw = conn.execute(select(Signal.__table__)).mappings().one()
    for column in ("content", "private_note"):
        assert EXTRA_PATIENT.name.encode() not in bytes(raw[column])
        assert b"drankgebruik" not in bytes(raw[column])


def test_submit_with_a_new_consent(practice: Database, bakker: SignedIn, patient_id: int) -> None:
    record = _submit(practice, bakker, patient_id, consent=consent_draft())
    with practice.session() as session:
        consent = session.scalars(select(Consent)).one()
        row = session.scalars(select(Signal)).one()
    assert row.consent_id == consent.id
    assert consent.recorded_at == NOW
    assert len(_entries(practice, "consent.record")) == 1
    assert record.signal.consent == ConsentGiven(
        method=ConsentMethod.ORAL, given_on=NOW.date(), valid_until=NOW.date().replace(2027),
        purposes=consent_draft().purposes, items=consent_draft().items,
        organisations=(WIJKTEAMS,),
    )  # fmt: skip
    _checks_clean(practice, bakker.vault)


def test_a_child_under_12_with_the_mother(practice: Database, bakker: SignedIn) -> None:
    child = open_patient(practice, bakker, CHILD)
    draft = consent_draft(method=ConsentMethod.REPRESENTATIVE, representative=MOTHER)
    record = _submit(practice, bakker, child, consent=draft, themes=("jeugd_opvoeding",))
    assert isinstance(record.signal.consent, ConsentGiven)
    assert record.signal.consent.representative_relation == "moeder"
    assert MOTHER.name not in snapshot.dumps(record.signal)
    with pytest.raises(ValidationError) as info, practice.session() as session:
        submit(
            session, bakker.vault, bakker.actor,
            request(child, consent=consent_draft(), themes=("jeugd_opvoeding",)), now=NOW,
        )  # fmt: skip
    assert "Onder de 12 jaar" in info.value.message


def test_a_gp_sends_without_consent_on_a_ground(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    elsewhere = OrganisationRef("Veilig Thuis Maasmond")
    ground = NoConsentRequest(
        NoConsentGround.LEGAL_DUTY, GROUND_REASON, elsewhere, frozenset({DataItem.NAME})
    )
    record = _submit(practice, bakker, patient_id, without_consent=ground)
    statement = record.signal.consent
    assert isinstance(statement, SharedWithoutConsent)
    assert statement.ground is NoConsentGround.LEGAL_DUTY and statement.reason == GROUND_REASON
    assert DataItem.PHONE in statement.items  # the ticked items are what the decision covers
    with practice.session() as session:
        row = session.scalars(select(Signal)).one()
        decision = session.get_one(NoConsentDecision, row.no_consent_id)
    # The decision names whom it is shared with: the team's organisation, whatever was asked.
    assert decision.organisation_name == WIJKTEAMS.name
    assert decision.organisation_id == WIJKTEAMS.id
    assert row.consent_id is None
    [entry] = _entries(practice, "signal.submit")
    assert entry.checks == Checks(treatment_relationship=True, consent=False).to_json()
    assert (
        entry.detail is not None and "zonder toestemming, grond wettelijke plicht" in entry.detail
    )
    _checks_clean(practice, bakker.vault)


def test_a_poh_cannot_send_without_consent(practice: Database, patient_id: int) -> None:
    visser = signed(practice, "visser")
    ground = NoConsentRequest(
        NoConsentGround.VITAL_INTEREST, GROUND_REASON, WIJKTEAMS, frozenset({DataItem.NAME})
    )
    with pytest.raises(PermissionDeniedError) as info, practice.session() as session:
        submit(
            session, visser.vault, visser.actor,
            request(patient_id, without_consent=ground, on_behalf_of="bakker"), now=NOW,
        )  # fmt: skip
    assert "Alleen een huisarts" in info.value.message
    _nothing_stored(practice)


def test_a_poh_and_an_assistant_prepare_on_behalf_of_the_gp(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id)
    for username in ("visser", "jansen"):
        who = signed(practice, username)
        with pytest.raises(ValidationError) as info, practice.session() as session:
            submit(session, who.vault, who.actor, request(patient_id), now=NOW)
        assert "namens een huisarts" in info.value.message
        record = _submit(practice, who, patient_id, on_behalf_of="bakker")
        assert record.signal.requester.gp_name == "H. Bakker"
        assert record.signal.requester.prepared_by == f"{who.actor.describe()}"
    entries = _entries(practice, "signal.submit")
    assert [(e.username, e.on_behalf_of) for e in entries] == [
        ("visser", "bakker"),
        ("jansen", "bakker"),
    ]
    with pytest.raises(ValidationError), practice.session() as session:
        jansen = signed(practice, "jansen")
        submit(
            session, jansen.vault, jansen.actor, request(patient_id, on_behalf_of="visser"),
            now=NOW,
        )  # fmt: skip
    smit = signed(practice, "smit")
    with pytest.raises(PermissionDeniedError), practice.session() as session:
        submit(session, smit.vault, smit.actor, request(patient_id), now=NOW)


# -- refusals ----------------------------------------------------------------------------------


def test_refused_without_consent(practice: Database, bakker: SignedIn, patient_id: int) -> None:
    with pytest.raises(ConsentError) as info, practice.session() as session:
        submit(session, bakker.vault, bakker.actor, request(patient_id), now=NOW)
    assert info.value.message == (
        "Er is geen geldige toestemming voor dit signaal aan Stichting Wijkteams Schiedam. "
        "Er is geen toestemming van de patiënt vastgelegd."
    )
    _nothing_stored(practice)


def test_refused_with_an_expired_consent(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    stored = consented(practice, bakker, patient_id)
    later = datetime.combine(stored.scope.valid_until + timedelta(days=1), datetime.min.time())
    with pytest.raises(ConsentError) as info, practice.session() as session:
        submit(
            session, bakker.vault, bakker.actor, request(patient_id),
            now=later.replace(hour=12, tzinfo=UTC),
        )  # fmt: skip
    assert "De toestemming is verlopen na 07-12-2027." in info.value.message
    _nothing_stored(practice)


def test_refused_with_a_withdrawn_consent(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    stored = consented(practice, bakker, patient_id)
    with practice.session() as session:
        withdraw_consent(session, bakker.vault, bakker.actor, stored.id, at=NOW)
    with pytest.raises(ConsentError) as info, practice.session() as session:
        submit(
            session, bakker.vault, bakker.actor, request(patient_id),
            now=NOW + timedelta(hours=1),
        )  # fmt: skip
    assert "De toestemming is ingetrokken op 07-12-2026." in info.value.message
    _nothing_stored(practice)


def test_refused_for_an_item_the_consent_does_not_cover(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id)
    ticked = request(patient_id).items | {DataItem.BIRTH_DATE}
    with pytest.raises(ConsentError) as info, practice.session() as session:
        submit(session, bakker.vault, bakker.actor, request(patient_id, items=ticked), now=NOW)
    assert "De toestemming dekt 'geboortedatum' niet." in info.value.message
    _nothing_stored(practice)


def test_a_team_without_delivery_is_refused_before_anything_is_stored(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    deliver_to(practice, NIEUWLAND, email=None, folder=None)
    with pytest.raises(GpdeskError) as info, practice.session() as session:
        submit(
            session, bakker.vault, bakker.actor, request(patient_id, consent=consent_draft()),
            now=NOW,
        )  # fmt: skip
    assert info.value.message == (
        "Voor dit team (Wijkteam Nieuwland) is nog geen verzendadres ingesteld."
    )
    assert info.value.hint is not None and "Vraag de beheerder" in info.value.hint
    _nothing_stored(practice)
    assert _count(practice, Consent) == 0


# -- the reference --------------------------------------------------------------------------


def test_numbers_count_per_year_and_a_refusal_takes_none(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id)
    with practice.session() as session:
        preview = compose(session, bakker.vault, bakker.actor, request(patient_id), now=NOW)
    assert preview.reference == "SIG-2026-000001"
    assert _count(practice, SignalCounter) == 0  # the preview took nothing
    assert _submit(practice, bakker, patient_id).reference == "SIG-2026-000001"
    with pytest.raises(ValidationError), practice.session() as session:
        submit(session, bakker.vault, bakker.actor, request(patient_id, question=" "), now=NOW)
    with practice.session() as session:
        preview = compose(session, bakker.vault, bakker.actor, request(patient_id), now=NOW)
    assert preview.reference == "SIG-2026-000002"
    assert _submit(practice, bakker, patient_id).reference == "SIG-2026-000002"
    new_year = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert _submit(practice, bakker, patient_id, at=new_year).reference == "SIG-2027-000001"
    # New Year's Eve after 23:00 UTC is already the next year in the practice.
    eve = datetime(2027, 12, 31, 23, 30, tzinfo=UTC)
    consented(practice, bakker, patient_id, at=eve)
    assert _submit(practice, bakker, patient_id, at=eve).reference == "SIG-2028-000001"


# -- the team -----------------------------------------------------------------------------------


def _youth_team(db: Database) -> str:
    """A youth team (until 18) for Nieuwland's postcodes, added to the demo kaart."""
    with db.session() as session:
        nieuwland = session.get_one(Service, NIEUWLAND)
        youth = Service(
            id="jeugdteam-nieuwland", organization_id=nieuwland.organization_id,
            name="Jeugdteam Nieuwland", kind=ServiceKind.WIJKTEAM, maximum_age=17,
        )  # fmt: skip
        area = ServiceArea(id="jeugdteam-nieuwland-gebied", service_id=youth.id)
        area.postcodes.append(ServiceAreaPostcode(pc4_from=3118, pc4_to=3119))
        session.add_all([youth, area])
    deliver_to(db, "jeugdteam-nieuwland")
    return "jeugdteam-nieuwland"


def test_the_team_by_postcode_age_and_theme(practice: Database, bakker: SignedIn) -> None:
    youth = _youth_team(practice)
    adult = open_patient(practice, bakker)
    child = open_patient(practice, bakker, CHILD)
    with practice.session() as session:
        for_adult = choose_team(session, bakker.vault, bakker.actor, adult, ["ggz"], now=NOW)
        for_child = choose_team(
            session, bakker.vault, bakker.actor, child, ["jeugd_opvoeding"], now=NOW
        )
    assert for_adult.team.id == NIEUWLAND and not for_adult.fallback
    assert youth not in {o.team.id for o in for_adult.options}
    assert "Jeugdteam Nieuwland is er alleen voor tot 18 jaar." in for_adult.explanation
    assert for_adult.team.organisation == WIJKTEAMS
    assert for_adult.ref.contact is not None  # the named contact the form shows
    assert for_child.team.id == youth
    assert for_child.explanation.startswith("Jeugdteam Nieuwland is het jeugdteam")
    assert for_child.alternatives[0].team.id == NIEUWLAND
    # The adult cannot be sent to the youth team by hand either.
    consented(practice, bakker, adult)
    with pytest.raises(ValidationError) as info, practice.session() as session:
        submit(session, bakker.vault, bakker.actor, request(adult, team_id=youth), now=NOW)
    assert "alleen voor tot 18 jaar" in info.value.message
    record = _submit(
        practice, bakker, child, consent=consent_draft(
            method=ConsentMethod.REPRESENTATIVE, representative=MOTHER
        ), themes=("jeugd_opvoeding",),
    )  # fmt: skip
    assert record.team_id == youth


def test_the_desk_outside_the_teams_and_a_refusal_outside_the_work_area(
    practice: Database, bakker: SignedIn
) -> None:
    gap = open_patient(practice, bakker, replace(EXTRA_PATIENT, bsn="123456782", postcode="3120AB"))
    away = open_patient(
        practice, bakker, replace(EXTRA_PATIENT, bsn="100000009", postcode="9711AA")
    )
    with practice.session() as session:
        desk = choose_team(session, bakker.vault, bakker.actor, gap, ["ouderen"], now=NOW)
        assert desk.fallback and desk.team.id == DESK
        assert "centraal loket" in desk.explanation
        with pytest.raises(ValidationError) as info:
            choose_team(session, bakker.vault, bakker.actor, away, ["ouderen"], now=NOW)
    assert "buiten het werkgebied" in info.value.message


# -- status ---------------------------------------------------------------------------------------


def _status(
    db: Database, who: SignedIn, reference: str, status: SignalStatus, reason: str = ""
) -> SignalRecord:
    with db.session() as session:
        return change_status(
            session, who.vault, who.actor, reference, status, reason=reason, now=NOW
        )


def test_the_loop_closed_reopened_and_cancelled(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id)
    reference = _submit(practice, bakker, patient_id).reference
    with pytest.raises(ValidationError) as info:
        _status(practice, bakker, reference, SignalStatus.RECEIVED)
    assert "nog niet verzonden" in info.value.message
    _mark_sent(practice, bakker.vault, reference)
    with pytest.raises(ValidationError):
        _status(practice, bakker, reference, SignalStatus.SENT)
    _status(practice, bakker, reference, SignalStatus.RECEIVED)
    _status(practice, bakker, reference, SignalStatus.IN_PROGRESS)
    done = _status(practice, bakker, reference, SignalStatus.COMPLETED)
    assert done.closed_at is not None
    with pytest.raises(ValidationError) as info:
        _status(practice, bakker, reference, SignalStatus.IN_PROGRESS)
    assert "waarom u het signaal wilt heropenen" in info.value.message
    again = _status(
        practice, bakker, reference, SignalStatus.IN_PROGRESS, "Patiënt belde: nog niet geholpen."
    )
    assert again.closed_at is None
    with pytest.raises(ValidationError) as info:
        _status(practice, bakker, reference, SignalStatus.CANCELLED)
    assert "waarom u het signaal wilt annuleren" in info.value.message
    cancelled = _status(
        practice, bakker, reference, SignalStatus.CANCELLED, "Dubbel aangemeld door de POH."
    )
    assert [(e.status, e.reason) for e in cancelled.timeline] == [
        (SignalStatus.DRAFT, None),
        (SignalStatus.SENT, None),
        (SignalStatus.RECEIVED, None),
        (SignalStatus.IN_PROGRESS, None),
        (SignalStatus.COMPLETED, None),
        (SignalStatus.IN_PROGRESS, "Patiënt belde: nog niet geholpen."),
        (SignalStatus.CANCELLED, "Dubbel aangemeld door de POH."),
    ]
    assert cancelled.timeline[1].who == "gpdesk"
    notices = [c for c in cancelled.outbox if c.kind is MessageKind.CANCELLATION]
    assert {(c.channel, c.state) for c in notices} == {
        (Channel.SMTP, OutboxState.PENDING),
        (Channel.FOLDER, OutboxState.PENDING),
    }
    with practice.session() as session:
        ids = set(
            session.scalars(
                select(OutboxMessage.message_id).where(
                    OutboxMessage.kind == MessageKind.CANCELLATION
                )
            )
        )
    assert ids == {"<SIG-2026-000001.annulering@desingel.example>"}
    with pytest.raises(ValidationError) as info:
        _status(practice, bakker, reference, SignalStatus.IN_PROGRESS, "toch weer")
    assert "geannuleerd" in info.value.message
    with practice.engine.connect() as conn:
        reasons = conn.execute(select(SignalEvent.__table__.c.reason)).scalars().all()
    assert all(b"Dubbel" not in bytes(r) for r in reasons if r is not None)
    assert len(_entries(practice, "signal.status")) == 7 - 1
    _checks_clean(practice, bakker.vault)


def test_cancelling_before_it_left_stops_the_sends(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id)
    reference = _submit(practice, bakker, patient_id).reference
    record = _status(practice, bakker, reference, SignalStatus.CANCELLED, "Verkeerde patiënt.")
    assert {c.state for c in record.outbox} == {OutboxState.STOPPED}
    assert all(c.kind is MessageKind.SIGNAL for c in record.outbox)


def test_withdrawal_stops_pending_sends_and_tells_the_team(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    stored = consented(practice, bakker, patient_id)
    sent = _submit(practice, bakker, patient_id).reference
    _mark_sent(practice, bakker.vault, sent)
    pending = _submit(practice, bakker, patient_id).reference
    with practice.session() as session:
        result = withdraw_consent(
            session, bakker.vault, bakker.actor, stored.id, at=NOW + timedelta(hours=1),
            hooks=[withdrawal_hook],
        )  # fmt: skip
    assert [(a.reference, a.outcome) for a in result.affected] == [
        (sent, "intrekking gemeld aan het team"),
        (pending, "verzenden gestopt"),
    ]
    with practice.session() as session:
        first = signal_detail(session, bakker.vault, bakker.actor, sent)
        second = signal_detail(session, bakker.vault, bakker.actor, pending)
    assert {c.channel for c in first.outbox if c.kind is MessageKind.WITHDRAWAL} == {
        Channel.SMTP,
        Channel.FOLDER,
    }
    assert {c.state for c in second.outbox} == {OutboxState.STOPPED}
    [entry] = _entries(practice, "consent.withdraw")
    assert entry.detail is not None and entry.detail.endswith("2 signalen geraakt")
    _checks_clean(practice, bakker.vault)


# -- reading ----------------------------------------------------------------------------------


def test_lists_decrypt_nothing(
    practice: Database, bakker: SignedIn, patient_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    consented(practice, bakker, patient_id)
    first = _submit(practice, bakker, patient_id, urgent=True).reference
    second = _submit(practice, bakker, patient_id).reference
    _mark_sent(practice, bakker.vault, first, at=NOW - timedelta(days=10))
    _status(practice, bakker, second, SignalStatus.CANCELLED, "Niet meer nodig.")

    def refuse(*_args: object) -> str:
        raise AssertionError("a list opened a sealed value")

    monkeypatch.setattr(Vault, "open", refuse)
    with practice.session() as session:
        every = list_signals(session, bakker.vault, bakker.actor)
        still_open = list_signals(session, bakker.vault, bakker.actor, open_only=True)
        mine = list_signals(session, bakker.vault, bakker.actor, patient_id=patient_id + 100)
    assert [s.reference for s in every] == [second, first]
    assert [s.reference for s in still_open] == [first]
    assert mine == []
    summary = still_open[0]
    assert summary.status is SignalStatus.SENT and summary.urgent and summary.overdue
    assert summary.themes == ("wonen_werk_inkomen_schulden",)
    assert summary.team_name == "Wijkteam Nieuwland"


def test_detail_is_audited_and_refuses_a_changed_row(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    consented(practice, bakker, patient_id)
    reference = _submit(practice, bakker, patient_id).reference
    with practice.session() as session:
        record = signal_detail(session, bakker.vault, bakker.actor, reference.lower())
    assert record.reference == reference
    assert len(_entries(practice, "signal.read")) == 1
    with practice.engine.begin() as conn:
        conn.execute(update(Signal).values(team_name="Wijkteam Oost"))
    with pytest.raises(TamperedError), practice.session() as session:
        signal_detail(session, bakker.vault, bakker.actor, reference)
    assert len(_entries(practice, "data.tampered")) == 1
    with pytest.raises(GpdeskError) as info, practice.session() as session:
        signal_detail(session, bakker.vault, bakker.actor, "SIG-2026-000999")
    assert "geen signaal met kenmerk" in info.value.message


def test_withdrawal_written_on_the_timeline(
    practice: Database, bakker: SignedIn, patient_id: int
) -> None:
    stored = consented(practice, bakker, patient_id)
    sent = _submit(practice, bakker, patient_id).reference
    _mark_sent(practice, bakker.vault, sent)
    pending = _submit(practice, bakker, patient_id).reference
    jansen = signed(practice, "jansen")
    with practice.session() as session:
        result = withdraw_consent(
            session, jansen.vault, jansen.actor, stored.id, at=NOW + timedelta(hours=1),
            hooks=[withdrawal_hook_for(jansen.vault)],
        )  # fmt: skip
    assert [a.outcome for a in result.affected] == [
        "intrekking gemeld aan het team",
        "verzenden gestopt",
    ]
    with practice.session() as session:
        first = signal_detail(session, bakker.vault, bakker.actor, sent)
        second = signal_detail(session, bakker.vault, bakker.actor, pending)
    assert first.status is SignalStatus.SENT and first.closed_at is None
    assert (first.timeline[-1].status, first.timeline[-1].who, first.timeline[-1].reason) == (
        SignalStatus.SENT,
        "M. Jansen (doktersassistent)",
        "Toestemming ingetrokken: intrekking gemeld aan het team.",
    )
    assert second.status is SignalStatus.CANCELLED and second.closed_at is not None
    assert second.timeline[-1].reason == "Toestemming ingetrokken: verzenden gestopt."
    assert {c.state for c in second.outbox} == {OutboxState.STOPPED}
    _checks_clean(practice, bakker.vault)


def test_two_workstations_never_take_the_same_number(practice: Database) -> None:
    """The first signal of a year from two places at once: one waits, then takes the next."""
    from gpdesk.signals.store.sending import _take_number

    if practice.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: the second waits for the file lock")
    taken: list[int] = []
    first = Session(practice.engine)
    try:
        taken.append(_take_number(first, 2031))  # holds the year's row until it commits

        def second() -> None:
            with practice.session() as session:
                taken.append(_take_number(session, 2031))

        worker = threading.Thread(target=second)
        worker.start()
        worker.join(timeout=0.5)
        assert worker.is_alive()  # waiting for the first workstation's row lock
        first.commit()
        worker.join(timeout=30)
        assert not worker.is_alive()
    finally:
        first.close()
    assert taken == [1, 2]
