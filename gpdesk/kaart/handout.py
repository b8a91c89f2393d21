"""What the practice hands out about a service: the patient's printout and the contact lines.

The handout is one A4 page in plain Dutch (B1) that a patient takes home: what the service
does, for whom, where and when to go, whom to call and what to bring. It is built as a
``gpdesk.letters`` ``Document`` (plain data, no Qt, no PDF), so it is tested like any other
text, saved as PDF by the one letter renderer and shown or printed through its HTML.

Privacy: the patient's name appears only when the user asks for it, and the practice's own
layer (the fixed contact's direct line, local notes) never goes on paper: it is meant for
colleagues, not for patients. A contact who left is never named on paper; their deputy is.

A service that is temporarily closed says so at the top, with its notice: the patient must not
go there in vain.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from gpdesk.errors import GpdeskError
from gpdesk.kaart.schedule import ROUND_THE_CLOCK, format_date
from gpdesk.kaart.store.queries import ContactRef, ServiceDetail
from gpdesk.letters.document import (
    Block,
    Bullets,
    Document,
    Field,
    Fields,
    Heading,
    Letterhead,
    Link,
    Marked,
    Notice,
    Paragraph,
    Strong,
)

WALK_IN_PREFIX = "inloop: "
"""How ``ScheduleSet.labels`` marks walk-in hours among the opening hours."""

DEFAULT_BRING = (
    "uw legitimatiebewijs (paspoort, ID-kaart of rijbewijs)",
    "brieven of papieren die over uw vraag gaan",
)
"""What to bring when the kaart does not say: enough for almost every first visit."""

_SENTENCE = re.compile(r"[^.!?]+[.!?]?")
_BRING = re.compile(r"\bneem\b.*\bmee\b|\bmeenemen\b|\bmee te nemen\b|\bmeebrengen\b", re.I)
# Sentences for professionals ("verwijzen via een signaal uit gpdesk", "de praktijk belt de vaste
# contactpersoon") confuse a patient, and the practice's own contact is not for paper.
_FOR_PROFESSIONALS = re.compile(r"\bgpdesk\b|\bsignaal\b|\bvaste contactpersoon\b", re.I)
_PLACE_UNITS = frozenset({"", "plaats", "plaatsen", "plek", "plekken"})
_SAYS_FREE = re.compile(r"\bvrij\b", re.I)

BODY_SIZES = (12.0, 11.0, 10.0)
"""Body text sizes in points, largest first: 12 pt is the usual minimum for patient leaflets
(readable without glasses); an unusually long entry gets smaller text rather than a second page."""


def sentences(text: str | None) -> list[str]:
    """The sentences of a kaart text, trimmed."""
    if not text:
        return []
    return [part.strip() for part in _SENTENCE.findall(text) if part.strip()]


def for_patient(text: str | None) -> str:
    """``text`` without the sentences meant for professionals (gpdesk, signalen)."""
    return " ".join(s for s in sentences(text) if not _FOR_PROFESSIONALS.search(s))


def what_to_bring(detail: ServiceDetail) -> tuple[str, ...]:
    """What the patient should bring: as the kaart says it, else the sensible default."""
    found = [
        s
        for s in sentences(detail.application_process) + sentences(detail.eligibility_description)
        if _BRING.search(s)
    ]
    return tuple(found) if found else DEFAULT_BRING


def ages_label(minimum: int | None, maximum: int | None) -> str:
    """Dutch age range: "vanaf 18 jaar", "tot en met 17 jaar", "4 tot en met 17 jaar", ""."""
    if minimum is not None and maximum is not None:
        return f"{minimum} tot en met {maximum} jaar"
    if minimum is not None:
        return f"vanaf {minimum} jaar"
    if maximum is not None:
        return f"tot en met {maximum} jaar"
    return ""


def capacity_text(available: float, unit: str | None, description: str | None) -> str:
    """One capacity as the GP says it: "1 plek vrij", "3 plekken vrij", "Wachtlijst: 10 weken".

    The kaart's own note follows after a dash, unless it only repeats what the label says
    ("Eén plek vrij.", "Wachtlijst: ongeveer 4 weken." is shown as it is).
    """
    note = (description or "").strip()
    unit_text = (unit or "").strip()
    if unit_text and "wacht" in unit_text.lower():  # counted in "weken wachttijd"
        label = f"Wachtlijst: {available:g} {unit_text}"
    elif available > 0:
        if unit_text.lower() in _PLACE_UNITS:
            label = f"{available:g} " + ("plek vrij" if available == 1 else "plekken vrij")
        else:
            label = f"{available:g} {unit_text} vrij"
        if _SAYS_FREE.search(note):
            note = ""
    else:
        label = "Wachtlijst"
        if note.lower().startswith("wachtlijst"):
            return note
    return f"{label} – {note}" if note else label


def split_hours(detail: ServiceDetail) -> tuple[list[str], list[str]]:
    """(walk-in hours, other opening hours) as Dutch lines."""
    walk_in = [h.removeprefix(WALK_IN_PREFIX) for h in detail.opening_hours if _is_walk_in(h)]
    other = [h for h in detail.opening_hours if not _is_walk_in(h)]
    return walk_in, other


def _is_walk_in(line: str) -> bool:
    return line.startswith(WALK_IN_PREFIX)


def public_contact(detail: ServiceDetail) -> ContactRef | None:
    """The person a patient may ask for: the service's own first contact, not our private one.

    Someone who left is never named: the first who is still there, else a leaver's deputy.
    """
    for contact in detail.contacts:
        if not contact.departed:
            return contact
    for contact in detail.contacts:
        if contact.deputy is not None and not contact.deputy.departed:
            return contact.deputy
    return None


def public_phone(detail: ServiceDetail) -> str | None:
    """The service's own number, else its first contact's."""
    if detail.phones:
        phone = detail.phones[0]
        return f"{phone.number} (toestel {phone.extension})" if phone.extension else phone.number
    contact = public_contact(detail)
    return None if contact is None else contact.phone


def handout_document(
    detail: ServiceDetail,
    *,
    practice_name: str,
    today: date,
    patient_name: str | None = None,
    body_pt: float = BODY_SIZES[0],
) -> Document:
    """The one-page handout; ``patient_name`` only when the user ticked it.

    Order follows the patient's questions: what is it, is it for me, where and when, what do
    I bring, whom do I call; then how to sign up and what it costs. The PDF metadata title
    names the service only: a viewer, an attachment list or a print queue shows it.
    """
    blocks: list[Block] = []
    if detail.former_names:
        former = "Vroeger heette dit: " + ", ".join(detail.former_names) + "."
        blocks.append(Paragraph(former, muted=True))
    notice = _notice(detail)
    if notice is not None:
        blocks.append(notice)
    if patient_name:
        blocks.append(Paragraph(("Voor: ", Strong(patient_name))))
    blocks += _section("Wat doen zij?", _text(detail.description))
    who = detail.eligibility_description or _capitalised(
        ages_label(detail.minimum_age, detail.maximum_age)
    )
    blocks += _section("Voor wie?", _text(who))
    places: list[Block] = []
    for location in detail.locations:
        lines = [x for x in (location.name, location.address, location.transportation) if x]
        if lines:
            places.append(Paragraph("\n".join(lines)))
    blocks += _section("Waar?", places)
    blocks += _section("Wanneer?", _when(detail))
    blocks += _section("Neem mee", [Bullets(what_to_bring(detail))])
    blocks += _section("Contact", _contact(detail))
    blocks += _section("Hoe meldt u zich aan?", _text(for_patient(detail.application_process)))
    if detail.wait_time:
        blocks += _section("Hoe lang moet u wachten?", _text(_sentence(detail.wait_time)))
    if detail.interpretation_services:
        blocks += _section("Tolk nodig?", _text(detail.interpretation_services))
    blocks += _section("Wat kost het?", _text(_costs_text(detail)))
    return Document(
        letterhead=Letterhead(practice_name),
        title=detail.name,
        subtitle=detail.organization or None,
        blocks=tuple(blocks),
        footer=f"Meegegeven door {practice_name} op {format_date(today, year=True)}.",
        metadata_title=f"Informatie {detail.name}",  # never the patient's name
        body_pt=body_pt,
    )


def handout_pdf(document: Document) -> bytes:
    """The handout as a one-page A4 PDF, in the largest body size that fits on one page.

    Slow-ish (a few layout passes) and thread-safe: run it off the GUI thread.
    """
    from gpdesk.letters.pdf import render_pdf_fitting  # ReportLab loads only when saving

    return render_pdf_fitting(document, BODY_SIZES, max_pages=1)[0]


def save_handout_pdf(document: Document, target: Path) -> Path:
    """Render the handout and write it to ``target``; the path written.

    The PDF goes to a hidden file next to ``target`` first and is renamed over it only when
    complete, so a full disk or a lost network share never leaves half a file (nor spoils an
    earlier one). Raises ``GpdeskError`` with what to do, in Dutch.
    """
    data = handout_pdf(document)
    partial: Path | None = None
    try:
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        partial = Path(name)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(target)
    except BaseException as error:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise _save_error(error) from None
        raise
    return target


def _save_error(error: OSError) -> GpdeskError:
    """What went wrong, in words the user can act on; no path (a file name may name a patient)."""
    nothing = "Er is geen half bestand achtergebleven."
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return GpdeskError(
            "Het PDF-bestand is niet opgeslagen: de schijf is vol.",
            hint=f"{nothing} Maak ruimte vrij of kies een andere map.",
        )
    if isinstance(error, PermissionError) or error.errno in (
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
    ):
        return GpdeskError(
            "Het PDF-bestand is niet opgeslagen: u mag niet schrijven in deze map, of het "
            "bestand is geopend in een ander programma.",
            hint=f"{nothing} Kies een andere map, of sluit het bestand en probeer opnieuw.",
        )
    if isinstance(error, FileNotFoundError):
        return GpdeskError(
            "Het PDF-bestand is niet opgeslagen: de map bestaat niet (meer).",
            hint=f"{nothing} Kies een andere map.",
        )
    return GpdeskError(
        "Het PDF-bestand kon niet worden geschreven.",
        hint=f"{nothing} Kies een andere map en probeer opnieuw.",
    )


def _section(title: str, body: list[Block]) -> list[Block]:
    """A heading with its text, or nothing when there is no text (the section is left out)."""
    return [Heading(title), *body] if body else []


def _text(text: str | None) -> list[Block]:
    return [Paragraph(text)] if text and text.strip() else []


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    """A kaart text as a sentence: a capital first, a full stop last."""
    tidy = " ".join(text.split())
    return _capitalised(tidy) + ("" if tidy[-1:] in ".!?" else ".") if tidy else ""


CONTRACT_TEXT = "De gemeente heeft een contract met deze aanbieder."
NO_CONTRACT_TEXT = "Deze aanbieder heeft geen contract met de gemeente: u betaalt zelf."


def contract_text(municipal_contract: bool | None) -> str:
    """What the municipal contract means for the patient, in one sentence ("" when unknown)."""
    if municipal_contract is None:
        return ""
    return CONTRACT_TEXT if municipal_contract else NO_CONTRACT_TEXT


def _costs_text(detail: ServiceDetail) -> str:
    return " ".join(
        part
        for part in (detail.fees_description or "", contract_text(detail.municipal_contract))
        if part
    )


def _notice(detail: ServiceDetail) -> Notice | None:
    """The notice at the top: closed for now, or a short-term alert, in the patient's words."""
    notice = for_patient(detail.alert)
    if detail.closed:
        text = "Let op: deze voorziening is tijdelijk gesloten."
        return Notice(f"{text} {_sentence(notice)}" if notice else text)
    return Notice(f"Let op: {_sentence(notice)}") if notice else None


