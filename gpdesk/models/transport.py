"""How the practice sends: its mail gateway, and where each team receives signals.

The SMTP password is ciphertext under the practice data key, bound to its place like every
sealed value, and never in settings.json or a log. A team's certificate is public (it is what
the practice encrypts to) and stored as PEM. The team is a loose reference by kaart id, as in a
signal: delivery settings survive a kaart import that removes the team and an undo that brings
it back.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gpdesk.models.base import Base, utcnow
from gpdesk.models.signal import TEAM_ID_LENGTH
from gpdesk.roles import Role


class SmtpSecurity(enum.StrEnum):
    """The two ways in: STARTTLS on a submission port, or implicit TLS. Never plain."""

    STARTTLS = "starttls"
    TLS = "tls"


class TransportSettings(Base):
    """The practice's mail gateway; one row (id 1), absent until a beheerder sets it."""

    __tablename__ = "transport_settings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    smtp_host: Mapped[str] = mapped_column(String(255))
    smtp_port: Mapped[int]
    security: Mapped[SmtpSecurity] = mapped_column(
        Enum(
            SmtpSecurity,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    username: Mapped[str | None] = mapped_column(String(255), default=None)
    password: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """Sealed (``transport_settings.password``)."""
    from_address: Mapped[str] = mapped_column(String(255))
    ca_file: Mapped[str | None] = mapped_column(Text, default=None)
    """Path of the gateway's own CA file (PEM), added to the system's trusted CAs."""
    signing_certificate: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The practice's own S/MIME certificate (PEM), to sign with; public."""
    signing_key: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """Its private key (PEM), sealed (``transport_settings.signing_key``)."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)


class TeamDelivery(Base):
    """Where one team receives signals: a mail address, a certificate, an export folder.

    At least one of ``email`` and ``export_folder`` is set; a signal goes to each that is.
    Also who in the practice receives the team's letters first (``feedback_contact_role``).
    """

    __tablename__ = "team_delivery"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID_LENGTH), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(255), default=None)
    certificate: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    """The team's S/MIME certificate (PEM): messages are enveloped to it when set."""
    export_folder: Mapped[str | None] = mapped_column(Text, default=None)
    feedback_contact_role: Mapped[str] = mapped_column(
        String(32), default=Role.POH_GGZ.value, server_default=Role.POH_GGZ.value
    )
    """The team's feedback contact (terugkoppelcontact), a ``Role`` value: the role a new letter
    from this team is assigned to. POH-GGZ unless the practice routes this team otherwise."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
