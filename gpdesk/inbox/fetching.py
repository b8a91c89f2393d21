"""Fetching from every source once: each item stored (committed) before its source forgets it.

A mailbox hands its new messages one by one; each is read and stored in its own transaction
(``intake.take_in``) and only then marked done at the server. A drop folder is taken in batches
(``folder.scan_batches``: up to 50 files, one transaction, each letter in a savepoint of its
own), the next batch read in the parsing process while this one is stored; a file is moved to
``verwerkt/`` only after its batch is committed. A crash anywhere leaves the item at its
source, and the next fetch hands it again: the store's dedupe makes that a duplicate, not a
second letter. How far a mailbox got, and why a source failed, are kept per source for Beheer.
After a fetch, what is past the retention period is forgotten (``forget_due``).

Storing leaves PDFs unchecked (``Limits.defer_pdf_check``: the check is most of the cost of
reading a letter); the reading pass (``gpdesk.inbox.checking.check_pending``) checks them right
after, with the same parsing process, before anything can preview them. ``fetch_one`` and
``fetch_all`` run it unless told not to (``check=False``: the GUI and the benchmark run it as a
step of its own, to show or time "stored" and "read through" apart).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from gpdesk.db import Database
from gpdesk.errors import GpdeskError
from gpdesk.inbox.checking import CheckOutcome, check_pending
from gpdesk.inbox.intake import (
    ManyParser,
    Parser,
    PracticeKeys,
    ReadAhead,
    practice_keys,
    read_item,
    store_read,
    take_in,
)
from gpdesk.inbox.parsing import ParserProcess
from gpdesk.inbox.polling import problem_of
from gpdesk.inbox.sources.errors import InboxSourceError, KeepFailedError
from gpdesk.inbox.sources.folder import BatchStoppedError, DroppedFile, scan_batches
from gpdesk.inbox.sources.imap import FetchResult, ImapMark, RawMessage, fetch_new
from gpdesk.inbox.store import Incoming, Quarantine, forget_expired, receive
from gpdesk.inbox.store.sources import (
    imap_settings,
    list_sources,
    mark_of,
    record_fetch,
    source_row,
    view,
)
from gpdesk.models import LetterSource, SourceKind
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission, require

log = logging.getLogger(__name__)

TOO_LARGE = (
    "Het bericht is groter dan 25 MB en is niet opgehaald. Vraag de afzender het kleiner te sturen."
)


@dataclass
class SourceOutcome:
    """What one source gave: how many stored, how many were already there, and any failure."""

    source_id: int
    label: str
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    checked: int = 0
    """PDFs the reading pass checked after storing (0 with ``check=False``)."""
    error: str | None = None
    temporary: bool = False
    problem: str | None = None
    """A few words for the status bar ("server niet bereikbaar"), when it failed."""

    def as_json(self) -> dict[str, object]:
        """For ``--json``."""
        return {
            "source": self.source_id,
            "label": self.label,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "checked": self.checked,
            "error": self.error,
        }


@dataclass
class _Counter:
    outcome: SourceOutcome

    def count(self, duplicate: bool, quarantined: bool) -> None:
        if duplicate:
            self.outcome.duplicates += 1
        elif quarantined:
            self.outcome.quarantined += 1
        else:
            self.outcome.stored += 1


def _store_too_large(
    database: Database, signed: SignedIn, raw: bytes, source: LetterSource, source_id: int
) -> tuple[bool, bool]:
    incoming = Incoming(
        source=source, raw=raw, file_type="onbekend", source_id=source_id,
        quarantine=Quarantine(TOO_LARGE, "too_large"),
    )  # fmt: skip
    with database.session() as session:
        audit.lock_chain(session)
        got = receive(session, signed.vault, signed.actor, incoming)
    return got.duplicate, got.quarantined


def _read_dropped(
    dropped: DroppedFile,
    source: LetterSource,
    keys: PracticeKeys,
    source_id: int,
    parser: Parser,
) -> Incoming:
    """A file from the drop folder read (in the parsing process) into what the store keeps."""
    if dropped.too_large:
        return Incoming(
            source=source, raw=dropped.raw, file_type="onbekend", source_id=source_id,
            quarantine=Quarantine(TOO_LARGE, "too_large"),
        )  # fmt: skip
    return read_item(
        dropped.name, dropped.raw, source, keys=keys, source_id=source_id, parser=parser
    )


def fetch_one(
    database: Database,
    signed: SignedIn,
    source_id: int,
    *,
    keys: PracticeKeys | None = None,
    parser: ParserProcess | None = None,
    check: bool = True,
) -> SourceOutcome:
    """Fetch from one source now; a failure is kept with the source and returned, not raised.

    One reading process (``parser``, else one started here) serves the whole fetch: storing
    with PDFs deferred (a drop folder's files handed to it a batch at a time), then, unless
    ``check`` is False, the reading pass that checks them.
    """
    if parser is None:
        with ParserProcess() as process:
            return fetch_one(database, signed, source_id, keys=keys, parser=process, check=check)
    require(signed.actor.permissions, Permission.LETTER_READ)
    outcome = _store_from(
        database, signed, source_id, keys=keys, parser=parser.parse_deferred,
        parse_many=functools.partial(parser.parse_stream, defer_pdf_check=True),
    )  # fmt: skip
    if check:
        outcome.checked = run_check(database, signed, parser).checked
    return outcome


def run_check(
    database: Database, signed: SignedIn, parser: ParserProcess | None = None
) -> CheckOutcome:
    """The reading pass after a fetch; a failure to write leaves the PDFs marked for next time.

    Without ``parser`` a reading process starts only when a PDF awaits its check.
    """
    try:
        if parser is None:
            return check_pending(database, signed)
        return check_pending(
            database, signed, parser.parse_checked,
            parse_many=functools.partial(parser.parse_stream, defer_pdf_check=False),
        )  # fmt: skip
    except GpdeskError:
        log.warning("the reading pass after a fetch failed; its PDFs wait for the next one")
        return CheckOutcome()


def _store_from(
    database: Database,
    signed: SignedIn,
    source_id: int,
    *,
    keys: PracticeKeys | None,
    parser: Parser,
    parse_many: ManyParser,
) -> SourceOutcome:
    """Fetch from one source and store what it hands, PDFs as ``parser`` leaves them."""
    with database.session() as session:
        row = source_row(session, source_id)
        kind = SourceKind(row.kind)
        mark = mark_of(row)
        settings = imap_settings(signed.vault, row) if kind is SourceKind.IMAP else None
        path = None if row.path is None else Path(row.path)
        label = view(row).label
    counter = _Counter(SourceOutcome(source_id=source_id, label=label))
    opened = keys or practice_keys(database, signed.vault)
    source = LetterSource.IMAP if kind is SourceKind.IMAP else LetterSource.FOLDER

    def keep_bytes(name: str, raw: bytes, too_large: bool) -> None:
        if too_large:
            counter.count(*_store_too_large(database, signed, raw, source, source_id))
            return
        got = take_in(
            database, signed, (name, raw), source, keys=opened,
            source_id=source_id, parser=parser,
        )  # fmt: skip
        counter.count(got.duplicate, got.quarantined)

    new_mark: ImapMark | None = None
    try:
        if settings is not None:

            def keep_message(message: RawMessage) -> None:
                raw = message.headers if message.too_large else message.raw
                keep_bytes(f"bericht-{message.uid}.eml", raw, message.too_large)

            result: FetchResult = fetch_new(settings, mark, keep_message)
            new_mark = result.mark
        else:
            assert path is not None

            def read_files(files: list[DroppedFile]) -> list[Incoming | Exception]:
                wanted = [(d.name, d.raw) for d in files if not d.too_large]
                answers = parse_many(wanted) if wanted else None
                read: list[Incoming | Exception] = []
                try:
                    for dropped in files:
                        reader = parser
                        if answers is not None and not dropped.too_large:
                            reader = ReadAhead(next(answers), parser)
                        try:
                            read.append(_read_dropped(dropped, source, opened, source_id, reader))
                        except Exception as error:  # stored up to here; this file stays
                            read.append(error)
                            break
                finally:
                    if answers is not None:
                        answers.close()
                return read

            def keep_files(
                files: list[DroppedFile], read: list[Incoming | Exception] | None
            ) -> None:
                assert read is not None
                received, failure = store_read(database, signed, read)
                for got in received:
                    counter.count(got.duplicate, got.quarantined)
                if failure is not None:
                    raise BatchStoppedError(len(received), failure)

            scan_batches(path, keep_files, prepare=read_files)
    except KeepFailedError as error:
        partial = error.result
        new_mark = partial.mark if isinstance(partial, FetchResult) else None
        counter.outcome.error = error.user_text()
        counter.outcome.temporary = error.temporary
        counter.outcome.problem = problem_of(error)
    except InboxSourceError as error:
        counter.outcome.error = error.user_text()
        counter.outcome.temporary = error.temporary
        counter.outcome.problem = problem_of(error)
    except GpdeskError as error:
        counter.outcome.error = error.user_text()
        counter.outcome.problem = problem_of(error)
    with database.session() as session:
        record_fetch(session, source_id, mark=new_mark, error=counter.outcome.error)
    if counter.outcome.error:
        log.warning("fetch from source %s failed", source_id)  # the reason is kept with it
    return counter.outcome


def fetch_all(
    database: Database, signed: SignedIn, *, parser: ParserProcess | None = None
) -> list[SourceOutcome]:
    """Fetch once from every enabled source, in the order they were added, then check PDFs."""
    require(signed.actor.permissions, Permission.LETTER_READ)
    if parser is None:
        with ParserProcess() as process:
            return fetch_all(database, signed, parser=process)
    with database.session() as session:
        ids = [v.id for v in list_sources(session) if v.enabled]
    keys = practice_keys(database, signed.vault) if ids else None
    outcomes = [fetch_one(database, signed, i, keys=keys, parser=parser) for i in ids]
    forget_due(database, signed)
    return outcomes


def forget_due(database: Database, signed: SignedIn) -> int:
    """Housekeeping after a fetch: the content of letters past their retention period goes.

    In short batches, each its own transaction, so a large backlog never holds a long lock.
    """
    forgotten = 0
    while True:
        with database.session() as session:
            done = forget_expired(session, signed.vault, None).letters
        forgotten += done
        if not done:
            return forgotten
