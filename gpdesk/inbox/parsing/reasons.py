"""Every Dutch text parsing can produce, in one place: the quarantine reasons and the problems.

They say what is wrong with the item, never what is in it: they end up in the quarantine list
that the beheerder sees and may end up in logs.
"""

from __future__ import annotations

from collections.abc import Sequence

from gpdesk.inbox.parsing.model import Limits, Quarantined

_MB = 1024 * 1024


class QuarantineError(Exception):
    """Raised inside parsing to stop and quarantine the whole item."""

    def __init__(self, reason: str, detail_code: str) -> None:
        super().__init__(detail_code)  # the code only: the reason may be read in a log
        self.reason = reason
        self.detail_code = detail_code

    def as_result(self) -> Quarantined:
        """The quarantine this error stands for."""
        return Quarantined(self.reason, self.detail_code)


def _mb(value: int) -> str:
    return f"{value / _MB:g} MB"


def too_large(limits: Limits) -> QuarantineError:
    """The whole item is over the size limit."""
    return QuarantineError(f"Het bericht is groter dan {_mb(limits.max_bytes)}.", "too_large")


def empty() -> QuarantineError:
    """Zero bytes: nothing to read."""
    return QuarantineError("Het bestand is leeg.", "empty")


def headers_too_large(limits: Limits) -> QuarantineError:
    """The header block of the message or of one part is over the limit."""
    return QuarantineError(
        f"De kopregels van het bericht zijn groter dan {limits.max_header_bytes // 1024} KB.",
        "headers_too_large",
    )


def too_deep(limits: Limits) -> QuarantineError:
    """Parts nested deeper than the limit."""
    return QuarantineError(
        f"Het bericht is te diep genest: meer dan {limits.max_depth} lagen.", "too_deep"
    )


def too_many_parts(limits: Limits) -> QuarantineError:
    """More MIME parts than the limit."""
    return QuarantineError(
        f"Het bericht heeft meer dan {limits.max_parts} onderdelen.", "too_many_parts"
    )


def not_a_message() -> QuarantineError:
    """No header that an e-mail message has."""
    return QuarantineError(
        "Het bestand is geen leesbaar e-mailbericht: de kopregels (afzender, onderwerp, "
        "datum) ontbreken.",
        "not_a_message",
    )


def not_a_pdf() -> QuarantineError:
    """Named .pdf, but the content is something else."""
    return QuarantineError(
        "Het bestand heet een PDF, maar is geen PDF. gpdesk heeft het niet geopend.", "not_a_pdf"
    )


def pdf_quarantine(problem: str, code: str) -> QuarantineError:
    """A bare PDF with a problem: the problem is the reason."""
    return QuarantineError(problem, code)


def timed_out(limits: Limits) -> Quarantined:
    """The child process took longer than the limit and was stopped."""
    return Quarantined(
        f"Het lezen van het bericht duurde langer dan {limits.timeout_s:g} seconden en is gestopt.",
        "timeout",
    )


def out_of_memory(limits: Limits) -> Quarantined:
    """The child process needed more memory than the limit."""
    return Quarantined(
        f"Het lezen van het bericht had meer dan {limits.memory_mb} MB geheugen nodig en is "
        "gestopt.",
        "memory",
    )


def crashed() -> Quarantined:
    """The child process died or answered nonsense."""
    return Quarantined(
        "Het lezen van het bericht liep vast. gpdesk heeft het bewaard maar niet geopend.",
        "crashed",
    )


def could_not_start() -> Quarantined:
    """The child process did not start or did not report ready."""
    return Quarantined(
        "gpdesk kon het bericht niet veilig lezen: het leesproces startte niet. "
        "Probeer het later opnieuw.",
        "parser_unavailable",
    )


# Problems of one attachment (Attachment.problem) and notes about a message (Parsed.problems).

EXECUTABLE = (
    "Dit bestand is een programma of script. gpdesk opent het niet; het is wel bewaard. "
    "Open het niet buiten gpdesk."
)
MACRO_DOCUMENT = (
    "Dit document bevat macro's (programmacode). gpdesk opent het niet; het is wel bewaard. "
    "Vraag de afzender om een PDF."
)
ARCHIVE = (
    "Dit is een archief (bijvoorbeeld zip). gpdesk pakt het niet uit en opent het niet; het is "
    "wel bewaard. Vraag de afzender om de bestanden los of als PDF."
)
OTHER = (
    "gpdesk kan dit soort bestand niet controleren en opent het niet; het is wel bewaard. "
    "Vraag de afzender om een PDF."
)
DISGUISED = " Let op: de naam lijkt op een ander soort bestand."
IMAGE_BROKEN = "Dit bestand heet een afbeelding, maar is het niet. gpdesk opent het niet."
ARCHIVE_BROKEN = "Dit archief is beschadigd. gpdesk opent het niet; het is wel bewaard."
PDF_ENCRYPTED = (
    "De PDF is beveiligd met een wachtwoord. gpdesk kan hem niet controleren en opent hem "
    "niet. Vraag de afzender om een PDF zonder wachtwoord."
)
PDF_BROKEN = (
    "De PDF is beschadigd en kan niet worden gelezen. Vraag de afzender hem opnieuw te sturen."
)
PDF_PENDING = "De PDF wordt nog gecontroleerd; even geduld."
"""A PDF stored before its check (``Limits.defer_pdf_check``): the reading pass checks it next."""
PDF_NOT_PDF = "Dit bestand heet een PDF, maar is geen PDF. gpdesk opent het niet."
PDF_BOMB = (
    "De PDF wordt bij het uitpakken veel te groot (mogelijk opzettelijk). gpdesk opent hem niet."
)
PDF_IMAGE_BOMB = "De PDF bevat een afbeelding die veel te groot is. gpdesk opent hem niet."
PDF_UNCHECKABLE = (
    "De PDF gebruikt een ouderwetse compressie die gpdesk niet veilig kan controleren. "
    "gpdesk opent hem niet."
)
PDF_TOO_LARGE_TO_CHECK = "De PDF is te groot om veilig te controleren. gpdesk opent hem niet."


def pdf_too_many_pages(limits: Limits) -> str:
    """More pages than the limit."""
    return f"De PDF heeft meer dan {limits.pdf_max_pages} pagina's. gpdesk opent hem niet."


def pdf_too_many_objects(limits: Limits) -> str:
    """More objects than the limit (a PDF built to wear out the reader)."""
    return (
        f"De PDF bestaat uit meer dan {limits.pdf_max_objects} onderdelen. gpdesk opent hem niet."
    )


def pdf_active(what: Sequence[str]) -> str:
    """JavaScript, a launch action, an embedded file: named, not quoted."""
    return (
        f"De PDF bevat {_join(what)}. gpdesk opent hem niet, want dat kan de computer in "
        "gevaar brengen. Vraag de afzender om een gewone PDF."
    )


def _join(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " en " + words[-1]


NOTE_DEFECTS = (
    "Het bericht is niet helemaal volgens de regels opgebouwd; gpdesk heeft gelezen wat het kon."
)
NOTE_TEXT_CUT = "De tekst is erg lang; gpdesk toont en doorzoekt alleen het begin."
NOTE_HTML_AS_TEXT = (
    "De opmaak (HTML) van het bericht is te ingewikkeld; gpdesk toont alleen de tekst."
)
NOTE_SMIME_ENCRYPTED = "Het bericht is versleuteld (S/MIME); de inhoud is nog niet ontsleuteld."
NOTE_SMIME_OPAQUE = "Het bericht is ondertekend (S/MIME); de inhoud zit nog in de handtekening."
