"""From received bytes to a stored letter: read safely, opened, recognised, then stored once.

The order is the point. Reading untrusted bytes happens in a limited child process
(``gpdesk.inbox.parsing``), outside any database transaction; an S/MIME envelope is opened with
the practice key and its signature checked honestly (``gpdesk.inbox.smime``), and the inner
message is read again in the child. What the letter says is then recognised (the signal
reference, the kind, a one-click answer) and the result stored in one short transaction with
its audit entry (``gpdesk.inbox.store.receive``). Anything that cannot be read is still
stored, as a quarantined letter with gpdesk's reason: nothing received is ever dropped.

``take_in`` is what every source calls (a file from the command line or dragged onto the inbox,
a drop folder, a mailbox): it commits before it returns, so the source may then forget the item.
Pass one ``ParserProcess``'s ``parse`` as ``parser`` for many items: starting a child per item
costs a third of a second.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from gpdesk.db import Database, describe_failure
from gpdesk.errors import GpdeskError
from gpdesk.inbox.kinds import LetterKind, one_click_answer, suggest_kind
from gpdesk.inbox.parsing import Parsed, Quarantined, parse_file
from gpdesk.inbox.references import find_references, reference_of_message_id
from gpdesk.inbox.store import Incoming, IncomingPart, Quarantine, Received, receive
from gpdesk.inbox.store.bulk import receive_batch
from gpdesk.models import LetterSource, TeamDelivery, utcnow
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn
from gpdesk.security.crypto import Vault
from gpdesk.signals.replies import ReplyStatus
from gpdesk.transport import smime as outgoing_smime
from gpdesk.transport.config import signing_identity
from gpdesk.transport.smime import SigningIdentity

log = logging.getLogger(__name__)

Parser = Callable[[str, bytes], Parsed | Quarantined]

FILE_TYPES = {
    "email": "e-mail",
    "pdf": "pdf",
    "text": "tekst",
    "edifact": "edifact",
    "file": "bestand",
}
"""What the letter list calls each kind of received item."""
SIGNATURE_WORDS = {
    "geverifieerd": "geverifieerd",
    "niet geverifieerd": "niet geverifieerd",
    "ongeldig": "ongeldig",
}


UNAVAILABLE = "parser_unavailable"
ANSWER_KINDS = {
    ReplyStatus.RECEIVED: LetterKind.CONFIRMATION,
    ReplyStatus.IN_PROGRESS: LetterKind.PROGRESS,
    ReplyStatus.COMPLETED: LetterKind.CLOSING,
    ReplyStatus.NOT_REACHED: LetterKind.PROGRESS,
}
"""What a one-click answer is, as a letter: "ontvangen" confirms, "afgerond" closes."""


class ParserUnavailableError(GpdeskError):
    """The child process that reads letters could not start: try again, nothing is lost."""

    def __init__(self) -> None:
        super().__init__(
            "gpdesk kon het bericht nu niet veilig lezen: het leesproces start niet.",
            hint="Het bericht blijft waar het was; gpdesk probeert het later opnieuw. Blijft "
            "dit gebeuren, start gpdesk dan opnieuw.",
        )


@dataclass(frozen=True)
class PracticeKeys:
    """What the practice opens envelopes with and trusts signatures from.

    The practice's own S/MIME identity (when the beheerder set one), and the certificates of the
    teams it sends to: a team's letter signed with the certificate the practice encrypts to is
    verified against exactly that certificate.
    """

    identity: SigningIdentity | None
    trusted: tuple[x509.Certificate, ...]


def practice_keys(database: Database, vault: Vault) -> PracticeKeys:
    """The practice key and the teams' certificates, read once per fetch."""
    with database.session() as session:
        identity = signing_identity(session, vault)
        trusted: list[x509.Certificate] = []
        for pem in session.scalars(select(TeamDelivery.certificate)):
            if pem is None:
                continue
            try:
                trusted.append(outgoing_smime.load_certificate(bytes(pem)))
            except GpdeskError:
                log.warning("a stored team certificate does not load; not trusted for letters")
    return PracticeKeys(identity=identity, trusted=tuple(trusted))


