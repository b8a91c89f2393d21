r"""Fetch new messages from the practice's secure-mail IMAP mailbox: kept first, then marked done.

"Stored once, lost never", from the source's side: each new message is handed to the caller's
``keep``, which stores it durably; only when ``keep`` returns is the server told the message is
done (``\Seen``, or moved to another folder). A crash in between leaves the message on the
server as it was, so the next fetch hands it over again; the caller's dedupe (Message-ID and a
hash of the raw bytes) stops a second copy. So ``keep`` must return normally for a message it
already has.

"New" is by UID: an ``ImapMark`` (the folder's UIDVALIDITY and the last UID done) from the
previous fetch. When the folder's UIDVALIDITY changed, its UIDs mean something else now, so the
fetch starts over and hands every message in the folder again; the caller's dedupe keeps that
from storing anything twice. The first fetch (no mark) also takes everything in the folder.

The connection is always encrypted and the certificate always verified (NTA 7516), as in
``gpdesk.transport.smtp``: implicit TLS (993) or STARTTLS (143), TLS 1.2 or newer, the system's
CAs plus the practice's own CA file. A server that does not offer STARTTLS gets no login: never
a plain-text password. Errors are ``InboxSourceError``s in plain Dutch; none carries the
password or a word of a message.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from gpdesk.errors import ValidationError
from gpdesk.inbox.sources.errors import (
    FolderMissingError,
    KeepFailedError,
    LoginRefusedError,
    NoTlsError,
    ServerCertificateError,
    ServerRefusedError,
    SourceUnreachableError,
    StuckAtMessageError,
    TlsHandshakeError,
)
from gpdesk.transport.tls import verified_context

if TYPE_CHECKING:
    from imapclient import IMAPClient

log = logging.getLogger(__name__)
logging.getLogger("imapclient.imaplib").setLevel(logging.INFO)  # see _quiet

Security = Literal["tls", "starttls"]
SECURITY_CHOICES: tuple[Security, ...] = ("tls", "starttls")
After = Literal["leave", "move"]
AFTER_CHOICES: tuple[After, ...] = ("leave", "move")

MAX_MESSAGE_BYTES = 25 * 1024 * 1024
"""A larger message is not downloaded: the caller gets a too-large marker to quarantine."""
HEADER_BYTES = 64 * 1024
"""How much of a too-large message's header is handed over (for its Message-ID and sender)."""
DEFAULT_TIMEOUT = 30.0
"""Seconds any one network step (connect, handshake, a command) may take."""
_SIZE_BATCH = 200
"""UIDs per RFC822.SIZE request: keeps each command line far below a server's limit."""
_SEEN = b"\\Seen"
_DELETED = b"\\Deleted"


@dataclass(frozen=True)
class ImapSettings:
    """How gpdesk reaches the practice's mailbox. The password never shows in a repr or log."""

    host: str
    port: int
    security: Security
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    ca_file: Path | None = None
    after: After = "leave"
    move_to: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    def __post_init__(self) -> None:
        problems: dict[str, str] = {}
        if not self.host.strip():
            problems["host"] = "De mailserver van het postvak ontbreekt."
        if not 0 < self.port < 65536:
            problems["port"] = "De poort van het postvak klopt niet. Vul een getal tot 65536 in."
        if self.security not in SECURITY_CHOICES:
            problems["security"] = "Kies als beveiliging TLS of STARTTLS."
        if not self.username.strip():
            problems["username"] = "De gebruikersnaam van het postvak ontbreekt."
        if not self.password:
            problems["password"] = "Het wachtwoord van het postvak ontbreekt."  # noqa: S105 - a message
        if not self.folder.strip():
            problems["folder"] = "De map van het postvak ontbreekt. Vul bijvoorbeeld INBOX in."
        if self.after not in AFTER_CHOICES:
            problems["after"] = "Kies of opgehaalde berichten blijven staan of worden verplaatst."
        elif self.after == "move" and not (self.move_to or "").strip():
            problems["move_to"] = "Vul de map in waar opgehaalde berichten naartoe gaan."
        elif self.after == "move" and self.move_to == self.folder:
            problems["move_to"] = "Opgehaalde berichten moeten naar een andere map dan de map zelf."
        if self.timeout <= 0:
            problems["timeout"] = "De wachttijd moet groter dan nul zijn."
        if problems:
            raise ValidationError(problems)

    @property
    def label(self) -> str:
        """Where a message came from, for the letter's record: server, port and folder."""
        return f"imap://{self.host}:{self.port}/{self.folder}"


