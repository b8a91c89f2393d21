"""Letters stored once, sealed, audited, linked to their signal, filed once; SQLite and PostgreSQL.

What came in is kept exactly (the bytes open again as they were), its subject and text are
never plain in the database, the same message fetched twice (same bytes, or the same
Message-ID after a server re-delivery) is one letter, and a one-click answer moves its signal.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.inbox.store import (
    Forgotten,
    Incoming,
    IncomingPart,
    Quarantine,
    archive,
    content_hash,
    file_letter,
    forget_expired,
    list_letters,
    receive,
)
from gpdesk.models import (
    AuditEntry,
    EventSource,
    Letter,
    LetterEvent,
    LetterPart,
    LetterSource,
    LetterState,
    Signal,
    SignalEvent,
    SignalStatus,
)
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.signals.store import change_status
from tests.store_support import (
    NOW,
    ready_practice,
    sent_signal,
    signed,
)

RAW = (
    b"From: Wijkteam Nieuwland <nieuwland@wijkteam.example>\r\n"
    b"To: praktijk@desingel.example\r\n"
    b"Subject: Terugkoppeling SIG-2026-000001\r\n"
    b"Message-ID: <brief-1@wijkteam.example>\r\n\r\n"
    b"Wij hebben mevrouw gesproken en helpen haar met de schulden.\r\n"
)
SUBJECT = "Terugkoppeling SIG-2026-000001 over mevrouw J. de Vries"
PDF = b"%PDF-1.4\n% een brief\n"


def _incoming(**changes: Any) -> Incoming:
    base = Incoming(
        source=LetterSource.IMAP,
        raw=RAW,
        file_type="e-mail",
        message_id="<brief-1@wijkteam.example>",
        sender_address="nieuwland@wijkteam.example",
        sender_name="Wijkteam Nieuwland",
        sent_at=NOW,
        subject=SUBJECT,
        body_text="Wij hebben mevrouw gesproken en helpen haar met de schulden.",
        parts=(
            IncomingPart(
                filename="brief de Vries.pdf",
                content_type="application/pdf",
                data=PDF,
                sha256=content_hash(PDF),
                part_kind="pdf",
                safe_to_open=True,
                text="Geachte huisarts,",
            ),
        ),
        references=("SIG-2026-000001",),
        kind="bevestiging",
    )
    return replace(base, **changes)


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def bakker(practice: Database) -> SignedIn:
    return signed(practice, "bakker")


@pytest.fixture
def assistant(practice: Database) -> SignedIn:
    return signed(practice, "jansen")


def _receive(db: Database, who: SignedIn, incoming: Incoming) -> tuple[int, bool]:
    with db.session() as session:
        got = receive(session, who.vault, who.actor, incoming, now=NOW + timedelta(hours=1))
        return got.letter_id, got.duplicate


def _count(db: Database, model: type) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _checks_clean(db: Database, who: SignedIn) -> None:
    with db.session() as session:
        assert check_record_states(session, who.vault).findings == ()
        assert check_sealed_values(session, who.vault).findings == ()


def test_a_letter_is_stored_sealed_linked_and_audited(
    practice: Database, bakker: SignedIn, assistant: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    letter_id, duplicate = _receive(practice, assistant, _incoming())
    assert not duplicate
    with practice.session() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None and letter.raw is not None and letter.subject is not None
        assert letter.kind == "bevestiging"
        # From a known team: to that team's feedback contact (POH-GGZ unless set otherwise).
        assert (letter.state, letter.assignee_role) == (LetterState.ASSIGNED, "poh_ggz")
        assert letter.content_hash == content_hash(RAW)
        assert letter.message_id == "brief-1@wijkteam.example"
        signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        assert (letter.signal_id, letter.patient_id) == (signal.id, signal.patient_id)
        assert letter.match_confirmed and letter.team_name == "Wijkteam Nieuwland"
        # Nothing readable in the file: the bytes and the subject are sealed in their place.
        assert b"schulden" not in bytes(letter.raw) and b"Vries" not in bytes(letter.subject)
        vault = assistant.vault
        assert vault.open_bytes("letter", "raw", letter.id, bytes(letter.raw)) == RAW
        assert vault.open("letter", "subject", letter.id, bytes(letter.subject)) == SUBJECT
        part = session.scalars(select(LetterPart)).one()
        assert part.data is not None and part.filename is not None
        assert vault.open_bytes("letter_part", "data", part.id, bytes(part.data)) == PDF
        assert b"Vries" not in bytes(part.filename)
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "letter.receive")
        ).one()
        assert entry.username == "jansen" and entry.object_id == str(letter_id)
        assert entry.patient_ref is not None and "SIG-2026-000001" in (entry.detail or "")
        assert "Vries" not in (entry.detail or "") and entry.state is not None
    _checks_clean(practice, assistant)


def test_the_same_message_twice_is_one_letter(practice: Database, assistant: SignedIn) -> None:
    first, _ = _receive(practice, assistant, _incoming(references=()))
    again, duplicate = _receive(practice, assistant, _incoming(references=()))
    assert duplicate and again == first
    # A server that delivers it again with one more Received: line: other bytes, same Message-ID.
    redelivered = _incoming(raw=b"Received: from relay\r\n" + RAW, references=())
    third, duplicate = _receive(practice, assistant, redelivered)
    assert duplicate and third == first
    # The same file dropped twice without any Message-ID: the bytes decide.
    dropped = _incoming(source=LetterSource.FOLDER, raw=PDF, message_id=None, file_type="pdf")
    one, _ = _receive(practice, assistant, dropped)
    two, duplicate = _receive(practice, assistant, dropped)
    assert duplicate and one == two
    assert _count(practice, Letter) == 2
    assert _count(practice, LetterEvent) == 2


def test_a_one_click_answer_moves_its_signal_once_and_never_reopens_it(
    practice: Database, bakker: SignedIn, assistant: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    answer = _incoming(
        raw=RAW + b"ontvangen", message_id="<antwoord-1@wijkteam.example>",
        subject=f"{reference} ontvangen", reply_status="ontvangen",
    )  # fmt: skip
    with practice.session() as session:
        got = receive(session, assistant.vault, assistant.actor, answer, now=NOW)
    assert got.status_changed and got.signal_reference == reference
    with practice.session() as session:
        signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        assert signal.status is SignalStatus.RECEIVED
        step = session.scalars(select(SignalEvent).order_by(SignalEvent.id.desc())).first()
        assert step is not None and step.source is EventSource.REPLY
        assert step.actor_label == "wijkteam via antwoordlink" and step.actor_id is None
    with practice.session() as session:
        change_status(session, bakker.vault, bakker.actor, reference, SignalStatus.COMPLETED)
    late = replace(answer, raw=RAW + b"laat", message_id="<antwoord-2@wijkteam.example>")
    with practice.session() as session:
        got = receive(session, assistant.vault, assistant.actor, late, now=NOW)
    assert not got.status_changed  # a late "ontvangen" after "afgerond" reopens nothing
    with practice.session() as session:
        signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        assert signal.status is SignalStatus.COMPLETED
    _checks_clean(practice, assistant)


def test_a_quarantined_file_is_kept_but_not_opened_or_filed(
    practice: Database, assistant: SignedIn
) -> None:
    bad = _incoming(
        raw=b"\x00" * 64, file_type="onbekend", message_id=None,
        quarantine=Quarantine("Het bestand is geen leesbaar bericht.", "unreadable"),
    )  # fmt: skip
    letter_id, _ = _receive(practice, assistant, bad)
    with practice.session() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None and letter.raw is not None
        assert letter.subject is None and letter.parts == [] and letter.signal_id is None
        assert letter.quarantine_reason == "Het bestand is geen leesbaar bericht."
        events = [e.event for e in session.scalars(select(AuditEntry))]
        assert "letter.quarantine" in events and "letter.receive" not in events
    with practice.session() as session:
        rows = list_letters(session, assistant.vault, assistant.actor)
    assert [r.quarantine_reason for r in rows] == ["Het bestand is geen leesbaar bericht."]
    assert rows[0].subject == "(in quarantaine: niet geopend)"
    with practice.session() as session, pytest.raises(GpdeskError, match="quarantaine"):
        file_letter(session, assistant.vault, assistant.actor, letter_id)
    _checks_clean(practice, assistant)


def test_a_letter_is_filed_once_and_the_second_is_told_by_whom(
    practice: Database, bakker: SignedIn, assistant: SignedIn
) -> None:
    letter_id, _ = _receive(practice, assistant, _incoming(references=()))
    with practice.session() as session:
        filed = file_letter(session, assistant.vault, assistant.actor, letter_id, now=NOW)
    assert filed.state is LetterState.FILED and filed.filed_by == assistant.actor.display_name
    with practice.session() as session, pytest.raises(GpdeskError) as refused:
        file_letter(session, bakker.vault, bakker.actor, letter_id)
    assert assistant.actor.display_name in refused.value.message
    with practice.session() as session:
        steps = [e.step for e in session.scalars(select(LetterEvent))]
        assert steps == ["ontvangen", "overgenomen in HIS"]
        rows = list_letters(session, bakker.vault, bakker.actor, state=LetterState.FILED)
        assert [r.id for r in rows] == [letter_id] and rows[0].subject == SUBJECT
    _checks_clean(practice, assistant)


def test_two_workstations_storing_one_message_at_once_store_it_once(
    practice: Database, bakker: SignedIn, assistant: SignedIn, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: the second waits for the file lock")
    ready = threading.Barrier(2)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def fetch(who: SignedIn) -> None:
        try:
            with practice.session() as session:
                ready.wait(timeout=10)
                got = receive(session, who.vault, who.actor, _incoming(references=()), now=NOW)
                results.append((got.letter_id, got.duplicate))
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=fetch, args=(w,)) for w in (bakker, assistant)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(d for _i, d in results) == [False, True]
    assert len({i for i, _d in results}) == 1
    assert _count(practice, Letter) == 1


def test_after_the_retention_period_only_a_stub_of_a_filed_letter_stays(
    practice: Database, bakker: SignedIn, assistant: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    filed_id, _ = _receive(practice, assistant, _incoming())
    waiting_id, _ = _receive(
        practice, assistant, _incoming(raw=PDF, message_id=None, references=(), parts=())
    )
    with practice.session() as session:
        file_letter(session, assistant.vault, assistant.actor, filed_id, now=NOW)
    with practice.session() as session:  # 89 days later: still within the 90 days
        early = forget_expired(session, assistant.vault, None, now=NOW + timedelta(days=89))
    assert early == Forgotten(letters=0, retention_days=90)
    with practice.session() as session:
        done = forget_expired(session, assistant.vault, None, now=NOW + timedelta(days=91))
    assert done.letters == 1
    with practice.session() as session:
        stub = session.get(Letter, filed_id)
        assert stub is not None and stub.forgotten_at is not None
        assert (stub.raw, stub.subject, stub.body_text, stub.parts) == (None, None, None, [])
        assert stub.signal_id is not None and stub.kind == "bevestiging"
        assert stub.filed_by_id == assistant.actor.user_id
        waiting = session.get(Letter, waiting_id)
        assert waiting is not None and waiting.raw is not None  # not filed: never forgotten
        query = select(AuditEntry).where(AuditEntry.event == "letter.forget")
        entry = session.scalars(query).one()
        assert entry.username == "systeem" and entry.patient_ref is not None
        rows = list_letters(session, assistant.vault, assistant.actor, state=LetterState.FILED)
    assert rows[0].forgotten and rows[0].signal_reference == reference
    assert rows[0].subject == "(inhoud verwijderd na de bewaartermijn)"
    with practice.session() as session:
        again = forget_expired(session, assistant.vault, None, now=NOW + timedelta(days=400))
    assert again.letters == 0
    _checks_clean(practice, assistant)


def test_an_archived_quarantined_file_is_forgotten_after_the_same_period(
    practice: Database, assistant: SignedIn
) -> None:
    bad = _incoming(
        raw=b"MZ\x90\x00" * 16, file_type="onbekend", message_id=None,
        quarantine=Quarantine("Het bestand is een programma.", "executable"),
    )  # fmt: skip
    letter_id, _ = _receive(practice, assistant, bad)
    manager = signed(practice, "smit")
    with practice.session() as session:
        archive(session, manager.vault, manager.actor, letter_id, now=NOW)
    with practice.session() as session:
        assert (
            forget_expired(session, manager.vault, None, now=NOW + timedelta(days=89)).letters == 0
        )
    with practice.session() as session:
        assert (
            forget_expired(session, manager.vault, None, now=NOW + timedelta(days=91)).letters == 1
        )
    with practice.session() as session:
        stub = session.get(Letter, letter_id)
        assert stub is not None and stub.raw is None and stub.forgotten_at is not None
        assert stub.quarantine_reason == "Het bestand is een programma."
    _checks_clean(practice, manager)
