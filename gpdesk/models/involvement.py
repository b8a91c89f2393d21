"""A wijkteam's involvement with a patient the practice may never have signalled.

A betrokkenheidsmelding says "we support your patient": the practice records it once, so that
whoever opens the patient in Signaleren, or starts a new signal, sees the team is already there
(issue #11 item 5). The letter it came from is its source; ending it ("betrokkenheid
beëindigd", after a closing letter or by hand) keeps the row, with who ended it and when.

Nothing here is sealed: the row says which team supports which patient since when, as a
signal's own plain columns do (``signal.patient_id``, ``team_id``, ``team_name``); what the
team wrote stays in the letter, sealed there. Reading and writing it is audited like any other
patient data (``gpdesk.inbox.store.involvement``).

One open registration per patient and team: ``team_key`` is the team's id from the sociale kaart,
or its name folded when the letter named a team gpdesk does not know; a partial unique index on
the open rows lets two workstations registering the same letter at once store it once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base, utcnow
from gpdesk.models.signal import TEAM_ID_LENGTH, TEAM_NAME_LENGTH

TEAM_KEY_LENGTH = TEAM_NAME_LENGTH + 5
"""``naam:`` and a folded team name, or a team id."""


class Involvement(Base):
    """Wijkteam X supports this patient since a day, as a letter said; open until ended."""

    __tablename__ = "involvement"
    __table_args__ = (
        Index(
            "uq_involvement_open",
            "patient_id",
            "team_key",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[str | None] = mapped_column(String(TEAM_ID_LENGTH), default=None)
    """The team on the sociale kaart, when the letter came from a team gpdesk knows."""
    team_name: Mapped[str] = mapped_column(String(TEAM_NAME_LENGTH))
    team_key: Mapped[str] = mapped_column(String(TEAM_KEY_LENGTH))
    since: Mapped[date]
    letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="SET NULL"), default=None, index=True
    )
    """The betrokkenheidsmelding it was registered from (None: the letter was deleted)."""
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    end_letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="SET NULL"), default=None
    )
    """The closing letter that ended it, if it was ended from one."""
