"""Send one prepared message over SMTP, always encrypted in transit, never falling back.

Two ways in, as mail gateways offer them: STARTTLS on a submission port (587) and implicit TLS
(465). The certificate is always verified against the system's trusted CAs plus, when the
practice has one, its gateway's own CA file, and the host name must match (NTA 7516). A server
that offers no STARTTLS, or whose certificate does not verify, gets nothing: not the login, not
the message. Every network step has a timeout.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gpdesk.errors import ValidationError
from gpdesk.transport.errors import (
    LoginRefusedError,
    MessageRefusedError,
    NoTlsError,
    ServerCertificateError,
    ServerUnreachableError,
    TlsHandshakeError,
)
from gpdesk.transport.message import PreparedMessage
from gpdesk.transport.tls import verified_context

Security = Literal["starttls", "tls"]
SECURITY_CHOICES: tuple[Security, ...] = ("starttls", "tls")
DEFAULT_TIMEOUT = 30.0
"""Seconds any one network step (connect, handshake, a command) may take."""


@dataclass(frozen=True)
class TransportSettings:
    """How the practice reaches its mail gateway. The password never shows in a repr or log."""

    host: str
    port: int
    security: Security
    from_address: str
    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        problems: dict[str, str] = {}
        if not self.host.strip():
            problems["host"] = "De mailserver ontbreekt."
        if not 0 < self.port < 65536:
            problems["port"] = "De poort van de mailserver klopt niet. Vul een getal tot 65536 in."
        if self.security not in SECURITY_CHOICES:
            problems["security"] = "Kies als beveiliging STARTTLS of TLS."
        if "@" not in self.from_address:
            problems["from_address"] = "Het afzenderadres van de praktijk klopt niet."
        if self.password and not self.username:
            problems["username"] = "Bij een wachtwoord hoort een gebruikersnaam."
        if self.timeout <= 0:
            problems["timeout"] = "De wachttijd moet groter dan nul zijn."
        if problems:
            raise ValidationError(problems)


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Verification always on: the system's CAs, plus the practice's gateway CA when given."""
    try:
        return verified_context(ca_file)
    except (OSError, ssl.SSLError) as error:
        raise ServerCertificateError("het CA-bestand van de praktijk is niet te lezen") from error


def _tls_failure(error: ssl.SSLError) -> ServerCertificateError | TlsHandshakeError:
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = {
            10: "het certificaat is verlopen",
            62: "het certificaat hoort bij een andere servernaam",
            64: "het certificaat hoort bij een ander IP-adres",
        }.get(error.verify_code, "de uitgever is onbekend of niet vertrouwd")
        return ServerCertificateError(reason)
    return TlsHandshakeError()


def _login(client: smtplib.SMTP, settings: TransportSettings) -> None:
    if not settings.username:
        return
    try:
        client.login(settings.username, settings.password)
    except smtplib.SMTPNotSupportedError as error:
        raise LoginRefusedError(
            "De mailserver biedt geen inloggen aan, maar er is een gebruikersnaam ingesteld. "
            "Er is niets verzonden."
        ) from error
    except smtplib.SMTPAuthenticationError as error:
        temporary = 400 <= error.smtp_code < 500
        raise LoginRefusedError(
            "De mailserver kan nu niet inloggen. Er is niets verzonden."
            if temporary
            else "De mailserver weigert de gebruikersnaam of het wachtwoord. "
            "Er is niets verzonden.",
            temporary=temporary,
        ) from None  # the server's answer may echo the user name; keep it out of logs
    except smtplib.SMTPException as error:
        raise LoginRefusedError(
            "Inloggen bij de mailserver lukte niet. Er is niets verzonden."
        ) from error


