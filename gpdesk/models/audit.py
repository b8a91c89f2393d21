"""The NEN 7513 audit trail: append-only, hash-chained, written in the action's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base


class AuditEntry(Base):
    """One logged event. ``hash`` covers every other column and the previous entry's hash.

    The database refuses UPDATE and DELETE on this table (triggers, see migration 0003);
    ``gpdesk audit verify`` detects any change made around them.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        # The last write of one record (a letter not yet linked to a patient has no patient_ref).
        Index("ix_audit_entry_object", "object_type", "object_id"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    event: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(1))
    user_id: Mapped[int | None]
    username: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    on_behalf_of: Mapped[str | None] = mapped_column(String(64))
    workstation: Mapped[str] = mapped_column(String(128))
    patient_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    checks: Mapped[str] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(Text, default=None)
    """The keyed state of each sealed record this entry wrote (rollback detection, #14)."""


class AuditHead(Base):
    """The chain's tip, one row: appending updates it first, which serialises writers.

    It also holds the seal: an HMAC under a key only an unlocked practice has, over the entry
    (``sealed_seq``, ``sealed_hash``) it vouches for (and through the chain, every entry before
    it). ``pre_seal_entries`` is set only on a database upgraded from before seals existed: how
    many entries it then held (see ``gpdesk.security.audit``).
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    sealed_seq: Mapped[int | None] = mapped_column(default=None)
    sealed_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    sealed_at: Mapped[datetime | None] = mapped_column(default=None)
    seal: Mapped[str | None] = mapped_column(String(64), default=None)
    pre_seal_entries: Mapped[int | None] = mapped_column(default=None)
