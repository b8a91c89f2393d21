"""Killed between the server's "accepted" and the commit: the next flush sends the same bytes.

A child process flushes and dies (``os._exit``) the moment ``smtp.send`` returns, before the
outbox can record anything. The parent then flushes once the child's lease has run out: the
server sees the same Message-ID with identical bytes (receivers drop the second by its ID),
and the database holds one signal, one SENT row and the status "verzonden". SQLite and
PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.models.signal import OutboxMessage, OutboxState, Signal, SignalStatus
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.signals import outbox
from tests.conftest import REPO
from tests.outbox_support import (
    Practice,
    add_signal,
    outbox_rows,
    practice,
    set_delivery,
    set_gateway,
    signal_row,
)
from tests.signal_support import CREATED
from tests.transport_support import Inbox, LocalController, Pki, make_pki, start_server

KILLED = 17
CHILD = """
import os, sys
from datetime import datetime
from gpdesk.db import open_database
from gpdesk.security.accounts import sign_in
from gpdesk.signals import outbox
from gpdesk.transport import smtp

real_send = smtp.send

def send_then_die(settings, message):
    real_send(settings, message)
    os._exit(int(sys.argv[4]))  # the server has it; nothing after this line runs

smtp.send = send_then_die
url, password, now = sys.argv[1:4]
db = open_database(url)
signed = sign_in(db, "bakker", password)
outbox.flush(db, signed.vault, now=datetime.fromisoformat(now))
sys.exit(0)
"""


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[Pki, Inbox, int]]:
    pki = make_pki(tmp_path)
    inbox = Inbox()
    controller: LocalController = start_server(
        inbox,
        tls_context=pki.server_context(),
        require_starttls=True,
        auth_require_tls=True,
        authenticator=inbox.authenticate,
        auth_required=True,
    )
    yield pki, inbox, controller.port
    controller.stop()


@pytest.fixture
def p(db: Database) -> Practice:
    return practice(db)


def test_a_send_killed_before_its_commit_is_repeated_with_the_same_bytes(
    p: Practice, gateway: tuple[Pki, Inbox, int]
) -> None:
    pki, inbox, port = gateway
    set_gateway(p, pki, port)
    set_delivery(p, certificate=pki.team.cert_pem.read_bytes())
    stored = add_signal(p)
    now = CREATED

    child = subprocess.run(
        [sys.executable, "-c", CHILD, p.db.url, DEMO_PASSWORD, now.isoformat(), str(KILLED)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert child.returncode == KILLED, child.stderr

    [first] = inbox.messages
    [row] = outbox_rows(p.db, stored.signal_id)
    assert row.state is OutboxState.SENDING and row.prepared is not None
    assert signal_row(p.db, stored.signal_id).status is SignalStatus.DRAFT

    # While the child's lease runs, nobody else takes the row: it may still be on the wire.
    assert outbox.flush(p.db, p.gp.vault, now=now + outbox.LEASE / 2).outcomes == ()
    assert len(inbox.messages) == 1

    report = outbox.flush(p.db, p.gp.vault, now=now + outbox.LEASE)

    assert report.sent == 1
    first_copy, second_copy = inbox.messages
    assert second_copy.data == first_copy.data == first.data
    parse = BytesParser(policy=policy.default).parsebytes
    assert parse(second_copy.data)["Message-ID"] == f"<{stored.reference}@desingel.example>"
    with p.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Signal)) == 1
        states = session.scalars(select(OutboxMessage.state)).all()
        assert states == [OutboxState.SENT]
        signal = session.get_one(Signal, stored.signal_id)
        assert signal.status is SignalStatus.SENT
        assert signal.sent_at == now + outbox.LEASE
