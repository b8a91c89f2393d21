"""The one way screens do slow work: off the GUI thread, results back on the GUI thread.

``tasks.run(work, on_done, on_error)`` runs ``work()`` on a worker thread and calls ``on_done``
or ``on_error`` on the GUI thread. Database work goes through one serial worker (like Anki's
CollectionOp), so units of work never race each other; each opens its own short session.
``ImmediateTasks`` runs everything synchronously for logic tests.

An exception that is not a ``GpdeskError`` (an expected, user-actionable error) is a bug: it
gets a scrubbed crash log and an ERROR log line here, before ``on_error`` turns it into words.

The worker never holds the last reference to ``work``, the callbacks, the result or the
exception: they often hold a widget (a bound method, a closure over a dialog), and a widget
whose last reference goes on a worker thread is destroyed there, while the GUI thread may be
painting it. So the GUI thread keeps them until the job is delivered, and the worker lets go
of its own references before it reports back.

A result can arrive after the screen that asked for it is gone (a dialog closed while it was
loading). A callback bound to a Qt object whose C++ side was deleted, or a job whose ``owner``
was deleted, is not called: there is nobody left to tell.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from gpdesk.crash import CrashLog, crash_log
from gpdesk.errors import GpdeskError

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]


class TaskRunner(Protocol):
    """What a screen needs to run work in the background."""

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Run ``work`` off the GUI thread and report back on it, unless ``owner`` is gone."""


@dataclass
class _Pending:
    """One queued job: what to run, whom to tell, and (once run) how it went."""

    work: Callable[[], Any]
    on_done: Callable[[Any], None]
    on_error: ErrorHandler
    owner: QObject | None = None
    failed: bool = False
    outcome: Any = None

    def receivers_alive(self) -> bool:
        """False when the owner, or the Qt object a callback is bound to, has been deleted."""
        bound = (getattr(self.on_done, "__self__", None), getattr(self.on_error, "__self__", None))
        objects = (self.owner, *bound)
        return all(shiboken6.isValid(obj) for obj in objects if isinstance(obj, QObject))


class _Relay(QObject):
    """Lives on the GUI thread; a job's number emitted from a worker arrives here, queued.

    Only the number travels through the signal (PySide6 6.12.0 loses a reference to a Python
    ``bool`` passed through a Python-defined signal; an int becomes a C++ int).
    """

    finished = Signal(int)


class _Job:
    """What a worker thread runs: a plain callable, not a QRunnable subclass.

    PySide6 keeps every Python ``QRunnable`` whose ``run`` emitted a signal referenced from
    its pool's wrapper, for as long as the pool lives: each job, and what it held, leaked.
    """

    def __init__(self, number: int, pending: _Pending, relay: _Relay, crashes: CrashLog) -> None:
        self._number, self._relay, self._crashes = number, relay, crashes
        self._pending: _Pending | None = pending

    def __call__(self) -> None:
        pending, self._pending = self._pending, None
        assert pending is not None
        try:
            pending.outcome = pending.work()
        except BaseException as exc:  # every failure goes back to the GUI thread
            pending.failed, pending.outcome = True, exc
            if not isinstance(exc, GpdeskError):
                self._crashes.record(exc, "unexpected error in background work")
        del pending  # the GUI thread's reference is now the last one
        self._relay.finished.emit(self._number)


class BackgroundTasks(QObject):
    """A serial worker for database and file work (``threads=1``) or a small pool for network.

    ``crash_dir`` receives a crash log for every unexpected exception (see the module note).
    """

    def __init__(
        self,
        default_error: ErrorHandler,
        *,
        crash_dir: Path,
        threads: int = 1,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._deliver)
        self._default_error = default_error
        self._crashes = crash_log(crash_dir)
        self._numbers = itertools.count()
        self._pending: dict[int, _Pending] = {}

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Queue ``work``; callbacks run later on the GUI thread if their receivers still exist."""
        number = next(self._numbers)
        pending = _Pending(work, on_done, on_error or self._default_error, owner)
        self._pending[number] = pending
        self._pool.start(_Job(number, pending, self._relay, self._crashes))

    @Slot(int)
    def _deliver(self, number: int) -> None:
        pending = self._pending.pop(number)
        if not pending.receivers_alive():
            log.debug("result of background job %d dropped: its screen is gone", number)
        elif pending.failed:
            pending.on_error(pending.outcome)
        else:
            pending.on_done(pending.outcome)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until queued work is done (shutdown and tests only; never from a click)."""
        return self._pool.waitForDone(msecs)


class ImmediateTasks:
    """Synchronous stand-in for logic tests: same contract, no threads."""

    def __init__(self, default_error: ErrorHandler | None = None) -> None:
        self._default_error = default_error

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None = None,
        *,
        owner: QObject | None = None,
    ) -> None:
        """Run ``work`` now and call the matching callback (``owner`` is alive: it asked now)."""
        try:
            result = work()
        except BaseException as exc:
            handler = on_error or self._default_error
            if handler is None:
                raise
            handler(exc)
        else:
            on_done(result)
