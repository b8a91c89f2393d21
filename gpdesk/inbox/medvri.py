"""Edifact MEDVRI, the "vrij bericht": a free-text letter between Dutch care providers.

Secure-mail clients of Dutch healthcare (Zorgmail-like services) save such letters as files in
a drop folder. A MEDVRI interchange is the Dutch national Edifact layout (``UNH+…+MEDVRI:1``),
not a UN/EDIFACT directory message::

    UNB+UNOA:1+<sender code>+<recipient code>+<yymmdd>:<hhmm>+<reference>'
    UNH+<reference>+MEDVRI:1'
    GGA+<sender name>+<department>+<name>+<street>:<number>::<town>:<postcode>+<phone>'
    DET+<yy>:<mm>:<dd>+<hh>:<mm>'                       (when the letter was written)
    PID+<yyyy>:<mm>:<dd>+<sex>+<surname>:<prefix>:<partner surname>:<prefix>::<initials>
        ++BSN<nine digits>'                              (the patient)
    PAD+<street>:<number>::<town>:<postcode>+<phone>'   (the patient's address, optional)
    TXT:1+<first line of text>'
    TXT:2+<second line>'                                 (one segment per line, empty allowed)
    GGO+<recipient name>+…'                              (the addressee, optional)
    UNT+<segments from UNH to UNT>+<reference>'
    UNZ+<messages>+<reference>'

The separators, the optional ``UNA`` advice and release characters (``?+``, ``?'``) are
handled by pydifact's tokenizer. Its segment parser is not used: it rejects the numbered tags
(``TXT:1``) this layout uses. The layout is checked strictly here (message type, the segment
count in ``UNT``, a sender, a patient, some text), so a cut-off or foreign file is quarantined
with a reason instead of being read half. UN-style ``FTX`` free-text segments are read as well.

Errors are ``LetterFormatError`` with a Dutch message that names the problem, never the content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from gpdesk.errors import GpdeskError, ValidationError
from gpdesk.patients.validation import normalise_phone, normalise_postcode, passes_elfproef

__all__ = ["MAX_MEDVRI_BYTES", "LetterFormatError", "MedvriLetter", "read_medvri", "read_medvris"]

MAX_MEDVRI_BYTES: Final = 2 * 1024 * 1024
"""A free-text letter is a few kilobytes; far more is not a letter."""

LOCAL: Final = ZoneInfo("Europe/Amsterdam")
"""Edifact dates carry no time zone; Dutch senders write Dutch time."""

_KEEP = "Het bestand is bewaard in quarantaine."
_ASK_SENDER = "Vraag de afzender het bericht opnieuw te sturen."

# The service string advice every interchange without UNA uses (ISO 9735).
_DEFAULT_SEPARATORS = ":+.? '"

Element = str | list[str]
Segment = list[Element]


class LetterFormatError(GpdeskError):
    """A received file is not the letter it claims to be; it is kept, not read."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem} {_KEEP}", hint=_ASK_SENDER)
        self.problem = problem


@dataclass(frozen=True, repr=False)
class MedvriLetter:
    """One free-text letter, read from a MEDVRI message.

    Optional facts are None when the file leaves them out or holds something that is not
    valid (a BSN that fails the elfproef, an unknown birth date ``0000:00:00``): a wrong value
    must never link a letter to a patient.
    """

    sender_name: str
    sender_code: str
    """The sender's identification in the interchange header (UNB), e.g. an AGB or mailbox id."""
    patient_name: str
    """As a Dutch letter writes it: initials, prefix, surname ("P. van de Berg")."""
    patient_birth_date: date | None
    patient_bsn: str | None
    text: str
    sent_at: datetime | None
    """When the letter was written (DET, else the interchange date), Dutch time."""
    sender_department: str | None = None
    patient_partner_name: str | None = None
    """The partner's surname with prefix ("van Jansen"), which a letter may use instead."""
    patient_postcode: str | None = None
    patient_phone: str | None = None
    recipient_name: str | None = None
    message_reference: str | None = None

    def __repr__(self) -> str:
        # A repr ends up in logs and tracebacks, so it must not show who the patient is.
        return "MedvriLetter(<redacted>)"


