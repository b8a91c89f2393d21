"""The drop folder on a real file system: complete files kept, then moved; none lost or doubled."""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gpdesk.inbox.sources.errors import DropFolderError, KeepFailedError
from gpdesk.inbox.sources.folder import (
    MAX_FILE_BYTES,
    PROCESSED,
    Batching,
    BatchStoppedError,
    DroppedFile,
    ScanResult,
    move_unique,
    scan,
    scan_batches,
)

EML = b"From: wijkteam@example.org\r\nSubject: Terugkoppeling\r\n\r\nTestbrief.\r\n"
PDF = b"%PDF-1.7\n% testbrief\n%%EOF\n"
EDI = b"UNB+UNOA:1+GGA+HUISARTS+261207:0900+1'UNH+1+MEDVRI:1'TXT+Testbrief'UNT+3+1'UNZ+1+1'"


class Store:
    """The caller's side: keeps each file once, by SHA-256 (the lead's dedupe, in small)."""

    def __init__(self) -> None:
        self.by_hash: dict[str, DroppedFile] = {}
        self.handed: list[str] = []

    def keep(self, dropped: DroppedFile) -> None:
        self.handed.append(dropped.name)
        self.by_hash.setdefault(hashlib.sha256(dropped.raw).hexdigest(), dropped)


def put(folder: Path, name: str, data: bytes, *, age: float = 60.0) -> Path:
    """A file written ``age`` seconds ago (old enough to count as complete by default)."""
    path = folder / name
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "ontvangst"
    folder.mkdir()
    return folder


def test_complete_files_are_kept_then_moved(drop: Path) -> None:
    put(drop, "brief.eml", EML, age=90)
    put(drop, "verslag.pdf", PDF, age=80)
    put(drop, "medvri.edi", EDI, age=70)
    store = Store()

    result = scan(drop, store.keep)

    assert store.handed == ["brief.eml", "verslag.pdf", "medvri.edi"]  # oldest first
    assert [d.raw for d in store.by_hash.values()] == [EML, PDF, EDI]
    first = next(iter(store.by_hash.values()))
    assert (first.size, first.source, first.too_large) == (len(EML), f"map:{drop}", False)
    assert result == ScanResult(
        kept=3,
        moved_to=tuple(drop / PROCESSED / n for n in ("brief.eml", "verslag.pdf", "medvri.edi")),
        waiting=0,
    )
    assert sorted(p.name for p in drop.iterdir()) == [PROCESSED]
    assert (drop / PROCESSED / "brief.eml").read_bytes() == EML


def test_files_still_being_written_are_left_for_later(drop: Path) -> None:
    for name in ("brief.eml.part", "brief.pdf.tmp", "~$verslag.docx", ".verborgen.eml", "x~"):
        put(drop, name, b"half")
    put(drop, "net-geschreven.eml", EML, age=0)
    (drop / "submap").mkdir()
    put(drop / "submap", "dieper.eml", EML)
    store = Store()

    result = scan(drop, store.keep, settle=30)

    assert store.handed == []
    assert result == ScanResult(kept=0, moved_to=(), waiting=1)
    assert (drop / "net-geschreven.eml").exists()

    assert scan(drop, store.keep, settle=0).kept == 1  # once it has settled
    assert (drop / "brief.eml.part").exists()


def test_a_symbolic_link_is_not_followed(drop: Path, tmp_path: Path) -> None:
    secret = put(tmp_path, "elders.txt", b"niet voor de inbox")
    (drop / "link.txt").symlink_to(secret)
    store = Store()

    scan(drop, store.keep, settle=0)

    assert store.handed == []
    assert (drop / "link.txt").is_symlink() and secret.exists()


def test_a_name_already_in_verwerkt_gets_a_number_and_nothing_is_overwritten(
    drop: Path,
) -> None:
    (drop / PROCESSED).mkdir()
    put(drop / PROCESSED, "brief.pdf", b"eerdere brief")
    put(drop / PROCESSED, "brief (2).pdf", b"nog een eerdere")
    put(drop, "brief.pdf", PDF)

    result = scan(drop, Store().keep)

    assert result.moved_to == (drop / PROCESSED / "brief (3).pdf",)
    assert (drop / PROCESSED / "brief.pdf").read_bytes() == b"eerdere brief"
    assert (drop / PROCESSED / "brief (2).pdf").read_bytes() == b"nog een eerdere"
    assert (drop / PROCESSED / "brief (3).pdf").read_bytes() == PDF


