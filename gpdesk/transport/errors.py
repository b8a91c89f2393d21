"""The ways sending can fail, each a TransportError with a Dutch message and a retry flag.

The messages name no patient and no message content: they end up in logs and in the outbox
status that everyone in the practice sees.
"""

from __future__ import annotations

from gpdesk.errors import TransportError

_ASK_ADMIN = "Vraag de beheerder van de praktijk om de instellingen voor verzenden te controleren."


class ServerUnreachableError(TransportError):
    """The mail server could not be reached or stopped answering; later may work."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            hint="Het bericht blijft in de wachtrij en gpdesk probeert het later opnieuw.",
            temporary=True,
        )


class NoTlsError(TransportError):
    """The server offers no STARTTLS: sending in plain text is never an option."""

    def __init__(self) -> None:
        super().__init__(
            "De mailserver biedt geen beveiligde verbinding (STARTTLS) aan. "
            "Er is niets verzonden: gpdesk verstuurt nooit onbeveiligd.",
            hint=_ASK_ADMIN,
            temporary=False,
        )


class ServerCertificateError(TransportError):
    """The server's certificate did not verify (unknown issuer, expired, wrong name)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Het certificaat van de mailserver is niet te vertrouwen ({reason}). "
            "Er is niets verzonden.",
            hint=f"{_ASK_ADMIN} Heeft de mailserver een eigen CA-bestand, stel dat dan in.",
            temporary=False,
        )


class TlsHandshakeError(TransportError):
    """The TLS handshake failed for another reason than the certificate."""

    def __init__(self) -> None:
        super().__init__(
            "De beveiligde verbinding met de mailserver kwam niet tot stand. "
            "Er is niets verzonden.",
            hint=f"{_ASK_ADMIN} Past de poort bij de beveiliging (587: STARTTLS, 465: TLS)?",
            temporary=False,
        )


class LoginRefusedError(TransportError):
    """The server refused the user name and password, or offers no login at all."""

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(
            message,
            hint=(
                "Het bericht blijft in de wachtrij en gpdesk probeert het later opnieuw."
                if temporary
                else "Vraag de beheerder de gebruikersnaam en het wachtwoord van de mailserver "
                "te controleren."
            ),
            temporary=temporary,
        )


class MessageRefusedError(TransportError):
    """The server refused the sender, a recipient or the message itself."""

    def __init__(self, message: str, *, code: int) -> None:
        temporary = 400 <= code < 500
        super().__init__(
            f"{message} (code {code}).",
            hint=(
                "Het bericht blijft in de wachtrij en gpdesk probeert het later opnieuw."
                if temporary
                else "Controleer het e-mailadres van het team en het afzenderadres van de praktijk."
            ),
            temporary=temporary,
        )
        self.code = code


class CertificateError(TransportError):
    """A certificate for S/MIME (the team's, or the practice's own) cannot be used."""

    def __init__(self, message: str, *, hint: str) -> None:
        super().__init__(message, hint=hint, temporary=False)


class ExportFolderError(TransportError):
    """The export folder cannot be written; nothing half-written is left in it."""
