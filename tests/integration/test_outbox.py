"""The outbox against a real aiosmtpd gateway (STARTTLS required, AUTH, a test CA).

Each signal is stored as submit stores it (``tests/outbox_support.py``) and flushed; what
arrives is decrypted with the team's test key by openssl, its PDF read with pypdf and its
``signaal.json`` with ``fhir.read_bundle``. SQLite and PostgreSQL.
"""

from __future__ import annotations

import socket
import threading
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
from sqlalchemy import select, update

from gpdesk.db import Database
from gpdesk.models import AuditEntry
from gpdesk.models.signal import MessageKind, OutboxState, Signal, SignalEvent, SignalStatus
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.signals import fhir, outbox, store
from gpdesk.signals.agreement import expected_by
from gpdesk.signals.consent import local_date, withdraw_consent
from gpdesk.transport.retry import RetryPolicy
from tests.outbox_support import (
    AGREED_DAYS,
    DOMAIN,
    TEAM_ADDRESS,
    Practice,
    add_signal,
    outbox_rows,
    practice,
    queue,
    set_delivery,
    set_gateway,
    signal_row,
)
from tests.signal_support import BSN, CREATED, PRIVATE_NOTE
from tests.transport_support import Inbox, MailServer, Pki, make_pki, run_openssl, start_server

NOW = CREATED + timedelta(minutes=1)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def mail_server() -> Iterator[Callable[..., MailServer]]:
    """Start a test server with the given aiosmtpd options; stopped after the test."""
    running: list[Any] = []

    def start(**options: Any) -> MailServer:
        inbox = Inbox()
        if options.pop("with_auth", True):
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
    """The practice's gateway: STARTTLS required, AUTH only after TLS."""
    return mail_server(
        tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True
    )


@pytest.fixture
def p(db: Database) -> Practice:
    return practice(db)


