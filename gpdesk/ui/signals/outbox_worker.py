"""The outbox on screen: sends what is due in the background and tells the status bar.

``OutboxWorker`` runs ``gpdesk.signals.outbox.flush`` through a ``TaskRunner`` (never on the
GUI thread): every ``interval_ms`` (30 s), and at once after a submit (``kick``). One flush runs
at a time; a kick during a flush runs one more right after it, so a signal stored meanwhile
does not wait for the next tick. After each flush it emits the counts and the status bar text
("Postvak uit: 0 wachtend", "Postvak uit: 1 wachtend, 1 niet verzonden"), and, when the flush
tried anything, the references it touched (``flushed``), so the Signaleren list and an open
timeline show what happened without the user asking.

Give it its own runner (``BackgroundTasks(threads=1)``) rather than the window's database
worker: a gateway that answers slowly then holds up only the outbox, not every screen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QObject, QTimer, Signal

from gpdesk.errors import GpdeskError
from gpdesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.security.crypto import Vault
    from gpdesk.signals.outbox import OutboxCounts

log = logging.getLogger(__name__)

INTERVAL_MS: Final = 30_000
EMPTY: Final = "Postvak uit: 0 wachtend"
UNKNOWN: Final = "Postvak uit: onbekend"
"""Shown when the outbox could not even be read (the database is away)."""


@dataclass(frozen=True)
class Flushed:
    """What one flush left: the counts, and the references of the signals it tried."""

    counts: OutboxCounts
    references: frozenset[str]


def _flush_and_count(db: Database, vault: Vault) -> Flushed:
    """The background part: send what is due, then count what is left (own sessions).

    The outbox (PDF renderer, FHIR models, SMTP) is imported here, on the worker, so that
    importing this module keeps them off the start-up path.
    """
    from gpdesk.signals import outbox

    report = outbox.flush(db, vault)
    with db.session() as session:
        counts = outbox.counts(session)
    return Flushed(counts, frozenset(outcome.reference for outcome in report.outcomes))


class OutboxWorker(QObject):
    """Flushes the outbox off the GUI thread on a timer and on ``kick``; reports the counts."""

    counts_changed = Signal(int, int)
    """(waiting, failed) after every flush."""
    status_changed = Signal(str)
    """The status bar text after every flush."""
    flushed = Signal(object)
    """The references (a ``frozenset[str]``) of the signals a flush tried; not sent when none."""

    def __init__(
        self,
        tasks: TaskRunner,
        db: Database,
        vault: Vault,
        *,
        interval_ms: int = INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._db = db
        self._vault = vault
        self._busy = False
        self._again = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.kick)
        self.status = EMPTY

    def start(self) -> None:
        """Flush now, then every interval."""
        self._timer.start()
        self.kick()

    def stop(self) -> None:
        """No more flushes (sign-out, lock); one that runs finishes on its own."""
        self._timer.stop()
        self._again = False

    @property
    def busy(self) -> bool:
        """A flush is running in the background."""
        return self._busy

    def kick(self) -> None:
        """Flush as soon as possible: now, or right after the flush that is running."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        db, vault = self._db, self._vault
        self._tasks.run(lambda: _flush_and_count(db, vault), self._done, self._failed, owner=self)

    def _done(self, result: Flushed) -> None:
        from gpdesk.signals.outbox import status_text  # loaded by the worker already

        self._busy = False
        counts = result.counts
        self.status = status_text(counts)
        self.counts_changed.emit(counts.waiting, counts.failed)
        self.status_changed.emit(self.status)
        if result.references:
            self.flushed.emit(result.references)
        self._next()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        if isinstance(error, GpdeskError):
            log.warning("outbox flush failed: %s", error.message)
        self.status = UNKNOWN
        self.status_changed.emit(self.status)
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self.kick()
