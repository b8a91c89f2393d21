"""The inbox on screen: fetches from the mailboxes and drop folders in the background.

``FetchWorker`` runs ``gpdesk.inbox.fetching.fetch_one`` through a ``TaskRunner`` (never on the
GUI thread), one source at a time: on a timer it looks which enabled source is due
(``gpdesk.inbox.polling.FetchSchedule``: each at its own interval, a failing one backing off),
fetches it, clears what is past the retention period (``forget_due``, as ``fetch_all`` does),
and then takes the next source that is due at once. "Nu ophalen" (F9 in Terugkoppeling,
``fetch_now``) makes every source due. After each fetch it emits the status bar text
("Postvak in: opgehaald 10:42", "Postvak in: server niet bereikbaar, opnieuw om 10:47") with a
tooltip that has every source's full message, and, when the fetch stored letters, how many
(``letters_arrived``), so the list and the navigation's number follow without anyone asking.
A fetch stores its letters with their PDFs unchecked; right after, as a task of its own, the
reading pass checks them (``gpdesk.inbox.checking.check_pending``) and the worker says which
letters it changed (``letters_checked``): the list and the reading pane load them again, so a
PDF that said "wordt nog gecontroleerd" shows its preview.
Nothing here ever opens a dialog: a failure is a line in the status bar.

Give it its own runner (``BackgroundTasks(threads=1)``), as the outbox has: a mail server that
answers slowly then holds up only the fetching, never a click. The worker holds the unlocked key
(``SignedIn``), so the Desktop starts one per session, only for a user whose role may read
letters (``Permission.LETTER_READ``, what ``gpdesk inbox fetch`` requires), and stops and drops
it on lock, sign-out and close.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from gpdesk.errors import GpdeskError
from gpdesk.inbox.polling import (
    FETCHING,
    PREFIX,
    UNEXPECTED_PROBLEM,
    FetchSchedule,
    SourceStatus,
    pick_due,
    retry_at,
    status_line,
    status_tooltip,
)
from gpdesk.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.inbox.fetching import SourceOutcome
    from gpdesk.inbox.store.sources import SourceView
    from gpdesk.security.accounts import SignedIn

log = logging.getLogger(__name__)

TICK_MS: Final = 15_000
"""How often the worker looks whether a source is due (the shortest interval is a minute)."""
NO_SOURCE: Final = PREFIX + "geen postvak of map ingesteld, vraag de beheerder"
"""After "Nu ophalen" when Beheer has set up nothing to fetch from."""
LOCAL: Final = ZoneInfo("Europe/Amsterdam")
UNKNOWN: Final = PREFIX + "onbekend"
"""The sources could not even be read (the database is away); the next tick tries again."""


@dataclass(frozen=True)
class Pace:
    """How fast the worker goes: the program's pace, or a test's (milliseconds, not minutes)."""

    tick_ms: int = TICK_MS
    minute_s: float = 60.0
    """How long a source's interval minute lasts."""


@dataclass(frozen=True)
class Round:
    """What one turn in the background found and did."""

    sources: tuple[SourceView, ...]
    """The enabled sources, in the order they were added."""
    outcome: SourceOutcome | None
    """The one source fetched, or None when none was due."""


def fetch_due(db: Database, signed: SignedIn, due_times: Mapping[int, float], now: float) -> Round:
    """The background part: read the sources, fetch the first that is due, forget what is due.

    Fetching (the parser process, IMAP) is imported here, on the worker, so that importing
    this module keeps it off the start-up path.
    """
    from gpdesk.inbox.fetching import fetch_one, forget_due
    from gpdesk.inbox.store.sources import list_sources

    with db.session() as session:
        sources = tuple(view for view in list_sources(session) if view.enabled)
    chosen = pick_due([view.id for view in sources], due_times, now)
    if chosen is None:
        return Round(sources, None)
    outcome = fetch_one(db, signed, chosen, check=False)  # the pass follows as its own task
    forget_due(db, signed)
    return Round(sources, outcome)


def check_stored(db: Database, signed: SignedIn) -> list[int]:
    """The background part after a fetch: the reading pass; the letters it changed.

    A parsing process starts only when a PDF awaits its check. A failure leaves the PDFs
    marked, for the pass after the next fetch.
    """
    from gpdesk.inbox.fetching import run_check

    return run_check(db, signed).letters


def _local_now() -> datetime:
    """Dutch time, as every other time on screen, whatever the computer's own zone."""
    return datetime.now(LOCAL)


