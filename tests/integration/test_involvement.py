"""Betrokkenheid on SQLite and PostgreSQL: registered from a betrokkenheidsmelding, shown for the
patient, ended, audited; refused without the right; registering twice keeps one.

Also the letters of a signal (``letters_of_signal``), as the signal's timeline shows them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store import (
    Incoming,
    PhoneFeedback,
    assign,
    file_letter,
    link,
    receive,
    record_phone_feedback,
)
from gpdesk.inbox.store.by_signal import letters_of_signal
from gpdesk.inbox.store.detail import letter_detail
from gpdesk.inbox.store.involvement import (
    end_involvement,
    ending_for_letter,
    involvements_of,
    involvements_of_letter,
    register_involvement,
)
from gpdesk.models import AuditEntry, Involvement, Letter, LetterSource, LetterState, Signal
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.permissions import PermissionDeniedError
from tests.store_support import NOW, open_patient, ready_practice, sent_signal, signed

TEAM = "Wijkteam Oost"


def _incoming(number: int, **changes: Any) -> Incoming:
    raw = f"From: {TEAM} <oost@wijkteam.example>\r\nSubject: Melding {number}\r\n\r\nx".encode()
    base = Incoming(
        source=LetterSource.IMAP,
        raw=raw,
        file_type="e-mail",
        message_id=f"<melding-{number}@wijkteam.example>",
        sender_address="oost@wijkteam.example",
        sender_name=TEAM,
        sent_at=NOW - timedelta(days=4),
        subject=f"Betrokkenheid bij uw patiënt {number}",
        body_text="Wij begeleiden uw patiënt sinds 1 december bij de schulden.",
        kind=LetterKind.INVOLVEMENT.value,
    )
    return replace(base, **changes)


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def jansen(practice: Database) -> SignedIn:
    return signed(practice, "jansen")


def _received(db: Database, who: SignedIn, number: int, **changes: Any) -> int:
    with db.session() as session:
        got = receive(session, who.vault, who.actor, _incoming(number, **changes), now=NOW)
        return got.letter_id


def _linked(db: Database, who: SignedIn, number: int, **changes: Any) -> tuple[int, int]:
    """A betrokkenheidsmelding linked to the patient: (letter id, patient id)."""
    patient_id = open_patient(db, who)
    letter_id = _received(db, who, number, **changes)
    with db.session() as session:
        link(session, who.vault, who.actor, letter_id, patient_id=patient_id, now=NOW)
    return letter_id, patient_id


def _events(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))
        session.expunge_all()
        return rows


def test_registered_from_the_letter_shown_for_the_patient_and_ended(
    practice: Database, jansen: SignedIn
) -> None:
    letter_id, patient_id = _linked(practice, jansen, 1)
    with practice.session() as session:
        got = register_involvement(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    assert got.team_name == TEAM and got.team_id is None
    assert got.since == date(2026, 12, 3)  # the day the team wrote, by default
    assert got.letter_id == letter_id and got.active
    assert got.registered_by == "M. Jansen"
    assert got.text == "Wijkteam Oost is betrokken sinds 03-12-2026"
    with practice.session() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None and letter.kind_confirmed  # registering confirmed the kind
        shown = involvements_of(session, jansen.vault, jansen.actor, patient_id)
        assert [i.id for i in shown] == [got.id]
        assert involvements_of_letter(session, jansen.actor, letter_id)[0].id == got.id
    (entry,) = _events(practice, "involvement.register")
    assert entry.patient_ref is not None and entry.object_id == str(got.id)
    assert TEAM not in (entry.detail or "") or "naam:" in (entry.detail or "")
    assert len(_events(practice, "involvement.read")) == 1

    # The team's closing letter ends it.
    closing = _received(practice, jansen, 2, kind=LetterKind.CLOSING.value)
    with practice.session() as session:  # not linked yet: nothing to offer
        assert ending_for_letter(session, jansen.actor, closing) is None
        link(session, jansen.vault, jansen.actor, closing, patient_id=patient_id, now=NOW)
    with practice.session() as session:  # the reading pane offers to end this one
        offered = ending_for_letter(session, jansen.actor, closing)
        assert offered is not None and offered.id == got.id
        assert letter_detail(session, jansen.vault, jansen.actor, closing).ending == offered
        assert ending_for_letter(session, jansen.actor, letter_id) is None  # not a closing one
    later = NOW + timedelta(hours=2)
    with practice.session() as session:
        ended = end_involvement(
            session, jansen.vault, jansen.actor, got.id, letter_id=closing, now=later
        )
    assert not ended.active and ended.ended_by == "M. Jansen" and ended.end_letter_id == closing
    assert ended.text == "Wijkteam Oost was betrokken van 03-12-2026 tot 07-12-2026"
    (ending,) = _events(practice, "involvement.end")
    assert ending.patient_ref == entry.patient_ref
    with practice.session() as session:
        assert ending_for_letter(session, jansen.actor, closing) is None  # nothing left to end
        assert involvements_of(session, jansen.vault, jansen.actor, patient_id) == []
        history = involvements_of(
            session, jansen.vault, jansen.actor, patient_id, include_ended=True
        )
        assert [i.id for i in history] == [got.id]
    with practice.session() as session, pytest.raises(GpdeskError, match="al beëindigd"):
        end_involvement(session, jansen.vault, jansen.actor, got.id, now=later)
    with practice.session() as session:
        assert check_sealed_values(session, jansen.vault).findings == ()
        assert check_record_states(session, jansen.vault).findings == ()


def test_registering_twice_keeps_one(practice: Database, jansen: SignedIn) -> None:
    letter_id, patient_id = _linked(practice, jansen, 1)
    with practice.session() as session:
        first = register_involvement(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    with practice.session() as session:
        again = register_involvement(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    second_letter = _received(practice, jansen, 2)  # the same team writes once more
    with practice.session() as session:
        link(session, jansen.vault, jansen.actor, second_letter, patient_id=patient_id, now=NOW)
        other = register_involvement(
            session, jansen.vault, jansen.actor, second_letter, since=date(2026, 11, 1), now=NOW
        )
    assert first.id == again.id == other.id
    with practice.session() as session:
        assert session.query(Involvement).count() == 1
    assert len(_events(practice, "involvement.register")) == 1
    # Ended, the team may be registered again: a new period.
    with practice.session() as session:
        end_involvement(session, jansen.vault, jansen.actor, first.id, now=NOW)
    with practice.session() as session:
        fresh = register_involvement(session, jansen.vault, jansen.actor, second_letter, now=NOW)
    assert fresh.id != first.id and fresh.active


def test_the_open_index_keeps_one_when_two_insert_at_once(
    practice: Database, jansen: SignedIn
) -> None:
    """What a second workstation meets: the unique index on open rows refuses a second one."""
    from sqlalchemy.exc import IntegrityError

    letter_id, patient_id = _linked(practice, jansen, 1)
    with practice.session() as session:
        got = register_involvement(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    with practice.session() as session:
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(
                Involvement(
                    patient_id=patient_id, team_name=TEAM, team_key="naam:wijkteam oost",
                    since=date(2026, 12, 1), letter_id=None,
                    registered_by_id=jansen.actor.user_id, registered_at=NOW,
                )
            )  # fmt: skip
            session.flush()
        assert session.query(Involvement).count() == 1
    assert got.active


def test_refused_without_the_right_or_without_a_patient(
    practice: Database, jansen: SignedIn
) -> None:
    letter_id, patient_id = _linked(practice, jansen, 1)
    smit = signed(practice, "smit")  # the practice manager does no triage
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        register_involvement(session, smit.vault, smit.actor, letter_id, now=NOW)
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        involvements_of(session, smit.vault, smit.actor, patient_id)
    loose = _received(practice, jansen, 2)
    with practice.session() as session, pytest.raises(ValidationError) as info:
        register_involvement(session, jansen.vault, jansen.actor, loose, now=NOW)
    assert "Koppel de brief eerst aan de patiënt" in info.value.user_text()
    advice = _received(practice, jansen, 3, kind=LetterKind.ADVICE.value)
    with practice.session() as session:
        link(session, jansen.vault, jansen.actor, advice, patient_id=patient_id, now=NOW)
    with practice.session() as session, pytest.raises(ValidationError) as info:
        register_involvement(session, jansen.vault, jansen.actor, advice, now=NOW)
    assert "betrokkenheidsmelding" in info.value.user_text()
    with practice.session() as session, pytest.raises(ValidationError) as info:
        register_involvement(
            session, jansen.vault, jansen.actor, letter_id, since=date(2027, 1, 1), now=NOW
        )
    assert "toekomst" in info.value.user_text()
    with practice.session() as session:
        got = register_involvement(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        end_involvement(session, smit.vault, smit.actor, got.id, now=NOW)
    with practice.session() as session, pytest.raises(ValidationError, match="afsluiting"):
        end_involvement(session, jansen.vault, jansen.actor, got.id, letter_id=advice, now=NOW)
    assert _events(practice, "involvement.end") == []


def test_a_letter_without_a_team_takes_the_name_the_user_gives(
    practice: Database, jansen: SignedIn
) -> None:
    letter_id, _patient = _linked(practice, jansen, 1, sender_name=None)
    with practice.session() as session, pytest.raises(ValidationError, match="welk wijkteam"):
        register_involvement(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    with practice.session() as session:
        got = register_involvement(
            session, jansen.vault, jansen.actor, letter_id, team_name="  Wijkteam  Zuid ", now=NOW
        )
    assert got.team_name == "Wijkteam Zuid"


# -- the letters of a signal ---------------------------------------------------------------------


def test_letters_of_a_signal_in_time_order_with_their_state(
    practice: Database, jansen: SignedIn
) -> None:
    bakker = signed(practice, "bakker")
    reference = sent_signal(practice, bakker)
    with practice.session() as session:
        signal_id = session.scalars(select(Signal.id).where(Signal.reference == reference)).one()
    first = _received(practice, jansen, 1, references=(reference,), kind="bevestiging")
    with practice.session() as session:
        file_letter(session, jansen.vault, jansen.actor, first, now=NOW + timedelta(hours=1))
    with practice.session() as session:
        got = receive(
            session, jansen.vault, jansen.actor,
            _incoming(2, references=(reference,), kind="advies"), now=NOW + timedelta(hours=2),
        )  # fmt: skip
    with practice.session() as session:
        assign(
            session, jansen.vault, jansen.actor, got.letter_id,
            user_id=bakker.actor.user_id, now=NOW + timedelta(hours=2),
        )  # fmt: skip
    with practice.session() as session:
        record_phone_feedback(
            session, jansen.vault, jansen.actor,
            PhoneFeedback(
                caller="A. Visser", team="Wijkteam Nieuwland",
                called_at=NOW + timedelta(hours=3), signal_reference=reference,
                agreed="Mevrouw komt donderdag naar de inloop.",
            ),
            now=NOW + timedelta(hours=3),
        )  # fmt: skip
    _received(practice, jansen, 9)  # another patient's letter, not linked: not on this timeline
    before = len(_events(practice, "letter.list"))
    with practice.session() as session:
        letters = letters_of_signal(session, jansen.vault, jansen.actor, signal_id)
    assert [(x.kind, x.state, x.source) for x in letters] == [
        ("bevestiging", LetterState.FILED, LetterSource.IMAP),
        ("advies", LetterState.ASSIGNED, LetterSource.IMAP),
        (letters[2].kind, LetterState.NEW, LetterSource.PHONE),
    ]
    assert letters[0].filed_by == "M. Jansen" and letters[0].filed_at is not None
    assert letters[1].assignee == "H. Bakker"
    assert letters[1].subject == "Betrokkenheid bij uw patiënt 2"  # opened for this user
    assert letters[2].sender == "A. Visser"
    assert "Visser" not in repr(letters[2])
    entries = _events(practice, "letter.list")
    assert len(entries) == before + 1 and entries[-1].patient_ref is not None
    smit = signed(practice, "smit")
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        letters_of_signal(session, smit.vault, smit.actor, signal_id)
    with practice.session() as session:
        assert letters_of_signal(session, jansen.vault, jansen.actor, signal_id + 999) == []
