"""The demo inbox shows every kind of letter at once, stored as a fetch stores them.

Matched by reference (only the attached PDF names it), matched by patient only (a suggestion),
not matched, advice, escalation, a one-click "ontvangen" that moved its signal, an information
request the GP can answer, and one in quarantine; one more waits in the demo's drop folder for
``gpdesk inbox fetch``. The database check stays clean. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.inbox.demo import CARER_BSN, CLOSED_BSN, DEMO_INBOX, LONELY_BSN
from gpdesk.inbox.fetching import fetch_all
from gpdesk.inbox.requests.store import open_request
from gpdesk.inbox.sources.folder import PROCESSED
from gpdesk.inbox.store import LetterSummary, list_letters
from gpdesk.inbox.store.suggestions import patient_suggestions
from gpdesk.models import EventSource, Letter, Patient, Signal, SignalEvent, SignalStatus
from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
from gpdesk.security.accounts import SignedIn, sign_in
from gpdesk.security.check import check_database
from gpdesk.signals.demo import DEMO_SIGNALS
from tests.conftest import FAST_KDF

WIJNALDA = "353799075"
"""The demo patient the practice never signalled: the team's betrokkenheidsmelding names her."""


def _letters(db: Database, who: SignedIn) -> list[LetterSummary]:
    with db.session() as session:
        return list_letters(session, who.vault, who.actor)


def _suggested(db: Database, who: SignedIn, letter_id: int) -> list[int]:
    """The patients the store suggests for a letter (their ids), best first."""
    with db.session() as session:
        matches = patient_suggestions(session, who.vault, who.actor, letter_id)
    return [int(m.patient_id) for m in matches]


def _patient_id(db: Database, who: SignedIn, bsn: str) -> int:
    index = who.vault.blind_index("bsn", bsn)
    with db.session() as session:
        return session.scalars(select(Patient.id).where(Patient.bsn_index == index)).one()


def _reference(db: Database, bsn: str) -> str:
    index = [s.bsn for s in DEMO_SIGNALS].index(bsn)
    with db.session() as session:
        return session.scalars(select(Signal.reference).order_by(Signal.id)).all()[index]


def test_the_demo_inbox_has_every_kind_of_letter(db: Database, tmp_path: Path) -> None:
    home = tmp_path / "demo"
    create_demo(db, kdf=FAST_KDF, home=home)
    jansen = sign_in(db, "jansen", DEMO_PASSWORD)
    letters = _letters(db, jansen)
    assert len(letters) == 8
    by_kind = {letter.kind: letter for letter in letters}
    states = {letter.kind: letter.state.value for letter in letters}
    assert states.pop("afsluiting") == "overgenomen in HIS"
    assert states.pop("advies") == "toegewezen"
    assert states.pop("escalatie") == "toegewezen"  # to the team's feedback contact on arrival
    assert states.pop("informatieverzoek") == "toegewezen"
    assert set(states.values()) == {"nieuw"}

    closed = by_kind["afsluiting"]  # the reference only in the attached PDF
    assert closed.signal_reference == _reference(db, CLOSED_BSN) and closed.patient_matched
    assert "SIG-" not in closed.subject and closed.filed_by == "M. Jansen"

    escalation = by_kind["escalatie"]
    assert escalation.urgent and escalation.signal_reference == _reference(db, CARER_BSN)

    advice = by_kind["advies"]  # a bare PDF, linked by the reference in its text
    assert advice.signal_reference == _reference(db, LONELY_BSN) and advice.patient_matched
    assert advice.due_on is not None and advice.due_on > advice.received_at.date()

    involved = by_kind["betrokkenheidsmelding"]  # no reference: a patient suggestion
    assert involved.signal_reference is None and not involved.patient_matched
    assert _suggested(db, jansen, involved.id)[:1] == [_patient_id(db, jansen, WIJNALDA)]

    unmatched = by_kind["voortgang"]  # someone who is not a patient here
    assert unmatched.signal_reference is None and not unmatched.patient_matched
    assert _suggested(db, jansen, unmatched.id) == []

    request = by_kind["informatieverzoek"]  # the GP recorded the consent it rests on
    assert request.signal_reference == _reference(db, CARER_BSN) and request.patient_matched
    bakker = sign_in(db, "bakker", DEMO_PASSWORD)
    with db.session() as session:
        asked = open_request(session, bakker.vault, bakker.actor, request.id)
    assert asked.may_answer and asked.consent is not None and asked.consent.holds

    reasons = [(letter.kind, letter.quarantine_reason) for letter in letters]
    assert [r for r in reasons if r[1]] == [
        (None, "Het bestand heet een PDF, maar is geen PDF. gpdesk heeft het niet geopend.")
    ]

    with db.session() as session:
        assert {row.file_type for row in session.scalars(select(Letter))} == {
            "e-mail", "pdf", "onbekend",
        }  # fmt: skip

    # The one-click "ontvangen" moved its signal, as the team's own step.
    confirmation = by_kind["bevestiging"]  # a one-click "ontvangen" is a confirmation
    lonely = _reference(db, LONELY_BSN)
    assert confirmation.subject == f"{lonely} ontvangen"
    assert confirmation.signal_reference == lonely
    with db.session() as session:
        signal = session.scalars(select(Signal).where(Signal.reference == lonely)).one()
        assert signal.status is SignalStatus.RECEIVED
        steps = session.scalars(
            select(SignalEvent).where(SignalEvent.signal_id == signal.id).order_by(SignalEvent.id)
        ).all()
        assert (steps[-1].status, steps[-1].source) == (SignalStatus.RECEIVED, EventSource.REPLY)

    # One more waits in the demo's drop folder: the fetch stores it, linked by In-Reply-To.
    folder = home / DEMO_INBOX
    assert [p.name for p in folder.iterdir() if p.is_file()] == ["voortgang.eml"]
    assert len(list((folder / PROCESSED).iterdir())) == 8
    (outcome,) = fetch_all(db, jansen)
    assert (outcome.stored, outcome.quarantined, outcome.error) == (1, 0, None)
    newest = _letters(db, jansen)[0]
    assert newest.signal_reference == _reference(db, CARER_BSN) and newest.kind == "voortgang"
    assert (fetch_all(db, jansen)[0].stored, len(_letters(db, jansen))) == (0, 9)

    smit = sign_in(db, "smit", DEMO_PASSWORD)
    report = check_database(db, smit)
    assert report.ok, report.text()
