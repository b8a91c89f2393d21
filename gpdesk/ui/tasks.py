"""The one way screens do slow work: off the GUI thread, results back on the GUI thread.

``tasks.run(work, on_done, on_error)`` runs ``work()`` on a worker thread and calls ``on_done``
or ``on_error`` on the GUI thread. Database work goes through one serial worker (like Anki's
CollectionOp), so units of work never race each other; each opens its own short session.
``ImmediateTasks`` runs everything synchronously for logic tests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

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
    ) -> None:
        """Run ``work`` off the GUI thread and report back on it."""


class _Relay(QObject):
    """Lives on the GUI thread; a signal emitted from a worker is delivered here, queued.

    The value travels inside a tuple: PySide6 6.12.0 loses a reference to a Python ``bool``
    passed through a Python-defined signal, and enough of those crash the interpreter.
    """

    deliver = Signal(object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.deliver.connect(self._call)

    @Slot(object, object)
    def _call(self, callback: Callable[[Any], None], boxed: tuple[Any]) -> None:
        callback(boxed[0])


class _Job(QRunnable):
    def __init__(
        self,
        work: Callable[[], Any],
        relay: _Relay,
        on_done: Callable[[Any], None],
        on_error: ErrorHandler,
    ) -> None:
        super().__init__()
        self._work, self._relay, self._on_done, self._on_error = work, relay, on_done, on_error

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as exc:
            self._relay.deliver.emit(self._on_error, (exc,))
        else:
            self._relay.deliver.emit(self._on_done, (result,))


class BackgroundTasks(QObject):
    """A serial worker for database and file work (``threads=1``) or a small pool for network."""

    def __init__(
        self,
        default_error: ErrorHandler,
        *,
        threads: int = 1,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._default_error = default_error

    def run(
        self,
        work: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None = None,
    ) -> None:
        """Queue ``work``; callbacks run later on the GUI thread."""
        self._pool.start(_Job(work, self._relay, on_done, on_error or self._default_error))

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
    ) -> None:
        """Run ``work`` now and call the matching callback."""
        try:
            result = work()
        except BaseException as exc:
            handler = on_error or self._default_error
            if handler is None:
                raise
            handler(exc)
        else:
            on_done(result)