def test_move_unique_numbers_names_without_an_extension(tmp_path: Path) -> None:
    target = tmp_path / "doel"
    target.mkdir()
    put(target, "LEESMIJ", b"1")
    source = put(tmp_path, "LEESMIJ", b"2")

    assert move_unique(source, target) == target / "LEESMIJ (2)"
    assert (target / "LEESMIJ").read_bytes() == b"1"
    assert not source.exists()


class Crash(BaseException):
    """The process dies: nothing after this line runs, no handler cleans up."""


def test_a_crash_between_keep_and_move_hands_the_file_again_and_stores_it_once(
    drop: Path,
) -> None:
    put(drop, "a.eml", EML, age=90)
    put(drop, "b.pdf", PDF, age=80)
    store = Store()

    def keep_then_crash(dropped: DroppedFile) -> None:
        store.keep(dropped)
        if dropped.name == "b.pdf":
            raise Crash

    with pytest.raises(Crash):
        scan(drop, keep_then_crash)
    assert (drop / "b.pdf").exists()  # stored, but not moved: the crash came first

    result = scan(drop, store.keep)

    assert store.handed == ["a.eml", "b.pdf", "b.pdf"]
    assert len(store.by_hash) == 2
    assert result.moved_to == (drop / PROCESSED / "b.pdf",)


def test_keep_failing_stops_the_scan_there(drop: Path) -> None:
    put(drop, "1.eml", EML, age=90)
    put(drop, "2.pdf", PDF, age=80)
    put(drop, "3.edi", EDI, age=70)

    def keep(dropped: DroppedFile) -> None:
        if dropped.name == "2.pdf":
            raise OSError("disk full")

    with pytest.raises(KeepFailedError) as caught:
        scan(drop, keep)

    assert caught.value.result == ScanResult(1, (drop / PROCESSED / "1.eml",), waiting=2)
    assert isinstance(caught.value.__cause__, OSError)
    assert (drop / "2.pdf").exists() and (drop / "3.edi").exists()


def test_a_too_large_file_is_handed_over_unread(drop: Path) -> None:
    put(drop, "groot.pdf", PDF * 100)
    store = Store()

    result = scan(drop, store.keep, max_size=len(PDF) * 10)

    (marker,) = store.by_hash.values()
    assert (marker.too_large, marker.raw, marker.size) == (True, b"", len(PDF) * 100)
    assert result.kept == 1
    assert (drop / PROCESSED / "groot.pdf").exists()
    assert MAX_FILE_BYTES == 25 * 1024 * 1024


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_missing_folder_is_said_in_dutch(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "ontvangst"
    if kind == "file":
        folder.write_bytes(b"")

    with pytest.raises(DropFolderError) as caught:
        scan(folder, Store().keep)

    assert caught.value.message == (
        f"De ontvangstmap ({folder}) bestaat niet of is geen map. Er is niets opgehaald."
    )
    assert caught.value.temporary  # a network drive that is not connected yet


# -- permissions: as an unprivileged user (root reads everything) -------------------------


@pytest.fixture
def shared_drop() -> Iterator[Path]:
    """A drop folder another user can reach (pytest's tmp_path is private to its owner)."""
    base = Path(tempfile.mkdtemp(prefix="gpdesk-drop-"))
    base.chmod(0o755)
    folder = base / "ontvangst"
    folder.mkdir()
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(base)


def as_unprivileged(action: Callable[[], str]) -> str:
    """Run ``action`` as this user, or, as root, in a child process turned into "nobody"."""
    if os.geteuid() != 0:
        return action()
    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; everything it needs is imported already
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            outcome = action()
        except BaseException as error:
            outcome = f"child failed: {type(error).__name__}"
        os.write(write_end, outcome.encode())
        os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 65536):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