# -- tokens to segments -------------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    """UTF-8 for the UNOW/UNOY syntaxes and for files that are UTF-8; ISO 8859-1 otherwise.

    UNOA/UNOB are ASCII and UNOC is ISO 8859-1 (Latin-1), so Latin-1 reads every older file.
    """
    head = raw[:64].upper()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if b"UNOW" in head or b"UNOY" in head:
            raise LetterFormatError(
                "Het MEDVRI-bericht zegt UTF-8 te zijn, maar bevat ongeldige tekens."
            ) from error
        return raw.decode("latin-1")


def _segments(text: str) -> list[Segment]:
    from pydifact.control.characters import Characters
    from pydifact.exceptions import EDISyntaxError
    from pydifact.exceptions import ValidationError as EdiValidationError
    from pydifact.parser import Parser
    from pydifact.tokenizer import Tokenizer

    text = text.lstrip()
    try:
        if text.startswith("UNA"):
            characters = Characters.from_str(text[:9])
            text = text[9:].lstrip("\r\n")
        else:
            characters = Characters.from_str(_DEFAULT_SEPARATORS)
        tokens = Tokenizer().get_tokens(text, characters)
        return [list(raw) for raw in Parser().convert_tokens_to_raw_segments(tokens)]
    except (EDISyntaxError, EdiValidationError, IndexError) as error:
        raise LetterFormatError(
            "Het bestand is geen leesbaar Edifact-bericht: de opbouw klopt niet of het bestand "
            "is afgebroken."
        ) from error


def _tag(segment: Segment) -> str:
    first = segment[0] if segment else ""
    return (first[0] if isinstance(first, list) and first else str(first)).upper()


def _element(segment: Segment, index: int) -> list[str]:
    """Element ``index`` (0 is the tag) as a list of components; missing is empty."""
    if index >= len(segment):
        return []
    value = segment[index]
    return value if isinstance(value, list) else [value]


def _first(segment: Segment, index: int) -> str:
    components = _element(segment, index)
    return components[0].strip() if components else ""


def _component(segment: Segment, index: int, component: int) -> str:
    components = _element(segment, index)
    return components[component].strip() if component < len(components) else ""


# -- reading the parts --------------------------------------------------------------------------


def _date(year: str, month: str, day: str) -> date | None:
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        return None
    number = int(year)
    if len(year) == 2:  # DET and UNB write two-digit years
        number += 2000
    try:
        return date(number, int(month), int(day))
    except ValueError:
        return None


def _time(hour: str, minute: str) -> tuple[int, int] | None:
    if not (hour.isdigit() and minute.isdigit()):
        return None
    h, m = int(hour), int(minute)
    return (h, m) if h < 24 and m < 60 else None


def _moment(day: date | None, time: tuple[int, int] | None) -> datetime | None:
    if day is None:
        return None
    hour, minute = time or (0, 0)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


def _sent_at(det: Segment | None, unb: Segment) -> datetime | None:
    if det is not None:
        parts = _element(det, 1)
        clock = _element(det, 2)
        if len(parts) == 3:
            found = _moment(_date(*parts), _time(*clock) if len(clock) == 2 else None)
            if found is not None:
                return found
    stamp = _element(unb, 4)
    if stamp and len(stamp[0]) == 6:
        yymmdd = stamp[0]
        hhmm = stamp[1] if len(stamp) > 1 and len(stamp[1]) == 4 else ""
        return _moment(
            _date(yymmdd[:2], yymmdd[2:4], yymmdd[4:]),
            _time(hhmm[:2], hhmm[2:]) if hhmm else None,
        )
    return None


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _patient_name(pid: Segment) -> tuple[str, str | None]:
    """("P. van de Berg", "van Jansen") from ``Berg:van de:Jansen:van::P.``."""
    surname = _component(pid, 3, 0)
    prefix = _component(pid, 3, 1)
    partner = _component(pid, 3, 2)
    partner_prefix = _component(pid, 3, 3)
    initials = _component(pid, 3, 5) or _component(pid, 3, 4)
    if initials and not initials.endswith(".") and initials.isalpha() and initials.isupper():
        initials = "".join(f"{letter}." for letter in initials)
    name = _join(initials, prefix, surname)
    return name, (_join(partner_prefix, partner) or None)


_BSN = re.compile(r"BSN\s*([0-9]{8,9})", re.IGNORECASE)


def _bsn(pid: Segment) -> str | None:
    for index in range(4, len(pid)):
        for component in _element(pid, index):
            match = _BSN.fullmatch(component.strip())
            if match:
                digits = match.group(1).zfill(9)
                return digits if passes_elfproef(digits) else None
    return None


def _postcode(address: list[str]) -> str | None:
    if len(address) < 5:
        return None
    try:
        return normalise_postcode(address[4])
    except ValidationError:
        return None


def _phone(value: str) -> str | None:
    if not value:
        return None
    try:
        return normalise_phone(value)
    except ValidationError:
        return None


def _text(body: list[Segment]) -> str:
    """The TXT lines in file order (an empty TXT is an empty line), or FTX texts."""
    lines: list[str] = []
    for segment in body:
        tag = _tag(segment)
        if tag == "TXT":
            # A colon the sender forgot to escape ("?:") splits the text into components.
            lines.append(":".join(_element(segment, 1)).rstrip())
        elif tag == "FTX":
            lines.append(" ".join(c for c in _element(segment, 4) if c).rstrip())
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _message_type(unh: Segment) -> str:
    return _component(unh, 2, 0).upper()


def _read_message(unb: Segment, message: list[Segment]) -> MedvriLetter:
    unh, body, unt = message[0], message[1:-1], message[-1]
    kind = _message_type(unh)
    if kind != "MEDVRI":
        shown = kind if kind.isalnum() and len(kind) <= 8 else "onbekend"
        raise LetterFormatError(
            f"Dit Edifact-bericht is van de soort {shown}, geen vrij bericht (MEDVRI). "
            "gpdesk leest alleen vrije berichten."
        )
    count = _first(unt, 1)
    if not count.isdigit() or int(count) != len(message):
        raise LetterFormatError(
            "Het MEDVRI-bericht is onvolledig: het aantal regels klopt niet met de afsluiting."
        )
    by_tag: dict[str, Segment] = {}
    for segment in body:
        by_tag.setdefault(_tag(segment), segment)
    gga, pid = by_tag.get("GGA"), by_tag.get("PID")
    if gga is None or not _first(gga, 1):
        raise LetterFormatError("In het MEDVRI-bericht ontbreekt de afzender (GGA).")
    if pid is None:
        raise LetterFormatError("In het MEDVRI-bericht ontbreekt de patiënt (PID).")
    name, partner_name = _patient_name(pid)
    if not name:
        raise LetterFormatError("In het MEDVRI-bericht ontbreekt de naam van de patiënt.")
    text = _text(body)
    if not text.strip():
        raise LetterFormatError("Het MEDVRI-bericht bevat geen tekst.")
    birth = _element(pid, 1)
    pad = by_tag.get("PAD")
    ggo = by_tag.get("GGO")
    return MedvriLetter(
        sender_name=_first(gga, 1),
        sender_code=_first(unb, 2),
        patient_name=name,
        patient_birth_date=_date(*birth) if len(birth) == 3 else None,
        patient_bsn=_bsn(pid),
        text=text,
        sent_at=_sent_at(by_tag.get("DET"), unb),
        sender_department=_first(gga, 2) or None,
        patient_partner_name=partner_name,
        patient_postcode=_postcode(_element(pad, 1)) if pad else None,
        patient_phone=_phone(_first(pad, 2)) if pad else None,
        recipient_name=(_first(ggo, 1) or None) if ggo else None,
        message_reference=_first(unh, 1) or None,
    )


def _messages(segments: list[Segment]) -> tuple[Segment, list[list[Segment]]]:
    """The UNB header and each UNH … UNT run; refuses a cut-off or shuffled interchange."""
    if not segments or _tag(segments[0]) != "UNB":
        raise LetterFormatError("Het bestand is geen Edifact-bericht: de kop (UNB) ontbreekt.")
    if _tag(segments[-1]) != "UNZ":
        raise LetterFormatError("Het Edifact-bericht is onvolledig: de afsluiting (UNZ) ontbreekt.")
    messages: list[list[Segment]] = []
    current: list[Segment] | None = None
    for segment in segments[1:-1]:
        tag = _tag(segment)
        if tag == "UNH":
            if current is not None:
                break
            current = [segment]
        elif current is None:
            break
        else:
            current.append(segment)
            if tag == "UNT":
                messages.append(current)
                current = None
    else:
        if current is None and messages:
            return segments[0], messages
    raise LetterFormatError(
        "Het Edifact-bericht is onvolledig of door elkaar: een bericht (UNH … UNT) is niet "
        "goed afgesloten."
    )


def read_medvris(raw: bytes) -> list[MedvriLetter]:
    """Every letter in a MEDVRI interchange (a file may bundle several), in file order.

    Raises:
        LetterFormatError: too large, not Edifact, not MEDVRI, cut off, or a letter without
            sender, patient or text. One bad message rejects the whole file, so nothing in it
            is read half.
    """
    if len(raw) > MAX_MEDVRI_BYTES:
        raise LetterFormatError("Het MEDVRI-bestand is te groot voor een vrij bericht.")
    unb, messages = _messages(_segments(_decode(raw)))
    return [_read_message(unb, message) for message in messages]


def read_medvri(raw: bytes) -> MedvriLetter:
    """The one letter of a MEDVRI file; a file with several is refused (use ``read_medvris``).

    Raises:
        LetterFormatError: as ``read_medvris``, or more than one letter in the file.
    """
    letters = read_medvris(raw)
    if len(letters) != 1:
        raise LetterFormatError(
            f"Het MEDVRI-bestand bevat {len(letters)} berichten in plaats van één."
        )
    return letters[0]
