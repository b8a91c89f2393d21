"""A drop folder is taken in batches (one transaction each, stored at once; should that fail,
a savepoint per letter): a letter that cannot be stored rolls back alone, the ones before it are
committed and moved, and it and the rest stay in the folder for the next fetch. Against both
databases.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gpdesk.db import Database
from gpdesk.inbox import intake
from gpdesk.inbox.fetching import fetch_one
from gpdesk.inbox.sources.folder import PROCESSED
from gpdesk.inbox.store import bulk, receive
from gpdesk.inbox.store.sources import add_folder_source
from gpdesk.models import AuditEntry, Letter
from gpdesk.security import audit
from tests.dovecot_support import letter
from tests.store_support import ready_practice, signed


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    ready_practice(db, folder=tmp_path / "export")
    return db


def _drop(folder: Path, count: int) -> None:
    folder.mkdir()
    settled = time.time() - 60
    for number in range(1, count + 1):
        path = folder / f"bericht-{number}.eml"
        path.write_bytes(letter(number))
        os.utime(path, (settled - count + number, settled - count + number))


def _count(db: Database, model: Any) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_letter_that_fails_to_store_rolls_back_alone_and_waits_in_the_folder(
    practice: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ontvangst"
    _drop(folder, 4)
    manager = signed(practice, "smit")
    with practice.session() as session:
        source = add_folder_source(session, manager.vault, manager.actor, folder).id
    assistant = signed(practice, "jansen")
    entries = _count(practice, AuditEntry)
    real = receive
    calls: list[int] = []

    def fail_the_third(*args: Any, **kwargs: Any) -> Any:
        stored = real(*args, **kwargs)  # written, audited: then it fails after all
        calls.append(stored.letter_id)
        if len(calls) == 3:
            raise RuntimeError("this letter could not be kept")
        return stored

    real_batch = bulk.receive_batch

    def fail_at_once(*args: Any, **kwargs: Any) -> Any:
        real_batch(*args, **kwargs)  # all written and audited: then it fails after all
        raise RuntimeError("this batch could not be kept at once")

    # The batch at once fails and rolls back; letter by letter, the third fails.
    monkeypatch.setattr(intake, "receive_batch", fail_at_once)
    monkeypatch.setattr(intake, "receive", fail_the_third)
    outcome = fetch_one(practice, assistant, source)

    assert outcome.error is not None and outcome.stored == 2
    assert _count(practice, Letter) == 2  # the third's letter and audit entry rolled back
    assert _count(practice, AuditEntry) == entries + 2
    assert sorted(p.name for p in (folder / PROCESSED).iterdir()) == [
        "bericht-1.eml",
        "bericht-2.eml",
    ]
    assert sorted(p.name for p in folder.glob("*.eml")) == ["bericht-3.eml", "bericht-4.eml"]

    monkeypatch.setattr(intake, "receive", real)
    monkeypatch.setattr(intake, "receive_batch", real_batch)
    again = fetch_one(practice, assistant, source)

    assert (again.error, again.stored, again.duplicates) == (None, 2, 0)
    assert _count(practice, Letter) == 4
    assert list(folder.glob("*.eml")) == []
    with practice.session() as session:
        assert audit.verify(session, vault=assistant.vault).ok
