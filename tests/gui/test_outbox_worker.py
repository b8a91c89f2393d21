"""The outbox worker sends off the GUI thread: a gateway that takes 5 s freezes nothing."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from gpdesk.db import Database, open_database
from gpdesk.models.base import utcnow
from gpdesk.models.signal import OutboxState
from gpdesk.ui.signals.outbox_worker import OutboxWorker
from gpdesk.ui.tasks import BackgroundTasks
from tests.outbox_support import add_signal, outbox_rows, practice, set_delivery, set_gateway
from tests.transport_support import Inbox, make_pki, start_server

ANSWER_AFTER = 5.0
HEARTBEAT_MS = 50
MAX_LATE_MS = 200


class SlowInbox(Inbox):
    """A gateway that takes its time to accept a message, as a busy one does."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(ANSWER_AFTER)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture
def tasks(qtbot: QtBot, tmp_path: Path) -> Iterator[BackgroundTasks]:
    unhandled: list[BaseException] = []
    runner = BackgroundTasks(unhandled.append, crash_dir=tmp_path / "crashes", threads=1)
    yield runner
    runner.wait()
    assert not unhandled


def test_the_event_loop_keeps_running_while_a_slow_gateway_takes_the_message(
    qtbot: QtBot, db: Database, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path)
    inbox = SlowInbox()
    controller = start_server(
        inbox, tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True,
        authenticator=inbox.authenticate, auth_required=True,
    )  # fmt: skip
    try:
        p = practice(db)
        set_gateway(p, pki, controller.port)
        set_delivery(p)
        stored = add_signal(p, created=utcnow())  # the worker flushes on the real clock
        worker = OutboxWorker(tasks, db, p.gp.vault, interval_ms=60_000)
        statuses: list[str] = []
        worker.status_changed.connect(statuses.append)

        beats: list[float] = []
        heartbeat = QTimer()
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(lambda: beats.append(time.monotonic()))
        heartbeat.start()
        started = time.monotonic()
        worker.kick()
        assert worker.busy  # handed to the background at once
        qtbot.waitUntil(lambda: bool(statuses), timeout=60_000)
        took = time.monotonic() - started
        heartbeat.stop()
        worker.stop()

        assert took >= ANSWER_AFTER  # the send really was in flight all that time
        gaps = [later - earlier for earlier, later in itertools.pairwise(beats)]
        assert len(beats) >= ANSWER_AFTER * 1000 / HEARTBEAT_MS * 0.8
        late_ms = max(gaps) * 1000 - HEARTBEAT_MS
        assert late_ms <= MAX_LATE_MS, f"heartbeat late by {late_ms:.0f} ms"
        assert statuses == ["Postvak uit: 0 wachtend"]
        assert len(inbox.messages) == 1
        [row] = outbox_rows(db, stored.signal_id)
        assert row.state is OutboxState.SENT
    finally:
        controller.stop()


def test_every_kick_is_answered_and_a_signal_stored_meanwhile_goes(
    qtbot: QtBot, db: Database, tasks: BackgroundTasks, tmp_path: Path
) -> None:
    p = practice(db)
    export = tmp_path / "export"
    export.mkdir()
    set_delivery(p, email=None, export_folder=export)
    worker = OutboxWorker(tasks, db, p.gp.vault)
    counts: list[tuple[int, int]] = []
    worker.counts_changed.connect(lambda waiting, failed: counts.append((waiting, failed)))
    worker.kick()
    add_signal(p, created=utcnow())  # after the first kick: the next flush takes it
    worker.kick()
    qtbot.waitUntil(lambda: len(counts) == 2, timeout=30_000)
    assert counts[-1] == (0, 0)
    assert len(list(export.iterdir())) == 1
    assert worker.status == "Postvak uit: 0 wachtend"