def _parse(data: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        found[str(part.get_filename())] = part.get_content()
    return found


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages).split()
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_signal_leaves_encrypted_and_signed_and_the_team_can_read_it(
    p: Practice, pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    set_gateway(
        p, pki, gateway.port,
        signing_certificate=pki.practice.cert_pem.read_bytes(),
        signing_key=pki.practice.key_pem.read_bytes(),
    )  # fmt: skip
    set_delivery(p, certificate=pki.team.cert_pem.read_bytes())
    stored = add_signal(p)

    report = outbox.flush(p.db, p.gp.vault, now=NOW)

    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [received] = gateway.inbox.messages
    assert gateway.inbox.logins == 1
    assert received.rcpt_tos == [TEAM_ADDRESS]
    outer = _parse(received.data)
    assert outer["Subject"] == f"Signaal {stored.reference}"
    assert outer["Message-ID"] == f"<{stored.reference}@{DOMAIN}>"
    assert outer.get_content_type() == "application/pkcs7-mime"
    assert BSN.encode() not in received.data

    # The team opens it with its key (openssl), and the practice's signature verifies.
    encrypted = tmp_path / "received.eml"
    encrypted.write_bytes(received.data)
    signed = tmp_path / "signed.eml"
    decrypted = run_openssl(
        "cms", "-decrypt", "-in", encrypted,
        "-recip", pki.team.cert_pem, "-inkey", pki.team.key_pem,
    ).stdout  # fmt: skip
    signed.write_bytes(decrypted)
    content = run_openssl(
        "cms", "-verify", "-in", signed, "-CAfile", pki.ca.cert_pem, "-purpose", "any"
    ).stdout
    inner = _parse(content)
    body = inner.get_body(("plain",))
    assert body is not None
    assert stored.reference in body.get_content()
    files = _attachments(inner)
    assert sorted(files) == sorted([f"{stored.reference}.pdf", fhir.FILENAME])

    text = _pdf_text(files[f"{stored.reference}.pdf"])
    assert stored.reference in text
    assert "sinds de scheiding schulden" in text
    assert p.team_name in text
    for forbidden in (BSN, "111 222 333", PRIVATE_NOTE, "drankgebruik"):
        assert forbidden not in text

    bundle = fhir.read_bundle(files[fhir.FILENAME])
    kinds = sorted(
        type(entry.resource).__name__ for entry in bundle.entry or [] if entry.resource is not None
    )
    assert {"ServiceRequest", "Task", "Patient", "Consent"} <= set(kinds)
    assert BSN.encode() not in files[fhir.FILENAME]

    # The row, the signal, its timeline and the audit trail.
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.SENT and row.sent_at == NOW and row.last_error is None
    signal = signal_row(p.db, stored.signal_id)
    assert signal.status is SignalStatus.SENT
    assert signal.sent_at == NOW
    assert signal.expected_by == expected_by(local_date(NOW), AGREED_DAYS)
    with p.db.session() as session:
        events = session.scalars(
            select(SignalEvent).where(SignalEvent.signal_id == stored.signal_id)
        ).all()
        assert [(e.status, e.source.value) for e in events] == [(SignalStatus.SENT, "gpdesk")]
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.event.in_(("signal.sent", "outbox.prepare")))
        ).all()
        assert [e.event for e in entries] == ["outbox.prepare", "signal.sent"]
        assert all(e.on_behalf_of == "bakker" and e.patient_ref for e in entries)
        assert stored.reference in (entries[1].detail or "")
        for entry in entries:
            assert "Ayşe" not in (entry.detail or "") and BSN not in (entry.detail or "")
        # What gpdesk check compares: every sealed value opens, every record as last recorded.
        assert check_sealed_values(session, p.gp.vault).ok
        states = check_record_states(session, p.gp.vault)
        assert states.ok, states.findings


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_nothing_is_sent_when_the_server_offers_no_starttls(
    p: Practice, pki: Pki, mail_server: Callable[..., MailServer]
) -> None:
    plain = mail_server(auth_require_tls=False)
    set_gateway(p, pki, plain.port)
    set_delivery(p)
    stored = add_signal(p)

    report = outbox.flush(p.db, p.gp.vault, now=NOW)

    assert report.failed == 1
    assert plain.inbox.messages == [] and plain.inbox.logins == 0
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.FAILED
    assert row.last_error is not None and "nooit onbeveiligd" in row.last_error
    assert signal_row(p.db, stored.signal_id).status is SignalStatus.DRAFT
    with p.db.session() as session:
        assert outbox.counts(session) == outbox.OutboxCounts(waiting=0, failed=1)
        assert outbox.status_text(outbox.counts(session)) == (
            "Postvak uit: 0 wachtend, 1 niet verzonden"
        )


def test_a_gateway_certificate_that_does_not_verify_gets_nothing(
    p: Practice, pki: Pki, mail_server: Callable[..., MailServer]
) -> None:
    stranger = mail_server(
        tls_context=pki.server_context(pki.stranger_server), require_starttls=True
    )
    set_gateway(p, pki, stranger.port)
    set_delivery(p)
    stored = add_signal(p)

    assert outbox.flush(p.db, p.gp.vault, now=NOW).failed == 1

    assert stranger.inbox.messages == [] and stranger.inbox.logins == 0
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.FAILED
    assert row.last_error is not None and "niet te vertrouwen" in row.last_error


def test_a_refused_login_stops_at_once(p: Practice, pki: Pki, gateway: MailServer) -> None:
    set_gateway(p, pki, gateway.port, password="verkeerd wachtwoord")
    set_delivery(p)
    stored = add_signal(p)

    outbox.flush(p.db, p.gp.vault, now=NOW)

    assert gateway.inbox.messages == []
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.FAILED
    assert row.last_error is not None and "weigert de gebruikersnaam" in row.last_error
    assert "verkeerd" not in row.last_error


