"""A batch stored at once (``receive_batch``) is what ``receive`` makes letter by letter.

Every kind of item in one batch: linked by its reference (routed to the feedback contact), not
linked, quarantined, a one-click answer, the same message twice within the batch, and one
stored before. Each letter's rows, steps and audit entry match those ``receive`` writes for
the same item; the record states and the audit chain check clean. SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.inbox.store import Incoming, Quarantine, Received, receive
from gpdesk.inbox.store.bulk import receive_batch
from gpdesk.models import AuditEntry, Letter, LetterEvent, LetterPart, Signal, SignalStatus
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn
from tests.integration.test_inbox_store import RAW, _checks_clean, _incoming
from tests.store_support import NOW, ready_practice, sent_signal, signed

AT = NOW + timedelta(hours=1)


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


def _variants(reference: str, tag: bytes) -> list[Incoming]:
    """One of each kind of item; ``tag`` makes the bytes and Message-IDs of a set unique."""
    name = tag.decode()
    linked = _incoming(
        raw=RAW + tag + b"1", message_id=f"<{name}-1@wijkteam.example>",
        subject=f"Terugkoppeling {reference}", references=(reference,),
    )  # fmt: skip
    unlinked = _incoming(
        raw=RAW + tag + b"2", message_id=f"<{name}-2@wijkteam.example>", references=(),
        kind="overig", body_html="<p>Zie bijlage</p>",
    )  # fmt: skip
    quarantined = _incoming(
        raw=b"\x00" * 32 + tag, file_type="onbekend", message_id=None,
        quarantine=Quarantine("Het bestand is geen leesbaar bericht.", "unreadable"),
    )  # fmt: skip
    answer = _incoming(
        raw=RAW + tag + b"3", message_id=f"<{name}-3@wijkteam.example>", parts=(),
        subject=f"{reference} ontvangen", reply_status="ontvangen", references=(reference,),
    )  # fmt: skip
    return [linked, unlinked, quarantined, answer]


def _letter(db: Database, who: SignedIn, letter_id: int) -> dict[str, Any]:
    """What a letter's rows say, without what differs between two letters by nature."""
    vault = who.vault
    with db.session() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        row = {
            c.key: getattr(letter, c.key)
            for c in Letter.__table__.columns
            if c.key not in ("id", "message_id", "content_hash", "size", "raw", "subject")
        }
        row["subject"] = None
        if letter.subject is not None:
            row["subject"] = vault.open("letter", "subject", letter_id, bytes(letter.subject))
        for name in ("body_text", "body_html"):
            value = getattr(letter, name)
            row[name] = None if value is None else vault.open("letter", name, letter_id, value)
        parts = session.scalars(select(LetterPart).where(LetterPart.letter_id == letter_id))
        row["parts"] = [
            (p.position, p.part_kind, p.safe_to_open, p.sha256, p.problem,
             vault.open("letter_part", "filename", p.id, bytes(p.filename or b"")),
             None if p.text is None else vault.open("letter_part", "text", p.id, p.text),
             vault.open_bytes("letter_part", "data", p.id, bytes(p.data or b"")))
            for p in parts
        ]  # fmt: skip
        steps = session.scalars(select(LetterEvent).where(LetterEvent.letter_id == letter_id))
        row["steps"] = [
            (s.step, s.actor_id, s.actor_label,
             None if s.note is None else vault.open("letter_event", "note", s.id, s.note))
            for s in steps
        ]  # fmt: skip
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.object_type == "letter", AuditEntry.object_id == str(letter_id)
            )
        ).one()
        row["audit"] = (entry.event, entry.action, entry.username, entry.patient_ref, entry.detail)
    return row


def test_a_batch_stores_what_receive_stores_letter_by_letter(
    practice: Database, assistant_and_bakker: tuple[SignedIn, SignedIn]
) -> None:
    assistant, bakker = assistant_and_bakker
    first = sent_signal(practice, bakker)
    second = sent_signal(practice, bakker)
    one_by_one = _variants(first, b"a")
    at_once = _variants(second, b"b")
    earlier = replace(at_once[1], raw=RAW + b"earlier", message_id="<earlier@wijkteam.example>")
    with practice.session() as session:
        singles = [
            receive(session, assistant.vault, assistant.actor, i, now=AT) for i in one_by_one
        ]
        before = receive(session, assistant.vault, assistant.actor, earlier, now=AT)
    twice = replace(at_once[0], raw=RAW + b"resent")  # the same Message-ID, other bytes
    batch = [*at_once, twice, earlier]
    with practice.session() as session:
        audit.lock_chain(session)
        stored = receive_batch(session, assistant.vault, assistant.actor, batch, now=AT)

    assert [r.duplicate for r in stored] == [False, False, False, False, True, True]
    assert stored[4].letter_id == stored[0].letter_id
    assert stored[5] == Received(letter_id=before.letter_id, duplicate=True)
    assert [r.quarantined for r in stored[:4]] == [r.quarantined for r in singles]
    assert stored[3].status_changed and singles[3].status_changed
    assert [r.signal_reference for r in stored[:4]] == [second, None, None, second]
    for single, batched in zip(singles, stored[:4], strict=True):
        alone = _letter(practice, assistant, single.letter_id)
        together = _letter(practice, assistant, batched.letter_id)
        # The two sets differ only in which signal they name (and that signal's patient).
        for row in (alone, together):
            row.pop("signal_id"), row.pop("patient_id")
            if row["subject"]:
                row["subject"] = row["subject"].replace(second, first)
            row["audit"] = tuple(
                None if v is None else str(v).replace(second, first) for v in row["audit"]
            )
            row["audit"] = row["audit"][:3] + row["audit"][4:]
        assert together == alone
    with practice.session() as session:
        signal = session.scalars(select(Signal).where(Signal.reference == second)).one()
        assert signal.status is SignalStatus.RECEIVED
        assert audit.verify(session, vault=assistant.vault).ok
    _checks_clean(practice, assistant)


def test_an_empty_batch_and_a_batch_of_duplicates_write_nothing(
    practice: Database, assistant_and_bakker: tuple[SignedIn, SignedIn]
) -> None:
    assistant, _ = assistant_and_bakker
    item = _incoming(references=())
    with practice.session() as session:
        audit.lock_chain(session)
        assert receive_batch(session, assistant.vault, assistant.actor, []) == []
        (first,) = receive_batch(session, assistant.vault, assistant.actor, [item])
    with practice.session() as session:
        count = len(session.scalars(select(AuditEntry)).all())
        again = receive_batch(session, assistant.vault, assistant.actor, [item, item])
        assert again == [Received(first.letter_id, True), Received(first.letter_id, True)]
        assert len(session.scalars(select(AuditEntry)).all()) == count


@pytest.fixture
def assistant_and_bakker(practice: Database) -> tuple[SignedIn, SignedIn]:
    return signed(practice, "jansen"), signed(practice, "bakker")
