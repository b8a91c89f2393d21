"""Letters for the demo practice: the wijkteams' answers to the demo signals (issue #11 item 11).

A newcomer opens the inbox and finds each thing it does: a closing letter (a PDF attached to an
e-mail) linked by the reference in the PDF, an escalation flagged at once, a one-click
"ontvangen" that moved its signal, an advice letter as a bare PDF, a betrokkenheidsmelding that
names a patient the practice never signalled (linked by name and birth date, once the user
confirms the suggestion), a letter about someone who is not a patient here ("Niet gekoppeld"),
a file that says it is a PDF but is not (in quarantine), and a Wmo information request the GP
can answer (the patient's consent for it recorded). One more letter waits in the drop
folder ``demo-inbox`` in the demo home, the demo practice's source, so ``gpdesk inbox fetch``
has something to do; it names its signal only in its In-Reply-To header.

Everything is made here, in code: the e-mails with the ``email`` package, the PDFs with
gpdesk's own renderer (``gpdesk.letters``), so no binary file is committed. They are stored
through the real path, ``intake.read_item`` and ``store.receive``, each at the moment it came
in. They are read in this process (``parse_in_process``): they are gpdesk's own letters, made a
moment ago, and the limited reading process would add its start-up to every demo the tests
make. The files stored are also put in ``demo-inbox/verwerkt``, where a fetch leaves them.
The doktersassistent has done her first steps: the closing letter is overgenomen in HIS and
the advice letter's kind confirmed (now the GP's, with a due day); the rest is nieuw.

All people, teams' staff and numbers are fictional (the staff are the demo kaart's contacts).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Final
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.inbox.intake import practice_keys, read_item
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.parsing import parse_in_process
from gpdesk.inbox.requests.checklist import ANSWER_ITEMS, ANSWER_PURPOSE
from gpdesk.inbox.sources.folder import PROCESSED
from gpdesk.inbox.store import Received, file_letter, receive
from gpdesk.inbox.store.sources import add_folder_source
from gpdesk.inbox.store.triage import confirm_kind
from gpdesk.letters.document import (
    Block,
    Bullets,
    Document,
    Field,
    Fields,
    Heading,
    Letterhead,
    Paragraph,
)
from gpdesk.models import Consent, LetterSource, MessageKind, OutboxMessage, Signal, utcnow
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.signals.consent import ConsentDraft, ConsentMethod, OrganisationRef, record_consent
from gpdesk.signals.demo import GATEWAY
from gpdesk.signals.replies import ReplyStatus, reply_mailto

DEMO_INBOX: Final = "demo-inbox"
"""Inside the demo home: the demo practice's drop folder (a source of the inbox)."""
PRACTICE_ADDRESS: Final = GATEWAY.from_address
"""The demo practice's reply address (its mail gateway's from-address)."""
PRACTICE_LINES: Final = (
    "Huisartsenpraktijk De Singel",
    "t.a.v. H. Bakker, huisarts",
    "Singel 12",
    "3112 GS Schiedam",
)
DOMAIN: Final = "voorbeeld-schiedam.nl"
TEAM_ADDRESS: Final = ("Voorbeeldplein 1", "3100 AA Schiedam")
TEAM_PHONE: Final = "010-000 98 76"
"""The teams' letterhead: a made-up address and a number that does not exist."""
FOOTER: Final = "Gemeente Schiedam, sociaal wijkteam · fictieve brief voor de demo van gpdesk"

CLOSED_BSN: Final = "507529170"
"""The demo signal that is afgerond: its closing letter."""
CARER_BSN: Final = "385280841"
"""In behandeling: an escalation now, a progress letter waiting in the drop folder."""
LONELY_BSN: Final = "252760189"
"""Sent four days ago: the team's one-click "ontvangen", then an advice letter."""
CLOSING_NAME: Final = "afsluiting-wijkteam.eml"
ADVICE_NAME: Final = "Advies wijkteam Nieuwland.pdf"
REQUEST_NAME: Final = "informatieverzoek.eml"