def test_a_server_that_is_down_is_tried_again_later_then_not_sent_then_again(
    p: Practice, pki: Pki, gateway: MailServer
) -> None:
    set_gateway(p, pki, _closed_port())
    set_delivery(p)
    stored = add_signal(p)
    rule = RetryPolicy(delays=(timedelta(minutes=1), timedelta(minutes=5)))

    first = outbox.flush(p.db, p.gp.vault, now=NOW, policy=rule)
    assert first.retrying == 1
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.PENDING and row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert row.last_error is not None and "neemt niet op" in row.last_error

    assert (
        outbox.flush(p.db, p.gp.vault, now=NOW + timedelta(seconds=30), policy=rule).outcomes == ()
    )
    later = NOW + timedelta(minutes=1)
    assert outbox.flush(p.db, p.gp.vault, now=later, policy=rule).retrying == 1
    last = later + timedelta(minutes=5)
    assert outbox.flush(p.db, p.gp.vault, now=last, policy=rule).failed == 1
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.FAILED and row.attempts == 3
    assert row.last_error is not None
    assert "later opnieuw" not in row.last_error and "Opnieuw" in row.last_error
    assert outbox.flush(p.db, p.gp.vault, now=last + timedelta(days=1)).outcomes == ()

    # The gateway is back (the beheerder fixed the port); "Opnieuw" sends it.
    set_gateway(p, pki, gateway.port)
    with p.db.session() as session:
        outbox.retry_now(session, p.gp.actor, row.id, now=last)
        last_entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
        assert last_entry is not None and last_entry.event == "outbox.retry"
    assert outbox.flush(p.db, p.gp.vault, now=last, policy=rule).sent == 1
    assert len(gateway.inbox.messages) == 1
    assert signal_row(p.db, stored.signal_id).status is SignalStatus.SENT


def test_an_expired_team_certificate_sends_nothing(
    p: Practice, pki: Pki, gateway: MailServer
) -> None:
    set_gateway(p, pki, gateway.port)
    set_delivery(p, certificate=pki.team.cert_pem.read_bytes())
    stored = add_signal(p)
    after_expiry = pki.team.certificate.not_valid_after_utc + timedelta(days=1)

    report = outbox.flush(p.db, p.gp.vault, now=after_expiry)

    assert report.failed == 1
    assert gateway.inbox.messages == []
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.FAILED and row.prepared is None
    end = pki.team.certificate.not_valid_after_utc.strftime("%d-%m-%Y")
    assert row.last_error is not None
    assert f"Het certificaat van het team is verlopen op {end}" in row.last_error


def test_the_export_folder_gets_one_file_also_when_the_send_is_repeated(
    p: Practice, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    set_delivery(p, email=None, export_folder=export)
    stored = add_signal(p)

    assert outbox.flush(p.db, p.gp.vault, now=NOW).sent == 1
    [written] = export.iterdir()
    first = written.read_bytes()
    assert _parse(first)["Subject"] == f"Signaal {stored.reference}"

    # As after a crash between writing and recording: the row is SENDING again, lease run out.
    [row] = outbox_rows(p.db, stored.signal_id)
    with p.db.session() as session:
        session.execute(
            update(type(row)).where(type(row).id == row.id)
            .values(state=OutboxState.SENDING, next_attempt_at=NOW)
        )  # fmt: skip
    assert outbox.flush(p.db, p.gp.vault, now=NOW + outbox.LEASE).sent == 1
    assert [path.name for path in export.iterdir()] == [written.name]
    assert written.read_bytes() == first


def test_both_channels_carry_the_same_message_id(
    p: Practice, pki: Pki, gateway: MailServer, tmp_path: Path
) -> None:
    set_gateway(p, pki, gateway.port)
    set_delivery(p, export_folder=tmp_path)
    stored = add_signal(p)

    assert outbox.flush(p.db, p.gp.vault, now=NOW).sent == 2

    [received] = gateway.inbox.messages
    [written] = [path for path in tmp_path.iterdir() if path.suffix == ".eml"]
    assert _parse(received.data)["Message-ID"] == _parse(written.read_bytes())["Message-ID"]
    with p.db.session() as session:
        events = [
            entry.event
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.object_type == "signal")
            )
        ]
        timeline = session.scalars(
            select(SignalEvent.status).where(SignalEvent.signal_id == stored.signal_id)
        ).all()
    assert events.count("signal.sent") == 1 and events.count("outbox.sent") == 1
    assert timeline == [SignalStatus.SENT]


