"""The ways fetching from a source can fail, each an InboxSourceError with a Dutch message.

The messages name the server, the folder or the directory, never a password, a sender, a
subject or a word of a message: they end up in logs and in the source's status that everyone in
the practice sees. ``temporary`` says whether fetching again later can help (a server that is
down) or whether someone must first change a setting, a password or a certificate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpdesk.errors import GpdeskError

if TYPE_CHECKING:
    from gpdesk.inbox.sources.folder import ScanResult
    from gpdesk.inbox.sources.imap import FetchResult, ImapSettings

_ASK_ADMIN = "Vraag de beheerder van de praktijk om de instellingen van het postvak te controleren."
_LATER = "gpdesk haalt de berichten later opnieuw op; er gaat niets verloren."


class InboxSourceError(GpdeskError):
    """Nothing more could be fetched from a source; what was kept stays kept."""

    def __init__(self, message: str, *, hint: str = "", temporary: bool) -> None:
        super().__init__(message, hint=hint)
        self.temporary = temporary


class SourceUnreachableError(InboxSourceError):
    """The IMAP server could not be reached or stopped answering; later may work."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint=_LATER, temporary=True)


class NoTlsError(InboxSourceError):
    """The server offers no STARTTLS: logging in in plain text is never an option."""

    def __init__(self) -> None:
        super().__init__(
            "De mailserver van het postvak biedt geen beveiligde verbinding (STARTTLS) aan. "
            "gpdesk heeft niet ingelogd: het wachtwoord gaat nooit onbeveiligd over het netwerk.",
            hint=f"{_ASK_ADMIN} Kies TLS (poort 993) als de mailserver dat aanbiedt.",
            temporary=False,
        )


class ServerCertificateError(InboxSourceError):
    """The server's certificate did not verify (unknown issuer, expired, wrong name)."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Het certificaat van de mailserver van het postvak is niet te vertrouwen ({reason}). "
            "gpdesk heeft niet ingelogd en niets opgehaald.",
            hint=f"{_ASK_ADMIN} Heeft de mailserver een eigen CA-bestand, stel dat dan in.",
            temporary=False,
        )


class TlsHandshakeError(InboxSourceError):
    """The TLS handshake failed for another reason than the certificate."""

    def __init__(self) -> None:
        super().__init__(
            "De beveiligde verbinding met de mailserver van het postvak kwam niet tot stand. "
            "gpdesk heeft niet ingelogd en niets opgehaald.",
            hint=f"{_ASK_ADMIN} Past de poort bij de beveiliging (993: TLS, 143: STARTTLS)?",
            temporary=False,
        )


class LoginRefusedError(InboxSourceError):
    """The server refused the user name and password, or the password has expired."""

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(
            message,
            hint=(
                _LATER
                if temporary
                else "Vraag de beheerder de gebruikersnaam en het wachtwoord van het postvak "
                "te controleren."
            ),
            temporary=temporary,
        )


class FolderMissingError(InboxSourceError):
    """The folder to fetch from, or to move fetched messages to, does not exist."""

    def __init__(self, folder: str) -> None:
        super().__init__(
            f"De map '{folder}' bestaat niet in het postvak. Er is niets opgehaald.",
            hint=f"{_ASK_ADMIN} Is de naam van de map goed gespeld?",
            temporary=False,
        )
        self.folder = folder


class ServerRefusedError(InboxSourceError):
    """The server answered a command with NO or BAD (a quota, a read-only folder)."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"De mailserver van het postvak weigert {what}.",
            hint=f"{_LATER} Blijft dit gebeuren? {_ASK_ADMIN}",
            temporary=True,
        )


class StuckAtMessageError(InboxSourceError):
    """Downloading one message failed (a refusal, or the server hung up); later may work."""

    def __init__(self, settings: ImapSettings, uid: int) -> None:
        super().__init__(
            f"De mailserver van het postvak ({settings.host}:{settings.port}) gaf bericht {uid} "
            f"uit de map '{settings.folder}' niet. De berichten ervoor zijn bewaard.",
            hint=f"{_LATER} Stopt het ophalen steeds bij dit bericht? Vraag dan de aanbieder "
            "van het postvak ernaar, met dit nummer.",
            temporary=True,
        )
        self.uid = uid


class DropFolderError(InboxSourceError):
    """The drop folder cannot be read, or a file in it cannot be moved to ``verwerkt``."""


class KeepFailedError(InboxSourceError):
    """Keeping a message or file failed, so fetching stopped there; it comes again next time.

    ``result`` says how far it got (for IMAP its ``mark`` covers only the messages kept and
    marked done before the one that failed). The caller's own exception is ``__cause__``; when
    that is a GpdeskError, its Dutch text is this error's hint.
    """

    def __init__(self, result: FetchResult | ScanResult, cause: Exception) -> None:
        super().__init__(
            "Het ophalen is gestopt: een bericht kon niet worden bewaard. Het blijft staan waar "
            "het stond en wordt de volgende keer opnieuw opgehaald.",
            hint=cause.user_text() if isinstance(cause, GpdeskError) else _LATER,
            temporary=True,
        )
        self.result = result
