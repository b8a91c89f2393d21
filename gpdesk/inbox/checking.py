"""The reading pass: PDFs a fetch stored unchecked are checked right after, before any preview.

Checking a PDF (its structure with pikepdf, its first pages' text with pypdf) costs about ten
times the rest of reading an e-mail, so a fetch stores its letters with their PDFs unchecked
(``Limits.defer_pdf_check``): each such PDF is kept, not safe to open, with the problem "wordt
nog gecontroleerd" and the marker ``letter_part.check_pending``. ``check_pending`` then takes
the marked parts in small batches: their bytes are read in a short transaction, handed together
to the limited parsing process (the same one the fetch used), and the verdicts written back in
one short transaction per batch (``gpdesk.inbox.store.checking``), which also links a letter
whose reference only its PDF names and suggests its kind again from the whole text. The next
batch is read and checked while this one is written.

A PDF that fails the check gets its problem as it would have at once; a bare PDF (the file was
the letter) that fails quarantines its letter, as reading it at once would have. One that crashes or
stalls the parsing process gets that reason as its problem: it is never tried again. When the
parsing process does not start at all, the marker stays and the next pass tries again.
"""

from __future__ import annotations

import functools
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Final

from gpdesk.db import Database
from gpdesk.inbox.intake import UNAVAILABLE, ManyParser, Parser, ReadAhead
from gpdesk.inbox.parsing import Parsed, ParserProcess, Quarantined, reasons
from gpdesk.inbox.store.checking import (
    CheckedPart,
    LetterChecked,
    PendingPart,
    pending_count,
    pending_parts,
    write_checked,
)
from gpdesk.security.accounts import SignedIn
from gpdesk.security.permissions import Permission, require

__all__ = ["BATCH", "CheckOutcome", "check_part", "check_pending", "pending_in"]

log = logging.getLogger(__name__)

BATCH: Final = 20
"""Parts per write: short enough that another workstation's write never waits long."""
_NAME: Final = "bijlage.pdf"


@dataclass
class CheckOutcome:
    """What a pass did: parts checked, how many stay closed, letters linked by their PDF."""

    checked: int = 0
    problems: int = 0
    linked: int = 0
    quarantined: int = 0
    letters: list[int] = field(default_factory=list)
    """Letters written by this pass, in order (the list refreshes them)."""
    unavailable: bool = False
    """The parsing process did not start: what is left stays marked for the next pass."""


def pending_in(database: Database) -> int:
    """How many PDFs await the check (nothing opened, nothing audited)."""
    with database.session() as session:
        return pending_count(session)


def check_pending(
    database: Database,
    signed: SignedIn,
    parser: Parser | None = None,
    *,
    batch: int = BATCH,
    parse_many: ManyParser | None = None,
) -> CheckOutcome:
    """Check every PDF stored unchecked; commits per batch, never raises for a bad PDF.

    ``parser`` must check PDFs (``ParserProcess.parse_checked``, or ``parse`` of a process
    without ``defer_pdf_check``); without one, a process is started only when there is work.
    ``parse_many`` (checking too) hands a batch's PDFs to the process at once.
    """
    require(signed.actor.permissions, Permission.LETTER_READ)
    if parser is None:
        if not pending_in(database):
            return CheckOutcome()
        with ParserProcess() as process:
            return check_pending(
                database, signed, process.parse_checked, batch=batch,
                parse_many=functools.partial(process.parse_stream, defer_pdf_check=False),
            )  # fmt: skip
    outcome = CheckOutcome()

    def read_and_check(after: int) -> _Checked:
        with database.session() as session:  # a read only: closed before the checks begin
            pending = pending_parts(session, signed.vault, after_id=after, limit=batch)
        if not pending:
            return _Checked([], after, stopped=False)
        following = max(part.id for part in pending[:batch])
        answers = parse_many([(_NAME, p.data) for p in pending]) if parse_many else None
        checked: list[CheckedPart] = []
        try:
            for part in pending:
                reader = parser if answers is None else ReadAhead(next(answers), parser)
                verdict = check_part(part, reader)
                if verdict is None:  # the parsing process did not start: this letter stays
                    log.warning("the reading pass stopped: the parsing process did not start")
                    kept = [v for v in checked if v.letter_id != part.letter_id]
                    return _Checked(kept, following, stopped=True)
                checked.append(verdict)
        finally:
            if answers is not None:
                answers.close()
        return _Checked(checked, following, stopped=False)

    # The next batch is read and checked (in the parsing process) while this one is written.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-check") as ahead:
        coming = ahead.submit(read_and_check, 0)
        while True:
            done = coming.result()
            if not done.stopped and done.parts:
                coming = ahead.submit(read_and_check, done.following)
            if done.parts:
                with database.session() as session:
                    written = write_checked(session, signed.vault, signed.actor, done.parts)
                _count(outcome, written)
            if done.stopped:
                outcome.unavailable = True
            if done.stopped or not done.parts:
                break
    return outcome


@dataclass
class _Checked:
    """A batch read and checked: the verdicts, where the next batch starts, and whether to stop."""

    parts: list[CheckedPart]
    following: int
    stopped: bool


def _count(outcome: CheckOutcome, written: list[LetterChecked]) -> None:
    for letter in written:
        outcome.checked += letter.parts
        outcome.problems += letter.problems
        outcome.linked += letter.signal_reference is not None
        outcome.quarantined += letter.quarantined
        outcome.letters.append(letter.letter_id)


def check_part(part: PendingPart, parser: Parser) -> CheckedPart | None:
    """One PDF read by the parsing process; None when that process did not start."""
    result = parser(_NAME, part.data)
    if isinstance(result, Quarantined):
        if result.detail_code == UNAVAILABLE:
            return None
        # A bomb, a crash, a timeout: the reason stays with the PDF, which is never opened.
        return CheckedPart(
            id=part.id, letter_id=part.letter_id, problem=result.reason, code=result.detail_code
        )
    return _verdict(part, result)


def _verdict(part: PendingPart, result: Parsed) -> CheckedPart:
    if not result.attachments:
        return CheckedPart(id=part.id, letter_id=part.letter_id, problem=reasons.PDF_BROKEN)
    attachment = result.attachments[0]
    if attachment.check_pending:
        raise ValueError("the reading pass needs a parser that checks PDFs")
    if not attachment.safe_to_open:
        return CheckedPart(
            id=part.id, letter_id=part.letter_id, problem=attachment.problem, code=attachment.kind
        )
    return CheckedPart(id=part.id, letter_id=part.letter_id, problem=None, text=attachment.text)