@dataclass(frozen=True)
class ImapMark:
    """How far fetching got: every UID up to ``last_uid`` was kept and marked done."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class RawMessage:
    """One message as the server holds it, for the caller to store before anything else.

    ``too_large``: the message is bigger than the limit and was not downloaded; ``raw`` is
    empty and ``headers`` holds the start of its header section (at most ``HEADER_BYTES``), so
    the caller can quarantine it with its Message-ID. It is never silently dropped.
    """

    uid: int
    uidvalidity: int
    raw: bytes = field(repr=False)
    source: str
    size: int
    too_large: bool = False
    headers: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class FetchResult:
    """What one fetch did: the mark to store for the next one, and how many are left."""

    mark: ImapMark
    kept: int
    """Messages handed to ``keep`` and then marked done at the server."""
    waiting: int
    """New messages not handed over this time (``limit`` reached, or fetching stopped)."""
    restarted: bool
    """No mark, or the folder's UIDVALIDITY changed: the whole folder counted as new."""


def tls_context(ca_file: Path | None = None) -> ssl.SSLContext:
    """Verification always on: the system's CAs, plus the practice's CA when given."""
    try:
        return verified_context(ca_file)
    except (OSError, ssl.SSLError) as error:
        raise ServerCertificateError("het CA-bestand van de praktijk is niet te lezen") from error


def fetch_new(
    settings: ImapSettings,
    mark: ImapMark | None,
    keep: Callable[[RawMessage], None],
    *,
    limit: int | None = None,
    max_size: int = MAX_MESSAGE_BYTES,
) -> FetchResult:
    """Hand every message after ``mark`` to ``keep``, oldest first; mark each done after it.

    ``keep`` must store the message durably before it returns (and return normally for one it
    already has). When it raises, fetching stops at that message: ``KeepFailedError`` carries
    the result so far, whose mark covers only the messages before it, so the next fetch
    starts there. ``limit`` caps how many messages this call hands over (``waiting`` says how
    many are left). Messages larger than ``max_size`` are handed over as too-large markers.

    Raises:
        InboxSourceError: the server could not be reached, refused TLS or the login, or the
            folder does not exist (a subclass says which); ``KeepFailedError`` as above. Any
            other error in the middle of a fetch carries no mark: the next fetch starts from
            the old one, and the caller's dedupe passes over what was kept already.
    """
    with _signed_on(settings) as client:
        uidvalidity = _select(client, settings)
        restarted = mark is None or mark.uidvalidity != uidvalidity
        last = 0 if mark is None or restarted else mark.last_uid
        new = _new_uids(client, last)
        todo = new if limit is None else new[: max(limit, 0)]
        kept = 0
        for index, (uid, size) in enumerate(_sizes(client, todo)):
            try:
                message = _download(
                    client, settings, uid, uidvalidity=uidvalidity, size=size, max_size=max_size
                )
            except imaplib.IMAP4.error as error:
                # Said with the UID: a message the server cannot read (Dovecot then hangs up)
                # stops every fetch at the same place, and the provider can find it by that.
                raise StuckAtMessageError(settings, uid) from error
            if message is not None:
                try:
                    keep(message)
                except Exception as error:
                    result = FetchResult(
                        ImapMark(uidvalidity, last), kept, len(new) - index, restarted
                    )
                    log.warning("imap fetch stopped: keep failed (%s)", type(error).__name__)
                    raise KeepFailedError(result, error) from error
                _mark_done(client, settings, uid)
                kept += 1
            last = uid  # a message gone meanwhile (another workstation moved it) is passed too
        log.info("imap fetch: %d kept, %d waiting", kept, len(new) - len(todo))
        return FetchResult(ImapMark(uidvalidity, last), kept, len(new) - len(todo), restarted)


def check_connection(settings: ImapSettings) -> str:
    """Go as far as fetching would, without fetching: a Dutch line saying what was found.

    TLS with the certificate check, the login, the folder (and the folder to move to); any
    failure on the way is the InboxSourceError that a fetch would raise.
    """
    with _signed_on(settings) as client:
        _select(client, settings)
        count = int(client.folder_status(settings.folder, [b"MESSAGES"])[b"MESSAGES"])
    noun = "bericht" if count == 1 else "berichten"
    return f"De verbinding met het postvak werkt: {count} {noun} in de map '{settings.folder}'."


