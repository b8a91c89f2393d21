"""The drop folder: files a secure-mail client saves (.eml, .pdf, .txt, Edifact .edi), kept first.

Each complete file is handed to the caller's ``keep``, which stores it durably; only when
``keep`` returns is the file moved to the ``verwerkt`` subfolder. A crash in between leaves the
file where it was, so the next scan hands it over again and the caller's dedupe (Message-ID and
a hash of the bytes) stops a second copy. So ``keep`` must return normally for a file it
already has.

Every regular file counts, whatever its extension: what it is, and whether it may ever be
opened, is for the parser to decide (an executable is kept in quarantine, never dropped).
Not handed over (yet): hidden files, names that clients use while writing (``*.part``,
``*.tmp``, ``~$*``), symbolic links, subfolders, and files changed within the last ``settle``
seconds (a client may still be writing them). Files larger than the limit are handed over as
too-large markers without being read. Polling is enough: a scan is cheap and idempotent.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Generic, TypeVar

from gpdesk.inbox.sources.errors import DropFolderError, KeepFailedError

log = logging.getLogger(__name__)

T = TypeVar("T")

PROCESSED = "verwerkt"
"""The subfolder a file moves to once it is kept."""
SETTLE_SECONDS = 5.0
"""A file changed more recently than this may still be being written: the next scan takes it."""
MAX_FILE_BYTES = 25 * 1024 * 1024
"""A larger file is not read: the caller gets a too-large marker to quarantine."""
_PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".crdownload", ".download", "~")
_PARTIAL_PREFIXES = (".", "~$")
_WINDOWS_HIDDEN = 0x2  # FILE_ATTRIBUTE_HIDDEN
_MAX_NAME_TRIES = 10_000


@dataclass(frozen=True)
class DroppedFile:
    """One complete file from the drop folder, for the caller to store before it is moved.

    ``too_large``: bigger than the limit and not read; ``raw`` is empty. It is never dropped.
    The name stays out of the repr: secure-mail clients often name a file after the patient.
    """

    name: str = field(repr=False)
    path: Path = field(repr=False)
    raw: bytes = field(repr=False)
    size: int
    source: str
    too_large: bool = False


@dataclass(frozen=True)
class ScanResult:
    """What one scan did."""

    kept: int
    """Files handed to ``keep`` (each then moved to ``verwerkt``, unless another scan did)."""
    moved_to: tuple[Path, ...]
    """Where each moved file now is (names made unique: nothing is ever overwritten)."""
    waiting: int
    """Files left for a later scan: still being written, or after one that failed."""


def folder_label(folder: Path) -> str:
    """Where a file came from, for the letter's record."""
    return f"map:{folder}"


def _error(error: OSError, folder: Path, *, kept: bool = False) -> DropFolderError:
    after = (
        " Het bestand is wel bewaard; het wordt de volgende keer opnieuw aangeboden."
        if kept
        else " Er is niets opgehaald."
    )
    if isinstance(error, PermissionError) or error.errno in (errno.EACCES, errno.EPERM):
        return DropFolderError(
            f"gpdesk mag de ontvangstmap ({folder}) niet lezen of er niet in schrijven.{after}",
            hint="Vraag de beheerder om lees- en schrijfrechten op deze map en op de submap "
            f"'{PROCESSED}'.",
            temporary=False,
        )
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return DropFolderError(
            f"De ontvangstmap ({folder}) bestaat niet of is geen map.{after}",
            hint="Is de netwerkschijf verbonden? Controleer anders de map bij de bronnen van "
            "de inbox.",
            temporary=True,
        )
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return DropFolderError(
            f"De schijf van de ontvangstmap ({folder}) is vol.{after}",
            hint="Maak ruimte vrij; gpdesk probeert het later opnieuw.",
            temporary=True,
        )
    return DropFolderError(
        f"De ontvangstmap ({folder}) is nu niet te gebruiken.{after}",
        hint="gpdesk probeert het later opnieuw.",
        temporary=True,
    )


def _looks_partial(name: str) -> bool:
    lower = name.lower()
    return lower.startswith(_PARTIAL_PREFIXES) or lower.endswith(_PARTIAL_SUFFIXES)


