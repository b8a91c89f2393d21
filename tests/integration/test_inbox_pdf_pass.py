"""A fetch stores first and checks PDFs right after (#11 item 2): the reading pass.

Stored with its PDF unchecked, a letter's PDF cannot be previewed; the pass (the real parsing
child) makes it previewable with its text, links a letter whose reference only the PDF names,
routes it to the feedback contact and suggests its kind again; a hostile PDF keeps its problem
and is never opened; ``gpdesk check``'s record states still verify; a second pass, or a second
workstation writing the same verdicts, does nothing. SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import pikepdf
import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.inbox.checking import CheckOutcome, check_part, check_pending, pending_in
from gpdesk.inbox.fetching import fetch_one
from gpdesk.inbox.parsing import Parsed, ParserProcess, Quarantined, reasons
from gpdesk.inbox.store.checking import pending_parts, write_checked
from gpdesk.inbox.store.detail import letter_detail, letter_part_data
from gpdesk.inbox.store.sources import add_folder_source
from gpdesk.models import AuditEntry, Letter, LetterPart, LetterState, Signal
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states, check_sealed_values
from tests.inbox_letters import TEAM_ADDRESS, letter_pdf
from tests.store_support import ready_practice, sent_signal, signed
from tests.unit.test_inbox_parsing_pdf import build, deflate_zeros, flate_stream


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


def _mail(number: int, subject: str, body: str, pdf: bytes, *more: bytes) -> bytes:
    message = EmailMessage()
    message["From"] = f"Wijkteam Nieuwland <{TEAM_ADDRESS}>"
    message["To"] = "praktijk@desingel.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<pdfpass-{number}@wijkteam.example>"
    message.set_content(body)
    for position, data in enumerate((pdf, *more)):
        name = f"brief-{position}.pdf"
        message.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return message.as_bytes()


def _javascript(pdf: pikepdf.Pdf) -> None:
    """A PDF that runs JavaScript when opened."""
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
    )


def _bomb(pdf: pikepdf.Pdf) -> None:
    """A few KB that would inflate to 256 MB."""
    flate_stream(pdf, deflate_zeros(256 << 20, rounds=2), ["/FlateDecode", "/FlateDecode"])


def _drop(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir(exist_ok=True)
    settled = time.time() - 60
    for number, (name, raw) in enumerate(files.items()):
        path = folder / name
        path.write_bytes(raw)
        os.utime(path, (settled + number, settled + number))


def _source(db: Database, folder: Path) -> int:
    manager = signed(db, "smit")
    with db.session() as session:
        return add_folder_source(session, manager.vault, manager.actor, folder).id


def _entries(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_a_pending_pdf_is_closed_until_the_pass_opens_links_and_routes_it(
    practice: Database, tmp_path: Path
) -> None:
    assistant = signed(practice, "jansen")
    reference = sent_signal(practice, signed(practice, "bakker"))
    pdf = letter_pdf(
        [
            "Geachte dokter Bakker,",
            f"Betreft: uw aanmelding {reference}.",
            "Wij adviseren een verwijzing naar de GGZ voor mevrouw.",
        ]
    )
    folder = tmp_path / "ontvangst"
    _drop(folder, {"brief-1.eml": _mail(1, "Terugkoppeling", "Zie de bijlage.", pdf)})
    source = _source(practice, folder)

    with ParserProcess() as parser:
        stored = fetch_one(practice, assistant, source, parser=parser, check=False)
        assert (stored.stored, stored.checked, stored.error) == (1, 0, None)
        assert pending_in(practice) == 1
        with practice.session() as session:
            letter = session.scalars(select(Letter)).one()
            (part,) = letter.parts
            assert (part.check_pending, part.safe_to_open, part.text) == (True, False, None)
            assert part.problem == reasons.PDF_PENDING and part.check_pending
            assert letter.signal_id is None and letter.state is LetterState.NEW
            assert letter.kind != "advies"  # the body alone does not say it
            letter_id, part_id = letter.id, part.id
            detail = letter_detail(session, assistant.vault, assistant.actor, letter_id)
            assert detail.attachments[0].check_pending
            with pytest.raises(GpdeskError, match="nog gecontroleerd"):
                letter_part_data(session, assistant.vault, assistant.actor, letter_id, part_id)

        done = check_pending(practice, assistant, parser.parse_checked)
    assert (done.checked, done.problems, done.linked, done.letters) == (1, 0, 1, [letter_id])
    assert pending_in(practice) == 0
    with practice.session() as session:
        letter = session.scalars(select(Letter).where(Letter.id == letter_id)).one()
        part = session.scalars(select(LetterPart).where(LetterPart.id == part_id)).one()
        signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
        assert (part.check_pending, part.safe_to_open, part.problem) == (False, True, None)
        assert part.text is not None
        assert reference in assistant.vault.open("letter_part", "text", part.id, part.text)
        assert (letter.signal_id, letter.patient_id) == (signal.id, signal.patient_id)
        assert letter.match_confirmed and letter.team_id == signal.team_id
        assert (letter.state, letter.assignee_role) == (LetterState.ASSIGNED, "poh_ggz")
        assert letter.kind == "advies"
        shown = letter_part_data(session, assistant.vault, assistant.actor, letter_id, part_id)
        assert shown.data == pdf
        entry = session.scalars(select(AuditEntry).where(AuditEntry.event == "letter.check")).one()
        assert entry.detail is not None and reference in entry.detail
        assert "verwijzing" not in entry.detail  # nothing of the content
        assert check_record_states(session, assistant.vault).findings == ()
        assert check_sealed_values(session, assistant.vault).findings == ()

    before = _entries(practice)
    again = check_pending(practice, assistant)  # nothing pending: no process started
    assert (again.checked, again.letters) == (0, [])
    assert _entries(practice) == before


def test_a_hostile_pdf_keeps_its_problem_and_a_hostile_bare_pdf_is_quarantined(
    practice: Database, tmp_path: Path
) -> None:
    assistant = signed(practice, "jansen")
    folder = tmp_path / "ontvangst"
    _drop(
        folder,
        {
            "brief-1.eml": _mail(1, "Terugkoppeling", "Zie de bijlage.", build(_javascript)),
            "brief-2.pdf": letter_pdf(["Wij hebben mevrouw gesproken."]),
            "brief-3.pdf": build(_bomb),
        },
    )
    source = _source(practice, folder)
    with ParserProcess() as parser:
        stored = fetch_one(practice, assistant, source, parser=parser, check=False)
        assert (stored.stored, stored.quarantined) == (3, 0)
        assert pending_in(practice) == 3
        done = check_pending(practice, assistant, parser.parse_checked, batch=2)
    assert (done.checked, done.problems, done.linked, done.quarantined) == (3, 2, 0, 1)
    with practice.session() as session:
        bad, good, bomb = session.scalars(select(LetterPart).order_by(LetterPart.id)).all()
        assert not bad.safe_to_open and bad.text is None and not bad.check_pending
        assert bad.problem is not None and "JavaScript" in bad.problem
        assert good.safe_to_open and good.text is not None and not good.check_pending
        with pytest.raises(GpdeskError, match="JavaScript"):
            letter_part_data(session, assistant.vault, assistant.actor, bad.letter_id, bad.id)
        assert bomb.problem == reasons.PDF_BOMB and not bomb.safe_to_open
        quarantined = session.scalars(select(Letter).where(Letter.id == bomb.letter_id)).one()
        assert quarantined.quarantine_code == "pdf_bomb"
        assert quarantined.quarantine_reason == reasons.PDF_BOMB
        assert quarantined.kind is None and quarantined.events[-1].step == "in quarantaine"
        with pytest.raises(GpdeskError, match="quarantaine"):
            letter_part_data(session, assistant.vault, assistant.actor, bomb.letter_id, bomb.id)
        assert check_record_states(session, assistant.vault).findings == ()


def test_a_parser_that_does_not_start_leaves_the_marker_and_a_crash_closes_the_pdf(
    practice: Database, tmp_path: Path
) -> None:
    assistant = signed(practice, "jansen")
    folder = tmp_path / "ontvangst"
    _drop(folder, {"brief-1.pdf": letter_pdf(["Een brief."])})
    with ParserProcess() as parser:
        fetch_one(practice, assistant, _source(practice, folder), parser=parser, check=False)
    before = _entries(practice)

    def not_starting(_name: str, _raw: bytes) -> Parsed | Quarantined:
        return reasons.could_not_start()

    stopped = check_pending(practice, assistant, not_starting)
    assert stopped.unavailable and stopped.checked == 0
    assert pending_in(practice) == 1 and _entries(practice) == before

    def crashing(_name: str, _raw: bytes) -> Parsed | Quarantined:
        return reasons.crashed()

    done = check_pending(practice, assistant, crashing)
    assert (done.checked, done.problems) == (1, 1)
    with practice.session() as session:
        part = session.scalars(select(LetterPart)).one()
        assert part.problem == reasons.crashed().reason and not part.safe_to_open
        assert check_record_states(session, assistant.vault).findings == ()
    assert pending_in(practice) == 0  # never tried again


def test_two_workstations_writing_the_same_verdicts_write_once(
    practice: Database, tmp_path: Path
) -> None:
    assistant = signed(practice, "jansen")
    reference = sent_signal(practice, signed(practice, "bakker"))
    folder = tmp_path / "ontvangst"
    pdf = letter_pdf([f"Betreft: {reference}."])
    _drop(folder, {"brief-1.eml": _mail(1, "Terugkoppeling", "Zie de bijlage.", pdf)})
    with ParserProcess() as parser:
        fetch_one(practice, assistant, _source(practice, folder), parser=parser, check=False)
        with practice.session() as session:
            pending = pending_parts(session, assistant.vault)
        # Both workstations read and checked before either wrote.
        verdicts = [v for v in (check_part(p, parser.parse_checked) for p in pending) if v]
    with practice.session() as session:
        first = write_checked(session, assistant.vault, assistant.actor, verdicts)
    entries = _entries(practice)
    with practice.session() as session:
        second = write_checked(session, assistant.vault, assistant.actor, verdicts)
    assert [c.signal_reference for c in first] == [reference] and second == []
    assert _entries(practice) == entries
    with practice.session() as session:
        steps = [e.step for e in session.scalars(select(Letter)).one().events]
        assert steps.count("gekoppeld") == 1
        assert check_record_states(session, assistant.vault).findings == ()


def test_a_letter_with_two_pdfs_is_written_and_audited_once_even_across_batches(
    practice: Database, tmp_path: Path
) -> None:
    assistant = signed(practice, "jansen")
    folder = tmp_path / "ontvangst"
    one, two = letter_pdf(["Brief een."]), letter_pdf(["Bijlage twee."])
    _drop(
        folder,
        {
            "brief-1.eml": _mail(1, "Terugkoppeling", "Twee bijlagen.", one, two),
            "brief-2.eml": _mail(2, "Voortgang", "Een bijlage.", one),
            "brief-3.pdf": two,
        },
    )
    with ParserProcess() as parser:
        fetch_one(practice, assistant, _source(practice, folder), parser=parser, check=False)
        assert pending_in(practice) == 4
        done = check_pending(practice, assistant, parser.parse_checked, batch=1)
    assert (done.checked, done.problems) == (4, 0)
    assert len(done.letters) == len(set(done.letters)) == 3
    with practice.session() as session:
        checks = session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.event == "letter.check")
        ).all()
        assert sorted(str(c) for c in checks) == sorted(str(i) for i in done.letters)
        assert all(p.safe_to_open for p in session.scalars(select(LetterPart)))
        assert check_record_states(session, assistant.vault).findings == ()


def test_two_workstations_running_the_pass_at_once_link_and_audit_once(
    practice: Database, tmp_path: Path
) -> None:
    bakker, jansen = signed(practice, "bakker"), signed(practice, "jansen")
    reference = sent_signal(practice, bakker)
    folder = tmp_path / "ontvangst"
    pdf = letter_pdf([f"Betreft: {reference}."])
    _drop(
        folder,
        {f"brief-{n}.eml": _mail(n, "Terugkoppeling", "Zie de bijlage.", pdf) for n in range(6)},
    )
    with ParserProcess() as parser:
        fetch_one(practice, jansen, _source(practice, folder), parser=parser, check=False)
    assert pending_in(practice) == 6
    ready = threading.Barrier(2)
    outcomes: list[CheckOutcome] = []
    errors: list[BaseException] = []

    def run_pass(who: SignedIn) -> None:
        try:
            with ParserProcess() as own:
                own.parse_checked("brief.pdf", pdf)  # started before the race
                ready.wait(timeout=30)
                outcomes.append(check_pending(practice, who, own.parse_checked, batch=2))
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=run_pass, args=(w,)) for w in (jansen, bakker)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(o.checked for o in outcomes) == 6
    assert sum(o.linked for o in outcomes) == 6
    with practice.session() as session:
        checks = session.scalars(
            select(AuditEntry.object_id).where(AuditEntry.event == "letter.check")
        ).all()
        assert len(checks) == len(set(checks)) == 6
        for letter in session.scalars(select(Letter)):
            assert [e.step for e in letter.events].count("gekoppeld") == 1
        assert check_record_states(session, jansen.vault).findings == ()
