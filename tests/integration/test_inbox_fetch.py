"""A fetch that stops half-way (a crash after a letter was stored, before the server heard it)
loses nothing and stores nothing twice: the next fetch hands that message again, and the store
knows it. Against a real Dovecot and both databases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.inbox import fetching, intake
from gpdesk.inbox.sources.imap import ImapSettings
from gpdesk.inbox.store.sources import add_imap_source, list_sources
from gpdesk.models import InboxSource, Letter
from tests.dovecot_support import IMAP_PASSWORD, DovecotServer, letter
from tests.store_support import ready_practice, signed


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


def _letters(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Letter)) or 0


def test_a_crash_after_storing_loses_nothing_and_stores_nothing_twice(
    practice: Database, dovecot: DovecotServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    manager = signed(practice, "smit")
    settings = ImapSettings(
        host=dovecot.host, port=dovecot.tls_port, security="tls", username=dovecot.user,
        password=IMAP_PASSWORD, ca_file=dovecot.pki.ca.cert_pem,
    )  # fmt: skip
    with practice.session() as session:
        source = add_imap_source(session, manager.vault, manager.actor, settings)
    with dovecot.mailbox() as box:
        for number in (1, 2, 3):
            box.append(letter(number))
    assistant = signed(practice, "jansen")
    real = intake.take_in  # what fetching calls
    calls: list[int] = []

    def crash_after_the_second(*args: Any, **kwargs: Any) -> Any:
        stored = real(*args, **kwargs)
        calls.append(stored.letter_id)
        if len(calls) == 2:
            raise RuntimeError("the workstation went down here")
        return stored

    monkeypatch.setattr(fetching, "take_in", crash_after_the_second)
    outcome = fetching.fetch_one(practice, assistant, source.id)
    assert outcome.error is not None and outcome.stored == 1
    assert _letters(practice) == 2  # the second was stored before the crash
    with dovecot.mailbox() as box:
        assert len(box.seen()) == 1  # ... but the server was only told about the first
    with practice.session() as session:
        row = session.get(InboxSource, source.id)
        assert row is not None and row.last_error is not None

    monkeypatch.setattr(fetching, "take_in", real)
    again = fetching.fetch_one(practice, assistant, source.id)
    assert (again.error, again.duplicates, again.stored) == (None, 1, 1)
    assert _letters(practice) == 3
    with dovecot.mailbox() as box:
        assert len(box.seen()) == 3
    with practice.session() as session:
        assert [v.last_error for v in list_sources(session)] == [None]
    assert fetching.fetch_one(practice, assistant, source.id).stored == 0