def _quarantined(source: LetterSource, raw: bytes, reason: str, code: str) -> Incoming:
    return Incoming(
        source=source, raw=raw, file_type="onbekend", quarantine=Quarantine(reason, code)
    )


def _unwrap(
    raw: bytes, parsed: Parsed, keys: PracticeKeys, now: datetime, parser: Parser
) -> tuple[Parsed | Quarantined, str]:
    """Open the envelope and check the signature; the inner message read again in the child."""
    from gpdesk.inbox.smime import EnvelopeError, unwrap

    key = None if keys.identity is None else keys.identity.key
    certificate = None if keys.identity is None else keys.identity.certificate
    try:
        opened = unwrap(raw, key, certificate, list(keys.trusted) or None, now)
    except EnvelopeError as error:
        return Quarantined(error.message, "smime"), "versleuteld"
    state = opened.signature.state
    if parsed.smime == "signed" and not opened.encrypted and parsed.smime_signed_content:
        # A detached signature: the parser already read the signed content.
        return replace(parsed, smime=None), state
    inner = parser("bericht.eml", opened.content)
    if isinstance(inner, Parsed):
        # The envelope's own headers (Message-ID, sender, date) are the letter's; an inner
        # message may lack them.
        inner = replace(
            inner,
            message_id=inner.message_id or parsed.message_id,
            in_reply_to=inner.in_reply_to or parsed.in_reply_to,
            references=inner.references or parsed.references,
            subject=inner.subject or parsed.subject,
            sender=inner.sender or parsed.sender,
            sent_at=inner.sent_at or parsed.sent_at,
        )
    return inner, state


def _medvri(raw: bytes, parsed: Parsed) -> Parsed | Quarantined:
    """An Edifact MEDVRI letter: its sender and free text, read strictly."""
    from gpdesk.inbox.medvri import LetterFormatError, read_medvri

    try:
        letter = read_medvri(raw)
    except LetterFormatError as error:
        return Quarantined(error.message, "medvri")
    from gpdesk.inbox.parsing import Sender

    sender = letter.sender_name
    if letter.sender_department:
        sender += f", {letter.sender_department}"
    message_id = parsed.message_id
    if message_id is None and letter.message_reference:
        message_id = f"medvri-{letter.sender_code}-{letter.message_reference}"
    return replace(
        parsed,
        subject=f"Bericht van {letter.sender_name}",
        sender=Sender(address=None, display_name=sender),
        sent_at=letter.sent_at,
        body_text=letter.text,
        message_id=message_id,
    )


def read_item(
    name: str,
    raw: bytes,
    source: LetterSource,
    *,
    keys: PracticeKeys,
    source_id: int | None = None,
    parser: Parser = parse_file,
    now: datetime | None = None,
) -> Incoming:
    """Read one received item into what the store keeps; never raises on bad input."""
    moment = now or utcnow()
    result = parser(name, raw)
    if isinstance(result, Quarantined) and result.detail_code == UNAVAILABLE:
        # Not the letter's fault: the reading process did not start. Kept at its source.
        raise ParserUnavailableError()
    signature: str | None = None
    if isinstance(result, Parsed) and result.smime is not None:
        result, signature = _unwrap(raw, result, keys, moment, parser)
    if isinstance(result, Parsed) and result.kind == "edifact":
        result = _medvri(raw, result)
    if isinstance(result, Quarantined):
        incoming = _quarantined(source, raw, result.reason, result.detail_code)
        return replace(incoming, source_id=source_id, signature=signature)
    subject = result.subject or ""
    if not subject and result.kind != "email" and result.attachments:
        subject = result.attachments[0].filename  # a bare file: its (made safe) name says most
    texts = [result.body_text, *(a.text for a in result.attachments if a.safe_to_open)]
    body = result.body_text
    ids = [i for i in (result.in_reply_to, *result.references) if i]
    references = [
        *find_references(subject, *texts),
        *(r for r in (reference_of_message_id(i) for i in ids) if r is not None),
    ]
    answer = one_click_answer(subject, body)
    if answer is not None and answer.reference not in references:
        references.insert(0, answer.reference)
    kind = suggest_kind(subject, "\n".join(texts))
    kind_value = kind.kind.value
    if answer is not None and kind.kind is LetterKind.OTHER:
        kind_value = ANSWER_KINDS[answer.status].value  # a one-click answer says what it is
    parts = tuple(
        IncomingPart(
            filename=a.filename,
            content_type=a.content_type,
            data=a.data,
            sha256=a.sha256,
            part_kind=a.kind,
            safe_to_open=a.safe_to_open,
            problem=a.problem,
            text=a.text or None,
            check_pending=a.check_pending,
        )
        for a in result.attachments
    )
    return Incoming(
        source=source,
        raw=raw,
        file_type=FILE_TYPES.get(result.kind, "bestand"),
        source_id=source_id,
        message_id=result.message_id,
        sender_address=None if result.sender is None else result.sender.address,
        sender_name=None if result.sender is None else (result.sender.display_name or None),
        sent_at=result.sent_at,
        subject=subject,
        body_text=body,
        body_html=result.body_html_safe,
        signature=signature,
        parts=parts,
        references=tuple(dict.fromkeys(references)),
        reply_status=None if answer is None else answer.status.value,
        kind=kind_value,
        urgent=kind.urgent,
    )


