"""Patients as the HIS handed them over: identifying fields encrypted, lookups blind-indexed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base, utcnow


class Patient(Base):
    """A patient of the practice.

    Every identifying field is AES-GCM ciphertext under the practice data key (see
    ``gpdesk.security.crypto``); ``bsn_index`` and ``postcode_index`` are keyed HMACs so that
    exact-match lookups work without storing the plaintext.
    """

    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    bsn_index: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    postcode_index: Mapped[bytes] = mapped_column(LargeBinary(32), index=True)
    bsn: Mapped[bytes] = mapped_column(LargeBinary)
    name: Mapped[bytes] = mapped_column(LargeBinary)
    birth_date: Mapped[bytes] = mapped_column(LargeBinary)
    postcode: Mapped[bytes] = mapped_column(LargeBinary)
    phone: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
