"""Crash handling: a crash log without patient data, then a clear message to the user.

Exception *messages* can contain anything (a BSN in a ValueError, a name in a KeyError), so the
crash log keeps only exception types and the stack (file, line, function). Our own GpdeskError
messages are patient-free by contract and are kept.

A broken view raises on every paint, hundreds of times a second. So a failure is written once
per run (``CrashLog``): the same exception types at the same places in the code are counted,
not written again.
"""

from __future__ import annotations

import faulthandler
import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from gpdesk import __version__
from gpdesk.errors import GpdeskError

log = logging.getLogger(__name__)

_fault_file: IO[str] | None = None
_logs: dict[Path, CrashLog] = {}
_logs_lock = threading.Lock()
_MAX_CHAIN = 5


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception first, then what caused it (at most five)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < _MAX_CHAIN:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def failure_key(exc: BaseException) -> tuple[object, ...]:
    """What makes two crashes the same failure: exception types and stacks, never messages."""
    return tuple(
        (
            f"{type(item).__module__}.{type(item).__qualname__}",
            tuple(
                (frame.f_code.co_filename, line, frame.f_code.co_name)
                for frame, line in traceback.walk_tb(item.__traceback__)
            ),
        )
        for item in _chain(exc)
    )


def scrubbed_report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> str:
    """The crash report text: versions, exception types and frames, no messages or locals."""
    lines = [
        f"gpdesk {__version__} crash report",
        f"time: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"python: {platform.python_version()} on {platform.platform(terse=True)}",
        "",
    ]
    for item in reversed(_chain(exc)):
        name = f"{type(item).__module__}.{type(item).__qualname__}"
        shown = item.message if isinstance(item, GpdeskError) else "(message withheld)"
        lines.append(f"{name}: {shown}")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
        lines.append("")
    return "\n".join(lines)


def write_crash_log(
    crash_dir: Path,
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
) -> Path | None:
    """Write the scrubbed report; None when even that is impossible (e.g. a full disk)."""
    try:
        crash_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
        path = crash_dir / f"crash-{stamp}.txt"
        path.write_text(scrubbed_report(exc_type, exc, tb), encoding="utf-8")
        return path
    except OSError:
        return None


@dataclass(frozen=True)
class CrashRecord:
    """One crash as recorded: its log (None when it could not be written) and how often."""

    path: Path | None
    count: int
    """1 the first time this failure happened in this run, then 2, 3, ..."""

    @property
    def first(self) -> bool:
        """Whether this is the failure's first occurrence in this run."""
        return self.count == 1


class CrashLog:
    """The crash logs of one run in one folder: one file per distinct failure, repeats counted.

    Safe to use from any thread (the GUI thread, background workers, the exception hooks).
    """

    def __init__(self, crash_dir: Path) -> None:
        self.crash_dir = crash_dir
        self._lock = threading.Lock()
        self._seen: dict[tuple[object, ...], CrashRecord] = {}

    def record(self, exc: BaseException, where: str = "unexpected error") -> CrashRecord:
        """Write the scrubbed report the first time, count it afterwards; log both sparingly."""
        key = failure_key(exc)
        name = type(exc).__name__
        with self._lock:
            seen = self._seen.get(key)
            if seen is None:
                path = write_crash_log(self.crash_dir, type(exc), exc, exc.__traceback__)
                current = CrashRecord(path, 1)
                log.error("%s: %s; crash log %s", where, name, path)
            else:
                current = CrashRecord(seen.path, seen.count + 1)
                if _is_power_of_ten(current.count):
                    log.error(
                        "%s: %s again, %d times now; crash log %s",
                        where,
                        name,
                        current.count,
                        current.path,
                    )
            self._seen[key] = current
        return current

    @property
    def counts(self) -> dict[Path | None, int]:
        """How often each written failure happened so far (for tests and diagnostics)."""
        with self._lock:
            return {record.path: record.count for record in self._seen.values()}


def _is_power_of_ten(number: int) -> bool:
    while number >= 10 and number % 10 == 0:
        number //= 10
    return number == 1


def crash_log(crash_dir: Path) -> CrashLog:
    """The one ``CrashLog`` of this run for a folder, shared by the hooks and background work."""
    with _logs_lock:
        found = _logs.get(crash_dir)
        if found is None:
            found = _logs[crash_dir] = CrashLog(crash_dir)
        return found


def excepthook(
    crashes: CrashLog, on_crash: Callable[[CrashRecord], None] | None = None
) -> Callable[[type[BaseException], BaseException, TracebackType | None], None]:
    """A ``sys.excepthook`` that records the crash and then tells ``on_crash`` (any thread)."""

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        if exc.__traceback__ is None:
            exc = exc.with_traceback(tb)
        record = crashes.record(exc)
        if on_crash is not None:
            on_crash(record)

    return hook


def install(crash_dir: Path, on_crash: Callable[[CrashRecord], None] | None = None) -> None:
    """Enable faulthandler and route uncaught exceptions (any thread) to a crash log."""
    global _fault_file  # noqa: PLW0603 - one process-wide fault log, opened once
    try:
        crash_dir.mkdir(parents=True, exist_ok=True)
        if _fault_file is None:
            _fault_file = (crash_dir / "fault.log").open("a", encoding="utf-8")
        faulthandler.enable(_fault_file)
    except OSError:
        faulthandler.enable()

    hook = excepthook(crash_log(crash_dir), on_crash)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
