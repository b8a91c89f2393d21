"""Read untrusted input in a separate process with a time and memory limit.

``ParserProcess`` keeps one child process (``python -m gpdesk.inbox.parsing.child``) and
sends it one item at a time; ``parse_file`` does the same for one item. A child that crashes,
runs out of memory, is stopped by its CPU limit or takes longer than ``Limits.timeout_s``
(then it is killed) gives a ``Quarantined`` with a Dutch reason, and the next item gets a new
child: the caller never sees an exception from the input and never waits longer than the
timeout. The child's answers are read back as JSON through strict checks, never unpickled.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Final

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from gpdesk.inbox.parsing import reasons, wire
from gpdesk.inbox.parsing.child import CHILD_FLAG, READY, read_frame, write_frame
from gpdesk.inbox.parsing.model import DEFAULT_LIMITS, Limits, Parsed, Quarantined

__all__ = ["CHILD_FLAG", "ParserProcess", "child_command", "parse_file"]

_STARTUP_TIMEOUT_S: Final = 60.0
_MAX_STRUCTURE: Final = 512 * 1024 * 1024
_SRC_ROOT: Final = str(Path(__file__).resolve().parents[3])
# Environment the child may see: nothing else (no passwords, no keys, no PYTHON* tricks).
_PASSED_ENV: Final = ("PATH", "SYSTEMROOT", "TEMP", "TMP", "LANG", "LC_ALL")

_Frame = bytes | None


def child_command(memory_mb: int) -> list[str]:
    """How the child is started: the same interpreter, the child module, the memory limit.

    In a PyInstaller bundle ``sys.executable`` is gpdesk itself, which cannot run ``-m``; its
    entry point hands a first argument ``--inbox-parser-child`` to the child's ``main``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG, "--memory-mb", str(memory_mb)]
    return [sys.executable, "-m", "gpdesk.inbox.parsing.child", "--memory-mb", str(memory_mb)]


def _child_env() -> dict[str, str]:
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    if not getattr(sys, "frozen", False):  # a bundle carries gpdesk inside itself
        env["PYTHONPATH"] = _SRC_ROOT  # gpdesk as this process imported it, installed or not
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


_PIPE_BYTES: Final = 1 << 20


def _widen(stream: IO[bytes] | None) -> None:
    """A pipe of 1 MB instead of 64 KB (Linux), so a batch of requests and answers fits in it.

    Then neither side waits for the other to be scheduled: this process's threads take turns
    on one interpreter lock, and the child would otherwise stop after a dozen answers until
    one of them got a turn to read.
    """
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or setting is None:
        return
    with contextlib.suppress(OSError):  # the system's limit is lower: the default then
        fcntl.fcntl(stream.fileno(), setting, _PIPE_BYTES)


class _Child:
    """One running child: its process and a thread that reads its frames into a queue."""

    def __init__(self, limits: Limits) -> None:
        self.process = subprocess.Popen(
            child_command(limits.memory_mb),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_child_env(),
            cwd=_SRC_ROOT,
            close_fds=True,
        )
        self.memory_mb = limits.memory_mb  # fixed for its life (RLIMIT_AS)
        for stream in (self.process.stdin, self.process.stdout):
            _widen(stream)
        self.frames: queue.Queue[_Frame] = queue.Queue()
        self._frame_limit = _MAX_STRUCTURE + 2 * limits.max_bytes
        self._requests: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(
            target=self._read, args=(self.process.stdout,), daemon=True, name="inbox-parser-read"
        ).start()
        threading.Thread(target=self._write, daemon=True, name="inbox-parser-write").start()

    def _read(self, stream: IO[bytes]) -> None:
        try:
            while True:
                frame = read_frame(stream, self._frame_limit)
                self.frames.put(frame)
                if frame is None:
                    return
        except (EOFError, OSError, ValueError):
            self.frames.put(None)

    def next_frame(self, deadline: float) -> _Frame:
        """The next frame; None when the child ended; ``TimeoutError`` past the deadline."""
        try:
            return self.frames.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty as error:
            raise TimeoutError from error

    def _write(self) -> None:
        """Write requests as they come, until the child is stopped or dies."""
        stdin = self.process.stdin
        while True:
            request = self._requests.get()
            if request is None or stdin is None:
                return
            try:
                write_frame(stdin, request[0])
                write_frame(stdin, request[1])
                stdin.flush()
            except (OSError, ValueError):
                return  # the child died; the reader reports it

    def send(self, header: bytes, raw: bytes) -> None:
        """Hand a request to the child's writing thread: a child that stops reading never blocks.

        One thread for the child's life: starting one per item cost more than reading a small
        letter's answer.
        """
        self._requests.put((header, raw))

    def kill(self) -> int | None:
        """Stop the child for good; its exit status (negative: the signal)."""
        self._requests.put(None)
        if self.process.poll() is None:
            self.process.kill()
        try:
            return self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            return None
        finally:
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()

    def close(self) -> None:
        """Let the child end by itself (stdin closed), or stop it."""
        self._requests.put(None)
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.kill()