def _contact(detail: ServiceDetail) -> list[Block]:
    rows: list[Field] = []
    phone = public_phone(detail)
    if phone:
        rows.append(Field("Bel", phone, prominent=True))
    contact = public_contact(detail)
    if contact is not None:
        who = contact.name + (f" ({contact.title})" if contact.title else "")
        rows.append(Field("Vraag naar", who))
    if detail.email:
        rows.append(Field("E-mail", Link(detail.email, f"mailto:{detail.email}")))
    if detail.url:
        rows.append(Field("Website", Link(detail.url, detail.url)))
    return [Fields(tuple(rows))] if rows else []


def _when(detail: ServiceDetail) -> list[Block]:
    walk_in, other = split_hours(detail)
    out: list[Block] = []
    if detail.closed and (walk_in or other):
        out.append(Paragraph("Nu gesloten. Als het weer open is, gelden deze tijden:"))
    if walk_in:
        out.append(
            Paragraph(
                "U kunt zonder afspraak langskomen op het inloopspreekuur: "
                + "; ".join(walk_in)
                + "."
            )
        )
        if detail.next_walk_in_label:
            next_time = Marked(detail.next_walk_in_label)
            out.append(Paragraph(("De eerstvolgende keer is: ", next_time, ".")))
    phone = public_phone(detail)
    if other:
        lead = "Bellen of een afspraak maken kan op" if walk_in else "Open op"
        out.append(Paragraph(f"{lead}: " + "; ".join(other) + "."))
    if not walk_in and ROUND_THE_CLOCK not in other:  # open day and night: just call
        out.append(
            Paragraph(
                f"Maak eerst een afspraak: bel {phone}." if phone else "Maak eerst een afspraak."
            )
        )
    return out


