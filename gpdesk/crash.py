"""Crash handling: a crash log without patient data, then a clear message to the user.

Exception *messages* can contain anything (a BSN in a ValueError, a name in a KeyError), so the
crash log keeps only exception types and the stack (file, line, function). Our own GpdeskError
messages are patient-free by contract and are kept.
"""

from __future__ import annotations

import faulthandler
import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from gpdesk import __version__
from gpdesk.errors import GpdeskError

log = logging.getLogger(__name__)

_fault_file: IO[str] | None = None


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
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in reversed(chain):
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


def install(crash_dir: Path, on_crash: Callable[[Path | None], None] | None = None) -> None:
    """Enable faulthandler and route uncaught exceptions (any thread) to a crash log."""
    global _fault_file  # noqa: PLW0603 - one process-wide fault log, opened once
    try:
        crash_dir.mkdir(parents=True, exist_ok=True)
        if _fault_file is None:
            _fault_file = (crash_dir / "fault.log").open("a", encoding="utf-8")
        faulthandler.enable(_fault_file)
    except OSError:
        faulthandler.enable()

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        path = write_crash_log(crash_dir, exc_type, exc, tb)
        log.error("unexpected error %s; crash log %s", exc_type.__name__, path)
        if on_crash is not None:
            on_crash(path)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            hook(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = hook
    threading.excepthook = thread_hook