class FetchWorker(QObject):
    """Fetches each source at its own interval, off the GUI thread; reports to the status bar."""

    status_changed = Signal(str, str)
    """(line, tooltip) after every fetch; an empty line when there is nothing to fetch from."""
    letters_arrived = Signal(int)
    """How many letters a fetch stored (quarantined files included); not sent for none."""
    letters_checked = Signal(object)
    """The ids of letters whose PDFs the reading pass checked (a list); not sent for none."""

    def __init__(
        self,
        tasks: TaskRunner,
        db: Database,
        signed: SignedIn,
        *,
        pace: Pace | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = _local_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        pace = pace or Pace()
        self._tasks, self._db, self._signed = tasks, db, signed
        self._clock, self._wall = clock, wall
        self.schedule = FetchSchedule(minute_s=pace.minute_s)
        self._statuses: dict[int, SourceStatus] = {}
        self._busy = False
        self._again = False
        self._asked = False
        self._timer = QTimer(self)
        self._timer.setInterval(pace.tick_ms)
        self._timer.timeout.connect(self.kick)
        self.status = ""
        self.tooltip = ""

    def start(self) -> None:
        """Look now, then every tick."""
        self._timer.start()
        self.kick()

    def stop(self) -> None:
        """No more fetches (sign-out, lock); one that runs finishes, reporting to no one."""
        self._timer.stop()
        self._again = False

    @property
    def busy(self) -> bool:
        """A fetch (or the look for one) is running in the background."""
        return self._busy

    def fetch_now(self) -> None:
        """Nu ophalen: every source now, one after the other; the status bar says so at once."""
        self._asked = True
        self.schedule.all_now(self._clock())
        self._show(FETCHING, self.tooltip)
        self.kick()

    def kick(self) -> None:
        """Fetch the next source that is due: now, or right after the fetch that is running."""
        if self._busy:
            self._again = True
            return
        self._busy = True
        db, signed, due, now = self._db, self._signed, self.schedule.due_times(), self._clock()
        self._tasks.run(
            lambda: fetch_due(db, signed, due, now), self._done, self._failed, owner=self
        )

    def _done(self, turn: Round) -> None:
        self._busy = False
        now = self._clock()
        self.schedule.update(((v.id, v.interval_minutes) for v in turn.sources), now)
        labels = {view.id: view.label for view in turn.sources}
        self._statuses = {i: s for i, s in self._statuses.items() if i in labels}
        outcome = turn.outcome
        if outcome is not None:
            self._note(outcome, labels.get(outcome.source_id, outcome.label), now)
            if outcome.stored or outcome.quarantined:
                self.letters_arrived.emit(outcome.stored + outcome.quarantined)
        statuses = [self._statuses.get(v.id, SourceStatus(v.label)) for v in turn.sources]
        if not statuses:
            self._show(NO_SOURCE if self._asked else "", "")
        else:
            self._asked = False
            self._show(status_line(statuses), status_tooltip(statuses))
        if outcome is None:
            self._next(fetched=False)
            return
        self._busy = True  # the reading pass belongs to this round
        db, signed = self._db, self._signed
        self._tasks.run(
            lambda: check_stored(db, signed), self._checked, self._check_failed, owner=self
        )

    def _checked(self, letters: list[int]) -> None:
        self._busy = False
        if letters:
            self.letters_checked.emit(letters)
        self._next(fetched=True)

    def _check_failed(self, error: BaseException) -> None:
        """A bug in the pass (that has its crash log): the PDFs stay marked for the next one."""
        self._busy = False
        log.warning("the reading pass failed: %s", type(error).__name__)
        self._next(fetched=True)

    def _next(self, *, fetched: bool) -> None:
        if self._again or (fetched and self.schedule.due(self._clock())):
            self._again = False
            self.kick()  # the next source that is due, without waiting for the tick

    def _note(self, outcome: SourceOutcome, label: str, now: float) -> None:
        failed = outcome.error is not None
        wait = self.schedule.fetched(outcome.source_id, now, failed=failed)
        wall = self._wall()
        before = self._statuses.get(outcome.source_id)
        if not failed:
            self._statuses[outcome.source_id] = SourceStatus(label, fetched_at=wall)
            return
        self._statuses[outcome.source_id] = SourceStatus(
            label,
            fetched_at=None if before is None else before.fetched_at,
            problem=outcome.problem or UNEXPECTED_PROBLEM,
            message=outcome.error,
            retry_at=retry_at(wall, wait),
            temporary=outcome.temporary,
        )

    def _failed(self, error: BaseException) -> None:
        """The look itself failed (the database is away, or a bug: that has its crash log)."""
        self._busy = False
        now, wall = self._clock(), self._wall()
        message = error.user_text() if isinstance(error, GpdeskError) else None
        log.warning("fetching from the inbox sources failed: %s", type(error).__name__)
        due = self.schedule.due(now)
        for source_id in due:  # whichever of them was being fetched waits longer, as a failure
            wait = self.schedule.fetched(source_id, now, failed=True)
            before = self._statuses.get(source_id)
            self._statuses[source_id] = SourceStatus(
                before.label if before is not None else f"bron {source_id}",
                fetched_at=None if before is None else before.fetched_at,
                problem=UNEXPECTED_PROBLEM,
                message=message or "Er ging iets mis bij het ophalen; er is niets verloren.",
                retry_at=retry_at(wall, wait),
            )
        known = [self._statuses[i] for i in self.schedule.sources if i in self._statuses]
        if known:
            self._show(status_line(known), status_tooltip(known))
        else:
            self._show(UNKNOWN, message or "")
        if self._again:
            self._again = False
            self.kick()

    def _show(self, line: str, tooltip: str) -> None:
        self.status, self.tooltip = line, tooltip
        self.status_changed.emit(line, tooltip)