def _deliver(client: smtplib.SMTP, message: PreparedMessage) -> None:
    try:
        refused = client.sendmail(message.sender, list(message.recipients), message.data)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise MessageRefusedError(
            "De mailserver weigert het adres van de ontvanger", code=min(codes, default=550)
        ) from error
    except smtplib.SMTPSenderRefused as error:
        raise MessageRefusedError(
            "De mailserver weigert het afzenderadres van de praktijk", code=error.smtp_code
        ) from error
    except smtplib.SMTPDataError as error:
        raise MessageRefusedError(
            "De mailserver weigert het bericht", code=error.smtp_code
        ) from error
    if refused:
        # Some recipients took it: sending again would give them a second copy. Say which part
        # failed; the caller decides (a team has one address, so this is rare).
        code = min(code for code, _ in refused.values())
        raise MessageRefusedError(
            "De mailserver weigert een deel van de ontvangers", code=max(code, 500)
        )


def _connect(settings: TransportSettings, context: ssl.SSLContext) -> smtplib.SMTP:
    if settings.security == "tls":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if not client.has_extn("starttls"):
            raise NoTlsError()
        client.starttls(context=context)
        client.ehlo()
    except BaseException:
        client.close()
        raise
    return client


def send(settings: TransportSettings, message: PreparedMessage) -> None:
    """Deliver ``message`` to the gateway, or raise a TransportError saying why not.

    Returns only when the server accepted the message for every recipient.
    """
    with _signed_on(settings) as client:
        _deliver(client, message)


def check_connection(settings: TransportSettings) -> None:
    """Go as far as sending would, without sending: a TransportError says where it stopped.

    The same steps as ``send`` (TLS with the certificate check, then the login), and then the
    sender address offered with MAIL FROM and withdrawn with RSET, so a server that wants a
    login, or refuses the practice's address, says so now and not at the first signal.
    """
    with _signed_on(settings) as client:
        code, _answer = client.mail(settings.from_address)
        if code == 530:
            raise LoginRefusedError(
                "De mailserver vraagt om inloggen. Vul de gebruikersnaam en het wachtwoord in."
            )
        if code != 250:
            raise MessageRefusedError(
                "De mailserver weigert het afzenderadres van de praktijk", code=code
            )
        client.rset()


@contextmanager
def _signed_on(settings: TransportSettings) -> Iterator[smtplib.SMTP]:
    """A client past TLS and the login; every failure on the way becomes a TransportError."""
    context = tls_context(settings.ca_file)
    where = f"{settings.host}:{settings.port}"
    try:
        client = _connect(settings, context)
        try:
            _login(client, settings)
            yield client
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    except ssl.SSLError as error:
        raise _tls_failure(error) from error
    except smtplib.SMTPServerDisconnected as error:
        # smtplib reports a read that timed out as a lost connection; say what it was.
        raise ServerUnreachableError(
            f"De mailserver ({where}) antwoordt niet op tijd. Er is niets verzonden."
            if isinstance(error.__context__, TimeoutError)
            else f"De mailserver ({where}) verbrak de verbinding. Er is niets verzonden."
        ) from error
    except smtplib.SMTPConnectError as error:
        raise ServerUnreachableError(
            f"De mailserver ({where}) weigert nu verbindingen (code {error.smtp_code})."
        ) from error
    except TimeoutError as error:
        raise ServerUnreachableError(
            f"De mailserver ({where}) antwoordt niet op tijd. Er is niets verzonden."
        ) from error
    except socket.gaierror as error:
        raise ServerUnreachableError(
            f"De naam van de mailserver ({settings.host}) is niet gevonden. "
            "Is er een internetverbinding, en is de naam goed gespeld?"
        ) from error
    except ConnectionRefusedError as error:
        raise ServerUnreachableError(
            f"De mailserver ({where}) neemt niet op. Er is niets verzonden."
        ) from error
    except smtplib.SMTPResponseException as error:
        raise MessageRefusedError(
            "De mailserver gaf een onverwacht antwoord", code=error.smtp_code
        ) from error
    except OSError as error:
        raise ServerUnreachableError(
            f"De verbinding met de mailserver ({where}) lukte niet. Er is niets verzonden."
        ) from error
