"""What the practice hands out about a service: the patient's printout and the contact lines.

The handout is one A4 page in plain Dutch (B1) that a patient takes home: what the service
does, for whom, where and when to go, whom to call and what to bring. It is built as simple
HTML (the subset ``QTextDocument`` renders) without Qt, so it is tested like any other text.

Privacy: the patient's name appears only when the user asks for it, and the practice's own
layer (the fixed contact's direct line, local notes) never goes on paper: it is meant for
colleagues, not for patients. A contact who left is never named on paper; their deputy is.

A service that is temporarily closed says so at the top, with its notice: the patient must not
go there in vain.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from gpdesk.kaart.schedule import ROUND_THE_CLOCK, format_date
from gpdesk.kaart.store.queries import ContactRef, ServiceDetail

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

BODY_PT = 12.0
"""Body text size: 12 pt is the usual minimum for patient leaflets (readable without glasses)."""


def _style(body_pt: float) -> str:
    """The handout's CSS, every size relative to the body text.

    Headings are styled paragraphs: ``QTextDocument`` gives ``<h1>``–``<h3>`` fixed sizes of
    its own.
    """

    def pt(factor: float) -> str:
        return f"{body_pt * factor:.1f}pt"

    return f"""
body {{ font-size: {pt(1)}; color: #1a1a1a; }}
p {{ margin-top: 0; margin-bottom: 2px; }}
p.title {{ font-size: {pt(1.75)}; font-weight: 600; color: #1f3a3d; margin-bottom: 0; }}
p.head {{ font-size: {pt(1.1)}; font-weight: 600; color: #1f6f78; margin-top: 12px;
          margin-bottom: 1px; }}
p.practice {{ font-size: {pt(0.85)}; color: #555; }}
p.org {{ color: #444; margin-bottom: 2px; }}
p.for {{ margin-top: 4px; }}
p.footer {{ font-size: {pt(0.8)}; color: #555; margin-top: 6px; }}
span.next {{ background-color: #fff4d6; font-weight: 600; }}
span.phone {{ font-size: {pt(1.25)}; font-weight: 600; }}
p.alert {{ font-weight: 600; color: #7a1c1c; background-color: #fdecea; margin-top: 6px;
           margin-bottom: 2px; }}
td {{ padding: 1px 8px 1px 0; }}
ul {{ margin-top: 0; margin-bottom: 0; }}
"""


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


def _p(text: str, cls: str | None = None) -> str:
    """A paragraph, or nothing for an empty text (so its section is left out too)."""
    if not text.strip():
        return ""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def _section(title: str, body: str) -> str:
    return f'<p class="head">{escape(title)}</p>{body}' if body else ""


def handout_html(
    detail: ServiceDetail,
    *,
    practice_name: str,
    today: date,
    patient_name: str | None = None,
    body_pt: float = BODY_PT,
) -> str:
    """The one-page handout as HTML; ``patient_name`` only when the user ticked it.

    Order follows the patient's questions: what is it, is it for me, where and when, what do
    I bring, whom do I call; then how to sign up and what it costs. ``body_pt`` lets the
    printing code shrink an unusually long entry so it still fits on one page.
    """
    parts: list[str] = [
        _p(practice_name, "practice"),
        _p(detail.name, "title"),
        _p(detail.organization, "org"),
    ]
    if detail.former_names:
        parts.append(_p("Vroeger heette dit: " + ", ".join(detail.former_names) + ".", "org"))
    parts.append(_alert_html(detail))
    if patient_name:
        parts.append(f'<p class="for">Voor: <b>{escape(patient_name)}</b></p>')
    parts.append(_section("Wat doen zij?", _p(detail.description or "")))
    who = detail.eligibility_description or _capitalised(
        ages_label(detail.minimum_age, detail.maximum_age)
    )
    parts.append(_section("Voor wie?", _p(who)))
    places = []
    for location in detail.locations:
        lines = [x for x in (location.name, location.address, location.transportation) if x]
        if lines:
            places.append("<p>" + "<br>".join(escape(x) for x in lines) + "</p>")
    parts.append(_section("Waar?", "".join(places)))
    parts.append(_section("Wanneer?", _when_html(detail)))
    bring = "".join(f"<li>{escape(item)}</li>" for item in what_to_bring(detail))
    parts.append(_section("Neem mee", f"<ul>{bring}</ul>"))
    parts.append(_section("Contact", _contact_html(detail)))
    parts.append(_section("Hoe meldt u zich aan?", _p(for_patient(detail.application_process))))
    if detail.wait_time:
        parts.append(_section("Hoe lang moet u wachten?", _p(_sentence(detail.wait_time))))
    if detail.interpretation_services:
        parts.append(_section("Tolk nodig?", _p(detail.interpretation_services)))
    parts.append(_section("Wat kost het?", _p(_costs_text(detail))))
    parts.append(
        _p(f"Meegegeven door {practice_name} op {format_date(today, year=True)}.", "footer")
    )
    return (
        '<html><head><meta charset="utf-8"><style>'
        + _style(body_pt)
        + "</style></head><body>"
        + "".join(p for p in parts if p)
        + "</body></html>"
    )


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


def _alert_html(detail: ServiceDetail) -> str:
    """The notice at the top: closed for now, or a short-term alert, in the patient's words."""
    notice = for_patient(detail.alert)
    if detail.closed:
        text = "Let op: deze voorziening is tijdelijk gesloten."
        return _p(f"{text} {_sentence(notice)}" if notice else text, "alert")
    return _p(f"Let op: {_sentence(notice)}", "alert") if notice else ""


def _contact_html(detail: ServiceDetail) -> str:
    phone = public_phone(detail)
    contact = public_contact(detail)
    rows: list[tuple[str, str]] = []
    if phone:
        rows.append(("Bel", f'<span class="phone">{escape(phone)}</span>'))
    if contact is not None:
        who_text = contact.name + (f" ({contact.title})" if contact.title else "")
        rows.append(("Vraag naar", escape(who_text)))
    if detail.email:
        rows.append(("E-mail", escape(detail.email)))
    if detail.url:
        rows.append(("Website", escape(detail.url)))
    cells = "".join(
        f'<tr><td valign="middle">{label}:</td><td valign="middle">{value}</td></tr>'
        for label, value in rows
    )
    return f"<table>{cells}</table>" if rows else ""


def _when_html(detail: ServiceDetail) -> str:
    walk_in, other = split_hours(detail)
    parts: list[str] = []
    if detail.closed and (walk_in or other):
        parts.append(_p("Nu gesloten. Als het weer open is, gelden deze tijden:"))
    if walk_in:
        parts.append(
            _p(
                "U kunt zonder afspraak langskomen op het inloopspreekuur: "
                + "; ".join(walk_in)
                + "."
            )
        )
        if detail.next_walk_in_label:
            parts.append(
                '<p>De eerstvolgende keer is: <span class="next">'
                + escape(detail.next_walk_in_label)
                + "</span>.</p>"
            )
    phone = public_phone(detail)
    if other:
        lead = "Bellen of een afspraak maken kan op" if walk_in else "Open op"
        parts.append(_p(f"{lead}: " + "; ".join(other) + "."))
    if not walk_in and ROUND_THE_CLOCK not in other:  # open day and night: just call
        parts.append(
            _p(f"Maak eerst een afspraak: bel {phone}.")
            if phone
            else _p("Maak eerst een afspraak.")
        )
    return "".join(parts)


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
