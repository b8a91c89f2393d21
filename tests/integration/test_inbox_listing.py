"""The inbox list a page at a time, filtered in SQL, and one letter opened; SQLite and PostgreSQL.

The list puts new letters first, newest first; each filter is a condition on plain columns; a
page opens only its own subjects and is one audit entry. Opening a letter is audited, opens
nothing of a quarantined one, and refuses a value moved from another letter. An attachment's
bytes come out only when the intake judged it safe.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, TamperedError
from gpdesk.inbox.store.detail import letter_detail, letter_part_data
from gpdesk.inbox.store.listing import (
    LetterQuery,
    LetterView,
    count_letters,
    inbox_teams,
    letter_page,
)
from gpdesk.inbox.store.reading import QUARANTINE_SUBJECT
from gpdesk.models import AuditEntry, Letter, LetterState, SignalStatus
from gpdesk.security.accounts import SignedIn
from tests.inbox_letters import EXE_PROBLEM, QUARANTINE_REASON, SeededInbox, seed_inbox
from tests.store_support import NIEUWLAND, NOW, open_patient, ready_practice, signed


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


@pytest.fixture
def assistant(practice: Database) -> SignedIn:
    return signed(practice, "jansen")


@pytest.fixture
def seeded(practice: Database) -> SeededInbox:
    bakker = signed(practice, "bakker")
    return seed_inbox(practice, bakker, open_patient(practice, bakker), NOW)


def _ids(db: Database, who: SignedIn, query: LetterQuery, **page: int) -> list[int]:
    with db.session() as session:
        return [r.id for r in letter_page(session, who.vault, who.actor, query, **page).rows]


def _count(db: Database, who: SignedIn, query: LetterQuery) -> int:
    with db.session() as session:
        return count_letters(session, who.actor, query)


def _audits(db: Database, event: str) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.event == event)))


def test_new_letters_first_newest_first_and_filed_ones_only_when_asked(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    s = seeded
    todo = [s.quarantined, s.escalation, s.advice, s.linked]
    assert _ids(practice, assistant, LetterQuery()) == todo
    assert _count(practice, assistant, LetterQuery()) == 4
    everything = LetterQuery(all_states=True)
    assert _ids(practice, assistant, everything) == [*todo, s.filed]
    assert _ids(practice, assistant, LetterQuery(state=LetterState.FILED)) == [s.filed]
    # A letter assigned to someone is no longer new: it follows all new ones, however recent.
    with practice.session() as session:
        session.execute(
            update(Letter)
            .where(Letter.id == s.quarantined)
            .values(state=LetterState.ASSIGNED, assignee_id=assistant.actor.user_id)
        )
    # The linked letter went to its team's feedback contact on arrival: assigned too, older.
    assert _ids(practice, assistant, LetterQuery()) == [
        s.escalation, s.advice, s.quarantined, s.linked
    ]  # fmt: skip


def test_each_filter_is_a_condition_on_plain_columns(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    s = seeded

    def ids(view: LetterView, **more: Any) -> set[int]:
        return set(_ids(practice, assistant, LetterQuery(view=view, **more)))

    assert ids(LetterView.UNMATCHED) == {s.advice, s.escalation}
    assert ids(LetterView.ATTENTION) == {s.advice, s.escalation}
    assert ids(LetterView.QUARANTINE) == {s.quarantined}
    assert ids(LetterView.MINE) == set()
    # The linked letter came from a known team: its feedback contact (POH-GGZ) has it.
    assert ids(LetterView.UNASSIGNED) == {s.advice, s.escalation}
    with practice.session() as session:
        session.execute(
            update(Letter)
            .where(Letter.id == s.advice)
            .values(state=LetterState.ASSIGNED, assignee_id=assistant.actor.user_id)
        )
        session.execute(
            update(Letter).where(Letter.id == s.escalation).values(assignee_role="assistant")
        )
    assert ids(LetterView.MINE) == {s.advice, s.escalation}  # to me, and to my role
    assert ids(LetterView.UNASSIGNED) == set()
    assert ids(LetterView.ALL, team_id=NIEUWLAND) == {s.linked}
    assert ids(LetterView.ALL, team_id=NIEUWLAND, all_states=True) == {s.linked, s.filed}
    with practice.session() as session:
        teams = inbox_teams(session, assistant.actor)
        patient_id = session.scalar(select(Letter.patient_id).where(Letter.id == s.linked))
    assert [t.team_id for t in teams] == [NIEUWLAND]
    assert ids(LetterView.ALL, patient_id=patient_id, all_states=True) == {s.linked, s.filed}

    # Verlopen: an advice whose task date has passed, still open; not yet due, or filed: not.
    assert ids(LetterView.OVERDUE) == set()
    today = datetime.now(UTC).date()
    with practice.session() as session:
        session.execute(
            update(Letter).where(Letter.id == s.advice).values(due_on=today - timedelta(days=2))
        )
        session.execute(
            update(Letter).where(Letter.id == s.escalation).values(due_on=today + timedelta(days=3))
        )
        session.execute(
            update(Letter).where(Letter.id == s.filed).values(due_on=today - timedelta(days=9))
        )
    assert ids(LetterView.OVERDUE) == {s.advice}
    assert ids(LetterView.OVERDUE, all_states=True) == {s.advice, s.filed}


def test_a_page_opens_its_own_subjects_and_is_one_audit_entry(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    everything = LetterQuery(all_states=True)
    before = len(_audits(practice, "letter.list"))
    pages = [_ids(practice, assistant, everything, offset=o, limit=2) for o in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [i for page in pages for i in page] == _ids(practice, assistant, everything)
    assert len(_audits(practice, "letter.list")) == before + 5
    with practice.session() as session:
        rows = letter_page(session, assistant.vault, assistant.actor, everything).rows
    by_id = {r.id: r for r in rows}
    linked = by_id[seeded.linked]
    assert linked.subject == f"Terugkoppeling {seeded.reference}"
    assert linked.signal_reference == seeded.reference and linked.patient_matched
    assert linked.signal_status is SignalStatus.DRAFT  # submitted, not yet sent
    assert by_id[seeded.quarantined].subject == QUARANTINE_SUBJECT
    assert by_id[seeded.quarantined].quarantined
    assert by_id[seeded.escalation].urgent and by_id[seeded.escalation].kind == "escalatie"
    assert by_id[seeded.filed].state is LetterState.FILED


def test_the_practice_manager_reads_no_letters(practice: Database, seeded: SeededInbox) -> None:
    manager = signed(practice, "smit")
    with practice.session() as session, pytest.raises(GpdeskError):
        letter_page(session, manager.vault, manager.actor, LetterQuery())
    with practice.session() as session, pytest.raises(GpdeskError):
        letter_detail(session, manager.vault, manager.actor, seeded.linked)


def test_a_letter_opens_with_its_facts_text_attachments_and_steps(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    with practice.session() as session:
        letter = letter_detail(session, assistant.vault, assistant.actor, seeded.linked)
    assert letter.subject == f"Terugkoppeling {seeded.reference}"
    assert letter.body_text == "Zie de brief in de bijlage."
    assert letter.signature == "geverifieerd" and letter.signal_reference == seeded.reference
    assert [(a.filename, a.part_kind, a.safe_to_open) for a in letter.attachments] == [
        ("brief wijkteam.pdf", "pdf", True)
    ]
    # Assigned by gpdesk on arrival to the team's feedback contact (POH-GGZ by default).
    assert [step.step for step in letter.steps] == ["ontvangen", "toegewezen"]
    read = _audits(practice, "letter.read")
    assert [(e.object_id, e.username) for e in read] == [(str(seeded.linked), "jansen")]
    assert read[0].patient_ref is not None and "Terugkoppeling" not in (read[0].detail or "")

    with practice.session() as session:
        html = letter_detail(session, assistant.vault, assistant.actor, seeded.advice)
        filed = letter_detail(session, assistant.vault, assistant.actor, seeded.filed)
    assert html.body_html is not None and "adviseren" in html.body_html
    assert not html.patient_matched and html.signal_reference is None
    assert filed.filed_by == "H. Bakker" and filed.state is LetterState.FILED
    assert [step.step for step in filed.steps] == ["ontvangen", "toegewezen", "overgenomen in HIS"]


def test_a_quarantined_letter_opens_nothing_but_its_reason(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    with practice.session() as session:
        letter = letter_detail(session, assistant.vault, assistant.actor, seeded.quarantined)
        assert letter.quarantined and letter.quarantine_reason == QUARANTINE_REASON
        assert (letter.subject, letter.body_text, letter.body_html) == (
            QUARANTINE_SUBJECT,
            "",
            None,
        )
        assert letter.attachments == ()


def test_a_subject_moved_from_another_letter_is_refused(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    with practice.session() as session:
        other = session.scalar(select(Letter.subject).where(Letter.id == seeded.advice))
        session.execute(update(Letter).where(Letter.id == seeded.linked).values(subject=other))
    with practice.session() as session, pytest.raises(TamperedError):
        letter_detail(session, assistant.vault, assistant.actor, seeded.linked)
    with practice.session() as session, pytest.raises(TamperedError):
        letter_page(session, assistant.vault, assistant.actor, LetterQuery())


def test_a_letter_moved_to_another_signal_outside_gpdesk_is_refused(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    with practice.session() as session:
        signal_id = session.scalar(select(Letter.signal_id).where(Letter.id == seeded.linked))
        session.execute(
            update(Letter).where(Letter.id == seeded.advice).values(signal_id=signal_id)
        )
    with practice.session() as session, pytest.raises(TamperedError):
        letter_detail(session, assistant.vault, assistant.actor, seeded.advice)
    assert [e.object_id for e in _audits(practice, "data.tampered")]


def test_only_a_safe_attachment_gives_its_bytes(
    practice: Database, assistant: SignedIn, seeded: SeededInbox
) -> None:
    with practice.session() as session:
        linked = letter_detail(session, assistant.vault, assistant.actor, seeded.linked)
        escalation = letter_detail(session, assistant.vault, assistant.actor, seeded.escalation)
    pdf = linked.attachments[0]
    with practice.session() as session:
        data = letter_part_data(
            session, assistant.vault, assistant.actor, seeded.linked, pdf.id, export=True
        )
    assert data.data.startswith(b"%PDF") and data.filename == "brief wijkteam.pdf"
    program, note = escalation.attachments
    assert not program.safe_to_open and program.problem == EXE_PROBLEM
    with practice.session() as session, pytest.raises(GpdeskError) as refused:
        letter_part_data(session, assistant.vault, assistant.actor, seeded.escalation, program.id)
    assert "niet geopend" in refused.value.user_text()
    with practice.session() as session, pytest.raises(GpdeskError):  # not this letter's part
        letter_part_data(session, assistant.vault, assistant.actor, seeded.linked, note.id)
    saved = _audits(practice, "letter.attachment")
    assert [(e.action, e.object_id) for e in saved] == [("E", str(pdf.id))]
