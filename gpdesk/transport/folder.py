"""The second channel: the same message as an .eml file in a team's export folder.

Secure-mail clients (Zorgmail-like services) pick files up from such a folder, so a file must
appear whole or not at all: written to a hidden temporary name, flushed to disk, then renamed.
The file name comes from the Message-ID, so writing the same message again (a retry after a
crash) finds the file already there and makes no second one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
from pathlib import Path

from gpdesk.transport.errors import ExportFolderError
from gpdesk.transport.message import PreparedMessage

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")
_TEMP_PREFIX = ".gpdesk-"
_TEMP_SUFFIX = ".tmp"


def file_name(message_id: str) -> str:
    """The .eml name for a Message-ID: its characters that are safe on every file system."""
    stem = _UNSAFE.sub("_", message_id.strip().strip("<>")).strip(".")
    if not stem:
        raise ValueError("a Message-ID is needed to name the export file")
    return f"{stem}.eml"


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; Windows has no directory handles, and needs none."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _folder_error(error: OSError, folder: Path) -> ExportFolderError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return ExportFolderError(
            f"De schijf van de exportmap ({folder}) is vol. Er is niets weggeschreven.",
            hint="Maak ruimte vrij; gpdesk probeert het later opnieuw.",
            temporary=True,
        )
    if isinstance(error, PermissionError):
        return ExportFolderError(
            f"gpdesk mag niet schrijven in de exportmap ({folder}). Er is niets weggeschreven.",
            hint="Vraag de beheerder om schrijfrechten op deze map.",
            temporary=False,
        )
    if isinstance(error, (FileNotFoundError, NotADirectoryError)):
        return ExportFolderError(
            f"De exportmap ({folder}) bestaat niet of is geen map. Er is niets weggeschreven.",
            hint="Is de netwerkschijf verbonden? Controleer anders de map bij de bezorging "
            "van het team.",
            temporary=True,
        )
    return ExportFolderError(
        f"Schrijven in de exportmap ({folder}) lukte niet. Er is niets weggeschreven.",
        hint="gpdesk probeert het later opnieuw.",
        temporary=True,
    )


def write(folder: Path, message: PreparedMessage) -> Path:
    """Put ``message`` in ``folder`` as one .eml file; the path of that file.

    Idempotent by Message-ID: when the file is there already it is left as it is (an S/MIME
    message encrypts differently on every try, so the bytes may differ; the first one counts).
    """
    target = folder / file_name(message.message_id)
    if target.exists():
        return target
    temporary = folder / f"{_TEMP_PREFIX}{secrets.token_hex(8)}{_TEMP_SUFFIX}"
    try:
        with temporary.open("xb") as stream:
            stream.write(message.data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.replace(target)
        _fsync_folder(folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise _folder_error(error, folder) from error
    return target