def contact_lines(detail: ServiceDetail) -> str:
    """Plain text for the clipboard: the service, who to call (with deputy), phone and e-mail.

    For colleagues, so the practice's fixed contact with the direct line comes first. No
    patient data: nothing here comes from the patient in context.
    """
    lines = [f"{detail.name} ({detail.organization})"]
    if detail.closed:
        lines.append("Tijdelijk gesloten" + (f": {detail.alert}" if detail.alert else ""))
    fixed = next((c for c in detail.fixed_contacts if not c.departed), None)
    person = fixed or public_contact(detail)
    if person is not None:
        label = "Vaste contactpersoon" if person.fixed else "Contactpersoon"
        instead = f" (vervangt {person.stands_in_for}, vertrokken)" if person.stands_in_for else ""
        lines.append(f"{label}: {_person(person)}{instead}")
        if person.deputy is not None:
            lines.append(f"Vervanger: {_person(person.deputy)}")
    general = [p.number for p in detail.phones]
    if general:
        lines.append("Algemeen nummer: " + ", ".join(general))
    if detail.email:
        lines.append(f"E-mail: {detail.email}")
    return "\n".join(lines)


def _person(contact: ContactRef) -> str:
    parts = [contact.name + (f" ({contact.title})" if contact.title else "")]
    if contact.phone:
        parts.append(f"tel. {contact.phone}")
    if contact.email:
        parts.append(contact.email)
    return ", ".join(parts)