def _select(client: IMAPClient, settings: ImapSettings) -> int:
    """Open the folder for writing (flags, moves); its UIDVALIDITY."""
    for folder in (settings.folder, settings.move_to if settings.after == "move" else None):
        if folder is not None and not client.folder_exists(folder):
            raise FolderMissingError(folder)
    try:
        response = client.select_folder(settings.folder)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as error:
        raise ServerRefusedError(f"de map '{settings.folder}' te openen") from error
    return int(response.get(b"UIDVALIDITY", 0))


def _new_uids(client: IMAPClient, last: int) -> list[int]:
    # "N:*" always matches the highest UID, even one below N (RFC 3501): hence the filter.
    found = client.search(["UID", f"{last + 1}:*"])
    return sorted(uid for uid in (int(value) for value in found) if uid > last)


def _sizes(client: IMAPClient, uids: list[int]) -> Iterator[tuple[int, int | None]]:
    """Each UID with its RFC822.SIZE (None when the message is gone), asked in batches."""
    for start in range(0, len(uids), _SIZE_BATCH):
        batch = uids[start : start + _SIZE_BATCH]
        answer: dict[int, dict[bytes, Any]] = client.fetch(batch, ["RFC822.SIZE"])
        for uid in batch:
            if uid not in answer:
                yield uid, None
            else:  # a server that leaves the size out: download, still capped at the limit
                yield uid, int(answer[uid].get(b"RFC822.SIZE", 0))


def _download(
    client: IMAPClient,
    settings: ImapSettings,
    uid: int,
    *,
    uidvalidity: int,
    size: int | None,
    max_size: int,
) -> RawMessage | None:
    r"""The whole message, or a too-large marker; None when it is no longer there.

    BODY.PEEK leaves \Seen alone: only ``_mark_done`` sets it. The range asked for is one byte
    more than the limit, so a server whose RFC822.SIZE is wrong cannot make us hold more.
    """
    if size is None:
        return None
    if size <= max_size:
        answer = client.fetch([uid], [f"BODY.PEEK[]<0.{max_size + 1}>"]).get(uid)
        if answer is None:
            return None
        raw = bytes(answer.get(b"BODY[]<0>") or answer.get(b"BODY[]") or b"")
        if len(raw) <= max_size:
            return RawMessage(uid, uidvalidity, raw, settings.label, len(raw))
        size = max(size, len(raw))
    answer = client.fetch([uid], [f"BODY.PEEK[HEADER]<0.{HEADER_BYTES}>"]).get(uid)
    if answer is None:
        return None
    headers = bytes(answer.get(b"BODY[HEADER]<0>") or answer.get(b"BODY[HEADER]") or b"")
    return RawMessage(uid, uidvalidity, b"", settings.label, size, too_large=True, headers=headers)


def _mark_done(client: IMAPClient, settings: ImapSettings, uid: int) -> None:
    r"""Tell the server this message is kept: \Seen, and moved when so configured."""
    try:
        client.add_flags([uid], [_SEEN], silent=True)
        if settings.after != "move" or settings.move_to is None:
            return
        if client.has_capability("MOVE"):
            client.move([uid], settings.move_to)
            return
        client.copy([uid], settings.move_to)
        client.add_flags([uid], [_DELETED], silent=True)
        if client.has_capability("UIDPLUS"):
            client.uid_expunge([uid])
        else:  # without UIDPLUS an EXPUNGE takes every \Deleted message in the folder: RFC 3501
            client.expunge()
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as error:
        raise ServerRefusedError(
            "een opgehaald bericht als gelezen te markeren of te verplaatsen. Het bericht is "
            "wel bewaard"
        ) from error


_LOGIN_CODES = (
    (
        "[EXPIRED]",
        "Het wachtwoord van het postvak is verlopen. Er is niets opgehaald. "
        "Stel bij de aanbieder van het postvak een nieuw wachtwoord in en vul dat in gpdesk in.",
        False,
    ),
    (
        "[UNAVAILABLE]",
        "De mailserver van het postvak kan nu niemand laten inloggen. Er is niets opgehaald.",
        True,
    ),
    (
        "[CONTACTADMIN]",
        "De mailserver van het postvak laat dit account niet inloggen. Er is niets opgehaald. "
        "Neem contact op met de aanbieder van het postvak.",
        False,
    ),
)