def test_a_withdrawn_consent_stops_the_signal(p: Practice, pki: Pki, gateway: MailServer) -> None:
    set_gateway(p, pki, gateway.port)
    set_delivery(p)
    stored = add_signal(p)
    with p.db.session() as session:
        withdraw_consent(session, p.gp.vault, p.gp.actor, stored.consent_id, at=CREATED)

    report = outbox.flush(p.db, p.gp.vault, now=NOW)

    assert report.stopped == 1 and gateway.inbox.messages == []
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.STOPPED
    assert row.last_error is not None and "toestemming ingetrokken" in row.last_error
    assert signal_row(p.db, stored.signal_id).status is SignalStatus.DRAFT


def test_two_flushes_at_once_send_every_message_once(
    p: Practice, pki: Pki, gateway: MailServer
) -> None:
    set_gateway(p, pki, gateway.port)
    set_delivery(p)
    stored = [add_signal(p) for _ in range(4)]
    start = threading.Barrier(2)
    reports: list[outbox.FlushReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            reports.append(outbox.flush(p.db, p.gp.vault, now=NOW))
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    assert sum(report.sent for report in reports) == 4
    ids = sorted(_parse(m.data)["Message-ID"] for m in gateway.inbox.messages)
    assert ids == sorted(f"<{s.reference}@{DOMAIN}>" for s in stored)
    for signal in stored:
        assert signal_row(p.db, signal.signal_id).status is SignalStatus.SENT


def test_a_cancellation_and_a_withdrawal_notice_name_only_the_reference(
    p: Practice, tmp_path: Path
) -> None:
    export = tmp_path / "export"
    export.mkdir()
    set_delivery(p, email=None, export_folder=export)
    stored = add_signal(p)
    assert outbox.flush(p.db, p.gp.vault, now=NOW).sent == 1
    with p.db.session() as session:
        row = session.get_one(Signal, stored.signal_id)
        for kind in (MessageKind.CANCELLATION, MessageKind.WITHDRAWAL):
            queue(session, row, kind, now=NOW)

    report = outbox.flush(p.db, p.gp.vault, now=NOW + timedelta(minutes=1))

    assert report.sent == 2
    files = {_parse(path.read_bytes())["Subject"]: path.read_bytes() for path in export.iterdir()}
    reference = stored.reference
    assert sorted(files) == sorted(
        [f"Signaal {reference}", f"Annulering {reference}", f"Intrekking toestemming {reference}"]
    )
    patient = stored.outgoing.patient
    for subject in (f"Annulering {reference}", f"Intrekking toestemming {reference}"):
        message = _parse(files[subject])
        assert message["Message-ID"].startswith(f"<{reference}.")
        assert list(message.iter_attachments()) == []
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert reference in text
        for personal in (patient.name, patient.phone, patient.postcode, BSN, "schulden"):
            assert personal is None or personal not in text, personal
    assert signal_row(p.db, stored.signal_id).status is SignalStatus.SENT
    with p.db.session() as session:
        assert check_record_states(session, p.gp.vault).ok


def test_a_cancelled_signal_never_leaves_and_shows_as_stopped(p: Practice, tmp_path: Path) -> None:
    export = tmp_path / "export"
    export.mkdir()
    set_delivery(p, export_folder=export)
    stored = add_signal(p)
    with p.db.session() as session:
        store.change_status(
            session, p.gp.vault, p.gp.actor, stored.reference, SignalStatus.CANCELLED,
            reason="Dubbel aangemaakt; het signaal van gisteren loopt al.", now=NOW,
        )  # fmt: skip
    assert outbox.flush(p.db, p.gp.vault, now=NOW).outcomes == ()
    assert list(export.iterdir()) == []
    assert {row.state for row in outbox_rows(p.db, stored.signal_id)} == {OutboxState.STOPPED}
    with p.db.session() as session:
        assert outbox.counts(session) == outbox.OutboxCounts(waiting=0, failed=0)
        [entry] = outbox.entries(session, signal_id=stored.signal_id)[:1]
        assert entry.as_json()["state"] == "gestopt" and entry.reference == stored.reference
