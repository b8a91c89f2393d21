"""The parsing process: ``python -m gpdesk.inbox.parsing.child --memory-mb N``.

It limits itself first (address space, no core dumps: a core file would put letter content on
disk), imports the readers, says it is ready, and then reads requests from stdin until it is
closed. Each request is two frames, the JSON (name and limits) and the raw bytes; each answer
is two frames, the JSON result and the blob of its bytes (see ``wire.py``). A frame is an
8-byte big-endian length and that many bytes. Before each item the CPU limit is set to the
time used so far plus the item's timeout, so a parser stuck in a loop is stopped by the
kernel even if nobody watches.

Standard output carries only frames: everything else that writes to it (a library's print, a
C library's warning) is sent to stderr, which the app discards.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import struct
import sys
from typing import IO, Final

__all__ = ["CHILD_FLAG", "READY", "main", "read_frame", "write_frame"]

READY: Final = b"gpdesk-inbox-parser-ready"
CHILD_FLAG: Final = "--inbox-parser-child"
"""A bundle's first argument that makes gpdesk this child (a frozen program has no ``-m``)."""
_LENGTH: Final = struct.Struct(">Q")
_MAX_REQUEST: Final = 1 << 31


def write_frame(stream: IO[bytes], data: bytes) -> None:
    """One frame: its length, then the bytes."""
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def read_frame(stream: IO[bytes], limit: int) -> bytes | None:
    """One frame, or None at a clean end of the stream; ``EOFError`` when cut off or too big."""
    head = _read_exactly(stream, _LENGTH.size)
    if head is None:
        return None
    (length,) = _LENGTH.unpack(head)
    if length > limit:
        raise EOFError("frame too large")
    body = _read_exactly(stream, length) if length else b""
    if body is None:
        raise EOFError("frame cut off")
    return body


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            if left == size:
                return None
            raise EOFError("stream cut off")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _limit_self(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the app's timeout is the only limit there
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mb > 0:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))


def _limit_cpu(seconds: float) -> None:
    try:
        import resource
    except ImportError:
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def main(argv: list[str] | None = None) -> int:
    """Serve requests until stdin closes."""
    parser = argparse.ArgumentParser(prog="gpdesk.inbox.parsing.child")
    parser.add_argument("--memory-mb", type=int, default=0)
    args = parser.parse_args(argv)
    _limit_self(args.memory_mb)

    # Keep the protocol channel to ourselves: fd 1 now points at stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    stdin = sys.stdin.buffer

    from gpdesk.inbox.parsing import reasons, wire
    from gpdesk.inbox.parsing.dispatch import parse_in_process
    from gpdesk.inbox.parsing.model import Parsed, Quarantined

    # The HTML sanitiser now, so its memory counts from the start and items start fast. The PDF
    # readers load with the first PDF checked: a fetch stores its letters first, PDFs unchecked
    # (``Limits.defer_pdf_check``), and a child that never checks one starts in half the time.
    importlib.import_module("nh3")

    write_frame(out, READY)
    out.flush()
    while True:
        header = read_frame(stdin, 1 << 20)
        if header is None:
            return 0
        request = json.loads(header)
        limits = wire.limits_from_json(request["limits"])
        _limit_cpu(limits.timeout_s)
        result: Parsed | Quarantined
        try:
            raw = read_frame(stdin, _MAX_REQUEST)
            if raw is None:
                return 1
            result = parse_in_process(str(request["name"]), raw, limits)
            del raw
        except MemoryError:
            result = reasons.out_of_memory(limits)
        except Exception:  # a reader's bug met by hostile input: quarantine, keep serving
            result = reasons.crashed()
        structure, blob = wire.dump_result(result)
        write_frame(out, structure)
        write_frame(out, blob)
        out.flush()
        if isinstance(result, Quarantined) and result.detail_code == "memory":
            return 0  # start afresh (the request may not have been read whole)


if __name__ == "__main__":
    sys.exit(main())
