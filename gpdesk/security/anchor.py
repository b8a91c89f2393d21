"""The audit trail's anchor outside the database: the last tip this workstation has seen.

Someone holding the database file can put back an older copy of it (with its own valid seal),
or rewrite what came after the last seal. The anchor lets ``gpdesk audit verify`` see that the
log is now shorter than, or different from, what was seen before. It lives in
``audit-anchor.json`` in the gpdesk home of each workstation (and a copy goes into every backup
manifest). It holds no patient data: per database (its address without password) the number of
the last entry seen, that entry's hash, and the day it was noted.

The anchor only moves forward, and only over entries that were checked: the sealed tip after a
sign-in (the seal is moved only after the entries since the previous seal were checked), or the
tip of a log ``gpdesk audit verify`` found in order. A log that no longer holds the anchored
entry leaves the anchor where it is, as evidence.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gpdesk.config import redact_url
from gpdesk.db import Database
from gpdesk.models.audit import AuditEntry
from gpdesk.models.base import utcnow
from gpdesk.security.audit import Anchor, read_head, seal_is_genuine, seal_key
from gpdesk.security.crypto import Vault

log = logging.getLogger(__name__)

ANCHOR_FILE = "audit-anchor.json"
FORMAT = 1


def anchor_path(home: Path) -> Path:
    """Where a home keeps its anchors."""
    return home / ANCHOR_FILE


def _read_all(home: Path) -> dict[str, Any]:
    """Every database's anchor in this home; a missing or unreadable file counts as none."""
    try:
        raw = json.loads(anchor_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    databases = raw.get("databases") if isinstance(raw, dict) else None
    return databases if isinstance(databases, dict) else {}


def _parse(entry: Any) -> Anchor | None:
    if not isinstance(entry, dict):
        return None
    seq, digest, noted = entry.get("entries"), entry.get("hash"), entry.get("noted_on")
    if type(seq) is not int or seq < 0 or not isinstance(digest, str) or len(digest) != 64:
        return None
    try:
        day = date.fromisoformat(noted) if isinstance(noted, str) else None
    except ValueError:
        day = None
    return Anchor(seq=seq, hash=digest, noted=f"genoteerd op {day:%d-%m-%Y}" if day else "")


def load(home: Path, url: str) -> Anchor | None:
    """The last tip this home noted for the database at ``url``."""
    return _parse(_read_all(home).get(redact_url(url)))


def remember(home: Path, url: str, seq: int, digest: str, *, replace: bool = False) -> bool:
    """Note (seq, hash) for ``url``; only forward unless ``replace`` (a restore starts anew).

    Returns whether the file changed. Written next to the old file and renamed over it, so a
    crash leaves either the old anchor or the new one.
    """
    databases = _read_all(home)
    key = redact_url(url)
    current = _parse(databases.get(key))
    if current is not None and not replace and current.seq >= seq:
        return False
    databases[key] = {"entries": seq, "hash": digest, "noted_on": utcnow().date().isoformat()}
    text = json.dumps({"format": FORMAT, "databases": databases}, indent=2, sort_keys=True)
    # Only called for a practice that is there (signed in, or its trail just verified), so this
    # workstation's folder may be made: a first command with --database-url has none yet.
    home.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=".audit-anchor-", dir=home)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        Path(partial).replace(anchor_path(home))
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return True


def note_sealed_tip(db: Database, home: Path, vault: Vault) -> None:
    """After a sign-in or unlock: move this home's anchor up to the sealed tip.

    Only a seal made with this practice's key is noted, and only when the log still holds the
    entry the current anchor names (else the anchor stays, as evidence). Never fails the
    caller: a home that cannot be written is logged; the sign-in matters more.
    """
    try:
        with db.session() as session:
            head = read_head(session)
            if head is None or not seal_is_genuine(seal_key(vault), head):
                return
            assert head.sealed_seq is not None and head.sealed_hash is not None
            current = load(home, db.url)
            if current is not None and current.seq:
                seen = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == current.seq))
                if seen != current.hash:
                    log.warning("audit anchor kept: entry %s differs from the anchor", current.seq)
                    return
        remember(home, db.url, head.sealed_seq, head.sealed_hash)
    except OSError as exc:
        log.warning("audit anchor not written: %s", type(exc).__name__)