def login_failure(server_answer: str) -> LoginRefusedError:
    """The Dutch error for a refused login, from the server's response code (RFC 5530).

    Only the code is read: the rest of the answer may echo the user name and stays out.
    """
    upper = server_answer.upper()
    for code, message, temporary in _LOGIN_CODES:
        if code in upper:
            return LoginRefusedError(message, temporary=temporary)
    return LoginRefusedError(
        "De mailserver van het postvak weigert de gebruikersnaam of het wachtwoord. "
        "Er is niets opgehaald."
    )


def _tls_failure(error: ssl.SSLError) -> ServerCertificateError | TlsHandshakeError:
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = {
            10: "het certificaat is verlopen",
            62: "het certificaat hoort bij een andere servernaam",
            64: "het certificaat hoort bij een ander IP-adres",
        }.get(error.verify_code, "de uitgever is onbekend of niet vertrouwd")
        return ServerCertificateError(reason)
    return TlsHandshakeError()


def _connect(settings: ImapSettings, context: ssl.SSLContext) -> IMAPClient:
    """A client past TLS: implicit, or STARTTLS when the server offers it (else refused)."""
    from imapclient import IMAPClient

    if settings.security == "tls":
        return _quiet(
            IMAPClient(
                settings.host,
                port=settings.port,
                ssl=True,
                ssl_context=context,
                timeout=settings.timeout,
            )
        )
    client = IMAPClient(settings.host, port=settings.port, ssl=False, timeout=settings.timeout)
    try:
        if not client.has_capability("STARTTLS"):
            raise NoTlsError()
        client.starttls(context)
    except BaseException:
        _close(client)
        raise
    return _quiet(client)


def _quiet(client: IMAPClient) -> IMAPClient:
    """Stop imaplib's wire log: at DEBUG it writes every message it reads, content and all.

    IMAPClient turns imaplib's debug level up and sends it to the "imapclient.imaplib" logger;
    that logger is silenced too, and the level set back, so nothing formats a 25 MB message
    into a log line that is then thrown away. ``_imap`` is IMAPClient's (stable) attribute.
    """
    client._imap.debug = 0
    return client


def _close(client: IMAPClient) -> None:
    """Drop the connection; it may be half-open or gone already."""
    with suppress(imaplib.IMAP4.error, OSError):
        client.shutdown()


@contextmanager
def _signed_on(settings: ImapSettings) -> Iterator[IMAPClient]:
    """A client past TLS and the login; every failure on the way becomes an InboxSourceError."""
    context = tls_context(settings.ca_file)
    where = f"{settings.host}:{settings.port}"
    try:
        client = _connect(settings, context)
        try:
            try:
                client.login(settings.username, settings.password)
            except imaplib.IMAP4.abort:
                raise
            except imaplib.IMAP4.error as error:
                raise login_failure(str(error)) from None  # may echo the user name
            yield client
        finally:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError):
                _close(client)
    except ssl.SSLError as error:
        raise _tls_failure(error) from error
    except imaplib.IMAP4.abort as error:
        raise SourceUnreachableError(
            f"De mailserver van het postvak ({where}) verbrak de verbinding."
        ) from error
    except TimeoutError as error:
        raise SourceUnreachableError(
            f"De mailserver van het postvak ({where}) antwoordt niet op tijd."
        ) from error
    except socket.gaierror as error:
        raise SourceUnreachableError(
            f"De naam van de mailserver van het postvak ({settings.host}) is niet gevonden. "
            "Is er een internetverbinding, en is de naam goed gespeld?"
        ) from error
    except ConnectionRefusedError as error:
        raise SourceUnreachableError(
            f"De mailserver van het postvak ({where}) neemt niet op."
        ) from error
    except OSError as error:
        raise SourceUnreachableError(
            f"De verbinding met de mailserver van het postvak ({where}) lukte niet."
        ) from error
    except imaplib.IMAP4.error as error:
        raise ServerRefusedError("een opdracht van gpdesk") from error
