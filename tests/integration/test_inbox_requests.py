"""Information requests (#11 item 9) on SQLite and PostgreSQL, sent through a real aiosmtpd gateway.

A team's informatieverzoek comes in linked to its signal (and so to patient and team). With a
consent covering medical information for the team's organisation and every point of the LHV
checklist ticked, the GP's answer is stored sealed, queued, and the outbox delivers it once,
S/MIME encrypted, as a reply to the team's message. Without such a consent only the refusal
letter can go, and it names no patient. Everything is audited; ``gpdesk check`` finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.inbox.requests import Check, answer_request, open_request, refuse_request
from gpdesk.inbox.requests.store import (
    ANSWER_FIELD,
    CHECKLIST_FIELD,
    preview_answer,
    preview_refusal,
)
from gpdesk.models import (
    AnswerKind,
    AuditEntry,
    Letter,
    LetterEvent,
    LetterState,
    MessageKind,
    OutboxMessage,
    OutboxState,
    RequestAnswer,
)
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.permissions import PermissionDeniedError
from gpdesk.signals import outbox
from gpdesk.signals.consent import ConsentError, withdraw_consent
from gpdesk.transport import config
from tests.outbox_support import TEAM_ADDRESS, gateway_settings
from tests.request_support import TEAM_MESSAGE_ID, request_letter
from tests.store_support import (
    EXTRA_PATIENT,
    NIEUWLAND,
    NOW,
    PRIVATE_NOTE,
    ready_practice,
    signed,
)
from tests.transport_support import Inbox, MailServer, Pki, make_pki, run_openssl, start_server

ALL_CHECKS = tuple(Check)
ANSWER = (
    "Mevrouw is bij ons bekend met artrose van beide knieën (sinds 2019).\n"
    "Zij loopt met een rollator; traplopen lukt niet."
)
LATER = NOW + timedelta(hours=2)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def mail_server() -> Iterator[Callable[..., MailServer]]:
    running: list[Any] = []

    def start(**options: Any) -> MailServer:
        inbox = Inbox()
        options.setdefault("authenticator", inbox.authenticate)
        options.setdefault("auth_required", True)
        controller = start_server(inbox, **options)
        running.append(controller)
        return MailServer(port=controller.port, inbox=inbox)

    yield start
    for controller in running:
        controller.stop()


@pytest.fixture
def gateway(pki: Pki, mail_server: Callable[..., MailServer]) -> MailServer:
    return mail_server(
        tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True
    )


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    (tmp_path / "export").mkdir()
    return db


@pytest.fixture
def bakker(practice: Database) -> SignedIn:
    return signed(practice, "bakker")


@pytest.fixture
def jansen(practice: Database) -> SignedIn:
    return signed(practice, "jansen")


def _use_gateway(db: Database, pki: Pki, port: int, *, folder: Path | None = None) -> None:
    manager = signed(db, "smit")
    with db.session() as session:
        config.save_transport(session, manager.vault, manager.actor, gateway_settings(pki, port))
        config.set_team_delivery(
            session, manager.actor, NIEUWLAND, email=TEAM_ADDRESS,
            certificate=pki.team.cert_pem.read_bytes(), export_folder=folder,
        )  # fmt: skip


def _parse(data: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split()
    )


def _only_attachment(message: EmailMessage) -> tuple[str, bytes]:
    [part] = list(message.iter_attachments())
    assert isinstance(part, EmailMessage)
    return str(part.get_filename()), part.get_content()


def _events(db: Database, *names: str) -> list[AuditEntry]:
    with db.session() as session:
        rows = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.event.in_(names)).order_by(AuditEntry.seq)
            )
        )
        session.expunge_all()
        return rows


def _clean(db: Database, who: SignedIn) -> None:
    with db.session() as session:
        assert check_sealed_values(session, who.vault).findings == ()
        assert check_record_states(session, who.vault).findings == ()


def _answers(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(RequestAnswer)) or 0)


def test_an_answer_with_consent_reaches_the_team_encrypted_and_once(
    practice: Database, bakker: SignedIn, pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    _use_gateway(practice, pki, gateway.port)
    letter_id = request_letter(practice, bakker, medical_consent=True)

    with practice.session() as session:
        shown = open_request(session, bakker.vault, bakker.actor, letter_id, now=LATER)
    assert shown.problem is None and shown.may_answer and shown.refusable
    assert shown.consent is not None and "medische informatie" in shown.consent.describe(LATER)
    assert shown.patient is not None and "Verhoeven" in shown.patient
    assert "traplift" in shown.text

    with practice.session() as session:
        seen = preview_answer(
            session, bakker.vault, bakker.actor, letter_id, text=ANSWER, now=LATER
        )
    assert "artrose" in seen.letter_html and PRIVATE_NOTE not in seen.letter_html
    assert EXTRA_PATIENT.bsn not in seen.letter_html

    with practice.session() as session:
        done = answer_request(
            session, bakker.vault, bakker.actor, letter_id, text=ANSWER, checks=ALL_CHECKS,
            now=LATER,
        )  # fmt: skip
    assert done.kind is AnswerKind.ANSWER and done.reference == "IV-2026-000001"
    assert done.state == "wachtend" and done.channels == ("e-mail",)
    assert seen.subject == f"Antwoord informatieverzoek {done.reference}"

    report = outbox.flush(practice, bakker.vault, now=LATER)
    assert (report.sent, report.failed) == (1, 0)
    assert outbox.flush(practice, bakker.vault, now=LATER + timedelta(hours=1)).sent == 0
    [received] = gateway.inbox.messages  # sent once
    assert received.rcpt_tos == [TEAM_ADDRESS]
    outer = _parse(received.data)
    assert outer["Subject"] == f"Antwoord informatieverzoek {done.reference}"
    assert outer["In-Reply-To"] == f"<{TEAM_MESSAGE_ID}>"
    assert outer.get_content_type() == "application/pkcs7-mime"
    for secret in (EXTRA_PATIENT.bsn, EXTRA_PATIENT.name, "artrose"):
        assert secret.encode() not in received.data

    # The team opens it with its key: a body without the patient, the answer in the PDF.
    encrypted = tmp_path / "received.eml"
    encrypted.write_bytes(received.data)
    inner = _parse(
        run_openssl(
            "cms", "-decrypt", "-in", encrypted,
            "-recip", pki.team.cert_pem, "-inkey", pki.team.key_pem,
        ).stdout
    )  # fmt: skip
    if inner.get_content_type() == "multipart/signed":
        signed_file = tmp_path / "signed.eml"
        signed_file.write_bytes(inner.as_bytes())
        inner = _parse(
            run_openssl(
                "cms", "-verify", "-in", signed_file, "-CAfile", pki.ca.cert_pem,
                "-purpose", "any",
            ).stdout
        )  # fmt: skip
    body = inner.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert done.reference in text and EXTRA_PATIENT.name not in text
    name, pdf = _only_attachment(inner)
    assert name == f"{done.reference}.pdf"
    letter = _pdf_text(pdf)
    assert "artrose" in letter and "rollator" in letter
    assert EXTRA_PATIENT.name in letter
    for forbidden in (EXTRA_PATIENT.bsn, PRIVATE_NOTE, "drankgebruik", "traplift"):
        assert forbidden not in letter

    # Stored, linked, moved on, audited.
    with practice.session() as session:
        answer = session.scalars(select(RequestAnswer)).one()
        assert answer.letter_id == letter_id and answer.checks == (
            "toestemming,doel,feitelijk,geen_oordeel"
        )
        assert answer.consent_id is not None and answer.content is not None
        assert b"artrose" not in bytes(answer.content)
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.answer_id == answer.id)
        ).one()
        assert (row.kind, row.state, row.signal_id) == (MessageKind.ANSWER, OutboxState.SENT, None)
        letter_row = session.get(Letter, letter_id)
        assert letter_row is not None
        assert (letter_row.state, letter_row.assignee_role) == (LetterState.ASSIGNED, "assistant")
        steps = [e.step for e in session.scalars(
            select(LetterEvent).where(LetterEvent.letter_id == letter_id)
        )]  # fmt: skip
        assert steps[-1] == "beantwoord"
        listed = outbox.entries(session)
        assert [e.reference for e in listed if e.kind is MessageKind.ANSWER] == [done.reference]
    entries = _events(practice, "letter.answer", "outbox.prepare", "answer.sent")
    assert [e.event for e in entries] == ["letter.answer", "outbox.prepare", "answer.sent"]
    assert entries[0].username == "bakker" and entries[2].on_behalf_of == "bakker"
    assert all(e.patient_ref for e in entries)
    for entry in entries:
        for secret in (EXTRA_PATIENT.name, EXTRA_PATIENT.bsn, "artrose"):
            assert secret not in (entry.detail or "")
    assert "geen_oordeel" in (entries[0].detail or "")
    _clean(practice, bakker)

    # Answered once: a second answer or a refusal is refused plainly.
    with practice.session() as session, pytest.raises(GpdeskError, match="al beantwoord"):
        answer_request(
            session, bakker.vault, bakker.actor, letter_id, text=ANSWER, checks=ALL_CHECKS
        )
    with practice.session() as session, pytest.raises(GpdeskError, match="al beantwoord"):
        refuse_request(session, bakker.vault, bakker.actor, letter_id)


def test_without_consent_only_the_refusal_letter_goes_and_it_names_no_patient(
    practice: Database, bakker: SignedIn, tmp_path: Path
) -> None:
    letter_id = request_letter(
        practice, bakker, medical_consent=False
    )  # consent without medical info
    with practice.session() as session:
        shown = open_request(session, bakker.vault, bakker.actor, letter_id, now=LATER)
    assert shown.consent is not None and not shown.may_answer and shown.refusable
    assert "medische informatie" in shown.consent.describe(LATER)
    assert "dekt 'medische informatie' niet" in shown.consent.describe(LATER)

    with practice.session() as session, pytest.raises(ConsentError, match="geen geldige"):
        answer_request(
            session, bakker.vault, bakker.actor, letter_id, text=ANSWER, checks=ALL_CHECKS,
            now=LATER,
        )  # fmt: skip
    with practice.session() as session, pytest.raises(ConsentError):
        preview_answer(session, bakker.vault, bakker.actor, letter_id, text=ANSWER, now=LATER)
    assert _answers(practice) == 0

    with practice.session() as session:
        seen = preview_refusal(session, bakker.vault, bakker.actor, letter_id, now=LATER)
    with practice.session() as session:
        done = refuse_request(session, bakker.vault, bakker.actor, letter_id, now=LATER)
    assert done.kind is AnswerKind.REFUSAL
    assert seen.subject == f"Reactie op informatieverzoek {done.reference}"
    assert EXTRA_PATIENT.name not in seen.letter_html

    # ready_practice gives Nieuwland a mail address (no gateway here) and an export folder.
    report = outbox.flush(practice, bakker.vault, now=LATER)
    assert report.sent == 1  # the export folder; the mail waits for a reachable gateway
    assert {o.kind for o in report.outcomes} == {MessageKind.REFUSAL}
    [written] = (tmp_path / "export").iterdir()
    message = _parse(written.read_bytes())
    assert message["Subject"] == f"Reactie op informatieverzoek {done.reference}"
    assert message["In-Reply-To"] == f"<{TEAM_MESSAGE_ID}>"
    _name, pdf = _only_attachment(message)
    letter = _pdf_text(pdf)
    assert "toestemming" in letter and "oordeel" in letter
    for secret in (EXTRA_PATIENT.name, EXTRA_PATIENT.bsn, "Verhoeven", PRIVATE_NOTE):
        assert secret not in letter
        assert secret.encode() not in written.read_bytes()
    [entry] = _events(practice, "letter.refuse")
    assert entry.username == "bakker" and done.reference in (entry.detail or "")
    with practice.session() as session:
        steps = [e.step for e in session.scalars(
            select(LetterEvent).where(LetterEvent.letter_id == letter_id)
        )]  # fmt: skip
    assert steps[-1] == "weigeringsbrief verstuurd"
    _clean(practice, bakker)


def test_an_unticked_box_or_an_empty_answer_is_refused_and_nothing_is_stored(
    practice: Database, bakker: SignedIn
) -> None:
    letter_id = request_letter(practice, bakker, medical_consent=True)
    for missing in Check:
        ticked = [c for c in Check if c is not missing]
        with practice.session() as session, pytest.raises(ValidationError) as info:
            answer_request(
                session, bakker.vault, bakker.actor, letter_id, text=ANSWER, checks=ticked
            )
        assert CHECKLIST_FIELD in info.value.problems
    with practice.session() as session, pytest.raises(ValidationError) as info:
        answer_request(session, bakker.vault, bakker.actor, letter_id, text="  ", checks=ALL_CHECKS)
    assert ANSWER_FIELD in info.value.problems
    assert _answers(practice) == 0
    assert _events(practice, "letter.answer", "letter.refuse") == []


def test_only_a_gp_answers(practice: Database, bakker: SignedIn, jansen: SignedIn) -> None:
    letter_id = request_letter(practice, bakker, medical_consent=True)
    visser = signed(practice, "visser")
    for who in (jansen, visser):
        with practice.session() as session, pytest.raises(PermissionDeniedError):
            open_request(session, who.vault, who.actor, letter_id)
        with practice.session() as session, pytest.raises(PermissionDeniedError):
            answer_request(session, who.vault, who.actor, letter_id, text=ANSWER, checks=ALL_CHECKS)
        with practice.session() as session, pytest.raises(PermissionDeniedError):
            refuse_request(session, who.vault, who.actor, letter_id)
    assert _answers(practice) == 0


def test_a_consent_withdrawn_before_sending_stops_the_answer(
    practice: Database, bakker: SignedIn
) -> None:
    letter_id = request_letter(practice, bakker, medical_consent=True)
    with practice.session() as session:
        done = answer_request(
            session, bakker.vault, bakker.actor, letter_id, text=ANSWER, checks=ALL_CHECKS,
            now=LATER,
        )  # fmt: skip
    with practice.session() as session:
        answer = session.get(RequestAnswer, done.id)
        assert answer is not None and answer.consent_id is not None
        withdraw_consent(
            session, bakker.vault, bakker.actor, answer.consent_id,
            reason="De patiënt wil het zelf regelen.", at=LATER + timedelta(minutes=1),
        )  # fmt: skip
    report = outbox.flush(practice, bakker.vault, now=LATER + timedelta(minutes=2))
    assert report.sent == 0 and report.stopped == 2  # mail and export folder


def test_a_letter_that_is_no_request_cannot_be_answered(
    practice: Database, bakker: SignedIn
) -> None:
    letter_id = request_letter(practice, bakker, medical_consent=True)
    with practice.session() as session:
        row = session.get(Letter, letter_id)
        assert row is not None
        row.kind = "voortgang"
    with practice.session() as session:
        shown = open_request(session, bakker.vault, bakker.actor, letter_id)
    assert shown.problem is not None and not shown.may_answer and not shown.refusable
    with practice.session() as session, pytest.raises(GpdeskError, match="geen informatieverzoek"):
        refuse_request(session, bakker.vault, bakker.actor, letter_id)


def test_two_gps_answering_at_once_answer_once(
    practice: Database, bakker: SignedIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter_id = request_letter(practice, bakker, medical_consent=True)
    with practice.session() as session:
        answer_request(
            session, bakker.vault, bakker.actor, letter_id, text=ANSWER, checks=ALL_CHECKS,
            now=LATER,
        )  # fmt: skip
    # The second read "not answered yet" just before the first committed: the unique request
    # letter refuses the second row, with a plain message and nothing of it stored.
    from gpdesk.inbox.requests import store as request_store

    monkeypatch.setattr(request_store, "_existing", lambda _session, _letter_id: None)
    with practice.session() as session, pytest.raises(GpdeskError, match="net beantwoord"):
        refuse_request(session, bakker.vault, bakker.actor, letter_id, now=LATER)
    assert _answers(practice) == 1
    with practice.session() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.answer_id.is_not(None)
        )) == 2  # fmt: skip
    _clean(practice, bakker)
