"""Triage on SQLite and PostgreSQL: assign, forward, kind, link, archive, phone, the HIS text.

Each step is written once, with its audit entry and record states (``gpdesk check`` finds
nothing afterwards); each refusal is a plain Dutch message; two people acting on one letter at
the same moment do not both win.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, TamperedError, ValidationError
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store import (
    InboxCounts,
    Incoming,
    PhoneFeedback,
    Quarantine,
    archive,
    assign,
    confirm_kind,
    counts,
    file_letter,
    forward_to_referrer,
    his_note,
    link,
    list_letters,
    patient_suggestions,
    receive,
    record_phone_feedback,
    unlink,
)
from gpdesk.inbox.store.his import catalogue, parse_catalogue, suggest_episode, without_bsn
from gpdesk.inbox.store.triage import advice_due_on
from gpdesk.models import (
    AuditEntry,
    Letter,
    LetterEvent,
    LetterSource,
    LetterState,
    Patient,
    Signal,
    User,
)
from gpdesk.roles import Role
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.signals.outgoing import THEMES
from tests.store_support import (
    NOW,
    ready_practice,
    sent_signal,
    signed,
)

RAW = (
    b"From: Wijkteam Nieuwland <nieuwland@wijkteam.example>\r\n"
    b"Subject: Terugkoppeling\r\n\r\nWij helpen mevrouw met de schulden.\r\n"
)
BODY = (
    "Geachte huisarts,\n\nWij hebben   mevrouw gesproken (BSN 111222333) en helpen haar met "
    "de schulden en de\nhuur. Wij adviseren een verwijzing naar de schuldhulpverlening."
)


def _incoming(number: int, **changes: Any) -> Incoming:
    base = Incoming(
        source=LetterSource.IMAP,
        raw=RAW + str(number).encode(),
        file_type="e-mail",
        message_id=f"<brief-{number}@wijkteam.example>",
        sender_address="nieuwland@wijkteam.example",
        sender_name="Wijkteam Nieuwland",
        sent_at=NOW,
        subject=f"Terugkoppeling {number}",
        body_text=BODY,
        kind="voortgang",
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
def jansen(practice: Database) -> SignedIn:
    return signed(practice, "jansen")


@pytest.fixture
def visser(practice: Database) -> SignedIn:
    return signed(practice, "visser")


@pytest.fixture
def smit(practice: Database) -> SignedIn:
    return signed(practice, "smit")


def _receive(db: Database, who: SignedIn, number: int, **changes: Any) -> int:
    with db.session() as session:
        got = receive(
            session, who.vault, who.actor, _incoming(number, **changes),
            now=NOW + timedelta(hours=1),
        )  # fmt: skip
        return got.letter_id


def _user_id(db: Database, username: str) -> int:
    with db.session() as session:
        return session.scalars(select(User.id).where(User.username == username)).one()


def _letter(db: Database, letter_id: int) -> Letter:
    with db.session() as session:
        row = session.get(Letter, letter_id)
        assert row is not None
        session.expunge(row)
        return row


def _steps(db: Database, letter_id: int) -> list[LetterEvent]:
    with db.session() as session:
        rows = list(
            session.scalars(
                select(LetterEvent)
                .where(LetterEvent.letter_id == letter_id)
                .order_by(LetterEvent.id)
            )
        )
        session.expunge_all()
        return rows


def _entries(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))
        session.expunge_all()
        return rows


def _checks_clean(db: Database, who: SignedIn) -> None:
    with db.session() as session:
        assert check_record_states(session, who.vault).findings == ()
        assert check_sealed_values(session, who.vault).findings == ()


# -- assigning ------------------------------------------------------------------------------------


def test_assigning_to_a_user_or_a_role_is_a_step_with_a_sealed_note(
    practice: Database, jansen: SignedIn, bakker: SignedIn
) -> None:
    letter_id = _receive(practice, jansen, 1)
    gp = _user_id(practice, "bakker")
    with practice.session() as session:
        done = assign(
            session, jansen.vault, jansen.actor, letter_id, user_id=gp,
            note="Graag bekijken: advies over schulden.", now=NOW,
        )  # fmt: skip
    assert done.state is LetterState.ASSIGNED
    letter = _letter(practice, letter_id)
    assert (letter.assignee_id, letter.assignee_role) == (gp, None)
    step = _steps(practice, letter_id)[-1]
    assert (step.step, step.to_user_id, step.actor_id) == ("toegewezen", gp, jansen.actor.user_id)
    assert step.note is not None and b"schulden" not in bytes(step.note)
    opened = jansen.vault.open("letter_event", "note", step.id, bytes(step.note))
    assert opened == "Graag bekijken: advies over schulden."
    [entry] = _entries(practice, "letter.assign")
    assert entry.username == "jansen" and entry.state is not None
    assert "schulden" not in (entry.detail or "") and "bakker" in (entry.detail or "")
    # Reassigned to a role: toegewezen again, nobody in particular.
    with practice.session() as session:
        assign(session, jansen.vault, jansen.actor, letter_id, role=Role.POH_GGZ)
    letter = _letter(practice, letter_id)
    assert (letter.state, letter.assignee_id, letter.assignee_role) == (
        LetterState.ASSIGNED, None, "poh_ggz"
    )  # fmt: skip
    _checks_clean(practice, jansen)


def test_assigning_is_refused_plainly(practice: Database, jansen: SignedIn, smit: SignedIn) -> None:
    letter_id = _receive(practice, jansen, 1)
    manager = _user_id(practice, "smit")
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        assign(session, jansen.vault, jansen.actor, letter_id)
    assert "toewijzen" in refused.value.problems
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        assign(session, jansen.vault, jansen.actor, letter_id, user_id=manager)
    assert "mag geen terugkoppelingen lezen" in refused.value.problems["toewijzen"]
    with practice.session() as session, pytest.raises(ValidationError):
        assign(session, jansen.vault, jansen.actor, letter_id, role=Role.PRACTICE_MANAGER)
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        assign(session, smit.vault, smit.actor, letter_id, role=Role.GP)
    with practice.session() as session:
        file_letter(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    with practice.session() as session, pytest.raises(GpdeskError) as filed:
        assign(session, jansen.vault, jansen.actor, letter_id, role=Role.GP)
    assert "al overgenomen in het HIS" in filed.value.message
    assert "M. Jansen" in filed.value.message
    bad = _receive(
        practice, jansen, 2, message_id=None,
        quarantine=Quarantine("Het bestand is geen leesbaar bericht.", "unreadable"),
    )  # fmt: skip
    with practice.session() as session, pytest.raises(GpdeskError, match="quarantaine"):
        assign(session, jansen.vault, jansen.actor, bad, role=Role.GP)
    with practice.session() as session, pytest.raises(GpdeskError, match="geen terugkoppeling"):
        assign(session, jansen.vault, jansen.actor, 9999, role=Role.GP)


def test_two_assistants_assigning_at_once_do_not_both_win(
    practice: Database, jansen: SignedIn, visser: SignedIn, database_url: str
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite serialises writers: the second waits for the file lock")
    letter_id = _receive(practice, jansen, 1)
    gp = _user_id(practice, "bakker")
    read = threading.Barrier(2)
    results: list[str] = []
    errors: list[BaseException] = []

    def triage(who: SignedIn, **target: Any) -> None:
        try:
            with practice.session() as session:
                session.get(Letter, letter_id)  # both have read it as nieuw
                read.wait(timeout=10)
                assign(session, who.vault, who.actor, letter_id, **target)
                results.append(who.actor.username)
        except GpdeskError as error:
            results.append(error.message)
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [
        threading.Thread(target=triage, args=(jansen,), kwargs={"user_id": gp}),
        threading.Thread(target=triage, args=(visser,), kwargs={"role": Role.POH_GGZ}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    winners = [r for r in results if r in ("jansen", "visser")]
    losers = [r for r in results if r.startswith("Iemand anders heeft deze terugkoppeling net")]
    assert len(winners) == 1 and len(losers) == 1, results
    assert [s.step for s in _steps(practice, letter_id)].count("toegewezen") == 1
    assert len(_entries(practice, "letter.assign")) == 1


# -- forwarding ------------------------------------------------------------------------------------


def test_the_feedback_contact_forwards_to_the_gp_who_signalled(
    practice: Database, bakker: SignedIn, visser: SignedIn, jansen: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    letter_id = _receive(practice, jansen, 1, references=(reference,))
    with practice.session() as session:
        forward_to_referrer(
            session, visser.vault, visser.actor, letter_id, "Mevrouw wil graag een afspraak."
        )
    letter = _letter(practice, letter_id)
    assert (letter.state, letter.assignee_id) == (LetterState.ASSIGNED, bakker.actor.user_id)
    step = _steps(practice, letter_id)[-1]
    assert (step.step, step.to_user_id) == ("doorgestuurd", bakker.actor.user_id)
    assert step.note is not None and b"afspraak" not in bytes(step.note)
    [entry] = _entries(practice, "letter.forward")
    assert entry.username == "visser" and entry.patient_ref is not None
    assert reference in (entry.detail or "")
    # The assistant may not forward (a permission of the feedback contact and the GP).
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        forward_to_referrer(session, jansen.vault, jansen.actor, letter_id, "")
    # A letter without a signal: gpdesk cannot know which GP.
    loose = _receive(practice, jansen, 2)
    with practice.session() as session, pytest.raises(GpdeskError) as refused:
        forward_to_referrer(session, visser.vault, visser.actor, loose, "")
    assert "Koppel de terugkoppeling eerst aan een signaal" in refused.value.hint
    assert "wijs hem toe aan een huisarts" in refused.value.hint
    _checks_clean(practice, visser)


# -- the kind -------------------------------------------------------------------------------------


def test_advice_is_due_in_five_working_days_and_goes_to_the_gp(
    practice: Database, bakker: SignedIn, jansen: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    letter_id = _receive(practice, jansen, 1, references=(reference,))
    with practice.session() as session:
        confirm_kind(session, jansen.vault, jansen.actor, letter_id, LetterKind.ADVICE, now=NOW)
    letter = _letter(practice, letter_id)
    assert letter.kind == "advies" and letter.kind_confirmed and not letter.urgent
    assert letter.due_on == date(2026, 12, 14)  # received Monday 7 December
    assert (letter.state, letter.assignee_id) == (LetterState.ASSIGNED, bakker.actor.user_id)
    assert [s.step for s in _steps(practice, letter_id)][-2:] == ["soort: advies", "toegewezen"]
    # Corrected to escalatie: urgent, no due day; still the GP's.
    with practice.session() as session:
        confirm_kind(session, jansen.vault, jansen.actor, letter_id, "escalatie", now=NOW)
    letter = _letter(practice, letter_id)
    assert letter.urgent and letter.due_on is None and letter.assignee_id == bakker.actor.user_id
    # And to voortgang: nothing urgent any more.
    with practice.session() as session:
        confirm_kind(session, jansen.vault, jansen.actor, letter_id, LetterKind.PROGRESS)
    letter = _letter(practice, letter_id)
    assert not letter.urgent and letter.kind == "voortgang"
    assert len(_entries(practice, "letter.kind")) == 3
    # Without a signal an escalation goes to the role huisarts.
    loose = _receive(practice, jansen, 2)
    with practice.session() as session:
        confirm_kind(session, jansen.vault, jansen.actor, loose, LetterKind.ESCALATION)
    letter = _letter(practice, loose)
    assert (letter.assignee_id, letter.assignee_role, letter.urgent) == (None, "gp", True)
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        confirm_kind(session, jansen.vault, jansen.actor, loose, "roddel")
    assert "soort" in refused.value.problems
    _checks_clean(practice, jansen)


def test_the_due_day_of_advice_skips_weekends_and_holidays() -> None:
    # Tuesday 22 December 2026: the two Christmas days (Friday, Saturday) do not count.
    assert advice_due_on(datetime(2026, 12, 22, 10, 0).astimezone()) == date(2026, 12, 30)
    assert advice_due_on(datetime(2026, 12, 4, 10, 0).astimezone()) == date(2026, 12, 11)


# -- linking --------------------------------------------------------------------------------------


def test_linking_records_the_letters_new_state_and_unlinking_undoes_it(
    practice: Database, bakker: SignedIn, jansen: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    letter_id = _receive(practice, jansen, 1)
    assert _letter(practice, letter_id).signal_id is None
    with practice.session() as session:
        linked = link(
            session, jansen.vault, jansen.actor, letter_id,
            signal_reference=reference.lower(), now=NOW,
        )  # fmt: skip
    assert linked.signal_reference == reference and linked.patient_matched
    letter = _letter(practice, letter_id)
    with practice.session() as session:
        signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        assert (letter.signal_id, letter.patient_id) == (signal.id, signal.patient_id)
        assert letter.team_id == signal.team_id and letter.match_confirmed
    [entry] = _entries(practice, "letter.link")
    assert entry.patient_ref is not None and entry.state is not None and '"letter"' in entry.state
    _checks_clean(practice, jansen)
    # Another patient: the signal goes, both patients' trails say so.
    with practice.session() as session:
        other = session.scalars(select(Patient.id).where(Patient.id != signal.patient_id)).first()
    assert other is not None
    with practice.session() as session:
        link(session, jansen.vault, jansen.actor, letter_id, patient_id=other)
    letter = _letter(practice, letter_id)
    assert (letter.signal_id, letter.patient_id, letter.team_id) == (None, other, None)
    unlinked = _entries(practice, "letter.unlink")
    assert len(unlinked) == 1 and unlinked[0].patient_ref == entry.patient_ref
    with practice.session() as session:
        unlink(session, jansen.vault, jansen.actor, letter_id)
    letter = _letter(practice, letter_id)
    assert (letter.signal_id, letter.patient_id, letter.match_confirmed) == (None, None, False)
    _checks_clean(practice, jansen)
    with practice.session() as session, pytest.raises(GpdeskError, match="niet gekoppeld"):
        unlink(session, jansen.vault, jansen.actor, letter_id)
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        link(session, jansen.vault, jansen.actor, letter_id, signal_reference="SIG-2026-999999")
    assert "SIG-2026-999999" in refused.value.problems["signaal"]
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        link(session, jansen.vault, jansen.actor, letter_id, signal_reference=reference,
             patient_id=other)  # fmt: skip
    assert "andere patiënt" in refused.value.problems["patient"]


def test_a_letter_changed_outside_gpdesk_is_refused_and_reported(
    practice: Database, bakker: SignedIn, jansen: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    letter_id = _receive(practice, jansen, 1)
    with practice.session() as session:
        signal_id = session.scalars(select(Signal.id).where(Signal.reference == reference)).one()
        session.execute(update(Letter).where(Letter.id == letter_id).values(signal_id=signal_id))
    with practice.session() as session, pytest.raises(TamperedError):
        his_note(session, jansen.vault, jansen.actor, letter_id)
    with practice.session() as session, pytest.raises(TamperedError):
        link(session, jansen.vault, jansen.actor, letter_id, signal_reference=reference)
    assert len(_entries(practice, "data.tampered")) == 2
    assert _entries(practice, "letter.link") == []


# -- archiving ------------------------------------------------------------------------------------


def test_archiving_follows_filing_and_quarantine_is_the_beheerders(
    practice: Database, jansen: SignedIn, smit: SignedIn
) -> None:
    letter_id = _receive(practice, jansen, 1)
    with practice.session() as session, pytest.raises(GpdeskError) as refused:
        archive(session, jansen.vault, jansen.actor, letter_id)
    assert "nog niet overgenomen in het HIS" in refused.value.message
    with practice.session() as session:
        file_letter(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    with practice.session() as session:
        done = archive(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    assert done.state is LetterState.ARCHIVED
    assert _letter(practice, letter_id).archived_at is not None
    with practice.session() as session, pytest.raises(GpdeskError, match="al gearchiveerd"):
        archive(session, jansen.vault, jansen.actor, letter_id)
    bad = _receive(
        practice, jansen, 2, message_id=None,
        quarantine=Quarantine("Het bestand is geen leesbaar bericht.", "unreadable"),
    )  # fmt: skip
    with practice.session() as session, pytest.raises(PermissionDeniedError):
        archive(session, jansen.vault, jansen.actor, bad)
    with practice.session() as session:
        archive(session, smit.vault, smit.actor, bad)
    assert _letter(practice, bad).state is LetterState.ARCHIVED
    entries = _entries(practice, "letter.archive")
    assert [e.username for e in entries] == ["jansen", "smit"]
    assert "unreadable" in (entries[1].detail or "")
    _checks_clean(practice, jansen)


# -- phone feedback --------------------------------------------------------------------------------


def _call(**changes: Any) -> PhoneFeedback:
    base = PhoneFeedback(
        caller="Sanne de Boer",
        team="Wijkteam Nieuwland",
        called_at=NOW - timedelta(minutes=20),
        agreed="Mevrouw krijgt schuldhulp; het team belt over drie weken terug.",
    )
    return replace(base, **changes)


def test_phone_feedback_becomes_a_letter_that_is_filed_like_any_other(
    practice: Database, bakker: SignedIn, jansen: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    with practice.session() as session:
        kept = record_phone_feedback(
            session, jansen.vault, jansen.actor, _call(signal_reference=reference), now=NOW
        )
    assert kept.source is LetterSource.PHONE and kept.signal_reference == reference
    assert kept.subject == "Telefonische terugkoppeling van Sanne de Boer (Wijkteam Nieuwland)"
    letter = _letter(practice, kept.id)
    assert (letter.content_hash, letter.message_id, letter.raw) == (None, None, None)
    assert letter.file_type == "telefoon" and letter.match_confirmed
    assert letter.body_text is not None and b"schuldhulp" not in bytes(letter.body_text)
    body = jansen.vault.open("letter", "body_text", letter.id, bytes(letter.body_text))
    assert body.startswith("Mevrouw krijgt schuldhulp")
    assert [s.step for s in _steps(practice, kept.id)] == ["telefonisch vastgelegd"]
    [entry] = _entries(practice, "letter.phone")
    assert entry.patient_ref is not None and entry.state is not None
    with practice.session() as session:
        note = his_note(session, jansen.vault, jansen.actor, kept.id)
    assert "telefonisch" in note.text and "Sanne de Boer" in note.text
    with practice.session() as session:
        filed = file_letter(session, jansen.vault, jansen.actor, kept.id, now=NOW)
    assert filed.state is LetterState.FILED
    with practice.session() as session:
        rows = list_letters(session, jansen.vault, jansen.actor)
    assert [r.id for r in rows] == [kept.id]
    _checks_clean(practice, jansen)


def test_phone_feedback_says_every_problem_at_its_field(
    practice: Database, jansen: SignedIn
) -> None:
    with practice.session() as session, pytest.raises(ValidationError) as refused:
        record_phone_feedback(
            session, jansen.vault, jansen.actor,
            _call(caller=" ", agreed="", called_at=NOW + timedelta(days=1),
                  signal_reference="SIG-2026-000777", patient_id=99999),
            now=NOW,
        )  # fmt: skip
    assert set(refused.value.problems) == {"beller", "afspraak", "tijdstip", "signaal", "patient"}
    assert refused.value.problems["beller"] == "Vul in wie er belde."
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(Letter)) == 0
    # Not linked is fine: it waits in "Niet gekoppeld" like a letter.
    with practice.session() as session:
        kept = record_phone_feedback(session, jansen.vault, jansen.actor, _call(team=""), now=NOW)
    assert kept.subject == "Telefonische terugkoppeling van Sanne de Boer"
    assert not kept.patient_matched
    _checks_clean(practice, jansen)


# -- the text for the HIS --------------------------------------------------------------------------


def test_the_his_note_has_what_the_his_asks_and_no_bsn(
    practice: Database, bakker: SignedIn, jansen: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    letter_id = _receive(practice, jansen, 1, references=(reference,))
    with practice.session() as session:
        confirm_kind(session, jansen.vault, jansen.actor, letter_id, LetterKind.ADVICE)
    with practice.session() as session:
        note = his_note(session, jansen.vault, jansen.actor, letter_id)
    lines = note.text.splitlines()
    assert lines[0] == "Datum ontvangen: 07-12-2026"
    assert lines[1] == "Afzender: Wijkteam Nieuwland (sociaal domein / wijkteam)"
    assert lines[2] == "Soort correspondentie: advies van het wijkteam (besluit huisarts nodig)"
    assert lines[3] == f"Kenmerk signaal: {reference}"
    assert lines[4].startswith("Samenvatting: Geachte huisarts, Wij hebben mevrouw gesproken")
    assert "111222333" not in note.text and "[BSN weggelaten]" in note.text
    # The signal's theme (wonen, werk, inkomen en schulden) and the words choose Z01.
    assert (note.episode_code, lines[5]) == (
        "Z01",
        "Episode (suggestie): Z01 Armoede/financiële problemen",
    )
    [entry] = _entries(practice, "letter.copy")
    assert entry.action == "R" and entry.patient_ref is not None and entry.state is None
    # The user's own summary; the letter itself is unchanged.
    with practice.session() as session:
        edited = his_note(
            session, jansen.vault, jansen.actor, letter_id, summary="Advies:  verwijzen."
        )
    assert "Samenvatting: Advies: verwijzen." in edited.text
    letter = _letter(practice, letter_id)
    assert letter.body_text is not None
    assert jansen.vault.open("letter", "body_text", letter_id, bytes(letter.body_text)) == BODY
    _checks_clean(practice, jansen)


def test_the_shipped_icpc_list_reads_and_maps_every_theme() -> None:
    icpc = catalogue()
    assert all(code.startswith("Z") for code in icpc.codes) and icpc.default == "Z29"
    assert {theme.code for theme in THEMES} <= set(icpc.themes)
    with pytest.raises(ValueError, match="Z99"):
        parse_catalogue({"codes": {"Z29": "x"}, "default": "Z29", "themes": {"t": ["Z99"]}})


def test_episode_suggestions_and_bsn_removal() -> None:
    assert suggest_episode(("eenzaamheid",), "").code == "Z28"
    assert suggest_episode(("huiselijk_geweld",), "").code == "Z25"
    assert (
        suggest_episode(
            ("wonen_werk_inkomen_schulden",),
            "Zij dreigt haar woning te verliezen door huurachterstand",
        ).code
        == "Z03"
    )
    assert (
        suggest_episode((), "Meneer voelt zich erg eenzaam sinds zijn vrouw verhuisde.").code
        == "Z28"
    )
    assert suggest_episode((), "Wij hebben contact gehad.").code == "Z29"
    assert suggest_episode(("onbekend_thema",), "").code == "Z29"
    assert (
        without_bsn("BSN: 1112.22.333, tel 0612345678") == "BSN: [BSN weggelaten], tel 0612345678"
    )
    assert without_bsn("nummer 111222333 en 123456789") == "nummer [BSN weggelaten] en 123456789"


# -- patient suggestions ---------------------------------------------------------------------------


def test_an_unmatched_letter_suggests_its_patient_and_stores_nothing(
    practice: Database, jansen: SignedIn
) -> None:
    text = "Betreft: mevrouw J. de Vries, geboren 01-02-1970\nPostcode 3118 CK.\nWij helpen haar."
    letter_id = _receive(practice, jansen, 1, body_text=text)
    with practice.session() as session:
        steps_before = session.scalar(select(func.count()).select_from(LetterEvent))
    with practice.session() as session:
        matches = patient_suggestions(session, jansen.vault, jansen.actor, letter_id, now=NOW)
    assert matches and matches[0].score >= 90
    assert "geboortedatum gelijk" in matches[0].reasons
    with practice.session() as session:
        patient = session.get(Patient, matches[0].patient_id)
        assert patient is not None
        name = jansen.vault.open("patient", "name", patient.id, bytes(patient.name))
        assert name == "J. de Vries"
        assert session.scalar(select(func.count()).select_from(LetterEvent)) == steps_before
    [entry] = _entries(practice, "letter.match")
    assert entry.action == "R" and "Vries" not in (entry.detail or "")
    assert _letter(practice, letter_id).patient_id is None  # a suggestion, never a link
    best = matches[0].patient_id
    assert isinstance(best, int)
    with practice.session() as session:
        link(session, jansen.vault, jansen.actor, letter_id, patient_id=best)
    with practice.session() as session:
        assert patient_suggestions(session, jansen.vault, jansen.actor, letter_id) == []
    _checks_clean(practice, jansen)


# -- counts ----------------------------------------------------------------------------------------


def test_counts_for_the_navigation_come_from_plain_columns(
    practice: Database, bakker: SignedIn, jansen: SignedIn, visser: SignedIn, smit: SignedIn
) -> None:
    reference = sent_signal(practice, bakker)
    linked = _receive(practice, jansen, 1, references=(reference,))
    advice = _receive(practice, jansen, 2, kind="advies")
    for_poh = _receive(practice, jansen, 3)
    done = _receive(practice, jansen, 4)
    _receive(
        practice, jansen, 5, message_id=None,
        quarantine=Quarantine("Het bestand is geen leesbaar bericht.", "unreadable"),
    )  # fmt: skip
    with practice.session() as session:
        assign(session, jansen.vault, jansen.actor, for_poh, role=Role.POH_GGZ)
        assign(session, jansen.vault, jansen.actor, linked, user_id=bakker.actor.user_id)
        file_letter(session, jansen.vault, jansen.actor, done)
    with practice.session() as session:
        assert counts(session, visser.actor) == InboxCounts(
            new=1, mine=1, unassigned=1, unmatched=2, advice_or_escalation=1, quarantined=1
        )
        assert counts(session, bakker.actor).mine == 1
        assert counts(session, smit.actor) == InboxCounts(0, 0, 0, 0, 0, 1)
    assert advice != linked