class ParserProcess:
    """One parsing process, reused for item after item and restarted after any failure.

    Thread-safe (items are read one at a time); use as a context manager or call ``close``.
    Starting a child costs a few tenths of a second, so ingesting many files goes through one
    ``ParserProcess``; a single file may use ``parse_file``.
    """

    def __init__(
        self, limits: Limits = DEFAULT_LIMITS, *, startup_timeout_s: float = _STARTUP_TIMEOUT_S
    ) -> None:
        self.limits = limits
        self._startup_timeout_s = startup_timeout_s
        self._child: _Child | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> ParserProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child (if any); a later ``parse`` starts a new one."""
        with self._lock:
            if self._child is not None:
                self._child.close()
                self._child = None

    def parse(
        self, name: str, raw: bytes, *, defer_pdf_check: bool | None = None
    ) -> Parsed | Quarantined:
        """Read one item; ``name`` is its file name (``.eml`` for a message from IMAP).

        ``defer_pdf_check`` overrides the limits' own for this item only, so one child serves
        a fetch's storing (deferred) and its reading pass (checked) alike.
        """
        return self.parse_many([(name, raw)], defer_pdf_check=defer_pdf_check)[0]

    def parse_many(
        self, items: Sequence[tuple[str, bytes]], *, defer_pdf_check: bool | None = None
    ) -> list[Parsed | Quarantined]:
        """Read several items (name, bytes), in order, each as ``parse`` reads one.

        They are handed to the child all at once and the answers read as they come, so the child
        never waits for this process between two items (one at a time, it idled half the time).
        Each item still has its own time limit, counted from the answer before it. When the
        child fails on one, that one gets its reason and the rest go to a new child.
        """
        return list(self.parse_stream(items, defer_pdf_check=defer_pdf_check))

    def parse_stream(
        self, items: Sequence[tuple[str, bytes]], *, defer_pdf_check: bool | None = None
    ) -> Generator[Parsed | Quarantined, None, None]:
        """``parse_many``, each answer handed over as soon as it is read.

        What the caller does with one answer then overlaps with the child reading the next.
        The process is this caller's until the iterator ends or is closed; closed early, the
        child still busy with the rest is stopped (its answers would belong to nobody).
        """
        limits = self.limits
        if defer_pdf_check is not None and defer_pdf_check != limits.defer_pdf_check:
            limits = replace(limits, defer_pdf_check=defer_pdf_check)
        done = 0
        with self._lock:
            try:
                while done < len(items):
                    for result in self._parse_run(items[done:], limits):
                        done += 1
                        yield result
            finally:
                if done < len(items):
                    self._drop_child()

    def _parse_run(
        self, items: Sequence[tuple[str, bytes]], limits: Limits
    ) -> Iterator[Parsed | Quarantined]:
        """Answers for ``items`` up to and including the first that stopped the child."""
        answers: list[Parsed | Quarantined | None] = []
        for _, raw in items:
            if len(raw) > limits.max_bytes:
                answers.append(reasons.too_large(limits).as_result())
            elif not raw:
                answers.append(reasons.empty().as_result())
            else:
                answers.append(None)
        if all(answer is not None for answer in answers):
            yield from (answer for answer in answers if answer is not None)
            return
        child = self._ensure_child()
        if child is None:
            yield from (reasons.could_not_start() if a is None else a for a in answers)
            return
        shown = wire.limits_to_json(limits)
        for (name, raw), answer in zip(items, answers, strict=True):
            if answer is None:
                header = json.dumps({"name": name, "limits": shown}, ensure_ascii=True)
                child.send(header.encode("ascii"), raw)
        for answer in answers:
            if answer is not None:
                yield answer
                continue
            yield self._answer(child, limits)
            if self._child is not child:
                return  # it failed on this item: the rest go to a new child

    def _answer(self, child: _Child, limits: Limits) -> Parsed | Quarantined:
        """The child's answer to the next item it was sent; a failure stops the child."""
        deadline = time.monotonic() + limits.timeout_s
        try:
            structure = child.next_frame(deadline)
            blob = child.next_frame(deadline) if structure is not None else None
        except TimeoutError:
            self._drop_child()
            return reasons.timed_out(limits)
        if structure is None or blob is None:
            return self._died()
        try:
            result = wire.load_result(structure, blob)
        except wire.WireError:
            self._drop_child()
            return reasons.crashed()
        if isinstance(result, Quarantined) and result.detail_code == "memory":
            self._drop_child()  # it ends itself after a MemoryError; do not wait for that
        return result

    def parse_deferred(self, name: str, raw: bytes) -> Parsed | Quarantined:
        """Read one item for storing, its PDFs left for the reading pass (a ``Parser``)."""
        return self.parse(name, raw, defer_pdf_check=True)

    def parse_checked(self, name: str, raw: bytes) -> Parsed | Quarantined:
        """Read one item with every PDF checked, whatever the limits say (a ``Parser``)."""
        return self.parse(name, raw, defer_pdf_check=False)

    @property
    def pid(self) -> int | None:
        """The running child's process id (for diagnostics), or None."""
        child = self._child
        return child.process.pid if child is not None and child.process.poll() is None else None

    def _ensure_child(self) -> _Child | None:
        if (
            self._child is not None
            and self._child.process.poll() is None
            and self._child.memory_mb == self.limits.memory_mb
        ):
            return self._child
        if self._child is not None:
            self._child.kill()
        try:
            child = _Child(self.limits)
        except OSError:
            return None
        try:
            ready = child.next_frame(time.monotonic() + self._startup_timeout_s)
        except TimeoutError:
            ready = None
        if ready != READY:
            child.kill()
            return None
        self._child = child
        return child

    def _drop_child(self) -> None:
        if self._child is not None:
            self._child.kill()
            self._child = None

    def _died(self) -> Quarantined:
        """The child ended mid-item: say why, as far as its exit status tells."""
        status = self._child.kill() if self._child is not None else None
        self._child = None
        if status is not None and status == -getattr(signal, "SIGXCPU", -1000):
            return reasons.timed_out(self.limits)
        return reasons.crashed()


def parse_file(name: str, raw: bytes, limits: Limits = DEFAULT_LIMITS) -> Parsed | Quarantined:
    """Read one untrusted item in a fresh child process; never raises for bad input.

    For many items in a row, use one ``ParserProcess``: it keeps its child between items.
    """
    with ParserProcess(limits) as parser:
        return parser.parse(name, raw)