@dataclass(frozen=True)
class Writer:
    """A team member who writes to the practice (a contact of the demo kaart)."""

    name: str
    title: str
    team: str

    @property
    def address(self) -> str:
        """``voornaam.achternaam@voorbeeld-schiedam.nl``."""
        return f"{self.name.lower().replace(' ', '.')}@{DOMAIN}"

    @property
    def signature(self) -> str:
        """The closing lines of a letter or an e-mail."""
        return f"Met vriendelijke groet,\n\n{self.name}\n{self.title}\n{self.team}"


WRITERS: Final = {
    "Wijkteam Centrum": Writer("Sanne de Wit", "wijkcoach, aanspreekpunt huisartsen",
                               "Wijkteam Centrum"),
    "Wijkteam Kethel/Spaland": Writer("Marieke Hoekstra", "wijkcoach, aanspreekpunt huisartsen",
                                      "Wijkteam Kethel/Spaland"),
    "Wijkteam Nieuwland": Writer("Fatma Kaya", "wijkcoach, aanspreekpunt huisartsen",
                                 "Wijkteam Nieuwland"),
    "Wijkteam Oost": Writer("Karin Bos", "wijkcoach, aanspreekpunt huisartsen", "Wijkteam Oost"),
    "Wijkteam Groenoord": Writer("Peter van Leeuwen", "wijkcoach, aanspreekpunt huisartsen",
                                 "Wijkteam Groenoord"),
}  # fmt: skip
SECOND_WRITER: Final = Writer("Kevin Ramdin", "wijkcoach", "Wijkteam Kethel/Spaland")


@dataclass(frozen=True)
class DemoSignalFacts:
    """What a letter needs of the signal it answers."""

    reference: str
    team: str
    message_id: str | None
    """The Message-ID of the signal's own mail, which a reply quotes in In-Reply-To."""


@dataclass(frozen=True)
class DemoLetter:
    """One letter as it reaches the practice: its file name, when it came, its bytes."""

    name: str
    received_at: datetime
    raw: bytes


def _writer(team: str) -> Writer:
    """The team's contact for the practice; a generic one for a team the demo did not expect."""
    return WRITERS.get(team) or Writer("M. de Boer", "wijkcoach", team)


