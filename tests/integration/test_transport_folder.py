"""The export folder channel: whole files or none, one file per Message-ID."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from gpdesk.transport import folder
from gpdesk.transport.errors import ExportFolderError
from gpdesk.transport.message import PreparedMessage, make_message_id


def prepared(reference: str = "SIG-2026-000123", data: bytes = b"Subject: x\r\n\r\nbody\r\n"):
    return PreparedMessage(
        message_id=make_message_id(reference, "praktijk.example.org"),
        sender="praktijk@example.org",
        recipients=("wijkteam@example.org",),
        data=data,
    )


def test_the_message_lands_as_one_eml_file(tmp_path: Path):
    path = folder.write(tmp_path, prepared())
    assert path == tmp_path / "SIG-2026-000123@praktijk.example.org.eml"
    assert path.read_bytes() == b"Subject: x\r\n\r\nbody\r\n"
    assert list(tmp_path.iterdir()) == [path]


def test_writing_the_same_message_twice_makes_one_file(tmp_path: Path):
    first = folder.write(tmp_path, prepared(data=b"first try\r\n"))
    # A retry after a crash: S/MIME encrypts differently every time, the first file counts.
    second = folder.write(tmp_path, prepared(data=b"second try\r\n"))
    assert first == second
    assert first.read_bytes() == b"first try\r\n"
    assert list(tmp_path.iterdir()) == [first]


def test_different_messages_make_different_files(tmp_path: Path):
    folder.write(tmp_path, prepared("SIG-2026-000123"))
    folder.write(tmp_path, prepared("SIG-2026-000123.annulering"))
    assert len(list(tmp_path.iterdir())) == 2


def test_file_names_are_safe_on_every_file_system():
    assert folder.file_name("<a/b\\c:d*e@x.nl>") == "a_b_c_d_e@x.nl.eml"
    with pytest.raises(ValueError):
        folder.file_name("<>")


def test_a_missing_folder_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ExportFolderError) as caught:
        folder.write(tmp_path / "niet-verbonden", prepared())
    assert "bestaat niet" in caught.value.message
    assert caught.value.temporary


def test_a_file_where_the_folder_should_be_is_a_clear_error(tmp_path: Path):
    blocker = tmp_path / "export"
    blocker.write_text("geen map")
    with pytest.raises(ExportFolderError, match="geen map"):
        folder.write(blocker, prepared())


def test_disk_full_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # A full disk cannot be made here without root mounts; fsync is where a full disk shows.
    def full(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ExportFolderError) as caught:
        folder.write(tmp_path, prepared())
    assert "is vol" in caught.value.message
    assert caught.value.temporary
    assert list(tmp_path.iterdir()) == []


def test_no_permission_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Root (as in CI) may write anywhere, so a read-only folder proves nothing; refuse the rename.
    def refused(self: Path, target: Path) -> Path:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(Path, "replace", refused)
    with pytest.raises(ExportFolderError) as caught:
        folder.write(tmp_path, prepared())
    assert "mag niet schrijven" in caught.value.message
    assert not caught.value.temporary
    assert list(tmp_path.iterdir()) == []