ManyParser = Callable[[Sequence[tuple[str, bytes]]], Generator[Parsed | Quarantined, None, None]]
"""Reads several items at once, answers in order as they come (``ParserProcess.parse_stream``)."""


class ReadAhead:
    """A ``Parser`` that first hands back an answer read before (with ``parse_stream``).

    Items read together keep the reading process busy; ``read_item`` then gets its item's
    answer at once, and anything it reads next (what an S/MIME envelope holds) goes to
    ``parser``.
    """

    def __init__(self, answer: Parsed | Quarantined, parser: Parser) -> None:
        self._answer: Parsed | Quarantined | None = answer
        self._parser = parser

    def __call__(self, name: str, raw: bytes) -> Parsed | Quarantined:
        """The answer read ahead, once; then the parser."""
        answer, self._answer = self._answer, None
        return answer if answer is not None else self._parser(name, raw)


def take_in(
    database: Database,
    signed: SignedIn,
    item: tuple[str, bytes],
    source: LetterSource,
    *,
    keys: PracticeKeys,
    source_id: int | None = None,
    parser: Parser = parse_file,
) -> Received:
    """Read ``item`` (name, bytes) and store it in its own committed transaction."""
    name, raw = item
    incoming = read_item(name, raw, source, keys=keys, source_id=source_id, parser=parser)
    with database.session() as session:
        audit.lock_chain(session)
        return receive(session, signed.vault, signed.actor, incoming)


def store_read(
    database: Database, signed: SignedIn, items: Sequence[Incoming | Exception]
) -> tuple[list[Received], Exception | None]:
    """Store items read before, in order, in one committed transaction.

    An ``Exception`` among ``items`` (the item could not be read, e.g. the reading process did
    not start) or a failure storing one stops there: the ones before it are committed, it and
    the rest are not, and that failure is returned beside what was stored. One transaction for
    a batch instead of one per letter: the commit (a disk flush) is most of a small letter's
    cost. The batch is stored at once (``receive_batch``); should that fail, it is rolled back
    and stored letter by letter, each in a savepoint, which finds the one that failed. A failure
    of the commit itself raises; then nothing of the batch is stored.
    """
    readable: list[Incoming] = []
    stop: Exception | None = None
    for item in items:
        if isinstance(item, Exception):
            stop = item
            break
        readable.append(item)
    with database.session() as session:
        audit.lock_chain(session)
        try:
            with session.begin_nested():
                return receive_batch(session, signed.vault, signed.actor, readable), stop
        except Exception:
            log.warning("storing a batch at once failed; storing it letter by letter")
        received: list[Received] = []
        for item in readable:
            try:
                with session.begin_nested():
                    received.append(receive(session, signed.vault, signed.actor, item))
            except DBAPIError as error:
                return received, describe_failure(error, database.url)
            except Exception as error:
                return received, error
    return received, stop