def _email(
    writer: Writer,
    subject: str,
    body: str,
    sent_at: datetime,
    *,
    slug: str,
    in_reply_to: str | None = None,
    pdf: tuple[str, bytes] | None = None,
) -> bytes:
    """An e-mail as the team's mail client writes it (CRLF line ends, a Message-ID)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = formataddr((writer.name, writer.address))
    message["To"] = formataddr(("Huisartsenpraktijk De Singel", PRACTICE_ADDRESS))
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at.astimezone())
    message["Message-ID"] = f"<{slug}.{sent_at:%Y%m%d%H%M%S}@{DOMAIN}>"
    if in_reply_to is not None:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(body)
    if pdf is not None:
        filename, data = pdf
        message.add_attachment(data, maintype="application", subtype="pdf", filename=filename)
    return message.as_bytes()


def _pdf(
    writer: Writer, title: str, written: datetime, fields: tuple[Field, ...], *blocks: Block
) -> bytes:
    """A team's letter on its own letterhead, rendered by gpdesk's renderer."""
    from gpdesk.letters.pdf import render_pdf

    document = Document(
        letterhead=Letterhead(
            writer.team, TEAM_ADDRESS, phone=TEAM_PHONE, email=writer.address
        ),
        title=title,
        blocks=(Fields(fields), *blocks, Paragraph(writer.signature)),
        date=written.astimezone().date(),
        recipient=PRACTICE_LINES,
        footer=FOOTER,
        metadata_title=title,
        created_at=written,
    )  # fmt: skip
    return render_pdf(document)


def _birth(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def closing_letter(signal: DemoSignalFacts, at: datetime) -> DemoLetter:
    """Afgerond: an e-mail with the closing letter attached; only the PDF names the reference."""
    writer = _writer(signal.team)
    written = at - timedelta(hours=20)
    pdf = _pdf(
        writer, "Afsluiting ondersteuning", written,
        (
            Field("Uw kenmerk", signal.reference),
            Field("Betreft", "mevrouw G. Pietersen-Kok"),
            Field("Geboortedatum", _birth(date(1941, 11, 30))),
        ),
        Paragraph("Geachte collega,"),
        Paragraph(
            "U meldde mevrouw bij ons aan omdat zij thuis steeds minder goed rondkwam. Wij "
            "hebben mevrouw en haar dochter thuis gesproken en samen gekeken wat nodig is om "
            "thuis te kunnen blijven wonen."
        ),
        Heading("Wat is geregeld"),
        Bullets((
            "Huishoudelijke hulp via de Wmo, twee ochtenden per week.",
            "Dagbesteding in buurthuis De Hoek op dinsdag en donderdag, met vervoer.",
            "Een personenalarm; de dochter is de eerste contactpersoon.",
        )),
        Paragraph(
            "Mevrouw is tevreden en heeft nu geen andere vragen. Wij sluiten onze ondersteuning "
            "daarom af. Verandert er iets, dan kunt u mevrouw opnieuw bij ons aanmelden."
        ),
    )  # fmt: skip
    raw = _email(
        writer, "Afsluiting ondersteuning wijkteam",
        "Beste collega's,\n\nIn de bijlage vindt u onze brief over de afsluiting van de "
        "ondersteuning van uw patiënte. Het kenmerk van uw aanmelding staat in de brief.\n\n"
        f"{writer.signature}\n",
        at - timedelta(minutes=4), slug="afsluiting", pdf=("Afsluitbrief wijkteam.pdf", pdf),
    )  # fmt: skip
    return DemoLetter(CLOSING_NAME, at, raw)


def escalation(signal: DemoSignalFacts, at: datetime) -> DemoLetter:
    """In behandeling: the carer cannot go on; the crisis service is on its way."""
    writer = _writer(signal.team)
    raw = _email(
        writer, f"Spoed: {signal.reference}, graag vandaag contact",
        "Beste dokter Bakker,\n\n"
        f"Gisteren was ik op huisbezoek bij uw patiënt (kenmerk {signal.reference}). Zijn "
        "moeder is na een val opgenomen en meneer is op. Hij slaapt al dagen niet en zegt dat "
        "hij het niet meer volhoudt. Met zijn toestemming heb ik de crisisdienst van de GGZ "
        "gebeld; zij komen vanmiddag bij hem thuis.\n\n"
        "Wilt u vandaag contact met hem opnemen? Hij verwacht uw telefoontje. Ik ben tot "
        "17.00 uur bereikbaar op 010 000 45 67.\n\n"
        f"{writer.signature}\n",
        at - timedelta(minutes=2), slug="spoed",
    )  # fmt: skip
    return DemoLetter("spoed-wijkteam.eml", at, raw)


def one_click_received(signal: DemoSignalFacts, at: datetime) -> DemoLetter:
    """The "ontvangen" link of the signal's mail, clicked: the mail the team's client made."""
    writer = _writer(signal.team)
    fields = parse_qs(urlsplit(reply_mailto(PRACTICE_ADDRESS, signal.reference,
                                            ReplyStatus.RECEIVED)).query)  # fmt: skip
    subject, body = fields["subject"][0], fields["body"][0]
    raw = _email(writer, subject, body, at - timedelta(minutes=1), slug="antwoordlink")
    return DemoLetter("antwoord-ontvangen.eml", at, raw)


def advice(signal: DemoSignalFacts, at: datetime) -> DemoLetter:
    """After the first talk: the team advises the GP to see her (a bare PDF, saved by hand)."""
    writer = _writer(signal.team)
    written = at - timedelta(hours=3)
    raw = _pdf(
        writer, "Advies na kennismaking", written,
        (
            Field("Uw kenmerk", signal.reference),
            Field("Betreft", "mevrouw F. el Amrani"),
            Field("Geboortedatum", _birth(date(1988, 6, 14))),
        ),
        Paragraph("Geachte collega,"),
        Paragraph(
            "Dank voor uw aanmelding. Ik had een kennismakingsgesprek met mevrouw. Zij woont "
            "sinds kort in Nieuwland en kent nog niemand. Vanaf volgende week gaat zij naar de "
            "koffieochtend in buurthuis De Vlinder, samen met een maatje van de buurtcoach."
        ),
        Paragraph(
            "Wat mij opviel: mevrouw slaapt slecht, huilt veel en zegt dat ze nergens meer zin "
            "in heeft. Dat lijkt mij meer dan eenzaamheid alleen."
        ),
        Heading("Ons advies"),
        Paragraph(
            "Wij adviseren u mevrouw op korte termijn zelf te zien en te beoordelen of "
            "begeleiding door de POH-GGZ nodig is. Mevrouw weet dat ik u dit schrijf en vindt "
            "het goed. Wij blijven haar in de wijk ondersteunen."
        ),
    )  # fmt: skip
    return DemoLetter(ADVICE_NAME, at, raw)


def involvement(at: datetime) -> DemoLetter:
    """A patient the practice never signalled: the team tells it supports her (name, birth)."""
    writer = WRITERS["Wijkteam Oost"]
    raw = _email(
        writer, "Melding: wijkteam betrokken",
        "Beste collega's,\n\n"
        "Graag laten wij u weten dat wij betrokken zijn bij uw patiënte:\n\n"
        f"Betreft: mevrouw M. Wijnalda, geboren {_birth(date(1995, 12, 17))}\n\n"
        "Mevrouw kwam zelf naar ons inloopspreekuur met vragen over geldzorgen, nu zij haar "
        "baan kwijt is. Wij helpen haar met haar administratie en een aanvraag voor "
        "bijzondere bijstand. Mevrouw gaf toestemming om u dit te laten weten.\n\n"
        "U hoeft niets te doen. Heeft u een vraag, bel of mail mij gerust.\n\n"
        f"{writer.signature}\n",
        at - timedelta(minutes=6), slug="betrokken",
    )  # fmt: skip
    return DemoLetter("melding-betrokkenheid.eml", at, raw)


def information_request(signal: DemoSignalFacts, at: datetime) -> DemoLetter:
    """The Wmo consultant asks the GP for medical facts for the carer's own application.

    Two factual questions and one that asks for a judgement, which the LHV checklist tells the
    GP to leave unanswered. The GP records the patient's consent (``_consent_for_request``).
    """
    writer = _writer(signal.team)
    raw = _email(
        writer, f"Verzoek om medische informatie, uw kenmerk {signal.reference}",
        "Beste dokter Bakker,\n\n"
        f"Naar aanleiding van uw aanmelding (kenmerk {signal.reference}) heeft meneer een "
        "Wmo-aanvraag gedaan voor begeleiding, zodat hij de zorg voor zijn moeder kan "
        "volhouden. Voor het onderzoek naar die aanvraag vragen wij u om medische informatie. "
        "Meneer heeft toestemming gegeven om u dit te vragen.\n\n"
        "Onze vragen:\n"
        "1. Is meneer bij u onder behandeling voor klachten die zijn belastbaarheid "
        "beperken, en zo ja, welke?\n"
        "2. Krijgt hij daarvoor behandeling of begeleiding, bijvoorbeeld van de POH-GGZ?\n"
        "3. Vindt u dat meneer in aanmerking komt voor begeleiding vanuit de Wmo?\n\n"
        "Wij ontvangen uw antwoord graag binnen twee weken via beveiligde e-mail.\n\n"
        f"{writer.signature}\n",
        at - timedelta(minutes=5), slug="informatieverzoek",
    )  # fmt: skip
    return DemoLetter(REQUEST_NAME, at, raw)


def not_ours(at: datetime) -> DemoLetter:
    """About someone who is no patient here: it waits in "Niet gekoppeld"."""
    writer = WRITERS["Wijkteam Groenoord"]
    raw = _email(
        writer, "Terugkoppeling aanmelding",
        "Beste collega's,\n\n"
        f"Betreft: de heer P. Mulder, geboren {_birth(date(1962, 4, 3))}\n\n"
        "Wij hebben kennisgemaakt met meneer en hem geholpen met een aanvraag voor "
        "schuldhulp. Het eerste gesprek bij de Kredietbank is binnenkort. Wij zijn nog bezig "
        "met zijn woonsituatie; u hoort van ons zodra daar meer over bekend is.\n\n"
        f"{writer.signature}\n",
        at - timedelta(minutes=9), slug="terugkoppeling",
    )  # fmt: skip
    return DemoLetter("terugkoppeling.eml", at, raw)


def not_a_pdf(at: datetime) -> DemoLetter:
    """Named like a PDF, but a Windows program's first bytes: kept, never opened."""
    raw = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48)
    return DemoLetter("Terugkoppeling wijkteam.pdf", at, raw + b"This program cannot be run.")