def _candidates(folder: Path, settle: float) -> tuple[list[tuple[Path, os.stat_result]], int]:
    """Complete regular files, oldest first; and how many are still settling."""
    ready: list[tuple[Path, os.stat_result]] = []
    settling = 0
    now = time.time()
    with os.scandir(folder) as entries:
        for entry in entries:
            if _looks_partial(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # taken away while we looked
            if not stat.S_ISREG(info.st_mode):
                continue  # subfolders (verwerkt among them), links, devices
            if getattr(info, "st_file_attributes", 0) & _WINDOWS_HIDDEN:
                continue
            if now - info.st_mtime < settle:
                settling += 1
                continue
            ready.append((Path(entry.path), info))
    ready.sort(key=lambda item: (item[1].st_mtime, item[0].name))
    return ready, settling


def _read(path: Path, info: os.stat_result, max_size: int) -> bytes | None:
    """The file's bytes; None when it changed while being read (still being written)."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        raw = handle.read(max_size + 1)
        after = os.fstat(handle.fileno())
    if (after.st_size, after.st_mtime_ns) != (info.st_size, info.st_mtime_ns):
        return None
    return raw if len(raw) == info.st_size else None


def _unique_names(name: str) -> Iterator[str]:
    """name.ext, then "name (2).ext", "name (3).ext", ..."""
    yield name
    stem, dot, suffix = name.rpartition(".")
    if not stem:
        stem, dot, suffix = name, "", ""
    for number in range(2, _MAX_NAME_TRIES):
        yield f"{stem} ({number}){dot}{suffix}"


def move_unique(path: Path, target_folder: Path) -> Path:
    """Move ``path`` into ``target_folder`` under a free name; an existing file is never replaced.

    A hard link claims the new name atomically (it fails when the name exists); where links are
    not possible (some network shares) a rename after a check, which Windows refuses to let
    overwrite anyway.
    """
    for name in _unique_names(path.name):
        target = target_folder / name
        try:
            os.link(path, target)
        except FileExistsError:
            continue
        except OSError:
            if target.exists():
                continue
            path.rename(target)
            return target
        path.unlink()
        return target
    raise FileExistsError(errno.EEXIST, "no free name", str(path))


@dataclass(frozen=True)
class Batching:
    """How many files ``scan_batches`` hands over at once: one transaction's worth."""

    files: int = 50
    bytes: int = 32 * 1024 * 1024
    """The files' sizes together; a batch always takes at least one file."""


class BatchStoppedError(Exception):
    """From a batch ``keep``: the first ``kept`` files are stored, then ``error`` stopped it."""

    def __init__(self, kept: int, error: Exception) -> None:
        super().__init__(kept)
        self.kept = kept
        self.error = error


@dataclass
class _Loaded(Generic[T]):
    """One batch read from disk (and prepared): the files, how many were skipped as unsettled."""

    files: list[DroppedFile]
    changed: int
    prepared: T | None = None


def _batches(
    ready: list[tuple[Path, os.stat_result]], batching: Batching, max_size: int
) -> list[list[tuple[Path, os.stat_result]]]:
    batches: list[list[tuple[Path, os.stat_result]]] = []
    size = 0
    for path, info in ready:
        counted = 0 if info.st_size > max_size else info.st_size
        current = batches[-1] if batches else None
        if current is None or len(current) >= batching.files or size + counted > batching.bytes:
            batches.append([])
            size = 0
        batches[-1].append((path, info))
        size += counted
    return batches


def scan(
    folder: Path,
    keep: Callable[[DroppedFile], None],
    *,
    settle: float = SETTLE_SECONDS,
    max_size: int = MAX_FILE_BYTES,
) -> ScanResult:
    """Hand every complete file in ``folder`` to ``keep``, oldest first; move each after it.

    ``keep`` must store the file durably before it returns. When it raises, the scan stops at
    that file (it stays where it is) with ``KeepFailedError``, which carries the result so far.

    Raises:
        DropFolderError: the folder is missing, cannot be read, or ``verwerkt`` cannot be made
            or written (checked before anything is handed over).
        KeepFailedError: as above.
    """

    def keep_one(files: list[DroppedFile], _prepared: None) -> None:
        for index, dropped in enumerate(files):
            try:
                keep(dropped)
            except Exception as error:
                raise BatchStoppedError(index, error) from error

    return scan_batches(
        folder, keep_one, settle=settle, max_size=max_size, batching=Batching(files=1)
    )


_READ_AHEAD: Final = 2
"""Batches read ahead of the one being stored: the reading process starts on the second while
this process still handles the first one's answers, and is never left waiting."""


def scan_batches(
    folder: Path,
    keep: Callable[[list[DroppedFile], T | None], None],
    *,
    prepare: Callable[[list[DroppedFile]], T] | None = None,
    settle: float = SETTLE_SECONDS,
    max_size: int = MAX_FILE_BYTES,
    batching: Batching | None = None,
) -> ScanResult:
    """``scan`` a batch at a time: ``keep`` stores a whole batch (one transaction), oldest first.

    ``prepare`` (e.g. reading the files in the parsing process) runs for the next batch on a
    thread of its own while ``keep`` stores this one, so both cores work. ``keep`` gets the
    batch and what ``prepare`` made of it; it returns once every file is stored durably, or
    raises ``BatchStoppedError`` when it stored only the first ones (any other exception: none).
    The files ``keep`` stored are moved to ``verwerkt`` after it returns, never before; the
    scan stops at the first file not stored, with ``KeepFailedError``.

    Raises:
        DropFolderError: as ``scan``.
        KeepFailedError: as ``scan``.
    """
    processed = folder / PROCESSED
    try:
        ready, settling = _candidates(folder, settle)
        processed.mkdir(exist_ok=True)
        if not os.access(folder, os.W_OK | os.X_OK) or not os.access(processed, os.W_OK):
            raise PermissionError(errno.EACCES, "not writable", str(folder))
    except OSError as error:
        raise _error(error, folder) from error
    source = folder_label(folder)
    batches = _batches(ready, batching or Batching(), max_size)

    def load(batch: list[tuple[Path, os.stat_result]]) -> _Loaded[T]:
        loaded: _Loaded[T] = _Loaded([], 0)
        for path, info in batch:
            too_large = info.st_size > max_size
            try:
                raw = b"" if too_large else _read(path, info, max_size)
            except FileNotFoundError:
                continue  # another workstation took it
            except OSError as error:
                raise _error(error, folder) from error
            if raw is None:
                loaded.changed += 1  # changed while read: still being written
                continue
            loaded.files.append(
                DroppedFile(path.name, path, raw, info.st_size, source, too_large=too_large)
            )
        if prepare is not None and loaded.files:
            loaded.prepared = prepare(loaded.files)
        return loaded

    kept = 0
    moved: list[Path] = []
    waiting = settling
    left = len(ready)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-folder-read") as reader:
        ahead: deque[Future[_Loaded[T]]] = deque(
            reader.submit(load, batch) for batch in batches[:_READ_AHEAD]
        )
        for number, batch in enumerate(batches):
            loaded = ahead.popleft().result()
            following = number + _READ_AHEAD
            if following < len(batches):
                ahead.append(reader.submit(load, batches[following]))
            waiting += loaded.changed
            left -= len(batch)
            stored = len(loaded.files)
            failure: Exception | None = None
            try:
                if loaded.files:
                    keep(loaded.files, loaded.prepared)
            except BatchStoppedError as stopped:
                stored, failure = stopped.kept, stopped.error
            except Exception as error:
                stored, failure = 0, error
            for dropped in loaded.files[:stored]:
                kept += 1
                try:
                    moved.append(move_unique(dropped.path, processed))
                except FileNotFoundError:
                    continue  # another workstation kept and moved it meanwhile: its copy counts
                except OSError as error:
                    raise _error(error, folder, kept=True) from error
            if failure is not None:
                result = ScanResult(kept, tuple(moved), waiting + left + len(loaded.files) - stored)
                log.warning("drop folder scan stopped: keep failed (%s)", type(failure).__name__)
                raise KeepFailedError(result, failure) from failure
    log.info("drop folder scan: %d kept, %d waiting", kept, waiting)
    return ScanResult(kept, tuple(moved), waiting)