def scan_outcome(folder: Path) -> str:
    handed: list[str] = []
    try:
        scan(folder, lambda dropped: handed.append(dropped.name))
    except DropFolderError as error:
        return f"{error.message} | {error.hint} | temporary={error.temporary} | handed={handed}"
    return f"no error | handed={handed}"


def test_an_unreadable_folder_is_said_in_dutch(shared_drop: Path) -> None:
    put(shared_drop, "brief.eml", EML)
    shared_drop.chmod(0o000)

    outcome = as_unprivileged(lambda: scan_outcome(shared_drop))

    assert outcome == (
        f"gpdesk mag de ontvangstmap ({shared_drop}) niet lezen of er niet in schrijven. "
        "Er is niets opgehaald. | Vraag de beheerder om lees- en schrijfrechten op deze map en "
        "op de submap 'verwerkt'. | temporary=False | handed=[]"
    )


def test_a_folder_that_cannot_be_written_hands_nothing_over(shared_drop: Path) -> None:
    """Kept but never moved would mean handed again at every scan: refused before keep."""
    put(shared_drop, "brief.eml", EML)
    shared_drop.chmod(0o555)  # anyone may read, no one may write

    outcome = as_unprivileged(lambda: scan_outcome(shared_drop))

    assert outcome.startswith(f"gpdesk mag de ontvangstmap ({shared_drop}) niet lezen")
    assert outcome.endswith("handed=[]")
    assert (shared_drop / "brief.eml").exists()


def test_a_dropped_file_shows_no_name_or_content(drop: Path) -> None:
    put(drop, "Jansen J 01-02-1980.pdf", PDF)
    store = Store()

    scan(drop, store.keep)

    (dropped,) = store.by_hash.values()
    assert "Jansen" not in repr(dropped) and "testbrief" not in repr(dropped)


def test_batches_are_prepared_ahead_and_moved_only_after_their_keep(drop: Path) -> None:
    for number in range(7):
        put(drop, f"{number}.eml", EML + b"%d" % number, age=90 - number)
    prepared: list[list[str]] = []
    kept: list[list[str]] = []

    def prepare(files: list[DroppedFile]) -> list[str]:
        names = [f.name for f in files]
        prepared.append(names)
        return names

    def keep(files: list[DroppedFile], names: list[str] | None) -> None:
        assert names == [f.name for f in files]
        assert all(f.path.exists() for f in files)  # nothing of this batch moved yet
        assert not any((drop / n).exists() for batch in kept for n in batch)  # earlier: moved
        kept.append(names)

    result = scan_batches(drop, keep, prepare=prepare, batching=Batching(files=3))

    assert kept == [["0.eml", "1.eml", "2.eml"], ["3.eml", "4.eml", "5.eml"], ["6.eml"]]
    assert prepared == kept
    assert result.kept == 7 and result.waiting == 0
    assert sorted(p.name for p in drop.iterdir()) == [PROCESSED]


def test_a_batch_is_cut_at_its_byte_limit(drop: Path) -> None:
    for number in range(4):
        put(drop, f"{number}.pdf", PDF + b"%d" % number, age=90 - number)
    sizes: list[int] = []

    def keep(files: list[DroppedFile], _prepared: None) -> None:
        sizes.append(len(files))

    scan_batches(drop, keep, batching=Batching(files=50, bytes=2 * len(PDF) + 2))

    assert sizes == [2, 2]


def test_a_batch_stopped_midway_moves_only_what_was_stored(drop: Path) -> None:
    for number in range(5):
        put(drop, f"{number}.eml", EML + b"%d" % number, age=90 - number)

    def keep(files: list[DroppedFile], _prepared: None) -> None:
        if any(f.name == "3.eml" for f in files):
            raise BatchStoppedError(1, OSError("disk full"))  # 2.eml stored, 3.eml not

    with pytest.raises(KeepFailedError) as caught:
        scan_batches(drop, keep, batching=Batching(files=2))

    moved = tuple(drop / PROCESSED / n for n in ("0.eml", "1.eml", "2.eml"))
    assert caught.value.result == ScanResult(3, moved, waiting=2)
    assert isinstance(caught.value.__cause__, OSError)
    assert sorted(p.name for p in drop.iterdir()) == ["3.eml", "4.eml", PROCESSED]