def progress(signal: DemoSignalFacts, sent_at: datetime) -> DemoLetter:
    """In behandeling: a progress report whose only link to its signal is In-Reply-To."""
    writer = SECOND_WRITER if signal.team == SECOND_WRITER.team else _writer(signal.team)
    raw = _email(
        writer, "Voortgang",
        "Beste collega's,\n\n"
        "Hierbij een korte stand van zaken over uw patiënt. Meneer heeft respijtzorg "
        "aangevraagd: zijn moeder kan vanaf volgende maand twee dagen per week naar de "
        "dagopvang. Ook heeft hij nu een vaste mantelzorgconsulent.\n\n"
        "Wij houden u op de hoogte.\n\n"
        f"{writer.signature}\n",
        sent_at, slug="voortgang", in_reply_to=signal.message_id,
    )  # fmt: skip
    return DemoLetter("voortgang.eml", sent_at, raw)


def signal_facts(db: Database, references: Mapping[str, str]) -> dict[str, DemoSignalFacts]:
    """Per patient BSN: the reference, team and Message-ID of the demo signal."""
    facts: dict[str, DemoSignalFacts] = {}
    with db.session() as session:
        for bsn, reference in references.items():
            signal = session.scalars(select(Signal).where(Signal.reference == reference)).one()
            message_id = session.scalar(
                select(OutboxMessage.message_id)
                .where(OutboxMessage.signal_id == signal.id)
                .where(OutboxMessage.kind == MessageKind.SIGNAL)
                .limit(1)
            )
            facts[bsn] = DemoSignalFacts(reference, signal.team_name or "", message_id)
    return facts


def demo_letters(signals: Mapping[str, DemoSignalFacts], now: datetime) -> list[DemoLetter]:
    """The letters the demo inbox holds, oldest first."""

    def ago(days: int, hours: int = 0) -> datetime:
        return now - timedelta(days=days, hours=hours)

    return [
        closing_letter(signals[CLOSED_BSN], ago(7, 5)),
        not_a_pdf(ago(6, 2)),
        not_ours(ago(5, 4)),
        one_click_received(signals[LONELY_BSN], ago(3)),
        involvement(ago(2, 1)),
        advice(signals[LONELY_BSN], ago(1, 2)),
        escalation(signals[CARER_BSN], ago(0, 3)),
        information_request(signals[CARER_BSN], ago(0, 1)),
    ]


def add_demo_letters(
    db: Database,
    vault: Vault,
    *,
    manager: Actor,
    home: Path,
    references: Mapping[str, str],
    assistant: Actor | None = None,
    gp: Actor | None = None,
    now: datetime | None = None,
) -> list[Received]:
    """The demo's drop folder as a source, its letters stored, one more waiting there.

    ``references`` maps a demo patient's BSN to the reference of their signal. Each letter is
    read and stored in its own transaction at the moment it came in, as a fetch does. With
    ``assistant``, she has done what the doktersassistent does first: the closing letter is
    overgenomen in HIS and the advice letter's kind confirmed (so it is the GP's, with a due
    day); everything else is nieuw. With ``gp``, the huisarts has recorded the consent the
    information request rests on, so it can be answered.
    """
    moment = now or utcnow()
    folder = home / DEMO_INBOX
    processed = folder / PROCESSED
    processed.mkdir(parents=True, exist_ok=True)
    with db.session() as session:
        source_id = add_folder_source(session, vault, manager, folder).id
    signals = signal_facts(db, references)
    keys = practice_keys(db, vault)
    stored = []
    letters = demo_letters(signals, moment)
    for letter in letters:
        incoming = read_item(
            letter.name, letter.raw, LetterSource.FOLDER, keys=keys, source_id=source_id,
            parser=parse_in_process, now=letter.received_at,
        )  # fmt: skip
        with db.session() as session:
            stored.append(receive(session, vault, None, incoming, now=letter.received_at))
        _place(processed, letter)
    if assistant is not None:
        by_name = {letter.name: (got.letter_id, letter.received_at)
                   for letter, got in zip(letters, stored, strict=True)}  # fmt: skip
        letter_id, at = by_name[CLOSING_NAME]
        with db.session() as session:
            file_letter(session, vault, assistant, letter_id, now=at + timedelta(hours=2))
        letter_id, at = by_name[ADVICE_NAME]
        with db.session() as session:
            confirm_kind(session, vault, assistant, letter_id, LetterKind.ADVICE,
                         now=at + timedelta(minutes=40))  # fmt: skip
    if gp is not None:
        asked = next(letter for letter in letters if letter.name == REQUEST_NAME)
        _consent_for_request(db, vault, gp, signals[CARER_BSN],
                             at=asked.received_at + timedelta(minutes=30))  # fmt: skip
    waiting = progress(signals[CARER_BSN], moment - timedelta(days=2))
    path = folder / waiting.name
    path.write_bytes(waiting.raw)
    settled = (moment - timedelta(hours=1)).timestamp()
    os.utime(path, (settled, settled))  # a file just written is left for the next scan
    return stored


def _consent_for_request(
    db: Database, vault: Vault, gp: Actor, signal: DemoSignalFacts, *, at: datetime
) -> None:
    """The GP called the patient about the team's request and recorded his oral consent.

    Medical information for the team's organisation, the one the signal's consent names.
    """
    with db.session() as session:
        row = session.scalars(select(Signal).where(Signal.reference == signal.reference)).one()
        given = session.get(Consent, row.consent_id)
        assert given is not None, "a demo signal is sent with consent"
        organisations = tuple(
            OrganisationRef(o.name, o.organisation_id) for o in given.organisations
        )
        draft = ConsentDraft(
            purposes=frozenset({ANSWER_PURPOSE}), organisations=organisations,
            items=frozenset(ANSWER_ITEMS), method=ConsentMethod.ORAL,
        )  # fmt: skip
        record_consent(session, vault, gp, row.patient_id, draft, now=at)


def _place(processed: Path, letter: DemoLetter) -> None:
    """The stored file where a fetch leaves it, with the time it came in."""
    path = processed / letter.name
    path.write_bytes(letter.raw)
    at = letter.received_at.timestamp()
    os.utime(path, (at, at))
